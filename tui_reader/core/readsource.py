"""Resolve a URL to an :class:`Article` for ``tui-reader read``: store first, then network.

``ensure_page`` lives in :mod:`tui_reader.core.pagecheck` (the library needs it too, and
this module needs the library); it is still importable from here.
"""

from __future__ import annotations

import asyncio

from tui_reader.core.errors import (
    FetchError,
    NotStoredError,
    UnsafeURLError,
)
from tui_reader.core.models import Article
from tui_reader.core.pagecheck import ensure_page
from tui_reader.core.sanitize import clean_line, safe_url

__all__ = ["article_for_url", "ensure_page"]


def article_for_url(url: str, *, data_dir: str | None = None, offline: bool = False) -> Article:
    """The article at ``url``: from the store when it is stored, else fetched and cleaned.

    A page fetched here is printed, not stored (``tui-reader add URL`` keeps a page).

    Raises:
        NotStoredError: ``offline`` is set and the URL is not stored.
        FetchError: the page could not be fetched, or is not HTML.
        StorageError: the store could not be opened.
    """
    if safe_url(url, fetchable=True) is None:
        raise UnsafeURLError(f"{clean_line(url)}: only http(s) URLs can be fetched")
    from tui_reader.core.library import Library

    library = Library.open(data_dir, offline=offline)
    try:
        stored = library.article_by_url(url)
        if stored is not None and (offline or not stored.summary_only):
            return stored.article
        if offline:
            raise NotStoredError(
                f"{clean_line(url)}: not in the store, and --offline forbids fetching it"
            )

        async def fetch() -> Article:
            try:
                return await library.fetch_article(url)
            finally:
                await library.aclose()

        try:
            article = asyncio.run(fetch())
            if stored is not None and article.source is not None and not library.store.read_only:
                # The page is kept for the whole-page view (the stored article stays as it is).
                library.store.set_stored_page(stored.summary.id, article.source)
            return article
        except FetchError:
            # Only the feed's summary is stored, and the page still cannot be had: the
            # summary is better than nothing.
            if stored is not None:
                return stored.article
            raise
    finally:
        library.close()


def whole_for_url(url: str, *, data_dir: str | None = None, offline: bool = False) -> Article:
    """The whole page at ``url`` (every block, unfiltered): from the page kept in the store
    when there is one, else fetched (and then kept, when the URL's article is stored).

    Raises:
        NotStoredError: ``offline`` is set and the store has no page for the URL.
        FetchError: the page could not be fetched, or is not HTML.
        StorageError: the store could not be opened.
    """
    if safe_url(url, fetchable=True) is None:
        raise UnsafeURLError(f"{clean_line(url)}: only http(s) URLs can be fetched")
    from tui_reader.core.library import Library
    from tui_reader.core.pages import whole_from_source

    library = Library.open(data_dir, offline=offline)
    try:
        stored = library.article_by_url(url)
        if stored is not None:
            page = library.whole_page(stored.summary.id)
            if page is not None:
                return page
        if offline:
            held = "its page is not in the store" if stored else "not in the store"
            raise NotStoredError(f"{clean_line(url)}: {held}, and --offline forbids fetching it")

        async def fetch() -> Article:
            try:
                return await library.fetch_article(url)
            finally:
                await library.aclose()

        article = asyncio.run(fetch())
        if article.source is None:
            return article
        if stored is not None and not library.store.read_only:
            # Kept for next time (offline too); the stored article itself is left as it is.
            library.store.set_stored_page(stored.summary.id, article.source)
        return whole_from_source(article.source, url)
    finally:
        library.close()
