"""Feed discovery from <link rel="alternate"> tags."""

from __future__ import annotations

from tui_reader.core.discover import DiscoveredFeed, discover_feeds

BASE = "https://blog.example.org/posts/hello.html"


def page(head: str, body: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def test_rss_atom_and_json_feed_best_first() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">'
        '<link rel="alternate" type="application/feed+json" title="JSON" href="/feed.json">'
        '<link rel="alternate" type="application/atom+xml" title="Atom" href="/feed.atom">'
    )
    assert discover_feeds(html, BASE) == [
        DiscoveredFeed("https://blog.example.org/feed.atom", "Atom", "application/atom+xml"),
        DiscoveredFeed("https://blog.example.org/feed.rss", "RSS", "application/rss+xml"),
        DiscoveredFeed("https://blog.example.org/feed.json", "JSON", "application/feed+json"),
    ]


def test_same_type_keeps_document_order() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" href="/main.xml">'
        '<link rel="alternate" type="application/rss+xml" href="/other.xml">'
    )
    assert [f.url for f in discover_feeds(html, BASE)] == [
        "https://blog.example.org/main.xml",
        "https://blog.example.org/other.xml",
    ]


def test_rel_tokens_and_type_are_case_insensitive() -> None:
    html = page(
        '<LINK REL="Feed Alternate" TYPE="Application/RSS+XML; charset=utf-8" HREF="rss.xml">'
        '<link rel="alternate stylesheet" type="text/css" href="/style.css">'
        '<link rel="stylesheet" type="application/rss+xml" href="/not-alternate.xml">'
    )
    feeds = discover_feeds(html, BASE)
    assert feeds == [
        DiscoveredFeed("https://blog.example.org/posts/rss.xml", "", "application/rss+xml")
    ]


def test_relative_hrefs_use_base_element() -> None:
    html = page(
        '<base href="https://cdn.example.net/site/">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">'
    )
    assert discover_feeds(html, BASE)[0].url == "https://cdn.example.net/site/atom.xml"


def test_non_http_and_duplicates_are_dropped() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">'
        '<link rel="alternate" type="application/rss+xml" href="feed://blog.example.org/x">'
        '<link rel="alternate" type="application/rss+xml" href="/feed">'
        '<link rel="alternate" type="application/rss+xml" href="https://blog.example.org/feed">'
    )
    assert [f.url for f in discover_feeds(html, BASE)] == ["https://blog.example.org/feed"]


def test_comment_feeds_skipped_when_another_exists() -> None:
    html = page(
        '<link rel="alternate" type="application/atom+xml" title="Comments on: Hello"'
        ' href="/hello/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Blog" href="/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="All" href="/comments/feed/">'
    )
    assert [f.url for f in discover_feeds(html, BASE)] == ["https://blog.example.org/feed/"]


def test_comment_feed_kept_when_it_is_the_only_one() -> None:
    html = page('<link rel="alternate" type="application/rss+xml" title="Comments" href="/c.xml">')
    assert [f.title for f in discover_feeds(html, BASE)] == ["Comments"]


def test_wordpress_rest_api_link_is_not_a_feed() -> None:
    html = page(
        '<link rel="alternate" type="application/json" href="https://blog.example.org/wp-json/wp/v2/pages/2">'
        '<link rel="alternate" type="application/json" title="JSON" href="/feed.json">'
    )
    assert [f.url for f in discover_feeds(html, BASE)] == ["https://blog.example.org/feed.json"]


def test_titles_are_cleaned() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="Ne\x1b[2Jws &amp;\n  more"'
        ' href="/f">'
    )
    assert discover_feeds(html, BASE)[0].title == "News & more"


def test_links_in_body_and_bytes_input() -> None:
    html = page("", '<link rel="alternate" type="application/atom+xml" href="/in-body.xml">')
    assert [f.url for f in discover_feeds(html.encode(), BASE)] == [
        "https://blog.example.org/in-body.xml"
    ]


def test_no_feeds() -> None:
    assert discover_feeds(page('<link rel="icon" href="/favicon.ico">'), BASE) == []
    assert discover_feeds("", BASE) == []
    assert discover_feeds(b"\xff\xfe garbage \x00", BASE) == []
