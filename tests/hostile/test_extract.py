"""``extract`` on hostile pages: every string field, block text and link comes out clean."""

from __future__ import annotations

import json

import pytest

from tests.hostile.corpus import CANARIES, CORPUS_DIR, PAGE_FILES, deep_nesting
from tests.hostile.payloads import (
    BAD_URLS,
    MARKUP,
    assert_all_clean,
    assert_safe_link,
)
from tui_reader.core.extract import extract
from tui_reader.core.models import Article


def check_article(article: Article, where: str) -> None:
    """Every string clean, every link http(s)/mailto, every image http(s)."""
    data = article.to_dict()
    checked = assert_all_clean(data, where)
    assert checked > 0
    assert_all_clean(article, where)  # the dataclass itself, not only its JSON
    for text, href in article.links():
        assert_safe_link(href, f"{where} link {text!r}")
    assert_safe_link(article.url, f"{where} url", fetchable=True)
    assert_safe_link(article.lead_image, f"{where} lead_image", fetchable=True)
    for block in article.blocks:
        for inner in block.walk():
            if inner.kind == "figure":
                assert_safe_link(inner.src, f"{where} figure src", fetchable=True)
            for span in inner.spans:
                assert_safe_link(span.href, f"{where} span href")
    assert "root:x:0" not in json.dumps(data)


@pytest.mark.parametrize("name", PAGE_FILES)
@pytest.mark.parametrize("as_bytes", [True, False], ids=["bytes", "str"])
def test_extract_hostile_page_is_clean(name: str, as_bytes: bool) -> None:
    raw = (CORPUS_DIR / name).read_bytes()
    html: str | bytes = raw if as_bytes else raw.decode("latin-1" if "latin1" in name else "utf-8")
    article = extract(html, url="https://good.example/page")
    check_article(article, name)


def test_extract_keeps_the_readable_text() -> None:
    # Cleaning removes the payloads, not the article around them.
    article = extract((CORPUS_DIR / "page.html").read_bytes(), url="https://good.example/page")
    text = article.text
    for canary in CANARIES:
        assert canary in text, f"{canary} lost"
    # Markup-like text is ordinary text: kept literally, never interpreted or dropped.
    assert MARKUP["click_quit"] in article.title
    assert "gnp.exe" in article.title, "the text around bidi controls was lost"
    assert MARKUP["bold_red"] in text
    # The good links survive.
    hrefs = {href for _, href in article.links()}
    assert "https://good.example/article" in hrefs
    assert "mailto:editor@good.example" in hrefs


def test_extract_latin1_page_maps_c1_bytes_safely() -> None:
    article = extract((CORPUS_DIR / "page-latin1.html").read_bytes(), url="https://good.example/")
    check_article(article, "latin1")
    assert "CANARYALPHA" in article.text
    assert "café" in article.text


@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_extract_refuses_bad_document_urls(url: str) -> None:
    # The document URL itself (from a feed or a redirect) is a place a bad scheme can hide.
    article = extract(b"<html><body><p>" + b"word " * 50 + b"<a href='x'>rel</a></p>", url=url)
    check_article(article, f"url={url!r}")


@pytest.mark.parametrize("tag", ["div", "span", "b", "blockquote", "ul"])
def test_extract_survives_10000_deep_nesting(tag: str) -> None:
    article = extract(deep_nesting(10_000, tag), url="https://good.example/deep")
    check_article(article, f"deep {tag}")
    assert "CANARYALPHA" in article.text


def test_extract_survives_unclosed_deep_nesting() -> None:
    html = b"<html><body>" + b"<div><p><em>" * 4000 + b"CANARYALPHA text" * 20
    article = extract(html, url="https://good.example/deep")
    check_article(article, "unclosed")


@pytest.mark.slow
def test_extract_handles_a_5_mb_page() -> None:
    paragraph = b"word \x1b]52;c;eA==\x07 " * 40 + b"</p>\n"
    html = b"<html><body><article>" + b"".join(
        b"<p>paragraph %d " % n + paragraph for n in range(5_000_000 // len(paragraph))
    )
    article = extract(html + b"</article></body></html>", url="https://good.example/big")
    check_article(article, "5 MB")
    assert article.word_count > 100_000
