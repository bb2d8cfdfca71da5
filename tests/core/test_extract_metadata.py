"""Tests for reading page metadata (JSON-LD, OpenGraph, the visible page)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from tui_reader.core.extract.metadata import (
    PageMetadata,
    extract_metadata,
    normalize_language,
    parse_date,
)


def meta_of(html: str, url: str | None = "https://news.example.com/2024/03/story") -> PageMetadata:
    return extract_metadata(LexborHTMLParser(html), url)


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def doc(head: str = "", body: str = "", lang: str = "") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<!doctype html><html{lang_attr}><head>{head}</head><body>{body}</body></html>"


# --- JSON-LD ------------------------------------------------------------------------------


def test_json_ld_news_article_in_graph_with_id_references() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "#site", "name": "Harbour Gazette"},
            {"@type": "Organization", "@id": "#org", "name": "Harbour Gazette Ltd"},
            {
                "@type": ["NewsArticle"],
                "headline": "Ferry fares to rise in spring",
                "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@id": "#p2"}],
                "datePublished": "2024-03-05T09:30:00+01:00",
                "publisher": {"@id": "#org"},
                "image": {"@type": "ImageObject", "url": "/img/ferry.jpg"},
                "description": "Operators blame fuel costs.",
                "inLanguage": "en-GB",
            },
            {"@type": "Person", "@id": "#p2", "name": "Tom Baker"},
        ],
    }
    meta = meta_of(
        doc(ld(graph) + "<title>Ferry fares to rise in spring | Harbour Gazette</title>")
    )
    assert meta.title == "Ferry fares to rise in spring"
    assert meta.byline == "Ana Ruiz, Tom Baker"
    assert meta.published == datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert meta.published is not None and meta.published.utcoffset() == timedelta(hours=1)
    assert meta.site_name == "Harbour Gazette Ltd"
    assert meta.lead_image == "https://news.example.com/img/ferry.jpg"
    assert meta.description == "Operators blame fuel costs."
    assert meta.language == "en-GB"


def test_json_ld_top_level_list_and_string_author_and_image_list() -> None:
    data = [
        {"@type": "BreadcrumbList", "itemListElement": []},
        {
            "@type": "BlogPosting",
            "headline": "Notes on sourdough",
            "author": "Maya Lindqvist",
            "datePublished": "2023-11-02",
            "image": ["https://cdn.example.net/a.jpg", "https://cdn.example.net/b.jpg"],
            "publisher": {"@type": "Organization", "name": "Crumb Diaries"},
        },
    ]
    meta = meta_of(doc(ld(data)))
    assert meta.title == "Notes on sourdough"
    assert meta.byline == "Maya Lindqvist"
    assert meta.published == datetime(2023, 11, 2, tzinfo=UTC)
    assert meta.site_name == "Crumb Diaries"
    assert meta.lead_image == "https://cdn.example.net/a.jpg"


def test_json_ld_author_object_and_webpage_fallback() -> None:
    data = {
        "@type": "WebPage",
        "name": "About the archive",
        "author": {"@type": "Organization", "name": "City Archive"},
    }
    meta = meta_of(doc(ld(data)))
    assert meta.title == "About the archive"
    assert meta.byline == "City Archive"


def test_json_ld_article_beats_webpage_and_broken_scripts_are_skipped() -> None:
    head = (
        '<script type="application/ld+json">{ this is not json </script>'
        + ld({"@type": "WebPage", "name": "Section page"})
        + '<script type="application/ld+json"><!-- '
        + json.dumps({"@type": "Article", "headline": "The real headline"})
        + " --></script>"
    )
    assert meta_of(doc(head)).title == "The real headline"


def test_json_ld_rejects_url_author() -> None:
    data = {"@type": "Article", "headline": "x", "author": "https://facebook.com/someone"}
    meta = meta_of(doc(ld(data) + '<meta name="author" content="Jo Park">'))
    assert meta.byline == "Jo Park"


# --- meta tags ----------------------------------------------------------------------------


def test_opengraph_and_meta_fields() -> None:
    head = """
    <title>Tide tables explained - Coastal Notes</title>
    <meta property="og:title" content="Tide tables explained">
    <meta property="og:site_name" content="Coastal Notes">
    <meta property="og:image" content="//img.example.org/tide.png">
    <meta property="og:locale" content="en_US">
    <meta name="description" content="How to read a tide table.">
    <meta property="article:published_time" content="2022-06-01T12:00:00Z">
    <meta property="article:author" content="https://www.facebook.com/coastal">
    <meta name="author" content="Priya Natarajan">
    """
    meta = meta_of(doc(head))
    assert meta.title == "Tide tables explained"
    assert meta.site_name == "Coastal Notes"
    assert meta.lead_image == "https://img.example.org/tide.png"
    assert meta.language == "en-US"
    assert meta.description == "How to read a tide table."
    assert meta.published == datetime(2022, 6, 1, 12, tzinfo=UTC)
    assert meta.byline == "Priya Natarajan"


def test_article_author_name_in_meta_is_used() -> None:
    meta = meta_of(doc('<meta property="article:author" content="By Lee Chen">'))
    assert meta.byline == "Lee Chen"


def test_twitter_fallbacks() -> None:
    head = """
    <meta name="twitter:title" content="Hello there">
    <meta name="twitter:image" content="https://example.com/t.jpg">
    <meta name="twitter:description" content="Hi.">
    """
    meta = meta_of(doc(head))
    assert (meta.title, meta.lead_image, meta.description) == (
        "Hello there",
        "https://example.com/t.jpg",
        "Hi.",
    )


def test_unsafe_urls_are_dropped() -> None:
    head = """
    <link rel="canonical" href="javascript:alert(1)">
    <meta property="og:image" content="data:image/png;base64,AAAA">
    <meta name="twitter:image" content="file:///etc/passwd">
    """
    meta = meta_of(doc(head), url="https://example.com/page")
    assert meta.url == "https://example.com/page"
    assert meta.lead_image is None


def test_canonical_is_resolved_and_preferred() -> None:
    head = '<link rel="canonical" href="/articles/42"><meta property="og:url" content="https://x.example/og">'
    assert (
        meta_of(doc(head), url="https://example.com/a?utm=1").url
        == "https://example.com/articles/42"
    )
    assert meta_of(doc(head), url=None).url == "https://x.example/og"
    assert meta_of(doc(""), url=None).url is None


def test_control_characters_are_removed_from_strings() -> None:
    head = (
        "<title>Evil\x1b]0;pwned\x07 title\u202e here</title>"
        '<meta name="author" content="Mal\x1b[31mlory">'
        '<meta property="og:site_name" content="Site\r\nName">'
    )
    meta = meta_of(doc(head))
    assert meta.title == "Evil title here"
    assert meta.byline == "Mallory"
    assert meta.site_name == "Site Name"


# --- titles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # <title> with a site suffix, h1 matches the first part.
        (
            "<title>Bridges of Lisbon | Wander Mag</title>",
            "<h1>Bridges of Lisbon</h1>",
            "Bridges of Lisbon",
        ),
        # og:site_name known: strip it even without an h1.
        (
            "<title>Why the sea is salty — Ocean Facts</title>"
            '<meta property="og:site_name" content="Ocean Facts">',
            "",
            "Why the sea is salty",
        ),
        # Site name as a prefix.
        (
            "<title>Ocean Facts: Why the sea is salty</title>"
            '<meta property="og:site_name" content="Ocean Facts">',
            "",
            "Why the sea is salty",
        ),
        # No site name, short trailing part dropped.
        (
            "<title>How we rebuilt our search index - Acme Blog</title>",
            "",
            "How we rebuilt our search index",
        ),
        # A hyphen in a title that is not a suffix stays.
        ("<title>Covid-19 vaccines: a primer</title>", "", "Covid-19 vaccines: a primer"),
        # The logo h1 equals the site name and is ignored.
        (
            "<title>Night trains return | Rail Post</title>"
            '<meta property="og:site_name" content="Rail Post">',
            "<header><h1>Rail Post</h1></header><article><h1>Night trains return</h1></article>",
            "Night trains return",
        ),
        # No declared title at all: the h1.
        ("", "<h1>Only a <em>heading</em></h1>", "Only a heading"),
        # h1 with a line break.
        ("<title>A B</title>", "<h1>A<br>B</h1>", "A B"),
    ],
)
def test_title_choice(head: str, body: str, expected: str) -> None:
    assert meta_of(doc(head, body)).title == expected


def test_visible_headline_preferred_when_it_matches_og_title_with_suffix() -> None:
    head = '<meta property="og:title" content="The long road home - Weekend Reads">'
    assert meta_of(doc(head, "<h1>The long road home</h1>")).title == "The long road home"


# --- bylines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<article><p>By <a rel="author" href="/u/kim">Kim Sato</a></p></article>', "Kim Sato"),
        ('<article><div class="byline">By Jane Doe | March 5, 2024</div></article>', "Jane Doe"),
        (
            '<article><span itemprop="author" itemscope>'
            '<span itemprop="name">Ola Nordmann</span></span></article>',
            "Ola Nordmann",
        ),
        (
            '<article><span class="author"><a rel="author">A. One</a></span>'
            ' and <a rel="author">B. Two</a></article>',
            "A. One, B. Two",
        ),
        (
            '<div class="byline">Par Jeanne Martin '
            '<time datetime="2024-01-01">1 janv.</time></div>',
            "Jeanne Martin",
        ),
    ],
)
def test_dom_byline(body: str, expected: str) -> None:
    assert meta_of(doc("", body)).byline == expected


def test_comment_and_teaser_authors_are_not_bylines() -> None:
    body = """
    <article><h1>Post</h1><p>Text.</p></article>
    <section class="comments"><div class="comment">
      <span class="author">Troll42</span></div></section>
    <aside><div class="post-card">
      <span class="post-card-byline-author">Other Writer</span></div></aside>
    """
    assert meta_of(doc("", body)).byline is None


def test_overlong_byline_rejected() -> None:
    body = '<div class="byline">' + "word " * 60 + "</div>"
    assert meta_of(doc("", body)).byline is None


# --- dates --------------------------------------------------------------------------------


def test_time_element_date() -> None:
    body = '<article><time datetime="2021-09-14T08:05:00-04:00">Sept 14</time><p>x</p></article>'
    assert meta_of(doc("", body)).published == datetime(2021, 9, 14, 12, 5, tzinfo=UTC)


def test_time_in_comments_is_ignored() -> None:
    body = '<div id="comments"><time datetime="2024-01-02">Jan 2</time></div>'
    assert meta_of(doc("", body)).published is None


def test_time_text_without_datetime() -> None:
    body = "<article><time>March 3, 2020</time></article>"
    assert meta_of(doc("", body)).published == datetime(2020, 3, 3, tzinfo=UTC)


def test_bad_meta_date_falls_back_to_time() -> None:
    head = '<meta property="article:published_time" content="not a date">'
    body = '<article><time datetime="2019-05-06">x</time></article>'
    assert meta_of(doc(head, body)).published == datetime(2019, 5, 6, tzinfo=UTC)


NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-03-05T10:20", datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        ("2024-03-05T10:20:30Z", datetime(2024, 3, 5, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-05T10:20:30.123+02:00", datetime(2024, 3, 5, 8, 20, 30, tzinfo=UTC)),
        ("2024-03-05T10:20:30+0530", datetime(2024, 3, 5, 4, 50, 30, tzinfo=UTC)),
        ("2024-03-05 10:20:30", datetime(2024, 3, 5, 10, 20, 30, tzinfo=UTC)),
        ("20240305", datetime(2024, 3, 5, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:20:30 GMT", datetime(2024, 3, 5, 10, 20, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:20:30 -0500", datetime(2024, 3, 5, 15, 20, 30, tzinfo=UTC)),
        ("2024/03/05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("05.03.2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("March 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("Mar 5, 2024 3:15 PM", datetime(2024, 3, 5, 15, 15, tzinfo=UTC)),
        ("5 March 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("Published 5th March 2024, 09:00 UTC", datetime(2024, 3, 5, 9, tzinfo=UTC)),
        ("5 mars 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("5. März 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024年3月5日", datetime(2024, 3, 5, tzinfo=UTC)),
        ("1709634030", datetime(2024, 3, 5, 10, 20, 30, tzinfo=UTC)),
        ("1709634030000", datetime(2024, 3, 5, 10, 20, 30, tzinfo=UTC)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    parsed = parse_date(text, now=NOW)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2024-13-01",
        "2024-02-30",
        "0000-00-00",
        "1970-01-01T00:00:00Z",
        "1899-12-31",
        "2031-01-01",  # far in the future relative to NOW
        "2024-03-05T25:00",
        "2024-03-05T10:00+25:00",
        "Smarch 5, 2024",
        "x" * 500,
    ],
)
def test_parse_date_rejects_nonsense(text: str) -> None:
    assert parse_date(text, now=NOW) is None


def test_parse_date_keeps_offset() -> None:
    parsed = parse_date("2024-03-05T10:20:30-07:00", now=NOW)
    assert parsed is not None and parsed.tzinfo == timezone(timedelta(hours=-7))


# --- language -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("en", "en"),
        ("EN-us", "en-US"),
        ("pt_BR", "pt-BR"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("fr, en", "fr"),
        ("", None),
        ("english please", None),
        ("und", None),
    ],
)
def test_normalize_language(value: str, expected: str | None) -> None:
    assert normalize_language(value) == expected


def test_language_sources_in_order() -> None:
    assert meta_of(doc("", "", lang="ja")).language == "ja"
    assert meta_of(doc('<meta property="og:locale" content="de_DE">')).language == "de-DE"
    head = '<meta http-equiv="Content-Language" content="nl">'
    assert meta_of(doc(head)).language == "nl"
    assert meta_of(doc(head, lang="bogus tag")).language == "nl"


# --- the tree -----------------------------------------------------------------------------


def test_tree_is_not_mutated() -> None:
    html = doc(
        ld({"@type": "Article", "headline": "H"})
        + '<title>T | S</title><meta property="og:title" content="T">',
        '<header><h1>T</h1></header><article><div class="byline">By X Y</div>'
        '<time datetime="2020-01-01">x</time><p>Body <b>text</b>.</p></article>',
    )
    tree = LexborHTMLParser(html)
    before = tree.html
    extract_metadata(tree, "https://example.com/")
    assert tree.html == before


def test_empty_document() -> None:
    meta = meta_of("", url=None)
    assert meta == PageMetadata()


def test_seed_page_metadata() -> None:
    from pathlib import Path

    html = (Path(__file__).parent.parent / "data" / "pages" / "seed-page.html").read_text("utf-8")
    meta = meta_of(html, url=None)
    assert meta.title == "Elon Musk appelle au retrait des USA de l’OTAN"
    assert meta.site_name == "Le Courrier des Stratèges"
    assert meta.language == "fr"
    assert meta.url == "https://example.org/elon-musk-appelle-au-retrait-des-usa-de-lotan/"
    assert meta.lead_image == "https://example.org/content/images/otan.jpg"
    assert meta.byline is None  # the names on the page belong to related-article teasers


# --- lessons from real pages --------------------------------------------------------------


def test_entities_left_in_json_ld_and_double_escaped_meta_are_decoded() -> None:
    data = {"@type": "Article", "headline": "Tom &amp; Jerry&#039;s &quot;last&quot; show"}
    assert meta_of(doc(ld(data))).title == 'Tom & Jerry\'s "last" show'
    head = '<meta property="og:title" content="Anastassiades&amp;#039; lamp">'
    assert meta_of(doc(head)).title == "Anastassiades' lamp"
    # An entity that decodes to a control character is still cleaned.
    assert meta_of(doc(ld({"@type": "Article", "headline": "a&#27;]0;x&#7;b"}))).title == "a]0;xb"


def test_byline_parts_in_separate_blocks_are_not_glued() -> None:
    body = (
        '<div class="byline"><div>By ANA LOPEZ and TOM REED</div><div>Associated Press</div></div>'
    )
    assert meta_of(doc("", body)).byline == "ANA LOPEZ and TOM REED Associated Press"


def test_url_as_site_name_is_rejected() -> None:
    head = '<meta property="og:site_name" content="https://www.example-news.com">'
    assert meta_of(doc(head)).site_name is None
    data = {"@type": "NewsArticle", "headline": "x", "publisher": {"name": "Example News"}}
    assert meta_of(doc(head + ld(data))).site_name == "Example News"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Analysis by Chris Ray, Editor-at-large", "Chris Ray, Editor-at-large"),
        ("Written by: Ana Ruiz", "Ana Ruiz"),
        ("By Jane Doe — Updated 5 March 2024", "Jane Doe"),
        ("@handle", None),
        ("https://twitter.com/someone", None),
        ("March 5, 2024", None),
    ],
)
def test_byline_cleanup(raw: str, expected: str | None) -> None:
    assert meta_of(doc(f'<meta name="author" content="{raw}">')).byline == expected


# --- never fails --------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@id",
                    "@graph",
                    "headline",
                    "name",
                    "author",
                    "datePublished",
                    "publisher",
                    "image",
                    "url",
                    "description",
                    "inLanguage",
                    "mainEntity",
                ]
            ),  # fmt: skip
            inner,
            max_size=5,
        )
    ),
    max_leaves=30,
)
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@settings(max_examples=150, deadline=None)
@given(
    payload=_json_values,
    content=st.text(max_size=60),
    raw_script=st.text(max_size=60),
)
def test_never_raises_and_always_clean(payload: object, content: str, raw_script: str) -> None:
    from html import escape

    attr = escape(content, quote=True)
    head = (
        ld(payload)
        + f'<script type="application/ld+json">{raw_script.replace("<", "")}</script>'
        + f'<meta property="og:title" content="{attr}"><meta name="author" content="{attr}">'
        + f'<meta property="article:published_time" content="{attr}">'
        + f'<link rel="canonical" href="{attr}"><meta property="og:image" content="{attr}">'
    )
    body = f'<h1>{escape(content)}</h1><time datetime="{attr}">{escape(content)}</time>'
    meta = meta_of(doc(head, body, lang=attr))
    for value in (meta.title, meta.byline, meta.site_name, meta.language, meta.description):
        assert value is None or (not _FORBIDDEN.search(value) and "\n" not in value)
    for url in (meta.url, meta.lead_image):
        assert url is None or url.startswith(("http://", "https://"))
    assert meta.published is None or meta.published.tzinfo is not None


def test_title_that_is_only_the_site_name_yields_to_the_heading() -> None:
    head = '<title>Harbour Gazette</title><meta property="og:site_name" content="Harbour Gazette">'
    body = "<header><h1>Harbour Gazette</h1></header><main><h1>Ferry fares to rise</h1></main>"
    assert meta_of(doc(head, body)).title == "Ferry fares to rise"


# --- blog themes: the h1 is the blog's name -------------------------------------------------


def test_blog_h1_that_is_a_piece_of_the_title_gives_way_to_the_post_heading() -> None:
    head = "<title>Lake Effect: Ice road to Madeline Island is open</title>"
    body = (
        "<h1>Lake Effect</h1><div class='post'><h3>Ice road to Madeline Island is open</h3></div>"
    )
    assert meta_of(doc(head, body)).title == "Ice road to Madeline Island is open"


def test_og_title_beats_an_h1_that_only_repeats_the_title_tag() -> None:
    head = (
        "<title>Quiet Hours</title>"
        '<meta property="og:title" content="Recording the dawn chorus in Victoria Park">'
    )
    body = "<h1>Quiet Hours</h1><h2>Recording the dawn chorus in Victoria Park</h2>"
    assert meta_of(doc(head, body)).title == "Recording the dawn chorus in Victoria Park"


def test_news_headline_h1_is_kept_over_a_short_site_heading() -> None:
    head = "<title>Council closes the baths | Courier</title>"
    body = "<h1>Council closes the baths</h1><h2>Courier</h2>"
    assert meta_of(doc(head, body)).title == "Council closes the baths"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Posted by Rachel Lindqvist at 09:14 AM in Social media", "Rachel Lindqvist"),
        ("posted by Karin Lindahl @ 10:15 AM", "Karin Lindahl"),
        ("Verfasst von Jürgen Haslbeck am Mi., 27.08.2014 - 18:30", "Jürgen Haslbeck"),
        ("Enviado por Ana Beltrán el Mar, 10/03/2009 - 18:40.", "Ana Beltrán"),
    ],
)
def test_posted_by_line_in_a_post_footer_gives_the_byline(line: str, name: str) -> None:
    body = (
        "<div class='widget Blog'><div class='post'><h3>Ice road to Madeline Island is open</h3>"
        f"<div class='post-body'><p>Text.</p></div><div class='post-footer'><span>{line}</span>"
        "</div></div></div>"
    )
    head = "<title>Ice road to Madeline Island is open</title>"
    assert meta_of(doc(head, body)).byline == name


def test_by_clicking_is_not_a_byline() -> None:
    body = (
        "<div class='post'><h1>Ice road to Madeline Island is open</h1>"
        '<p>By clicking "Submit," you agree to the terms.</p></div>'
    )
    head = "<title>Ice road to Madeline Island is open</title>"
    assert meta_of(doc(head, body)).byline is None


def test_hatom_abbr_title_gives_the_date() -> None:
    body = (
        "<div class='post'><h3>Ice road</h3><div class='post-footer'>"
        "<abbr class='published' title='2015-05-22T18:05:00+02:00'>18:05</abbr></div></div>"
    )
    published = meta_of(doc("<title>Ice road</title>", body)).published
    assert published == datetime(2015, 5, 22, 18, 5, tzinfo=timezone(timedelta(hours=2)))
