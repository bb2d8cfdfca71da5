"""The whole page as plain text: every block kept, only non-text and hidden elements gone."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from tui_reader.core.errors import ExtractError
from tui_reader.core.extract import extract
from tui_reader.core.extract.whole import whole_page
from tui_reader.core.models import Article, PageSource
from tui_reader.core.pages import MAX_STORED_CHARS, clean_page, pack_page, unpack_page

DATA = Path(__file__).resolve().parent.parent / "data"
SIDEBAR_STORY = DATA / "whole" / "sidebar-story.html"
HOSTILE = DATA / "hostile" / "page.html"
URL = "https://notes.example.org/2009/11/the-first-frost.html"
# Escape sequences, C0/C1 controls (tab and newline aside) and bidi overrides.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

STORY = (
    "The first frost came early this year",
    "I had meant to lift the tubers on Saturday.",
    "Leeks never mind anything",
)


def texts(article: Article) -> list[str]:
    return [block.text for block in article.blocks]


def test_the_whole_page_keeps_the_story_the_cleaner_may_miss() -> None:
    html = SIDEBAR_STORY.read_text("utf-8")
    whole = whole_page(html, URL)
    text = whole.text
    for sentence in STORY:
        assert sentence in text
    # Unfiltered: the sidebar, the bio box and the footer are there too, in page order.
    order = [
        "Notes from the allotment",
        "About me",
        "Enter email to subscribe",
        "Garden\nWeather",
        "Follow me for more frost updates",
        "The first frost came early",
        "Blog powered by TypePad",
        "Copyright 2009",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    # Headings and list items keep their kind, so the reader lays them out like an article.
    kinds = {block.kind for block in whole.blocks}
    assert {"heading", "paragraph", "list"} <= kinds
    assert whole.title.startswith("Notes from the allotment")  # the page's own metadata
    assert whole.url == URL


def test_scripts_styles_templates_and_hidden_elements_are_left_out() -> None:
    text = whole_page(SIDEBAR_STORY.read_text("utf-8"), URL).text
    for absent in (
        "do not show me",
        ".sidebar",
        "This paragraph is hidden",
        "Neither is this one",
        "Nor a template",
    ):
        assert absent not in text


def test_navigation_and_open_dialogs_stay_closed_dialogs_go() -> None:
    html = (
        "<html><body><nav><ul><li>Home</li><li>Archive</li></ul></nav>"
        "<dialog><p>A closed pop-up</p></dialog><dialog open><p>An open notice</p></dialog>"
        "<button>Load more</button><p>Body text.</p></body></html>"
    )
    text = whole_page(html).text
    assert "Home\nArchive" in text
    assert "An open notice" in text and "Load more" in text and "Body text." in text
    assert "A closed pop-up" not in text


def test_the_cleaned_article_of_the_same_page_differs() -> None:
    # The cleaner keeps one container; the whole page keeps them all, so it is a superset.
    html = SIDEBAR_STORY.read_text("utf-8")
    cleaned = extract(html, URL).text
    whole = whole_page(html, URL).text
    assert len(whole) > len(cleaned)
    for paragraph in cleaned.split("\n\n"):
        assert paragraph in whole


def test_hostile_page_is_text_only() -> None:
    whole = whole_page(HOSTILE.read_bytes(), "https://hostile.example/page")
    assert "CANARYALPHA" in whole.text and "CANARYBRAVO" in whole.text
    everything = [whole.title, whole.byline or "", whole.site_name or ""]
    for block in whole.blocks:
        for inner in block.walk():
            everything += [span.text for span in inner.spans]
            everything += [inner.code, inner.alt, *(c for row in inner.rows for c in row)]
            for span in inner.spans:
                if span.href:
                    assert span.href.split(":", 1)[0].lower() in ("http", "https", "mailto")
            if inner.src:
                assert inner.src.startswith(("http://", "https://"))
    for text in everything:
        assert not UNSAFE.search(text), repr(text)
    # Markup-looking text is kept as the page's text (the UI never interprets it).
    assert "[bold red]RED[/bold red]" in whole.text
    assert whole.url is None or whole.url.startswith("https://")


def test_bytes_in_a_legacy_encoding_are_decoded() -> None:
    html = "<html><head><meta charset='windows-1252'></head><body><p>café – naïve</p></body>"
    assert whole_page(html.encode("cp1252")).text == "café – naïve"


def test_not_html_at_all_is_an_extract_error() -> None:
    with pytest.raises(ExtractError):
        whole_page(12345)  # type: ignore[arg-type]


# --- the page as stored --------------------------------------------------------------------


def test_clean_page_attaches_the_compressed_page() -> None:
    html = SIDEBAR_STORY.read_text("utf-8")
    article = clean_page(html, URL)
    assert article.source is not None
    assert article.source.url == URL and not article.source.truncated
    assert article.source.chars == len(html)
    assert len(article.source.html_z) < 0.6 * len(html.encode())
    assert unpack_page(article.source) == html
    # The page is not part of the article's identity or of its JSON.
    assert article == extract(html, URL)
    assert "source" not in article.to_dict()


def test_stored_pages_are_capped() -> None:
    html = "<html><body>" + "<p>word</p>" * (MAX_STORED_CHARS // 10) + "</body></html>"
    source = pack_page(html, URL)
    assert source.truncated and source.chars == MAX_STORED_CHARS
    assert unpack_page(source) == html[:MAX_STORED_CHARS]


def test_a_damaged_stored_page_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="damaged"):
        unpack_page(PageSource(html_z=b"not zlib at all"))
    # A page that would inflate far beyond what is ever stored is cut, not inflated whole.
    bomb = PageSource(html_z=zlib.compress(b"<p>" + b"a" * 50_000_000 + b"</p>", 9))
    assert len(unpack_page(bomb)) < 50_000_000
