"""Cleaning a fetched page, and keeping the page itself for the reader's other views.

Every page the library fetches goes through :func:`clean_page`: the user's site rules and
the extractor make the article, and the page's HTML is attached to it (compressed) so that
the store keeps it beside the article. The reader can then show the whole page offline
(:func:`whole_from_source`) when the cleaner chose the wrong part of it.

What is kept is capped at :data:`MAX_STORED_CHARS` characters of HTML (pages beyond it are
cut, and the cut is recorded); compressed, the median news page takes 25-30 KB.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from tui_reader.core.errors import ExtractError
from tui_reader.core.models import Article, PageSource

if TYPE_CHECKING:
    from tui_reader.core.extract.rules import SiteRules

__all__ = ["MAX_STORED_CHARS", "clean_page", "pack_page", "unpack_page", "whole_from_source"]

MAX_STORED_CHARS = 1_500_000
"""At most this many characters of a page's HTML are stored (the rest is dropped)."""
MAX_UNPACKED_BYTES = 8 * MAX_STORED_CHARS
"""A stored page never inflates beyond this (a damaged or hand-made store cannot balloon)."""
# The fastest level: a page is compressed on every refresh, and level 6 would take 2.5 times
# as long for a page only 15% smaller (measured by bench/pages.py).
_LEVEL = 1


def pack_page(html: str, url: str | None = None) -> PageSource:
    """``html`` (cut to :data:`MAX_STORED_CHARS`) compressed for the store."""
    truncated = len(html) > MAX_STORED_CHARS
    kept = html[:MAX_STORED_CHARS] if truncated else html
    data = kept.encode("utf-8", "surrogatepass")
    return PageSource(
        html_z=zlib.compress(data, _LEVEL), url=url, chars=len(kept), truncated=truncated
    )


def unpack_page(source: PageSource) -> str:
    """The HTML of a stored page.

    Raises:
        ExtractError: the stored data is not a page this code wrote.
    """
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(source.html_z, MAX_UNPACKED_BYTES)
    except zlib.error as exc:
        raise ExtractError(f"the stored page is damaged ({exc})") from exc
    return data.decode("utf-8", "replace")


def clean_page(html: str, url: str | None, rules: SiteRules | None = None) -> Article:
    """The article in ``html`` (site rules applied), carrying the page for the store.

    Raises:
        ExtractError: the page cannot be parsed.
    """
    from dataclasses import replace

    from tui_reader.core.extract import extract

    article = extract(html, url, rules=rules)
    return replace(article, source=pack_page(html, url))


def whole_from_source(source: PageSource, fallback_url: str | None = None) -> Article:
    """The whole stored page as an article (every block, unfiltered).

    Raises:
        ExtractError: the stored page is damaged or cannot be parsed.
    """
    from tui_reader.core.extract.whole import whole_page

    return whole_page(unpack_page(source), source.url or fallback_url)
