"""The extractor's shortcuts give exactly what the general code they stand in for gives.

Root-relative links are joined without the URL parser, the "Posted by" check searches
lower-cased text, the byline and date searches skip selectors that match nothing, and the
renderer builds its blocks and spans without their constructors: each must agree with the
slow path on ordinary and awkward input.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from tui_reader.core.extract import metadata
from tui_reader.core.extract.blocks import _checked, _Renderer, _span, _text_block, joined_url
from tui_reader.core.models import Block, BlockKind, Span
from tui_reader.core.sanitize import safe_url

BASES = [
    "https://example.org/news/story.html?id=3#top",
    "HTTP://Example.ORG:8080/a/b/",
    "http://user@example.org",
    "mailto:someone@example.org",
    None,
]

HREFS = [
    "/a/b/c.html",
    "/a/b/",
    "/.well-known/x",
    "/a/./b",
    "/a/../b",
    "/a/..",
    "/a/.",
    "/a//b",
    "//other.example/x",
    "/a;b",
    "/a?q=1",
    "/a#f",
    "/a:b",
    "/é",
    "/a b",
    "/a\tb",
    "/%41%42",
    "/",
    "relative/path",
    "javascript:alert(1)",
    "/a\\b",
    "/a\x1b[31m",
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("href", HREFS)
def test_link_matches_the_url_parser(base: str | None, href: str) -> None:
    assert _Renderer(base).link(href) == _checked(href, base)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/ab.%-_~:;?#@!$&'()*+,= é\\", max_size=20))
def test_any_link_matches_the_url_parser(href: str) -> None:
    for base in BASES:
        assert _Renderer(base).link("/" + href) == _checked("/" + href, base)


def _posted_by_line(text: str) -> bool:
    """The plain form of ``_has_posted_by``: the case-blind search over the whole text, and
    the first word after each line's "by" starting with a capital."""
    for found in metadata._POSTED_BY_ANYWHERE.finditer(text):
        word = re.compile(r"\w").search(text, found.end())
        if word is not None and word.group().isupper():
            return True
    return False


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Posted by Ana at 10:15", True),
        ("intro\n  WRITTEN  BY Someone", True),
        ("intro\n  WRITTEN  BY someone", False),
        ("title\nÉcrit par Jean", True),
        ("PUBLIÉ PAR Marie", True),
        ("\tVon Karl", True),
        ("posted\nby Me", True),
        ("posted\nby me", False),
        ("By\n\t\t\tScott Cunningham", True),
        ("By: Jane", True),
        ("par Élodie", True),
        ('By clicking "Submit," you agree', False),
        ("by 2pm", False),
        ("\u017fubmitted by Ana", True),  # long s: ignoring case matches it to "s"
        ("Subm\u0131tted by Ana", True),  # dotless i
        ("SUBM\u0130TTED BY ANA", True),  # dotted capital I
        ("bystander", False),
        ("nothing here", False),
        ("the story goes\non by the river", False),
        ("the story goes\non By The river", False),
    ],
)
def test_posted_by_check_matches_the_case_blind_search(text: str, found: bool) -> None:
    assert _posted_by_line(text) is found
    assert metadata._has_posted_by(text) is found


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="PpOoSsTtEeDdBbYyVvNn \t\n\r\x0b\u2028\u017f\u0131\u0130ÉéCcRrIiAaJj:2",
        max_size=30,
    )
)
def test_any_posted_by_check_matches(text: str) -> None:
    assert metadata._has_posted_by(text) is _posted_by_line(text)


PAGE = """<!DOCTYPE html><html><body>
<div class="Author-Name">Quirks</div>
<div itemprop="author"><span itemprop="name">Ana Lima</span></div>
<a rel="author nofollow" href="/ana">Ana</a>
<p class="vcard"><span class="fn">Bo Ek</span></p>
<span class="byline-extra">By Cy Dunn</span>
<time datetime="2024-05-01">May 1</time>
<abbr class="published" title="2024-04-30T10:00:00Z">10:00</abbr>
<div class="dateline">June 2, 2024</div>
</body></html>"""


@pytest.mark.parametrize("html", [PAGE, PAGE.replace("<!DOCTYPE html>", ""), "<p>plain</p>"])
def test_selector_shortcut_matches_each_selectors_own_pass(html: str) -> None:
    tree = LexborHTMLParser(html)
    matches = metadata._Matches(tree, metadata._BYLINE_SELECTORS + metadata._DATE_SELECTORS)
    for selector in metadata._BYLINE_SELECTORS + metadata._DATE_SELECTORS:
        own = [node.mem_id for node in tree.css(selector)[:20]]
        assert [node.mem_id for node in matches.of(selector, 20)] == own, selector


@pytest.mark.parametrize("html", [PAGE, PAGE.replace("<!DOCTYPE html>", ""), "<p>plain</p>"])
@pytest.mark.parametrize(
    ("selectors", "direct", "group"),
    [
        (metadata._BYLINE_SELECTORS, metadata._BYLINE_DIRECT, metadata._BYLINE_GROUP),
        (metadata._DATE_SELECTORS, metadata._DATE_DIRECT, metadata._DATE_GROUP),
    ],
)
def test_shorter_group_matches_each_selectors_own_pass(
    html: str, selectors: tuple[str, ...], direct: int, group: str
) -> None:
    tree = LexborHTMLParser(html)
    matches = metadata._Matches(tree, selectors, direct=direct, group=group)
    grouped = {node.mem_id for node in tree.css(group)}
    for selector in selectors:
        own = [node.mem_id for node in tree.css(selector)[:20]]
        assert [node.mem_id for node in matches.of(selector, 20)] == own, selector
        if selector not in selectors[:direct]:
            assert set(own) <= grouped, selector


def test_built_blocks_and_spans_equal_constructed_ones() -> None:
    span = _span("text", "https://x.example/", "em")
    assert span == Span("text", "https://x.example/", "em")
    assert repr(span) == repr(Span("text", "https://x.example/", "em"))
    kinds: list[tuple[BlockKind, int]] = [("paragraph", 0), ("item", 0), ("heading", 3)]
    for kind, level in kinds:
        made = _text_block(kind, (span,), level)
        built = Block(kind, spans=(span,), level=level)
        assert made == built
        assert repr(made) == repr(built)
        assert hash(made) == hash(built)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="CcOoMmEeNnTtRrLlAaDdSsIiBbWwGgPpFfKk-_ \u017f\u0131\u0130\u212a", max_size=30)
)
def test_foreign_name_check_matches_the_case_blind_search(marker: str) -> None:
    expected = metadata._FOREIGN.search(marker) is not None
    assert metadata._is_foreign_name(marker, marker.lower()) is expected


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "mailto:", "//", "/", ""]),
    st.text(alphabet="abc.-_/:;?#[]@% \t\u00e9\x00", max_size=25),
    st.booleans(),
)
def test_plain_absolute_urls_are_kept_as_the_url_parser_keeps_them(
    scheme: str, rest: str, fetchable: bool
) -> None:
    url = scheme + rest
    assert joined_url(url, None, fetchable=fetchable) == safe_url(url, None, fetchable=fetchable)
    for base in BASES[:2]:
        assert joined_url(url, base, fetchable=fetchable) == safe_url(
            url, base, fetchable=fetchable
        )
