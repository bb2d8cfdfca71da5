"""Fuzzing the parsers with mutated corpus, golden pages and feeds (hypothesis).

Every input is a seed document (the hostile corpus, the golden pages, the sample feeds and
OPML) mutated by byte flips, truncation, duplicated slices and inserted control characters,
escape sequences and entities. No exception but the package's documented ones may escape,
and whatever comes out is clean.

Besides the mutated seeds, two generators build documents from scratch: tag soup with
hostile text, attributes and links for ``extract``, and JSON Feeds with arbitrary JSON in
every field for ``parse_feed``.

``TUI_READER_FUZZ_EXAMPLES`` sets the number of inputs per target (default 200, which keeps
the suite fast); the counts actually tried are printed at the end of the module (``-s``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import require
from tests.hostile.corpus import CORPUS_DIR, big_opml, deep_nesting
from tests.hostile.payloads import ALL_ESCAPES, assert_all_clean, assert_safe_link
from tests.hostile.test_extract import check_article
from tui_reader.core.errors import ExtractError, FeedError

DATA = Path(__file__).resolve().parent.parent / "data"
EXAMPLES = int(os.environ.get("TUI_READER_FUZZ_EXAMPLES", "200"))
TRIED: Counter[str] = Counter()

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("TUI_READER_FUZZ_RANDOM") is None,
)


def _files(*patterns: str) -> list[bytes]:
    found: list[bytes] = []
    for pattern in patterns:
        for path in sorted(DATA.glob(pattern)):
            if path.is_file() and path.stat().st_size < 300_000:
                found.append(path.read_bytes())
    return found


PAGE_SEEDS = _files("hostile/*.html", "pages/*.html") + [deep_nesting(300)]
FEED_SEEDS = _files("hostile/*.xml", "hostile/*.json", "feeds/*")
OPML_SEEDS = _files("hostile/*.opml") + [big_opml(30)]

INSERTS = [
    *ALL_ESCAPES,
    "\x1b]52;c;",
    "\x1b[",
    "\x9b",
    "\x9d",
    "&#x1b;",
    "&#27;",
    "&#0;",
    "&#x9b;",
    "&#x202e;",
    "&#xD800;",
    "&#1114112;",
    "&amp;",
    "&lol;",
    "<!ENTITY x 'y'>",
    "<![CDATA[",
    "]]>",
    "<",
    ">",
    '"',
    "'",
    "</",
    "<a href='javascript:alert(1)'>",
    "<a href='jav&#x09;ascript:x'>",
    "<img src='file:///etc/passwd'>",
    "[@click=app.quit]x[/]",
    "\ufeff",
    "\udcff",
    "\xff\xfe",
    "\x00\x00",
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 12))):
        if not data:
            data.extend(b"<")
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "duplicate", "delete"]))
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "insert":
            piece = draw(st.sampled_from(INSERTS))
            data[pos:pos] = piece.encode("utf-8", "surrogatepass")
        elif kind == "duplicate":
            end = min(len(data), pos + draw(st.integers(1, 2000)))
            data[pos:pos] = data[pos:end] * draw(st.integers(1, 5))
        else:
            end = min(len(data), pos + draw(st.integers(1, 200)))
            del data[pos:end]
    return bytes(data)


@given(data=mutated(PAGE_SEEDS), as_text=st.booleans())
@FUZZ
def test_fuzz_extract(data: bytes, as_text: bool) -> None:
    from tui_reader.core.extract import extract

    TRIED["extract"] += 1
    html: str | bytes = data.decode("utf-8", "replace") if as_text else data
    try:
        article = extract(html, url="https://fuzz.example/dir/page.html")
    except ExtractError as exc:
        assert "\n" not in str(exc)
        return
    check_article(article, "fuzz")


@given(
    data=mutated(FEED_SEEDS),
    content_type=st.sampled_from(
        [None, "application/rss+xml", "application/atom+xml", "application/feed+json",
         "text/xml; charset=iso-8859-1", "text/html", "application/json; charset=utf-16"]
    ),
)  # fmt: skip
@FUZZ
def test_fuzz_parse_feed(data: bytes, content_type: str | None) -> None:
    feeds = require("tui_reader.core.feeds", "parse_feed")
    TRIED["parse_feed"] += 1
    try:
        parsed = feeds.parse_feed(data, "https://fuzz.example/feed.xml", content_type)
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_all_clean(str(exc), "error")
        return
    assert_all_clean(parsed, "feed")
    assert_safe_link(parsed.site_url, "site_url", fetchable=True)
    for entry in parsed.entries:
        assert_safe_link(entry.url, "entry url", fetchable=True)
        assert entry.guid


@given(data=mutated(OPML_SEEDS))
@FUZZ
def test_fuzz_parse_opml(data: bytes) -> None:
    opml = require("tui_reader.core.opml", "parse_opml")
    TRIED["parse_opml"] += 1
    try:
        outlines = opml.parse_opml(data)
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_all_clean(str(exc), "error")
        return
    assert_all_clean(outlines, "opml")
    for outline in outlines:
        assert_safe_link(outline.url, "opml url", fetchable=True)
        assert_safe_link(outline.site_url, "opml site_url", fetchable=True)


@given(data=mutated(PAGE_SEEDS))
@FUZZ
def test_fuzz_discover_feeds(data: bytes) -> None:
    discover = require("tui_reader.core.discover", "discover_feeds")
    TRIED["discover_feeds"] += 1
    for feed in discover.discover_feeds(data, "https://fuzz.example/"):
        assert_all_clean(feed, "discovered")
        assert_safe_link(feed.url, "discovered url", fetchable=True)


# --- generated documents -------------------------------------------------------------------

_TEXT = st.lists(
    st.sampled_from(list(ALL_ESCAPES) + list("ab <>&;#[]/=\"'\n\té") + ["&#x1b;", "&amp;"]),
    max_size=40,
).map("".join)
_HREF = st.sampled_from(
    ["https://ok.example/x", "/rel", "javascript:alert(1)", " JaVaScRiPt:x", "jav&#x09;ascript:x",
     "file:///etc/passwd", "data:text/html,x", "vbscript:x", "mailto:a@b.example",
     "//cdn.example/i",
     "\x1b]52;c;eA==\x07https://ok.example/"]
)  # fmt: skip
_TAGS = st.sampled_from(
    ["p", "div", "span", "a", "b", "em", "h1", "h2", "ul", "li", "ol", "blockquote", "pre",
     "code", "table", "tr", "td", "th", "figure", "img", "figcaption", "article", "nav",
     "script", "style", "title", "meta", "svg", "template", "noscript"]
)  # fmt: skip


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, href, text, inner: (
            f'<{tag} href="{href}" src="{href}" content="{text}">{text}{"".join(inner)}</{tag}>'
        ),
        _TAGS,
        _HREF,
        _TEXT,
        st.lists(children, max_size=4),
    )


HTML_SOUP = st.recursive(_TEXT, _element, max_leaves=40)


@given(body=HTML_SOUP, title=_TEXT)
@FUZZ
def test_fuzz_extract_generated_html(body: str, title: str) -> None:
    from tui_reader.core.extract import extract

    TRIED["extract (generated)"] += 1
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    try:
        article = extract(html, url="https://fuzz.example/")
    except ExtractError as exc:
        assert "\n" not in str(exc)
        return
    check_article(article, "generated")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT | _HREF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=30,
)
_ITEM = st.fixed_dictionaries(
    {},
    optional={
        key: _JSON | _TEXT | _HREF
        for key in ("id", "url", "external_url", "title", "content_html", "content_text",
                    "summary", "image", "date_published", "date_modified", "authors", "author")
    },
)  # fmt: skip


@given(
    title=_JSON,
    home=_JSON | _HREF,
    items=st.lists(_ITEM, max_size=6) | _JSON,
)
@FUZZ
def test_fuzz_parse_feed_generated_json(title: object, home: object, items: object) -> None:
    import json

    feeds = require("tui_reader.core.feeds", "parse_feed")
    TRIED["parse_feed (generated JSON)"] += 1
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": home,
        "items": items,
    }
    data = json.dumps(document).encode()
    try:
        parsed = feeds.parse_feed(data, "https://fuzz.example/feed.json", "application/feed+json")
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert_all_clean(str(exc), "error")
        return
    assert_all_clean(parsed, "json feed")
    assert_safe_link(parsed.site_url, "site_url", fetchable=True)
    for entry in parsed.entries:
        assert_safe_link(entry.url, "entry url", fetchable=True)


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Iterator[None]:
    yield
    if TRIED:
        total = sum(TRIED.values())
        detail = ", ".join(f"{name} {count}" for name, count in sorted(TRIED.items()))
        print(f"\nfuzz inputs tried: {total} ({detail})")


def test_seeds_are_there() -> None:
    # An empty seed list would make the fuzzers pass on nothing.
    assert len(PAGE_SEEDS) >= 3 and len(FEED_SEEDS) >= 5 and len(OPML_SEEDS) >= 2
    assert any(b"\x1b]52;" in seed for seed in PAGE_SEEDS)
    assert CORPUS_DIR.is_dir()
