"""The whole page as plain text: the reader's safety net when the cleaner chose wrong.

:func:`whole_page` keeps every paragraph, heading, list item, quote, table and code block of
the page, in document order, with no judgement about what is furniture: navigation,
sidebars, footers and comments all stay. Only what a browser would not show as text goes:
scripts, styles, templates, embedded objects, form controls and hidden elements. The result
is an :class:`~tui_reader.core.models.Article` rendered like any other, its text cleaned of
control and escape sequences like all text from the web.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from tui_reader.core.errors import ExtractError
from tui_reader.core.extract.boilerplate import HIDDEN_SELECTOR, HIDDEN_STYLE
from tui_reader.core.extract.encoding import decode_html
from tui_reader.core.models import Article
from tui_reader.core.sanitize import safe_url

__all__ = ["MAX_CHARS", "whole_page"]

MAX_CHARS = 4_000_000
"""Pages are cut to this many characters before parsing (time and memory stay bounded)."""

# Never text: code, styles, inert templates, the head, drawings, embeds and form controls
# (their "text" is a script's fallback or a widget's value, not something a reader reads).
_NOT_TEXT = [
    "script",
    "style",
    "template",
    "noscript",
    "head",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "select",
    "textarea",
]
# The article renderer skips these as furniture; here they are only containers, so they are
# replaced by their content and their text is kept.
_UNWRAP = ["nav", "menu", "button"]
_KEEP = frozenset({"html", "body"})


def _remove_hidden(tree: LexborHTMLParser) -> None:
    body = tree.body
    if body is None:
        return
    doomed = []
    seen: set[int] = set()
    for node in body.css(HIDDEN_SELECTOR):
        if node.tag in _KEEP or node.mem_id in seen:
            continue
        attrs = node.attributes
        style = (attrs.get("style") or "").lower()
        if "hidden" in attrs or attrs.get("aria-hidden") == "true" or HIDDEN_STYLE.search(style):
            seen.add(node.mem_id)
            doomed.append(node)
    # Document order, reversed: children go before their parents.
    for node in reversed(doomed):
        node.decompose()
    # A closed <dialog> is not shown; an open one is page text like any other.
    for node in reversed(body.css("dialog")):
        if "open" not in node.attributes:
            node.decompose()
    tree.unwrap_tags(["dialog"])


def whole_page(html: str | bytes, url: str | None = None) -> Article:
    """Every block of text on the page, unfiltered, as an article.

    Args:
        html: the page, as text or as bytes in any encoding.
        url: where the page came from; relative links are resolved against it.

    Raises:
        ExtractError: the input cannot be parsed as HTML at all.
    """
    from tui_reader.core.extract import PARSE_FAILURES
    from tui_reader.core.extract.blocks import render
    from tui_reader.core.extract.metadata import extract_metadata

    try:
        if isinstance(html, bytes | bytearray | memoryview):
            html = decode_html(bytes(html[: MAX_CHARS * 2]))
        if not isinstance(html, str):
            raise ExtractError(f"expected HTML text or bytes, got {type(html).__name__}")
        html = html[:MAX_CHARS]
        safe = safe_url(url, fetchable=True) if url else None
        tree = LexborHTMLParser(html)
        meta = extract_metadata(tree, safe)
        tree.strip_tags(_NOT_TEXT)
        _remove_hidden(tree)
        tree.unwrap_tags(_UNWRAP)
        body = tree.body
        blocks = render(body, meta.url or safe) if body is not None else []
    except ExtractError:
        raise
    except PARSE_FAILURES as exc:
        raise ExtractError(f"cannot parse the page: {exc}") from exc
    return meta.article(blocks, safe)
