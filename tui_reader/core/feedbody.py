"""A feed entry's own HTML as an article body: rendered when it is read, indexed when stored.

An entry's summary or ``content:encoded`` is stored as the feed sent it. Turning it into
blocks costs tens of microseconds for a summary and milliseconds for a full-text entry, and
most entries of a large feed are never opened (an archive of 100,000 items is read a few at a
time, and where pages are fetched the cleaned page replaces the feed's text anyway). So the
store keeps the entry's metadata with its body marked as *deferred*, and the blocks are made
from the stored HTML when the article is read (:func:`render`, the same rendering the refresh
used to do up front). What search needs at once is the words: :func:`index_words` takes them
from the HTML with a few regular expressions, without building a DOM.

Nothing here imports the extractor until a body is rendered: a large ingest never loads it.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import replace

from tui_reader.core.models import Article, Block, Span
from tui_reader.core.sanitize import clean_text

SHORT_FRAGMENT = 3000
"""Feed HTML up to this long is rendered as it is; longer (full-text feeds) is extracted."""
FAST_FRAGMENTS = True
"""Render plain summaries without a DOM (:mod:`tui_reader.core.feedhtml`); off, every one is
parsed in full (the reference the shortcut is compared with)."""

# Elements whose content is not text a reader sees.
_HIDDEN = re.compile(
    r"<(script|style|template|noscript|iframe|object|svg|math)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# Inline markup can sit inside a word ("<b>W</b>ord"): it goes without a trace. Every other
# tag separates words. Only what looks like a tag is a tag: "a < b" in a plain summary stays.
_INLINE_TAG = re.compile(
    r"</?(?:a|b|i|u|s|em|strong|span|small|sub|sup|mark|code|abbr|cite|q|font|tt|kbd|var)"
    r"(?:[ \t\n\f/][^>]*)?>",
    re.IGNORECASE,
)
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<![^>]*>|<\?[^>]*>")
_ALT = re.compile(r"""<img\b[^>]*?\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def index_words(html: str | None) -> str:
    """The words of a feed entry's HTML for the search index, separated by single spaces.

    Picture descriptions (``alt``) go after the text, as captions do for a rendered body, so
    a word remembered from a picture finds the article and snippets come from the text first.
    """
    if not html:
        return ""
    alts: list[str] = []
    text = html
    if "<" in text:
        if "alt" in text:
            alts = [next(g for g in m.groups() if g is not None) for m in _ALT.finditer(text)]
        if "</" in text:
            text = _HIDDEN.sub(" ", text)
        if "<!--" in text:
            text = _COMMENT.sub(" ", text)
        text = _TAG.sub(" ", _INLINE_TAG.sub("", text))
    if "&" in text:
        text = htmllib.unescape(text)
    words = " ".join(clean_text(text).split())
    extra = (" ".join(clean_text(htmllib.unescape(alt)).split()) for alt in alts)
    kept = [alt for alt in dict.fromkeys(extra) if alt and alt not in words]
    return " ".join([words, *kept]) if words else " ".join(kept)


def render(html: str | None, head: Article) -> Article:
    """The article ``head`` (metadata, no blocks) with its body rendered from the feed's HTML.

    The entry's own title, author, date and link win over what an extracted full-text body
    says of itself.
    """
    made = blocks_or_article(html, head.url) if html else ()
    if isinstance(made, Article):
        return replace(
            made,
            title=head.title,
            byline=head.byline or made.byline,
            published=head.published,
            url=head.url,
        )
    return replace(head, blocks=made)


def fragment_article(html: str, url: str | None) -> Article:
    """The feed's own HTML for an entry, cleaned into an article body."""
    made = blocks_or_article(html, url)
    return made if isinstance(made, Article) else Article(blocks=made)


def blocks_or_article(html: str, url: str | None) -> Article | tuple[Block, ...]:
    """:func:`fragment_article`, with a body that is blocks only given as its blocks."""
    from selectolax.lexbor import LexborHTMLParser

    if len(html) <= SHORT_FRAGMENT:
        # A summary is all content: render it as it is (a fraction of the cost of the
        # extractor, which looks for an article among page furniture).
        from tui_reader.core.extract.blocks import render as render_blocks

        if FAST_FRAGMENTS:
            from tui_reader.core.feedhtml import simple_blocks

            # Most summaries are plain paragraphs and links: read without a DOM.
            simple = simple_blocks(html, url)
            if simple:
                return tuple(simple)
        body = LexborHTMLParser(f"<html><body>{html}</body></html>").body
        blocks = tuple(render_blocks(body, url)) if body is not None else ()
        if blocks:
            return blocks
    else:
        from tui_reader.core.errors import ExtractError
        from tui_reader.core.extract import extract

        try:
            article = extract(f"<html><body><article>{html}</article></body></html>", url)
        except ExtractError:
            article = Article()
        if article.blocks:
            return article
    # Nothing the renderer or extractor would keep: keep the text as paragraphs.
    text = clean_text(LexborHTMLParser(html).text(separator="\n") or "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return tuple(Block("paragraph", spans=(Span(p),)) for p in paragraphs if p)
