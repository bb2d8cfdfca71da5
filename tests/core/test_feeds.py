"""Feed parsing: RSS, RDF, Atom, JSON Feed, encodings, relative links, hostile documents."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tui_reader.core import feeds as feeds_module
from tui_reader.core.errors import FeedError
from tui_reader.core.feeds import MAX_ENTRIES, looks_like_feed, parse_feed

DATA = Path(__file__).parent.parent / "data" / "feeds"
URL = "https://host.example.com/dir/feed.xml"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_rss2() -> None:
    feed = parse_feed(load("rss2.xml"), URL, "application/rss+xml")
    assert feed.kind == "rss"
    assert feed.title == "Example News"
    assert feed.site_url == "https://news.example.org/"
    first, second, third, dangerous = feed.entries
    assert first.guid == "urn:example:first"
    assert first.url == "https://news.example.org/2024/first"
    assert first.title == "First story & more"
    assert first.author == "Ada Lovelace"
    assert first.published == datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
    assert first.summary_html == "A short <b>summary</b>."
    # HTML stays HTML (feedparser drops scripts; the extractor cleans the rest).
    assert first.content_html is not None and "<em>full</em>" in first.content_html
    assert "<script" not in first.content_html
    # guid falls back to the link, then to a hash of title and date.
    assert second.guid == "https://news.example.org/2024/second"
    assert second.content_html is None and second.summary_html == "Only a description."
    assert third.url is None and third.guid.startswith("hash:")
    # Non-http(s) links are dropped, and never used as a guid.
    assert dangerous.url is None
    assert not dangerous.guid.startswith("javascript")


def test_hash_guid_is_stable_and_depends_on_title_and_date() -> None:
    def entry(title: str, date: str):
        doc = (
            '<rss version="2.0"><channel><title>t</title><item>'
            f"<title>{title}</title><pubDate>{date}</pubDate></item></channel></rss>"
        )
        return parse_feed(doc.encode(), URL).entries[0]

    a = entry("Same", "Tue, 02 Jan 2024 10:30:00 GMT")
    assert a.guid == entry("Same", "Tue, 02 Jan 2024 10:30:00 GMT").guid
    assert a.guid != entry("Other", "Tue, 02 Jan 2024 10:30:00 GMT").guid
    assert a.guid != entry("Same", "Wed, 03 Jan 2024 10:30:00 GMT").guid


def test_rss1_rdf() -> None:
    feed = parse_feed(load("rss1.rdf"), URL, "application/rdf+xml")
    assert feed.kind == "rss"
    assert feed.title == "RDF Site"
    assert [e.url for e in feed.entries] == [
        "https://rdf.example.org/a",
        "https://rdf.example.org/b",
    ]
    assert feed.entries[0].author == "Grace Hopper"
    assert feed.entries[1].published == datetime(2023, 5, 2, 10, 0, tzinfo=UTC)


def test_rss091_with_a_public_doctype_is_accepted() -> None:
    feed = parse_feed(load("rss091.xml"), URL, "text/xml")
    assert feed.kind == "rss"
    assert feed.title == "Old School"
    assert feed.entries[0].url == "http://old.example.org/1999/hello"
    assert feed.entries[0].published is None


def test_atom() -> None:
    feed = parse_feed(load("atom.xml"), URL, "application/atom+xml")
    assert feed.kind == "atom"
    assert feed.title == "Atom Blog"  # type="html" title loses its tags
    assert feed.site_url == "https://atom.example.org/"
    robots, only_updated = feed.entries
    assert robots.guid == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert robots.url == "https://atom.example.org/2024/robots"  # alternate, not enclosure
    assert robots.author == "Entry Author"
    assert robots.published == datetime(2024, 2, 28, 14, 0, tzinfo=UTC)
    assert robots.updated == datetime(2024, 3, 1, 18, 30, 2, tzinfo=UTC)
    assert robots.summary_html == "<p>Some text.</p>"  # type="text", escaped into HTML
    # Relative links inside content are resolved against the document URL.
    assert robots.content_html is not None
    assert 'href="https://host.example.com/robots/more"' in robots.content_html
    # An entry with only <updated> uses it as its date; text content becomes escaped HTML.
    assert only_updated.published == datetime(2024, 1, 15, tzinfo=UTC)
    assert only_updated.content_html is not None
    assert "&lt;not a tag&gt;" in only_updated.content_html
    assert only_updated.summary_html is None


def test_dates_are_timezone_aware() -> None:
    for name in ("rss2.xml", "rss1.rdf", "atom.xml", "jsonfeed10.json", "jsonfeed11.json"):
        for entry in parse_feed(load(name), URL).entries:
            for value in (entry.published, entry.updated):
                assert value is None or value.tzinfo is not None, (name, entry)


def test_unparseable_date_is_none() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>t</title><item><title>x</title>'
        b"<link>https://e.org/x</link><pubDate>not a date</pubDate></item></channel></rss>"
    )
    assert parse_feed(doc, URL).entries[0].published is None


def test_json_feed_1_0() -> None:
    feed = parse_feed(load("jsonfeed10.json"), URL, "application/feed+json")
    assert feed.kind == "json"
    assert feed.title == "JSON One"
    assert feed.site_url == "https://json.example.org/"
    first, second, bad = feed.entries
    assert first.guid == "1"
    assert first.content_html == "<p>Hello <b>JSON</b></p>"
    assert first.summary_html == "<p>A summary</p>"
    assert first.published == datetime(2024, 4, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert first.updated == datetime(2024, 4, 2, 10, 0, tzinfo=UTC)
    assert first.author == "Feed Writer"  # the feed's author when the item has none
    assert second.guid == "2"  # numeric ids are tolerated
    assert second.url == "https://host.example.com/posts/2"  # relative, against the feed URL
    assert second.author == "Guest"
    assert second.content_html == "<p>Plain &lt;text&gt;</p><p>Second paragraph</p>"
    assert bad.url is None


def test_json_feed_1_1_sniffed_without_content_type() -> None:
    feed = parse_feed(load("jsonfeed11.json"), URL, None)
    assert feed.kind == "json"
    with_authors, link_post = feed.entries
    assert with_authors.author == "Carol"
    assert link_post.author == "Alice, Bob"
    assert link_post.url == "https://elsewhere.example.com/story"  # external_url fallback


@pytest.mark.parametrize(
    "doc",
    [
        b"{not json",
        b'{"version": "1", "items": []}',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": "no"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_bad_json_feeds(doc: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(doc, URL, "application/json")
    assert "\n" not in str(info.value)


def test_mislabelled_feeds_are_parsed_by_what_they_are() -> None:
    assert parse_feed(load("rss2.xml"), URL, "application/json").kind == "rss"
    assert parse_feed(load("jsonfeed11.json"), URL, "application/rss+xml").kind == "json"


def test_json_text_is_cleaned() -> None:
    doc = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "A\\u001b]0;x\\u0007B",'
        b' "items": [{"id": "1", "title": "T\\u001b[31mred\\n\\nline", "url": "https://e.org/1"}]}'
    )
    feed = parse_feed(doc, URL)
    assert feed.title == "AB"
    assert feed.entries[0].title == "Tred line"


def test_windows_1252_declared_in_the_prolog() -> None:
    feed = parse_feed(load("windows1252.xml"), URL, "application/rss+xml")
    assert feed.title == "Café “Quotes”"
    assert feed.entries[0].title == "Naïve – dash € euro"
    assert feed.entries[0].summary_html == "À bientôt"


def test_http_charset_wins_over_a_wrong_prolog() -> None:
    doc = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Grüße</title>'
    doc += "<item><title>é</title><link>https://e.org/1</link></item></channel></rss>"
    data = doc.encode("iso-8859-1")
    feed = parse_feed(data, URL, "text/xml", charset="iso-8859-1")
    assert feed.title == "Grüße"
    # The same through a Content-Type parameter.
    assert parse_feed(data, URL, "application/xml; charset=ISO-8859-1").title == "Grüße"


def test_text_xml_without_charset_still_reads_utf8() -> None:
    doc = '<rss version="2.0"><channel><title>Ünïcödé</title>'
    doc += "<item><title>x</title><link>https://e.org/1</link></item></channel></rss>"
    assert parse_feed(doc.encode(), URL, "text/xml").title == "Ünïcödé"


def test_relative_links_resolve_against_the_feed_url() -> None:
    feed = parse_feed(load("relative.xml"), URL)
    assert feed.site_url == "https://host.example.com/"
    first, second = feed.entries
    assert first.url == "https://host.example.com/dir/posts/relative-item"
    assert second.url == "https://host.example.com/root/item"
    assert first.summary_html is not None
    assert 'href="https://host.example.com/inside"' in first.summary_html
    assert 'src="https://host.example.com/dir/img/pic.png"' in first.summary_html


def test_xml_base_is_honoured() -> None:
    feed = parse_feed(load("xmlbase.atom"), URL)
    assert feed.entries[0].url == "https://base.example.net/blog/2024/based"


def test_invalid_xml_without_entries_is_a_feed_error() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(load("invalid.xml"), URL)
    message = str(info.value)
    assert message.startswith(f"{URL}: not a valid feed (")
    assert "line 5" in message
    assert "\n" not in message


def test_bozo_feed_with_entries_is_accepted() -> None:
    # An undefined entity makes the document ill-formed, but the items are there.
    doc = (
        b'<rss version="2.0"><channel><title>Sloppy &nbsp; feed</title>'
        b"<item><title>Still readable</title><link>https://e.org/ok</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(doc, URL)
    assert [e.url for e in feed.entries] == ["https://e.org/ok"]


@pytest.mark.parametrize(
    "doc",
    [
        b"",
        b"<html><head><title>A page</title></head><body><p>hi</p></body></html>",
        b"\x00\x01\x02 garbage",
        b"plain text",
    ],
)
def test_non_feeds_are_refused(doc: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(doc, URL)
    assert str(info.value).startswith(URL + ": ")


def test_body_naming_a_local_file_is_not_opened() -> None:
    # feedparser would open a bare path; we hand it a stream, so this is just bad XML.
    path = str(DATA / "rss2.xml").encode()
    with pytest.raises(FeedError):
        parse_feed(path, URL)


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(load("billion_laughs.xml"), URL)
    assert str(info.value) == f"{URL}: entity declarations are not allowed"


def test_external_entity_is_refused() -> None:
    with pytest.raises(FeedError, match="entity declarations are not allowed"):
        parse_feed(load("xxe.xml"), URL)


def test_entity_declaration_hidden_in_utf16_is_refused() -> None:
    data = load("xxe.xml").decode().replace('encoding="utf-8"', 'encoding="utf-16"')
    with pytest.raises(FeedError, match="entity declarations are not allowed"):
        parse_feed(data.encode("utf-16"), URL)


def test_feedparser_never_resolves_external_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: even without our check, nothing from /etc/passwd gets in."""
    monkeypatch.setattr(feeds_module, "refuse_entity_declarations", lambda data, shown: None)
    secret = Path("/etc/passwd").read_text().split(":")[0] if Path("/etc/passwd").exists() else ""
    feed = parse_feed(load("xxe.xml"), URL)
    texts = [feed.title] + [
        part or "" for e in feed.entries for part in (e.title, e.summary_html, e.content_html)
    ]
    assert not any("root:" in text or (secret and f"{secret}:x:" in text) for text in texts)


def test_text_fields_are_cleaned() -> None:
    doc = (
        '<rss version="2.0"><channel><title>Feed\u202e evil</title><item>'
        "<title>Line one\nline   two\u2066</title><link>https://e.org/1</link>"
        "<author>x@e.org (Mal\u202eory)</author></item></channel></rss>"
    )
    feed = parse_feed(doc.encode(), URL)
    assert feed.title == "Feed evil"
    assert feed.entries[0].title == "Line one line two"
    assert feed.entries[0].author is not None and "\u202e" not in feed.entries[0].author


def test_empty_feed_with_a_wrong_charset_label_is_accepted() -> None:
    doc = '<?xml version="1.0" encoding="us-ascii"?><rss version="2.0"><channel>'
    doc += "<title>Café</title></channel></rss>"
    feed = parse_feed(doc.encode(), URL)
    assert feed.title == "Café" and feed.entries == ()


def test_empty_but_valid_feed_has_no_entries() -> None:
    doc = b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    feed = parse_feed(doc, URL)
    assert feed.title == "Quiet" and feed.entries == ()


def _big_rss(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://e.org/{i}</link>"
        f"<pubDate>Tue, 02 Jan 2024 10:30:00 GMT</pubDate><description>Body {i}</description>"
        "</item>"
        for i in range(count)
    )
    doc = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}'
    return (doc + "</channel></rss>").encode()


def test_ten_thousand_items_are_all_kept() -> None:
    feed = parse_feed(_big_rss(10_000), URL)
    assert MAX_ENTRIES == 100_000
    assert len(feed.entries) == 10_000 and feed.notice is None
    assert feed.title == "Big"
    assert feed.entries[0].url == "https://e.org/0"
    assert feed.entries[-1].url == "https://e.org/9999"
    assert len({e.guid for e in feed.entries}) == 10_000


def test_entry_cap_is_a_parameter_and_equal_dates_keep_the_first() -> None:
    capped = parse_feed(_big_rss(50), URL, max_entries=7)
    assert [e.url for e in capped.entries] == [f"https://e.org/{i}" for i in range(7)]
    assert capped.notice == "kept the newest 7 of 50 entries"
    entries = "".join(
        f"<entry><id>urn:{i}</id><title>E{i}</title><updated>2024-01-02T00:00:00Z</updated></entry>"
        for i in range(30)
    )
    doc = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'
    feed = parse_feed(doc.encode(), URL, max_entries=10)
    assert [e.guid for e in feed.entries] == [f"urn:{i}" for i in range(10)]
    assert feed.kind == "atom"


def test_json_feed_entry_cap() -> None:
    items = [{"id": str(i), "url": f"https://e.org/{i}", "title": str(i)} for i in range(20)]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    feed = parse_feed(json.dumps(doc).encode(), URL, max_entries=5)
    # Undated: taken to be newest first, as feeds conventionally are.
    assert [e.guid for e in feed.entries] == ["0", "1", "2", "3", "4"]
    assert feed.notice == "kept the newest 5 of 20 entries"


# --- looks_like_feed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("rss2.xml", "text/xml"),
        ("rss1.rdf", "application/xml"),
        ("rss091.xml", None),
        ("atom.xml", "text/html"),
        ("jsonfeed10.json", "application/json"),
        ("jsonfeed11.json", None),
        ("windows1252.xml", None),
    ],
)
def test_looks_like_feed_sniffs_documents(name: str, content_type: str | None) -> None:
    assert looks_like_feed(load(name), content_type)


@pytest.mark.parametrize("content_type", ["application/rss+xml", "application/atom+xml"])
def test_looks_like_feed_trusts_feed_media_types(content_type: str) -> None:
    assert looks_like_feed(b"", content_type + "; charset=utf-8")


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><head><title>feed</title></head></html>",
        b'<?xml version="1.0"?><!-- <rss> --><svg xmlns="http://www.w3.org/2000/svg"/>',
        b'{"name": "not a feed"}',
        b"",
    ],
)
def test_looks_like_feed_rejects_pages(data: bytes) -> None:
    assert not looks_like_feed(data, "text/html")


# --- hostile and mangled input -----------------------------------------------------------


def test_surrogate_character_reference_is_a_feed_error() -> None:
    # feedparser's fallback parser crashes on this; it must still be one clean FeedError.
    doc = (
        b'<rss version="2.0"><channel><title>&#xD800;</title><item><title>x</item></channel></rss>'
    )
    with pytest.raises(FeedError, match="not a valid feed"):
        parse_feed(doc, URL)


_MUTATIONS = [
    b"<", b">", b"&", b"<![CDATA[", b"]]>", b"<item>", b"</item>", b"<entry>", b"<!--",
    b'"', b"{", b"}", b"&#0;", b"&#xD800;", b"<?xml", b"<!DOCTYPE x>", b"\x00", b"\xff\xfe",
    b'"date_published": 1,', b'"items": [1, {"id": null, "url": 5}],', b'encoding="nope"',
]  # fmt: skip


def test_mangled_documents_only_ever_raise_feed_error() -> None:
    """Seeded mutations of every fixture: parsing either works or raises FeedError."""
    from tui_reader.core.discover import discover_feeds
    from tui_reader.core.opml import parse_opml

    seeds = [path.read_bytes() for path in sorted(DATA.rglob("*")) if path.is_file()]
    rng = random.Random(20240101)
    parsed_ok = refused = 0
    for _ in range(400):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data) + 1)
            roll = rng.random()
            if roll < 0.3:
                del data[at : at + rng.randint(1, 20)]
            elif roll < 0.6:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))
            else:
                data[at:at] = rng.choice(_MUTATIONS)
        doc = bytes(data)
        for parse in (lambda d: parse_feed(d, URL), parse_opml):
            try:
                parse(doc)
                parsed_ok += 1
            except FeedError as exc:
                assert "\n" not in str(exc)
                refused += 1
        discover_feeds(doc, URL)
        looks_like_feed(doc, None)
    # Both outcomes happen, so the mutations are neither too weak nor too strong.
    assert parsed_ok > 50 and refused > 50
