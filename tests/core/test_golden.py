"""Golden pages: real-world-shaped pages and what a good reader should make of them.

Each ``tests/data/pages/<name>.html`` has a ``<name>.expected.json`` (the seed page keeps its
original name, ``seed-expected.json``) written from the page's meaning: the title and
metadata, the body as a list of ``{kind, text}`` blocks in order, and ``must_not_contain``,
boilerplate that must not reach the reader (menus, share bars, teasers, comments, ...).

The headings and paragraphs of the body must match exactly and in order; other blocks
(lists, quotes, code, tables, figures) must be present with their text.

The ``platform-*`` pages reproduce the markup of blog engines and old CMS themes (Blogger,
TypePad, Movable Type, classic WordPress, Drupal, table layouts) where a reader most often
shows the sidebar instead of the post; ``PLATFORMS.md`` says what each one exercises. Checks
that the extractor does not pass yet are listed in ``KNOWN_MISSES`` as strict expected
failures, so that fixing one makes the run fail until its entry is removed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from tui_reader.core.extract import extract
from tui_reader.core.extract.encoding import decode_html
from tui_reader.core.extract.metadata import extract_metadata
from tui_reader.core.models import Article, Block

PAGES = Path(__file__).parent.parent / "data" / "pages"
METADATA_FIELDS = ("title", "byline", "published", "language", "site_name", "url")
SEQUENCE_KINDS = ("heading", "paragraph")
BLOCK_KINDS = {"heading", "paragraph", "list", "item", "quote", "code", "table", "figure", "rule"}


def _expected_path(page: Path) -> Path:
    if page.name == "seed-page.html":
        return page.with_name("seed-expected.json")
    return page.with_name(page.name.removesuffix(".html") + ".expected.json")


PAGE_NAMES = sorted(p.name.removesuffix(".html") for p in PAGES.glob("*.html"))

# Checks each page fails today, and why: "page_metadata" (the metadata reader alone), "title",
# "metadata", "body" (headings and paragraphs), "other_blocks" and "boilerplate".
KNOWN_MISSES: dict[str, frozenset[str]] = {
    # no headline element and a thread named in German: the whole column, comments included
    "platform-news-br-lesermeinungen": frozenset({"body", "boilerplate"}),
    # no headline element: the whole layout row, mayor's word and opening hours included
    "platform-table-layout-mairie": frozenset({"body", "boilerplate"}),
    # the reblog notes under the post are kept
    "platform-tumblr-photo-caption": frozenset({"boilerplate"}),
}


def cases(check: str, names: list[str] | None = None) -> list[Any]:
    """The page names for one check, those with a known miss marked as strict xfails."""
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, reason=f"known extraction miss: {check}"),
        )
        if check in KNOWN_MISSES.get(name, frozenset())
        else name
        for name in (PAGE_NAMES if names is None else names)
    ]


@cache
def load(name: str) -> tuple[bytes, dict[str, Any]]:
    page = PAGES / f"{name}.html"
    expected = json.loads(_expected_path(page).read_text("utf-8"))
    return page.read_bytes(), expected


@cache
def article_of(name: str) -> Article:
    data, _ = load(name)
    return extract(data, url=None)


def fold(text: str) -> str:
    return " ".join(text.split())


def fold_lines(text: str) -> str:
    return "\n".join(f for f in (fold(line) for line in text.split("\n")) if f)


def expected_value(field: str, value: Any) -> Any:
    if field == "published" and value is not None:
        return datetime.fromisoformat(value)
    return value


def test_there_are_enough_golden_pages() -> None:
    assert "seed-page" in PAGE_NAMES
    assert len(PAGE_NAMES) >= 16


def test_platform_pages_are_listed_and_described() -> None:
    platform = [name for name in PAGE_NAMES if name.startswith("platform-")]
    assert len(platform) >= 24
    described = set(re.findall(r"`(platform-[\w-]+)`", (PAGES / "PLATFORMS.md").read_text("utf-8")))
    assert described == set(platform)
    # An entry for a page that no longer exists would hide nothing and mislead.
    assert set(KNOWN_MISSES) <= set(PAGE_NAMES)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_expected_file_is_well_formed(name: str) -> None:
    _, expected = load(name)
    assert expected["title"]
    assert expected["blocks"], "a golden page needs a body"
    assert expected["must_not_contain"], "a golden page needs boilerplate to reject"
    for block in expected["blocks"]:
        assert block["kind"] in BLOCK_KINDS
        assert block["text"].strip()
    body = "\n".join(block["text"] for block in expected["blocks"])
    for junk in expected["must_not_contain"]:
        # The check would be meaningless if the wanted body contained the junk itself.
        assert junk not in body, junk
    published = expected.get("published")
    if published:
        assert datetime.fromisoformat(published).tzinfo is not None


@pytest.mark.parametrize("name", cases("page_metadata"))
def test_page_metadata(name: str) -> None:
    """The metadata reader on its own, on the parsed page."""
    data, expected = load(name)
    tree = LexborHTMLParser(decode_html(data))
    meta = extract_metadata(tree, None)
    for field in METADATA_FIELDS:
        if field in expected:
            assert getattr(meta, field) == expected_value(field, expected[field]), field


@pytest.mark.parametrize("name", cases("title"))
def test_article_title(name: str) -> None:
    _, expected = load(name)
    assert article_of(name).title == expected["title"]


@pytest.mark.parametrize("name", cases("metadata"))
def test_article_metadata(name: str) -> None:
    _, expected = load(name)
    article = article_of(name)
    for field in METADATA_FIELDS:
        if field in expected:
            assert getattr(article, field) == expected_value(field, expected[field]), field


@pytest.mark.parametrize("name", cases("body"))
def test_body_headings_and_paragraphs(name: str) -> None:
    _, expected = load(name)
    want = [(b["kind"], fold(b["text"])) for b in expected["blocks"] if b["kind"] in SEQUENCE_KINDS]
    got = [(b.kind, fold(b.text)) for b in article_of(name).blocks if b.kind in SEQUENCE_KINDS]
    assert got == want


def _all_blocks(blocks: tuple[Block, ...]) -> list[Block]:
    return [inner for block in blocks for inner in block.walk()]


def _has_other_blocks(name: str) -> bool:
    return any(b["kind"] not in SEQUENCE_KINDS for b in load(name)[1]["blocks"])


@pytest.mark.parametrize(
    "name", cases("other_blocks", [n for n in PAGE_NAMES if _has_other_blocks(n)])
)
def test_body_other_blocks(name: str) -> None:
    _, expected = load(name)
    wanted = [b for b in expected["blocks"] if b["kind"] not in SEQUENCE_KINDS]
    present = {(b.kind, fold_lines(b.text)) for b in _all_blocks(article_of(name).blocks)}
    missing = [
        (b["kind"], b["text"][:60])
        for b in wanted
        if (b["kind"], fold_lines(b["text"])) not in present
    ]
    assert not missing


@pytest.mark.parametrize("name", cases("boilerplate"))
def test_no_boilerplate(name: str) -> None:
    _, expected = load(name)
    article = article_of(name)
    leaked = [
        junk
        for junk in expected["must_not_contain"]
        if junk in article.text or junk in article.markdown
    ]
    assert not leaked


def test_seed_exactly_eleven_paragraphs_and_three_headings() -> None:
    _, expected = load("seed-page")
    blocks = [b for b in article_of("seed-page").blocks if b.kind in SEQUENCE_KINDS]
    assert [b.kind for b in blocks].count("paragraph") == 11
    assert [b.kind for b in blocks].count("heading") == 3
    assert [(b.kind, fold(b.text)) for b in blocks] == [
        (b["kind"], fold(b["text"])) for b in expected["blocks"]
    ]


def test_windows_1252_page_really_is_windows_1252() -> None:
    data, _ = load("legacy-cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "’" in decode_html(data) and "€" in decode_html(data)
