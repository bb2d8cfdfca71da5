"""The DOM-free shortcut for plain feed HTML gives exactly the blocks of the full parse, or
declines: on written cases, on every entry of the feed corpus, and on generated fragments."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from tui_reader.core.extract.blocks import render
from tui_reader.core.feedhtml import simple_blocks
from tui_reader.core.feeds import parse_feed
from tui_reader.core.models import Block

BASE = "https://base.example/feed/"
FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def reference(html: str, base: str | None = BASE) -> list[Block]:
    body = LexborHTMLParser(f"<html><body>{html}</body></html>").body
    assert body is not None
    return render(body, base)


def agrees(html: str, base: str | None = BASE) -> bool:
    """True when the shortcut declines or gives the reference's blocks."""
    made = simple_blocks(html, base)
    return made is None or made == reference(html, base)


READ = [
    '<p>The summary of story 1, with a <a href="https://x.example/more/1">link</a> and more.</p>',
    "plain text &amp; more, a &lt;tag&gt; &quot;quoted&quot; &apos;too&apos;",
    "<p>a</p><p>b<br>c</p>",
    "x <a href='/rel/x'>¶</a> y",
    "<div><p>x</p> tail</div> after",
    "<b>bold <i>it</i></b> &#8212; &#x2014; &nbsp;x",
    '<a href="?a=1&amp;b=2">q</a>',
    "<p>x</P>",
    "a & b",
    "  \n ",
    "<a>#</a>",
    "<a href=x> # </a>z",
    "<a href=javascript:alert(1)>x</a>",
    "<em>x</em> <em>y</em>",
    "<code>x  y</code>",
    "a<br/>b<br />c<br>",
    "<p>a\n\n b</p>",
    "\u2028x\x0cy \x1b[31mred",
    "<a href='http://a.b/c d'>x</a>",
    '<a href="https://x.example/a" href="https://x.example/b">first</a>',
    '<p class="lead" style="color: red">styled</p>',
    "<strong>one</strong><strong>two</strong>",
    "<a href='/x'>&#182;</a> text",
    # A heading anchor closed in capitals or with a space: dropped as the parser drops it.
    "<A>¶</A>",
    "<a>¶</A> x",
    "<A href=x>#</A > y",
    "<a>¶</a\n>z",
]
DECLINED = [
    "a &copy; b",  # named references beyond XML's are left to the parser
    "<p>a<p>b",  # implied end tags
    '<a href="?a=1&b=2">q</a>',  # "&b" in an attribute
    "<span class=wp-caption>x</span>",
    "a &b",
    "<p><div>x</div></p>",
    "<b><p>x</p></b>",
    "<a href=x><a href=y>z</a></a>",
    "<i>x</b>",
    "<p>x",
    "x</p>",
    "<img src=x.png>",
    "<ul><li>x</li></ul>",
    "a<!-- c -->b",
    "a\r\nb",
    "a\x00b",
    "< p>x",
    "<p/>x",
    "</br>",
    "&#0; &#x80;",
    "<br class=x>",
]


@pytest.mark.parametrize("html", READ)
def test_plain_fragments_are_read_and_match_the_full_parse(html: str) -> None:
    made = simple_blocks(html, BASE)
    assert made is not None, html
    assert made == reference(html), html


@pytest.mark.parametrize("html", DECLINED)
def test_what_a_parser_would_repair_is_left_to_it(html: str) -> None:
    assert simple_blocks(html, BASE) is None, html


def test_links_resolve_against_the_base_like_the_parse() -> None:
    html = '<p><a href="/a/b">abs path</a> <a href="c?d=1">relative</a> <a href="#top">x</a></p>'
    for base in (BASE, None, "http://other.example/x/y"):
        made = simple_blocks(html, base)
        assert made is not None
        assert made == reference(html, base)
    spans = (simple_blocks(html, BASE) or [])[0].spans
    assert spans[0].href == "https://base.example/a/b"


def _entry_html() -> list[str]:
    found: list[str] = []
    for path in sorted(FEEDS.rglob("*")):
        if not path.is_file() or path.suffix not in (".xml", ".rdf", ".atom", ".rss"):
            continue
        try:
            parsed = parse_feed(path.read_bytes(), "https://feeds.example/" + path.name)
        except Exception:  # noqa: BLE001 - the hostile ones are refused: nothing to compare
            continue
        for entry in parsed.entries:
            found += [h for h in (entry.summary_html, entry.content_html) if h]
    return found


def test_every_entry_of_the_feed_corpus_agrees() -> None:
    bodies = _entry_html()
    assert len(bodies) > 40
    disagreeing = [html for html in bodies if not agrees(html, "https://feeds.example/a/")]
    assert disagreeing == []
    # The shortcut is used, not merely harmless.
    assert sum(simple_blocks(h, BASE) is not None for h in bodies) >= 5


_WORDS = st.sampled_from(
    ["word", " ", "  ", "\n", "\t", "¶", "#", "§", "link", "x.y", "é", "\xa0", "\u2028", "\x07",
     "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#182;", "&#x2014;", "&#0;", "&#150;",
     "&copy;", "&", " & ", "&b", "<", ">", "caption", "\r", "=", '"', "'"]
)  # fmt: skip
_HREFS = st.sampled_from(
    ["https://x.example/a", "/root/path", "rel/path", "?q=1&amp;r=2", "?q=1&r=2", "#frag",
     "javascript:alert(1)", "mailto:a@b.example", "", " https://x.example/s ", "http://[::1]/",
     "https://x.example/%zz", "//proto.example/x", "&#104;ttps://x.example/"]
)  # fmt: skip
_TAGS = st.sampled_from(
    ["p", "div", "a", "b", "i", "em", "strong", "code", "span", "P", "A", "ul", "li", "h2",
     "blockquote", "pre", "img", "table", "figure", "font", "u"]
)  # fmt: skip


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 9))
        if choice <= 4 or depth >= 3:
            parts.append("".join(draw(st.lists(_WORDS, max_size=5))))
        elif choice == 5:
            parts.append(draw(st.sampled_from(["<br>", "<br/>", "<br />", "</br>", "<p>", "</p>"])))
        else:
            tag = draw(_TAGS)
            attributes = ""
            if tag.lower() == "a" and draw(st.booleans()):
                quote = draw(st.sampled_from(['"', "'", ""]))
                attributes = f" href={quote}{draw(_HREFS)}{quote}"
            if draw(st.booleans()):
                attributes += draw(st.sampled_from([' class="x"', " class=caption", " id=y"]))
            inner = draw(fragments(depth + 1))
            close = f"</{tag}>" if draw(st.integers(0, 9)) else ""
            parts.append(f"<{tag}{attributes}>{inner}{close}")
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(fragments())
def test_generated_fragments_agree(html: str) -> None:
    assert agrees(html), html
