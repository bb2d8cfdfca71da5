"""Readability-style article extraction on selectolax (Lexbor).

``extract(html, url)`` is pure: no I/O, deterministic, bounded in time. The pipeline:

1. decode (bytes only) and parse;
2. read the metadata, before anything mutates the tree;
3. prune junk tags and hidden elements (:mod:`.clean`);
4. find the container that holds the story (:mod:`.score` votes, :mod:`.choose` checks the
   winner against the headline, and when it is weak or holds a comment thread removes the
   threads and tries other passes);
5. render it as blocks (:mod:`.blocks`) and drop furniture blocks (:mod:`.filters`).

A user's site rule for the page's host (:mod:`.rules`) runs between steps 2 and 3: its
``drop`` selectors remove elements first, and its ``body`` selector, when it matches, stands
in for step 4's choice.
"""

from __future__ import annotations

from collections.abc import Callable

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser, LexborNode, SelectolaxError

from tui_reader.core.errors import ExtractError
from tui_reader.core.extract.blocks import joined_url, render
from tui_reader.core.extract.choose import choose
from tui_reader.core.extract.clean import (
    furniture_strength,
    has_ancestor,
    nested_articles,
    prune,
    strip_furniture,
)
from tui_reader.core.extract.encoding import decode_html
from tui_reader.core.extract.filters import refine
from tui_reader.core.extract.headline import find_headline, norm, page_headings
from tui_reader.core.extract.metadata import extract_metadata
from tui_reader.core.extract.rules import SiteRules, apply_rule, rule_for
from tui_reader.core.models import Article, Block

__all__ = ["extract"]

# What parsing and reading a hostile page may raise, all reported as one ExtractError.
# (Lexbor reports a failure inside a lookup, such as memory it could not get, as a
# SelectolaxError.)
PARSE_FAILURES = (
    SelectolaxError,
    ValueError,
    TypeError,
    RuntimeError,
    MemoryError,
    RecursionError,
)

# Pages beyond this many characters are cut before parsing; no article is that long, and the
# cap keeps parse time and memory bounded whatever arrives.
MAX_CHARS = 8_000_000


def _scoring_furniture(node: LexborNode) -> int:
    # Some sites wrap the whole page in one <form>, so a form is no evidence when choosing
    # the container; inside it, strip_furniture still removes small ones (sign-up forms).
    return 0 if node.tag == "form" else furniture_strength(node)


def extract_blocks(
    tree: LexborHTMLParser, base: str | None, title: str = "", byline: str | None = None
) -> list[Block]:
    """Prune ``tree`` (mutating it) and return the article body as blocks."""
    return extract_body(tree, base, title, byline)[0]


def extract_body(
    tree: LexborHTMLParser, base: str | None, title: str = "", byline: str | None = None
) -> tuple[list[Block], str]:
    """Prune ``tree`` (mutating it); return the body as blocks and the path that chose it."""
    body = prune(tree)
    if body is None:
        return [], ""
    # The headline's candidates and the articles are found by name, a tag at a time: a
    # selector pass tests each of its parts on every element and costs more.
    headings = page_headings(tree) if norm(title) else []
    inner = [node for node in tree.tags("article") if has_ancestor(node, "article")]
    headline = find_headline(body, title, headings)
    teasers = nested_articles(body, inner)
    rate: Callable[[LexborNode], int] = _scoring_furniture
    if teasers:

        def rate(node: LexborNode) -> int:
            return 2 if node.mem_id in teasers else _scoring_furniture(node)

    container, path = choose(body, rate, headline)
    strip_furniture(container, teasers)
    blocks = refine(render(container, base), title=title, byline=byline, links=path == "links")
    return blocks, path


def extract(
    html: str | bytes, url: str | None = None, *, rules: SiteRules | None = None
) -> Article:
    """Turn an HTML page into an :class:`Article`.

    Args:
        html: the page, as text or as bytes in any encoding.
        url: where the page came from; relative links are resolved against it.
        rules: the user's site rules; the one for the page's host (``url``, else the
            page's canonical URL) is applied before the heuristics.

    Returns:
        The article: metadata and the body as blocks.

    Raises:
        ExtractError: the input cannot be parsed as HTML at all.
    """
    try:
        if isinstance(html, bytes | bytearray | memoryview):
            html = decode_html(bytes(html[: MAX_CHARS * 2]))
        if not isinstance(html, str):
            raise ExtractError(f"expected HTML text or bytes, got {type(html).__name__}")
        if len(html) > MAX_CHARS:
            html = html[:MAX_CHARS]
        # The caller's URL is as untrusted as the page: only an absolute http(s) URL is kept.
        # (A plain one is kept as it is, without the URL parser: see ``joined_url``.)
        safe = joined_url(url, None, fetchable=True) if url else None
        # Without the DOM's mutation events: they keep the tree as a browser's script would
        # see it (an <option> copied into <selectedcontent>), which a reader never shows, and
        # they cost time in the parse and in every node removed later.
        tree = LexborHTMLParser(html, options=LexborDocumentOptions.WO_EVENTS)
        meta = extract_metadata(tree, safe)
        base = meta.url or safe
        blocks = None
        path = ""
        rule = rule_for(safe or meta.url, rules)
        if rule is not None:
            blocks = apply_rule(tree, rule, base, title=meta.title, byline=meta.byline)
            path = "site rule"
        if blocks is None:
            blocks, path = extract_body(tree, base, title=meta.title, byline=meta.byline)
    except ExtractError:
        raise
    except PARSE_FAILURES as exc:
        raise ExtractError(f"cannot parse the page: {exc}") from exc
    return meta.article(blocks, safe, path)
