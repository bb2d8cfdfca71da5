"""Readability-style article extraction on selectolax (Lexbor).

``extract(html, url)`` is pure: no I/O, deterministic, bounded in time.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from tui_reader.core.errors import ExtractError
from tui_reader.core.models import Article, Block, Span

__all__ = ["extract"]


def extract(html: str | bytes, url: str | None = None) -> Article:
    """Turn an HTML page into an :class:`Article` (first draft: title and paragraphs)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    try:
        tree = LexborHTMLParser(html)
    except Exception as exc:  # noqa: BLE001
        raise ExtractError(str(exc)) from exc
    title_node = tree.css_first("h1") or tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    blocks = tuple(
        Block("paragraph", spans=(Span(node.text()),))
        for node in tree.css("p")
        if node.text(strip=True)
    )
    return Article(title=title, url=url, blocks=blocks)
