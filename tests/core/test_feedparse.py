"""The fast feed parser and its feedparser fallback, and which entries a limit keeps.

The corpus under ``tests/data/feeds/tricky`` holds feeds that trip parsers up. Every one is
parsed twice: by the chain (feedparser-rs first, feedparser when it is unsure) and by
feedparser alone, and the two must agree on what a reader sees.
"""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from tests.httpserver import LocalServer
from tui_reader.core import feedparse_fast
from tui_reader.core import feeds as feeds_module
from tui_reader.core.errors import FeedError
from tui_reader.core.feeds import FeedEntry, ParsedFeed, keep_newest, parse_feed

CORPUS = Path(__file__).parent.parent / "data" / "feeds" / "tricky"
URL = "https://tricky.example.org/feed.xml"

# The documents feedparser reads, and why the fast parser's reading is not trusted there.
# Every other document in the corpus must be read by the fast parser alone.
FALLBACK = {
    "ascii-declared-with-utf8.xml": "declared us-ascii, holds UTF-8",
    "atom-prefixed.xml": "atom:-prefixed elements: the fast parser finds no entries",
    "atom-xml-base.xml": "xml:base, which the fast parser does not apply inside HTML",
    "atom-in-rss.xml": "atom:updated in RSS, which the fast parser does not read",
    "cp1252-bytes-declared-utf8.xml": "windows-1252 bytes in a document declared UTF-8",
    "cp1252-bytes-undeclared.xml": "windows-1252 bytes, no declaration (so UTF-8)",
    "empty-channel.xml": "no entries",
    "html-served-as-feed.html": "not a feed at all",
    "php-warning-before-xml.xml": "junk before the XML declaration",
    "raw-html-description.xml": "unclosed HTML elements in a description",
    "truncated-mid-item.xml": "truncated",
    "truncated.xml": "truncated",
    "unescaped-less-than.xml": "a bare <",
}

# Ill-formed in a way mended in the bytes (HTML entity names, bare "&"), then read fast.
MENDED = {"undefined-html-entities.xml", "unescaped-ampersand.xml"}

# Where feedparser's own reading is wrong, the chain need not match it. There is none in
# this corpus: feedparser recovers sensibly from every document here (it is the reference
# the fast parser's output is shaped after), so every document is compared.
FEEDPARSER_WRONG: dict[str, str] = {}

CORPUS_FILES = sorted(path.name for path in CORPUS.iterdir())


def read(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def feedparser_alone(
    monkeypatch: pytest.MonkeyPatch, data: bytes, **kwargs: Any
) -> ParsedFeed | str:
    with monkeypatch.context() as patch:
        patch.setattr(feedparse_fast, "parse_fast", lambda *a, **k: (None, "switched off"))
        return outcome(data, **kwargs)


def outcome(data: bytes, **kwargs: Any) -> ParsedFeed | str:
    try:
        return parse_feed(data, URL, **kwargs)
    except FeedError as exc:
        return f"FeedError: {exc}"


def html_view(value: str | None) -> tuple[str, tuple[str, ...]]:
    """What a reader gets from an HTML body: its words and its links.

    feedparser re-serializes the HTML it sanitizes (``<img />``, attributes dropped), so
    the markup itself differs between parsers; the extractor reads only this much of it.
    """
    if not value:
        return "", ()
    tree = LexborHTMLParser(value)
    for node in tree.css("script, style"):
        node.decompose()
    text = " ".join((tree.text(separator=" ") or "").split())
    links = tuple(
        sorted(
            str(node.attributes.get(name))
            for name, selector in (("href", "a[href]"), ("src", "img[src]"))
            for node in tree.css(selector)
        )
    )
    return text, links


def entry_view(entry: FeedEntry) -> dict[str, object]:
    return {
        "guid": entry.guid,
        "url": entry.url,
        "title": entry.title,
        "author": entry.author,
        "published": entry.published,
        "updated": entry.updated,
        "summary": html_view(entry.summary_html),
        "content": html_view(entry.content_html),
    }


def feed_view(feed: ParsedFeed | str) -> object:
    if isinstance(feed, str):
        return feed
    return {
        "title": feed.title,
        "site_url": feed.site_url,
        "kind": feed.kind,
        "notice": feed.notice,
        "entries": [entry_view(entry) for entry in feed.entries],
    }


def test_the_corpus_is_big_enough_and_covers_both_paths() -> None:
    assert len(CORPUS_FILES) >= 40
    assert set(FALLBACK) <= set(CORPUS_FILES)
    assert len(CORPUS_FILES) - len(FALLBACK) >= 30


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_chain_reads_what_feedparser_reads(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if name in FEEDPARSER_WRONG:
        pytest.skip(FEEDPARSER_WRONG[name])
    data = read(name)
    chain = outcome(data)
    reference = feedparser_alone(monkeypatch, data)
    assert feed_view(chain) == feed_view(reference)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_each_document_is_read_by_the_expected_parser(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = feeds_module._parse_with_feedparser

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(feeds_module, "_parse_with_feedparser", spy)
    outcome(read(name))
    assert bool(calls) == (name in FALLBACK), FALLBACK.get(name, "should stay on the fast path")


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_entry_is_normalized(name: str) -> None:
    feed = outcome(read(name))
    if isinstance(feed, str):
        assert name == "html-served-as-feed.html", feed
        return
    for entry in feed.entries:
        assert entry.url is None or re.match(r"https?://[^/\s]+", entry.url), entry.url
        for value in (entry.published, entry.updated):
            assert value is None or value.tzinfo is not None
        for text in (entry.title, entry.author or "", entry.guid):
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
        for body in (entry.summary_html or "", entry.content_html or ""):
            assert "<script" not in body.lower()


# Spot checks of what is right, whichever parser ran (not only that the two agree).
@pytest.mark.parametrize(
    ("name", "index", "field", "expected"),
    [
        ("cp1252-bytes-declared-utf8.xml", 0, "title", "“Smart” quotes – café"),
        ("cp1252-bytes-undeclared.xml", 0, "summary_html", "Prix: 5 €"),
        ("cp1252-declared.xml", 0, "title", "“Smart” quotes – and € signs"),
        ("latin1-declared.xml", 0, "title", "Café au lait"),
        ("koi8r-declared.xml", 0, "title", "Привет мир"),
        ("utf16-bom.xml", 0, "title", "Sixteen bits: ñ"),
        ("utf8-bom.xml", 0, "title", "Über BOM"),
        ("no-xml-declaration-utf8.xml", 0, "title", "Crème brûlée — 日本語"),
        ("control-characters.xml", 0, "title", "Bidi evil title"),
        ("unescaped-ampersand.xml", 0, "title", "Salt & pepper"),
        ("undefined-html-entities.xml", 0, "title", "Café society"),
        ("php-warning-before-xml.xml", 1, "url", "https://tricky.example.org/posts/2"),
        ("relative-links.xml", 0, "url", "https://tricky.example.org/posts/relative"),
        ("relative-links.xml", 1, "url", "https://cdn.example.net/a"),
        ("relative-links.xml", 0, "guid", "https://tricky.example.org/rel-1"),
        ("atom-xml-base.xml", 0, "url", "https://base.example.net/blog/posts/one"),
        ("javascript-links.xml", 0, "url", None),
        ("javascript-links.xml", 3, "url", "https://tricky.example.org/ok"),
        ("permalink-guid-no-link.xml", 0, "url", "https://tricky.example.org/perma/1"),
        ("missing-guids.xml", 0, "guid", "https://tricky.example.org/posts/1"),
        ("cdata-description.xml", 1, "title", "CDATA <title> & co"),
        ("atom-untyped-with-markup.xml", 0, "title", "1 < 2 && 3 > 2"),
        ("atom-text-types.xml", 1, "title", "HTML title"),
        ("atom-entry-authors.xml", 0, "author", "Alice"),
        ("atom-published-only.xml", 0, "updated", None),
        ("atom-updated-only.xml", 0, "published", datetime(2024, 2, 1, 18, 30, tzinfo=UTC)),
        ("atom03.xml", 0, "published", datetime(2004, 1, 1, tzinfo=UTC)),
        ("date-formats.xml", 1, "published", datetime(2024, 1, 2, 15, 0, tzinfo=UTC)),
        ("date-formats.xml", 2, "published", datetime(2024, 1, 3, 4, 30, tzinfo=UTC)),
        ("date-formats.xml", 4, "published", None),
        ("dc-date-and-creator.xml", 0, "author", "Ada"),
        ("rss10-rdf.xml", 1, "published", datetime(2023, 5, 2, 10, 0, tzinfo=UTC)),
        ("rss090-rdf.xml", 1, "url", "http://ancient.example.org/092"),
        ("rss092-enclosure.xml", 0, "url", None),
        ("atom-many-links.xml", 0, "url", "https://atom.example.org/links"),
        # The fast parser empties links to such hosts; a reader's feeds may live there.
        ("private-hosts.xml", 0, "url", "http://localhost:8080/posts/1?a=1&b=2"),
        ("private-hosts.xml", 1, "url", "http://127.0.0.1:5000/posts/2"),
        ("private-hosts.xml", 2, "url", "http://192.168.1.20/posts/3"),
        ("private-hosts.xml", 3, "url", "http://10.0.0.7/posts/4"),
        ("private-hosts.xml", 4, "url", "http://nas.local/posts/5"),
        ("atom-private-hosts.xml", 0, "url", "http://localhost:8000/one?x=1&y=2"),
        ("atom-private-hosts.xml", 1, "url", "http://172.16.0.9/two"),
    ],
)
def test_corpus_spot_checks(name: str, index: int, field: str, expected: object) -> None:
    feed = parse_feed(read(name), URL)
    assert getattr(feed.entries[index], field) == expected


def test_site_links_on_private_hosts_are_kept() -> None:
    assert parse_feed(read("atom-private-hosts.xml"), URL).site_url == "http://homeserver.home/"
    assert parse_feed(read("private-hosts.xml"), URL).site_url == "http://intranet.corp/"


def test_scripts_and_relative_urls_in_html_are_handled_on_the_fast_path() -> None:
    entry = parse_feed(read("script-in-content.xml"), URL).entries[0]
    assert entry.content_html is not None
    assert "evil" not in entry.content_html and "color:red" not in entry.content_html
    assert "Safe text" in entry.content_html
    relative = parse_feed(read("relative-links.xml"), URL).entries[0].summary_html or ""
    assert 'href="https://tricky.example.org/inside"' in relative
    assert 'src="https://tricky.example.org/img/pic.png"' in relative
    assert 'href="https://abs.example.com/x"' in relative


def test_duplicate_guids_are_all_returned() -> None:
    # Deciding which copy wins is the store's business; the parser drops nothing.
    feed = parse_feed(read("duplicate-guids.xml"), URL)
    assert [e.guid for e in feed.entries] == ["urn:tricky:1", "urn:tricky:1", "urn:tricky:2"]


# --- the fallback triggers ---------------------------------------------------------------

WELL_FORMED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Caf\xc3\xa9</title><link>https://e.org/1</link></item></channel></rss>"
)


def test_well_formed_feed_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    result, reason = feedparse_fast.parse_fast(WELL_FORMED, URL)
    assert result is not None and reason == ""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("feedparser was used for a well-formed feed")

    import feedparser

    monkeypatch.setattr(feedparser, "parse", refuse)
    assert parse_feed(WELL_FORMED, URL).entries[0].title == "Café"


@pytest.mark.parametrize(
    ("data", "charset", "reason"),
    [
        (WELL_FORMED.replace(b"</title><link>", b" < co</title><link>"), None, "fast parser:"),
        (b"<br />\n<b>Warning</b>: x.php on line 1\n" + WELL_FORMED, None, "fast parser:"),
        (WELL_FORMED.replace(b"<item>", b"<!--").replace(b"</item>", b"-->"), None, "no entries"),
        (WELL_FORMED.replace(b"Caf\xc3\xa9", b"Caf\xe9"), None, "not valid utf-8"),
        (WELL_FORMED.replace(b"utf-8", b"x-no-such-encoding"), None, "not valid"),
        (WELL_FORMED, "iso-8859-1", "the document declares iso-8859-1"),
        (
            WELL_FORMED.replace(b"<channel>", b'<channel xml:base="https://b.org/">'),
            None,
            "xml:base",
        ),
    ],
    ids=["bozo", "junk-before-xml", "no-entries", "bad-bytes", "unknown", "http-charset", "base"],
)
def test_each_fallback_trigger(data: bytes, charset: str | None, reason: str) -> None:
    result, why = feedparse_fast.parse_fast(data, URL, charset)
    assert result is None
    assert reason in why


@pytest.mark.parametrize("name", sorted(MENDED))
def test_entity_names_and_bare_ampersands_are_mended_not_sent_to_feedparser(name: str) -> None:
    result, reason = feedparse_fast.parse_fast(read(name), URL)
    assert result is not None, reason


@pytest.mark.parametrize("name", sorted(set(CORPUS_FILES) - set(FALLBACK) - MENDED))
def test_mending_changes_nothing_in_a_well_formed_document(name: str) -> None:
    data = read(name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 is never mended
    assert feedparse_fast._mend(data) == data


def test_mending_leaves_cdata_and_comments_alone() -> None:
    doc = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        b"<!-- R&D &nbsp; --><item><title>Fish &amp; chips &eacute;t&#233; &bogus; & co</title>"
        b"<link>https://e.org/1?a=1&b=2</link>"
        b"<description><![CDATA[<p>Tom & Jerry&nbsp;&amp;</p>]]></description></item>"
        b"</channel></rss>"
    )
    result, reason = feedparse_fast.parse_fast(doc, URL)
    assert result is not None, reason
    entry = parse_feed(doc, URL).entries[0]
    assert entry.title == "Fish & chips été &bogus; & co"
    assert entry.url == "https://e.org/1?a=1&b=2"
    assert entry.summary_html == "<p>Tom & Jerry&nbsp;&amp;</p>"


def test_a_wide_charset_label_on_bytes_without_a_byte_order_mark_falls_back() -> None:
    result, reason = feedparse_fast.parse_fast(WELL_FORMED, URL, "utf-16")
    assert result is None and "not valid utf-16" in reason
    outcome(WELL_FORMED, content_type="application/rss+xml; charset=utf-16")  # no exception


def test_http_charset_decides_even_against_the_declaration() -> None:
    # Latin-1 bytes labelled UTF-8 in the prolog, ISO-8859-1 by the server: the server wins.
    data = WELL_FORMED.replace(b"Caf\xc3\xa9", b"Caf\xe9")
    assert parse_feed(data, URL, "application/rss+xml; charset=iso-8859-1").entries[0].title == (
        "Café"
    )


def test_without_the_fast_parser_feedparser_does_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(feedparse_fast, "_rs", None)
    assert feedparse_fast.parse_fast(WELL_FORMED, URL) == (None, "feedparser-rs is not installed")
    assert parse_feed(WELL_FORMED, URL).entries[0].title == "Café"


def test_a_platform_without_the_fast_parser_still_reads_feeds() -> None:
    # A fresh interpreter in which importing feedparser_rs fails, as it does without a wheel.
    script = (
        "import sys; sys.modules['feedparser_rs'] = None\n"
        "from tui_reader.core import feedparse_fast\n"
        "from tui_reader.core.feeds import parse_feed\n"
        "assert not feedparse_fast.AVAILABLE\n"
        "feed = parse_feed(sys.stdin.buffer.read(), 'https://e.org/feed')\n"
        "print(feed.entries[0].title, feed.entries[0].url)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], input=WELL_FORMED, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().split() == ["Café", "https://e.org/1"]


def test_results_survive_pickling_for_a_worker_process() -> None:
    for name in ("rss2-basic.xml", "atom-text-types.xml", "truncated.xml"):
        feed = parse_feed(read(name), URL, max_entries=1)
        assert pickle.loads(pickle.dumps(feed)) == feed


def test_an_exception_inside_the_fast_parser_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        ParserLimits = staticmethod(lambda **kwargs: None)

        @staticmethod
        def parse_with_limits(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("panic in the binding")

    monkeypatch.setattr(feedparse_fast, "_rs", Broken)
    result, reason = feedparse_fast.parse_fast(WELL_FORMED, URL)
    assert result is None and "RuntimeError" in reason
    assert parse_feed(WELL_FORMED, URL).entries[0].title == "Café"


def test_only_bytes_are_accepted() -> None:
    with pytest.raises(TypeError):
        parse_feed("/etc/passwd", URL)  # type: ignore[arg-type]


def test_a_body_that_is_a_url_is_never_fetched(http_server: LocalServer) -> None:
    http_server.add("/feed.xml", WELL_FORMED, content_type="application/rss+xml")
    with pytest.raises(FeedError):
        parse_feed(http_server.url("/feed.xml").encode(), URL)
    assert http_server.requests == []


def test_entity_declarations_are_refused_before_either_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a parser saw a document that declares entities")

    monkeypatch.setattr(feedparse_fast, "parse_fast", refuse)
    monkeypatch.setattr(feeds_module, "_parse_with_feedparser", refuse)
    doc = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel/></rss>'
    with pytest.raises(FeedError, match="entity declarations are not allowed"):
        parse_feed(doc, URL)


# --- which entries a limit keeps ---------------------------------------------------------

START = datetime(2024, 1, 1, tzinfo=UTC)


def rss_feed(numbers: list[int], *, dated: bool = True) -> bytes:
    """Items numbered ``numbers`` in that document order; item n is n hours after START."""
    items = []
    for n in numbers:
        date = f"<pubDate>{format_datetime(START + timedelta(hours=n))}</pubDate>" if dated else ""
        items.append(f"<item><title>Item {n}</title><link>https://e.org/{n}</link>{date}</item>")
    doc = '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
    return (doc + "".join(items) + "</channel></rss>").encode()


def numbers_of(feed: ParsedFeed) -> list[int]:
    return [int(entry.title.split()[-1]) for entry in feed.entries]


def test_oldest_first_feed_keeps_the_newest() -> None:
    # Document order would keep 0..9: this fails if the first entries are kept.
    feed = parse_feed(rss_feed(list(range(30))), URL, max_entries=10)
    assert numbers_of(feed) == list(range(20, 30))
    assert feed.notice == "kept the newest 10 of 30 entries"


def test_newest_first_feed_keeps_the_newest() -> None:
    feed = parse_feed(rss_feed(list(range(29, -1, -1))), URL, max_entries=10)
    assert numbers_of(feed) == list(range(29, 19, -1))
    assert feed.notice == "kept the newest 10 of 30 entries"


def test_shuffled_feed_keeps_the_newest_in_document_order() -> None:
    order = [7, 25, 3, 18, 29, 0, 11, 22, 5, 14, 27, 9, 1, 20, 16]
    feed = parse_feed(rss_feed(order), URL, max_entries=5)
    assert numbers_of(feed) == [25, 29, 22, 27, 20]
    assert feed.notice == "kept the newest 5 of 15 entries"


def test_undated_feed_is_taken_as_newest_first() -> None:
    feed = parse_feed(rss_feed(list(range(30)), dated=False), URL, max_entries=10)
    assert numbers_of(feed) == list(range(10))
    assert feed.notice == "kept the newest 10 of 30 entries"


def test_undated_entries_rank_next_to_their_older_neighbour() -> None:
    # Oldest first, with an undated item after every dated one: the undated items at the
    # end are as new as the newest dated item, those near the start as old as the oldest.
    dated = rss_feed(list(range(20))).decode()
    undated = "<item><title>Undated {}</title><link>https://e.org/u{}</link></item>"
    for n in range(20):
        marker = f"<link>https://e.org/{n}</link>"
        at = dated.index("</item>", dated.index(marker)) + len("</item>")
        dated = dated[:at] + undated.format(100 + n, n) + dated[at:]
    feed = parse_feed(dated.encode(), URL, max_entries=6)
    assert numbers_of(feed) == [17, 117, 18, 118, 19, 119]


def test_atom_oldest_first_keeps_the_newest() -> None:
    entries = "".join(
        f"<entry><id>urn:{n}</id><title>Entry {n}</title>"
        f"<updated>{(START + timedelta(days=n)).isoformat()}</updated></entry>"
        for n in range(12)
    )
    doc = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'
    feed = parse_feed(doc.encode(), URL, max_entries=4)
    assert [e.guid for e in feed.entries] == ["urn:8", "urn:9", "urn:10", "urn:11"]
    assert feed.kind == "atom" and feed.notice == "kept the newest 4 of 12 entries"


def test_json_feed_oldest_first_keeps_the_newest() -> None:
    items = [
        {"id": str(n), "title": f"Item {n}", "date_published": (START + timedelta(n)).isoformat()}
        for n in range(10)
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    feed = parse_feed(json.dumps(doc).encode(), URL, max_entries=3)
    assert numbers_of(feed) == [7, 8, 9]
    assert feed.notice == "kept the newest 3 of 10 entries"


def test_broken_feed_on_the_fallback_also_keeps_the_newest() -> None:
    data = rss_feed(list(range(30))).replace(b"<title>Item 3<", b"<title>1 < 2, Item 3<")
    assert feedparse_fast.parse_fast(data, URL)[0] is None
    feed = parse_feed(data, URL, max_entries=10)
    assert numbers_of(feed) == list(range(20, 30))
    assert feed.notice == "kept the newest 10 of 30 entries"


def test_no_notice_when_nothing_is_left_out() -> None:
    feed = parse_feed(rss_feed(list(range(10))), URL, max_entries=10)
    assert len(feed.entries) == 10 and feed.notice is None


def test_keep_newest_ties_keep_the_first_in_the_document() -> None:
    same = START
    entries = [FeedEntry(str(n), None, str(n), None, same, None, None, None) for n in range(5)]
    kept, notice = keep_newest(entries, 2)
    assert [e.guid for e in kept] == ["0", "1"]
    assert notice == "kept the newest 2 of 5 entries"


@pytest.mark.slow
def test_real_size_oldest_first_feed_keeps_the_newest_100000() -> None:
    feed = parse_feed(rss_feed(list(range(120_000))), URL)
    assert len(feed.entries) == 100_000
    assert feed.notice == "kept the newest 100,000 of 120,000 entries"
    assert feed.entries[0].title == "Item 20000"
    assert feed.entries[-1].title == "Item 119999"


# --- large documents, read in pieces ------------------------------------------------------


def atom_feed(count: int) -> bytes:
    entries = "".join(
        f"<entry><id>urn:{n}</id><title>Entry {n}</title><link href='/e/{n}'/>"
        f"<updated>{(START + timedelta(hours=n)).isoformat()}</updated>"
        f"<summary>Sum {n}</summary></entry>\n"
        for n in range(count)
    )
    doc = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'
    return doc.encode()


@pytest.mark.parametrize("build", [rss_feed, atom_feed], ids=["rss", "atom"])
def test_a_document_read_in_pieces_gives_what_it_gives_whole(
    build: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = build(list(range(53)) if build is rss_feed else 53)
    whole = parse_feed(data, URL)
    monkeypatch.setattr(feedparse_fast, "_PIECE", 7)
    pieces: list[bytes] = []
    real_run = feedparse_fast._run

    def counting(piece: bytes) -> Any:
        pieces.append(piece)
        return real_run(piece)

    monkeypatch.setattr(feedparse_fast, "_run", counting)
    in_pieces = parse_feed(data, URL)
    assert len(pieces) == 8  # 53 entries, 7 a piece
    assert in_pieces == whole
    assert len(in_pieces.entries) == 53


def test_a_broken_later_piece_alone_goes_to_feedparser(monkeypatch: pytest.MonkeyPatch) -> None:
    data = rss_feed(list(range(40))).replace(b"<title>Item 33<", b"<title>1 < 2, Item 33<")
    monkeypatch.setattr(feedparse_fast, "_PIECE", 5)
    documents: list[bytes] = []
    real = feeds_module._parse_with_feedparser

    def spy(document: bytes, *args: Any, **kwargs: Any) -> Any:
        documents.append(document)
        return real(document, *args, **kwargs)

    monkeypatch.setattr(feeds_module, "_parse_with_feedparser", spy)
    feed = parse_feed(data, URL)
    # Only the piece of items 30-34 (with the document's head and tail) was feedparser's.
    assert len(documents) == 1
    assert b"Item 33" in documents[0] and b"Item 29<" not in documents[0]
    assert b"Item 35<" not in documents[0]
    assert numbers_of(feed) == list(range(40))
    assert feed == feedparser_alone(monkeypatch, data)


@pytest.mark.parametrize("where", [12, 19], ids=["inside-a-piece", "at-a-cut"])
def test_a_start_tag_inside_cdata_never_leaves_pieces_read_wrong(
    where: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "<item>" in a CDATA section of item 12 (inside a piece) or 19 (the next cut falls there),
    # and a bare "<" in the same piece, so that the fast parser fails there: the pieces are
    # abandoned or never made, and the result is still feedparser's.
    data = rss_feed(list(range(40)))
    data = data.replace(
        f"<title>Item {where}<".encode(), f"<title><![CDATA[<item>]]> Item {where}<".encode()
    ).replace(f"<title>Item {where + 1}<".encode(), f"<title>1 < 2, Item {where + 1}<".encode())
    monkeypatch.setattr(feedparse_fast, "_PIECE", 5)
    feed = parse_feed(data, URL)
    assert numbers_of(feed) == list(range(40))
    assert feed == feedparser_alone(monkeypatch, data)


def test_a_document_cut_in_the_wrong_places_is_read_whole_by_the_fast_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "<item>" inside a CDATA section looks like an entry's start to the byte-level cut.
    data = rss_feed(list(range(40))).replace(
        b"<title>Item 22<", b"<title><![CDATA[<item> Item 22]]><"
    )
    monkeypatch.setattr(feedparse_fast, "_PIECE", 5)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("feedparser was used")

    monkeypatch.setattr(feeds_module, "_parse_with_feedparser", refuse)
    feed = parse_feed(data, URL)
    assert numbers_of(feed) == list(range(40))
    assert feed.entries[22].title == "<item> Item 22"
