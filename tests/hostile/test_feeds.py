"""Feed, OPML and feed-discovery parsing of hostile documents."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from tests.hostile.conftest import require
from tests.hostile.corpus import (
    CORPUS_DIR,
    FEED_FILES,
    billion_laughs,
    deep_nesting,
    huge_feed,
    item_count,
    xxe,
    xxe_parameter,
)
from tests.hostile.payloads import (
    MARKUP,
    assert_all_clean,
    assert_clean,
    assert_safe_link,
)
from tests.httpserver import LocalServer
from tui_reader.core.errors import FeedError

FEED_URL = "https://good.example/feed.xml"


def feeds() -> ModuleType:
    return require("tui_reader.core.feeds", "parse_feed")


def check_parsed(parsed: object, where: str) -> None:
    """Every string clean, every entry URL absolute http(s) or ``None``."""
    assert_all_clean(parsed, where)
    # A relative link such as "jav&#x09;ascript:x" in JSON resolves to a harmless
    # https://host/jav... path; what matters is the scheme and the host.
    assert_safe_link(getattr(parsed, "site_url", None), f"{where} site_url", fetchable=True)
    for n, entry in enumerate(getattr(parsed, "entries", ())):
        assert_safe_link(entry.url, f"{where} entry {n} url", fetchable=True)
        assert entry.guid, f"{where} entry {n} has no guid"


@pytest.mark.parametrize("name", list(FEED_FILES))
def test_hostile_feed_parses_clean_and_complete(name: str) -> None:
    data = (CORPUS_DIR / name).read_bytes()
    parsed = feeds().parse_feed(data, FEED_URL, FEED_FILES[name])
    check_parsed(parsed, name)
    # Nothing is lost: every item is there (a bad link makes url None, not the item vanish).
    assert len(parsed.entries) == item_count(name)
    assert len({e.guid for e in parsed.entries}) == len(parsed.entries)
    titles = " ".join(e.title for e in parsed.entries)
    for n in range(item_count(name)):
        assert f"CANARY{n:02d}" in titles, f"item {n}'s title lost"
    # Markup-like text is kept as text.
    assert MARKUP["click_quit"] in titles
    good = [e for e in parsed.entries if e.url and e.url.startswith("https://good.example/")]
    assert good, "the item with a good link lost its link"


@pytest.mark.parametrize("name", list(FEED_FILES))
def test_hostile_feed_without_content_type(name: str) -> None:
    parsed = feeds().parse_feed((CORPUS_DIR / name).read_bytes(), FEED_URL, None)
    check_parsed(parsed, name)


def test_feed_item_link_to_local_file_is_dropped() -> None:
    parsed = feeds().parse_feed((CORPUS_DIR / "rss-wellformed.xml").read_bytes(), FEED_URL)
    assert not any(e.url and "passwd" in e.url for e in parsed.entries)
    passwd_items = [e for e in parsed.entries if "CANARY" in e.title]
    assert len(passwd_items) == item_count("rss-wellformed.xml")


def test_billion_laughs_is_not_expanded() -> None:
    try:
        parsed = feeds().parse_feed(billion_laughs().encode(), FEED_URL, "application/rss+xml")
    except FeedError as exc:
        assert_clean(str(exc), "error")
        assert "\n" not in str(exc)
        return
    check_parsed(parsed, "billion laughs")
    total = len(parsed.title) + sum(
        len(e.title) + len(e.summary_html or "") + len(e.content_html or "") + len(e.author or "")
        for e in parsed.entries
    )
    assert total < 100_000, "entities were expanded"
    assert not re.search("(lol){100}", parsed.title + "".join(e.title for e in parsed.entries))


@pytest.mark.parametrize("builder", [xxe, xxe_parameter], ids=["general", "parameter"])
def test_external_entities_are_never_loaded(builder, http_server: LocalServer) -> None:  # noqa: ANN001
    http_server.add("/xxe", b"XXE-LEAKED-SECRET", content_type="text/plain")
    for target in ("file:///etc/passwd", http_server.url("/xxe")):
        data = builder(target).encode()
        try:
            parsed = feeds().parse_feed(data, FEED_URL, "application/rss+xml")
        except FeedError as exc:
            assert_clean(str(exc), "error")
            continue
        check_parsed(parsed, f"xxe {target}")
        dumped = repr(parsed)
        assert "root:x:0" not in dumped and "XXE-LEAKED-SECRET" not in dumped
    assert http_server.requests == [], "the parser fetched an external entity"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 100,
        b"\x1b]52;c;ZXZpbA==\x07",
        b"<html><body>not a feed</body></html>",
        b"{not json",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": "nope"}',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [1, null, "x", []]}',
        b"<rss><channel><item><title>\x1b]0;x\x07",
        b"\xff\xfe\x00<\x00r\x00s\x00s",
    ],
)
def test_garbage_is_a_one_line_feed_error_or_clean(data: bytes) -> None:
    try:
        parsed = feeds().parse_feed(data, FEED_URL, None)
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_clean(str(exc), "error")
    else:
        check_parsed(parsed, repr(data[:30]))


def test_100k_item_feed_is_bounded_and_clean() -> None:
    data = huge_feed(100_000)
    try:
        parsed = feeds().parse_feed(data, FEED_URL, "application/rss+xml")
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_clean(str(exc), "error")
        return
    # Finding H3 (fixed): a huge feed neither takes minutes nor loses entries silently: all
    # 100,000 are kept (the per-document limit), or the notice says what was left out.
    assert len(parsed.entries) == 100_000 or parsed.notice
    assert_clean(parsed.title, "title")
    for entry in parsed.entries[:50] + parsed.entries[-50:]:
        assert_safe_link(entry.url, "entry url", fetchable=True)


# --- OPML -------------------------------------------------------------------------------


def opml() -> ModuleType:
    return require("tui_reader.core.opml", "parse_opml")


def check_outlines(outlines: list, where: str) -> None:  # type: ignore[type-arg]
    assert_all_clean(outlines, where)
    for outline in outlines:
        assert outline.url is not None
        assert_safe_link(outline.url, f"{where} url", fetchable=True)
        assert_safe_link(outline.site_url, f"{where} site_url", fetchable=True)
    assert "root:x:0" not in repr(outlines)


def test_hostile_opml_keeps_only_http_feeds_and_clean_titles() -> None:
    outlines = opml().parse_opml((CORPUS_DIR / "subscriptions-wellformed.opml").read_bytes())
    check_outlines(outlines, "opml")
    # The three good subscriptions are kept, in their folder, with the markup text literal.
    assert sorted(o.url for o in outlines) == [
        f"https://good.example/feed{n}.xml" for n in range(3)
    ]
    assert all(MARKUP["click_quit"] in o.title for o in outlines)
    assert all("gnp.exe" in o.title for o in outlines)
    assert all(o.tags for o in outlines), "the folder became no tag"
    assert_all_clean([o.tags for o in outlines], "tags")


def test_opml_with_control_character_references() -> None:
    # "&#x1b;" is not allowed in XML 1.0: refusing the file (one line) or reading it clean
    # are both acceptable; a traceback or an escape in a title is not.
    try:
        outlines = opml().parse_opml((CORPUS_DIR / "subscriptions.opml").read_bytes())
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_clean(str(exc), "error")
    else:
        check_outlines(outlines, "opml")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml",
        billion_laughs().replace("rss", "opml").encode(),
        xxe().replace("rss", "opml").encode(),
        b"<opml><body>" + b"<outline>" * 5000 + b"</body></opml>",
        b"<opml><body><outline xmlUrl='\x1b]52;c;eA==\x07http://a.example/'/></body></opml>",
    ],
)
def test_opml_garbage_is_a_one_line_error_or_clean(data: bytes) -> None:
    try:
        outlines = opml().parse_opml(data)
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_clean(str(exc), "error")
    else:
        check_outlines(outlines, "opml garbage")


# --- feed discovery ---------------------------------------------------------------------


def test_discovery_on_a_hostile_page() -> None:
    discover = require("tui_reader.core.discover", "discover_feeds")
    page = (
        "<html><head>"
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)" '
        'title="\x1b]52;c;eA==\x07js">'
        '<link rel="alternate" type="application/atom+xml" href="file:///etc/passwd" title="f">'
        '<link rel="alternate" type="application/rss+xml" href="jav&#x09;ascript:alert(2)">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json" '
        'title="\u202eJSON [@click=app.quit]x[/] \x1b[2J">'
        '</head><body><a href="data:application/rss+xml,<rss/>">feed</a></body></html>'
    )
    found = discover.discover_feeds(page, "https://good.example/blog/")
    assert_all_clean(found, "discovered")
    for feed in found:
        assert_safe_link(feed.url, "discovered url", fetchable=True)
    assert [f.url for f in found] == ["https://good.example/feed.json"]


DEEP = 100_000


@pytest.mark.parametrize(
    "data",
    [
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "1", '
        b'"title": ' + b"[" * DEEP + b"]" * DEEP + b"}]}",
        b"[" * DEEP + b"]" * DEEP,
        b"<rss><channel><title>t</title><item><title>x</title><guid>g</guid>"
        + b"<a>" * 20_000
        + b"</a>" * 20_000
        + b"</item></channel></rss>",
        b"<rss><channel><title>t</title><item><title>x</title><guid>g</guid><description>"
        b"<![CDATA[" + deep_nesting(10_000) + b"]]></description></item></channel></rss>",
    ],
    ids=["json-deep-value", "json-deep-document", "xml-deep-elements", "deep-html-summary"],
)
def test_deeply_nested_feeds(data: bytes) -> None:
    try:
        parsed = feeds().parse_feed(data, FEED_URL, None)
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_clean(str(exc), "error")
    else:
        check_parsed(parsed, "deep")


@pytest.mark.parametrize(
    "depth", [20_000, pytest.param(DEEP, marks=pytest.mark.slow)], ids=["20k", "100k"]
)
def test_deeply_nested_opml(depth: int) -> None:
    # Finding H6 (fixed): folder paths stop growing past MAX_FOLDER_DEPTH, so time is linear.
    data = (
        b"<opml><body>"
        + b'<outline text="x">' * depth
        + b'<outline xmlUrl="http://a.example/"/>'
        + b"</outline>" * depth
        + b"</body></opml>"
    )
    try:
        outlines = opml().parse_opml(data)
    except FeedError as exc:
        assert "\n" not in str(exc)
    else:
        check_outlines(outlines, "deep opml")
        assert all(len(o.tags) <= opml().MAX_FOLDER_DEPTH for o in outlines)
