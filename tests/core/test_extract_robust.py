"""Robustness of ``extract``: whatever arrives, it returns a clean Article or raises ExtractError.

Inputs: generated tag soup, mutated golden pages (truncated, bytes flipped, closing tags
deleted), empty and binary input, undecodable bytes, a 20 MB page, very deep nesting and a page
of 100,000 paragraphs. Every string that comes out must be free of control characters (tab and
newline excepted) and every link must be http(s) or mailto.
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import SelectolaxError

from tui_reader.core.errors import ExtractError
from tui_reader.core.extract import extract, metadata
from tui_reader.core.extract.whole import whole_page
from tui_reader.core.models import Article, Block

PAGES = Path(__file__).parent.parent / "data" / "pages"
GOLDEN = sorted(PAGES.glob("*.html"))

# C0/C1 controls except \t and \n, DEL, and the bidi controls the sanitizer removes.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINK_SCHEMES = ("http://", "https://", "mailto:")


def _strings_of(block: Block) -> list[str]:
    values = [block.text, block.code, block.alt, block.src or "", block.language or ""]
    values.extend(cell for row in block.rows for cell in row)
    for span in block.spans:
        values.append(span.text)
        values.append(span.href or "")
    return values


def check_article(article: Article) -> None:
    """The invariants every extracted article must satisfy."""
    assert isinstance(article, Article)
    fields = [
        article.title,
        article.byline or "",
        article.site_name or "",
        article.language or "",
        article.url or "",
        article.lead_image or "",
        article.description or "",
        article.text,
        article.markdown,
    ]
    for value in fields:
        assert isinstance(value, str)
        assert not FORBIDDEN.search(value), repr(value[:200])
    for field in (article.title, article.byline, article.site_name, article.description):
        assert field is None or "\n" not in field
    if article.published is not None:
        assert isinstance(article.published, datetime)
        assert article.published.tzinfo is not None
    for url in (article.url, article.lead_image):
        assert url is None or url.startswith(("http://", "https://")), url
    for top in article.blocks:
        for block in top.walk():
            for value in _strings_of(block):
                assert not FORBIDDEN.search(value), (block.kind, repr(value[:200]))
            for span in block.spans:
                if span.href is not None:
                    assert span.href.startswith(LINK_SCHEMES), span.href
            if block.src is not None:
                assert block.src.startswith(("http://", "https://")), block.src
    # The stored form must survive a round trip.
    assert Article.from_dict(article.to_dict()).blocks == article.blocks


def run(html: str | bytes, url: str | None = None) -> Article | None:
    """extract() must return an Article or raise ExtractError; anything else fails the test."""
    try:
        article = extract(html, url=url)
    except ExtractError as exc:
        assert str(exc), "an ExtractError needs a message"
        return None
    check_article(article)
    return article


# --- generated tag soup ---------------------------------------------------------------------

TAGS = [
    "p", "div", "span", "a", "b", "i", "em", "strong", "h1", "h2", "h3", "ul", "ol", "li",
    "table", "tr", "td", "th", "pre", "code", "blockquote", "figure", "figcaption", "img",
    "br", "hr", "article", "main", "section", "aside", "nav", "header", "footer", "script",
    "style", "noscript", "template", "svg", "math", "iframe", "form", "button", "time",
    "select", "option", "textarea", "title", "meta", "link", "base", "sup", "dl", "dt", "dd",
]  # fmt: skip
HOSTILE_TEXT = [
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b[31mred\x1b[0m",
    "\x9b31m",
    "\u202egnp.exe",
    "\x00\x01\x02\x7f",
    "\r\n",
    "&#27;[2J",
    "&#x9b;",
    "&#0;",
    "&#x202e;",
    "[bold red]markup[/]",
    "<!--",
    "]]>",
    "ユニコード",
    "שלום",
    "\ud800" if False else "\ufffd",
]
URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>x</script>",
    "vbscript:x",
    "file:///etc/passwd",
    "/relative/path",
    "//cdn.example.com/x.png",
    "https://ok.example.com/a?b=c#d",
    "mailto:someone@example.com",
    "http://[::1",
    "http://\x1b]8;;evil\x07",
    "",
]
ATTRS = [
    "href", "src", "class", "id", "style", "hidden", "rel", "property", "content", "name",
    "lang", "datetime", "srcset", "data-src", "itemprop", "aria-hidden", "type", "dir",
]  # fmt: skip

text_st = st.one_of(
    st.text(max_size=40),
    st.sampled_from(HOSTILE_TEXT),
    st.text(alphabet=st.characters(max_codepoint=0x2100), max_size=80),
)
attr_st = st.tuples(st.sampled_from(ATTRS), st.one_of(st.sampled_from(URLS), text_st))


@st.composite
def tag_soup(draw: st.DrawFn, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 6 if depth < 4 else 2))):
        kind = draw(st.integers(0, 9))
        if kind < 3 or depth >= 6:
            parts.append(draw(text_st))
            continue
        tag = draw(st.sampled_from(TAGS))
        attrs = draw(st.lists(attr_st, max_size=3))
        attr_text = "".join(f' {name}="{value}"' for name, value in attrs)
        inner = draw(tag_soup(depth + 1))
        closing = draw(st.sampled_from(["close", "close", "close", "open", "stray"]))
        if closing == "close":
            parts.append(f"<{tag}{attr_text}>{inner}</{tag}>")
        elif closing == "open":
            parts.append(f"<{tag}{attr_text}>{inner}")
        else:
            parts.append(f"</{tag}>{inner}<{tag}{attr_text}")
    return "".join(parts)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(soup=tag_soup(), url=st.sampled_from([None, "https://example.com/a/b"]))
def test_tag_soup(soup: str, url: str | None) -> None:
    run(soup, url=url)
    run(f"<html><head><title>{soup[:200]}</title></head><body><article>{soup}</article>", url)


@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=4096))
def test_binary_junk(data: bytes) -> None:
    run(data)


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.binary(max_size=64),
    text=st.text(max_size=200),
    codec=st.sampled_from(["utf-8", "utf-16", "cp1252", "shift_jis", "koi8-r"]),
)
def test_encoded_text_with_garbage(prefix: bytes, text: str, codec: str) -> None:
    body = f"<p>{text}</p>".encode(codec, errors="ignore")
    run(prefix + b'<meta charset="' + codec.encode() + b'">' + body)


@pytest.mark.parametrize("url", URLS)
def test_document_url_is_sanitized(url: str) -> None:
    """The caller's URL is untrusted too (it may come from a feed or the command line)."""
    article = run("<article><p>Some text, with a comma, to read.</p></article>", url=url)
    assert article is None or article.url is None or article.url.startswith(("http://", "https://"))


def test_hostile_text_never_reaches_output() -> None:
    # ("<!--" would open a comment and swallow the rest of this hand-built page.)
    payload = "".join(t for t in HOSTILE_TEXT if "<" not in t)
    links = "".join(
        f'This sentence, number {i}, mentions <a href="{u}">link {i}</a> in passing. '
        for i, u in enumerate(URLS)
    )
    images = "".join(f'<img src="{u}" alt="alt {payload}">' for u in URLS)
    paragraph = f"<p>{payload} Some real sentence, with commas, to look like prose. {links}</p>"
    html = (
        f"<html><head><title>{payload}</title><meta name='author' content='{payload}'>"
        f"<meta property='og:site_name' content='{payload}'></head><body><article>"
        f"<h1>{payload}</h1>{paragraph * 5}<pre>{payload}</pre><figure>{images}"
        f"<figcaption>{payload}</figcaption></figure><table><tr><td>{payload}</td></tr></table>"
        "</article></body></html>"
    )
    article = run(html, url="https://example.com/")
    assert article is not None
    assert "Some real sentence" in article.text
    links_out = article.links()
    assert links_out, "the safe links should survive"
    assert all(url.startswith(LINK_SCHEMES) for _, url in links_out)


# --- mutated golden pages ---------------------------------------------------------------------


@pytest.mark.parametrize("page", GOLDEN, ids=lambda p: p.stem)
def test_golden_truncated(page: Path) -> None:
    data = page.read_bytes()
    for fraction in (0.01, 0.1, 0.33, 0.5, 0.77, 0.99):
        run(data[: int(len(data) * fraction)])


@pytest.mark.parametrize("page", GOLDEN, ids=lambda p: p.stem)
def test_golden_byte_flips(page: Path) -> None:
    rng = random.Random(page.name)  # deterministic per page
    original = page.read_bytes()
    for _ in range(5):
        data = bytearray(original)
        for _ in range(rng.randint(1, 200)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        run(bytes(data), url="https://example.org/page")


@pytest.mark.parametrize("page", GOLDEN, ids=lambda p: p.stem)
def test_golden_without_closing_tags(page: Path) -> None:
    text = page.read_bytes()
    run(re.sub(rb"</[a-zA-Z0-9]+\s*>", b"", text))
    rng = random.Random(page.stem)
    run(re.sub(rb"</[a-zA-Z0-9]+\s*>", lambda m: b"" if rng.random() < 0.5 else m[0], text))
    # Opening tags cut in half as well.
    run(re.sub(rb"<([a-z]+)[^>]*>", lambda m: b"<" + m[1] + b" ", text))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_golden_random_mutations(data: st.DataObject) -> None:
    page = data.draw(st.sampled_from(GOLDEN))
    raw = bytearray(page.read_bytes())
    for _ in range(data.draw(st.integers(1, 5))):
        op = data.draw(st.sampled_from(["delete", "insert", "duplicate"]))
        start = data.draw(st.integers(0, len(raw)))
        end = min(len(raw), start + data.draw(st.integers(0, 2000)))
        if op == "delete":
            del raw[start:end]
        elif op == "insert":
            raw[start:start] = data.draw(st.binary(max_size=50))
        else:
            raw[start:start] = raw[start:end]
    run(bytes(raw))


# --- edge inputs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        b"",
        " ",
        "\x00",
        b"\x00" * 1000,
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        "<",
        "<html>",
        "<!doctype html>",
        "<?xml version='1.0'?><rss><channel></channel></rss>",
        "%PDF-1.4\n%\xe2\xe3\xcf\xd3",
        "<html><body></body></html>",
        "<p></p>" * 50,
        "just some plain text without any markup at all",
        "<script>" + "x" * 10_000,
        "<!--" + "comment " * 5000,
        "<table>" * 300,
        "<a href='javascript:alert(1)'>x</a>" * 200,
    ],
)
def test_edge_inputs(html: str | bytes) -> None:
    run(html)


def test_undecodable_bytes_everywhere() -> None:
    junk = bytes(range(0x80, 0x100)) * 4
    html = b"<html><head><title>" + junk + b"</title></head><body><article>"
    html += (b"<p>Readable words and then " + junk + b" more readable words here.</p>") * 8
    html += b"</article></body></html>"
    for declared in (b"", b'<meta charset="utf-8">', b'<meta charset="shift_jis">'):
        article = run(declared + html)
        assert article is not None and "Readable words" in article.text


@pytest.mark.slow
def test_twenty_megabyte_page() -> None:
    paragraph = (
        "<p>This paragraph is one of very many on a very large page; it has enough words "
        "and commas, like a real one, to be taken for prose by any reasonable reader.</p>\n"
    )
    body = paragraph * (20 * 1024 * 1024 // len(paragraph) + 1)
    html = f"<html><head><title>Huge</title></head><body><article>{body}</article></body></html>"
    assert len(html) >= 20 * 1024 * 1024
    article = run(html.encode("utf-8"))
    assert article is None or article.title == "Huge"


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["div", "span", "table", "li", "blockquote", "ul"])
def test_ten_thousand_deep_nesting(tag: str) -> None:
    depth = 10_000
    text = "<p>Deep down there is a sentence, with a comma, that a reader might want.</p>"
    html = f"<html><body>{f'<{tag}>' * depth}{text}{f'</{tag}>' * depth}</body></html>"
    run(html)
    # Unclosed, and mixed tags.
    run(f"<html><body>{f'<{tag} class=x>' * depth}{text}")
    run("<body>" + "<div><span><table><tr><td><ul><li>" * (depth // 7) + text)


@pytest.mark.slow
def test_hundred_thousand_paragraphs() -> None:
    html = "<html><head><title>Many</title></head><body><article>"
    html += "".join(
        f"<p>Paragraph {i}, which says something short but sentence-like.</p>"
        for i in range(100_000)
    )
    html += "</article></body></html>"
    article = run(html)
    assert article is None or article.title == "Many"


def test_many_links_and_attributes() -> None:
    attrs = " ".join(f'data-a{i}="{i}"' for i in range(2000))
    links = "".join(
        f'<a href="/p/{i}" {attrs if i == 0 else ""}>word{i}</a>, ' for i in range(5000)
    )
    run(f"<article><p>{links}</p></article>", url="https://example.com/")


def test_a_failure_inside_the_parser_library_is_an_extract_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lexbor reports a failed lookup (memory it could not get) as a SelectolaxError: the
    caller gets the one error it handles, never a traceback."""

    def fail(*_args: object) -> None:
        raise SelectolaxError("Failed to find elements")

    monkeypatch.setattr(metadata, "_scan", fail)
    with pytest.raises(ExtractError, match="cannot parse the page"):
        extract("<html><body><p>Story.</p></body></html>", "https://example.org/a")
    with pytest.raises(ExtractError, match="cannot parse the page"):
        whole_page("<html><body><p>Story.</p></body></html>", "https://example.org/a")
