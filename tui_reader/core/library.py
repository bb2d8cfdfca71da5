"""The facade the CLI and the app use: one object over the store, the fetcher and the parsers.

Storage calls are synchronous and safe to call from worker threads (one SQLite connection per
thread); network calls are ``async`` and share one ``httpx.AsyncClient``. With
``offline=True`` no method touches the network: those that would need it raise
:class:`~tui_reader.core.errors.NotStoredError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from tui_reader.core.models import (
    AddResult,
    ArticleSummary,
    FeedInfo,
    RefreshProgress,
    RefreshReport,
    StoredArticle,
)

View = Literal["all", "unread", "starred"]


class Library:
    """Feeds, articles and their pages, stored locally."""

    offline: bool

    @classmethod
    def open(
        cls, data_dir: str | Path | None = None, *, offline: bool = False
    ) -> Library:  # pragma: no cover - contract, implemented below
        """Open (creating and migrating if needed) the store in ``data_dir``.

        A new, empty store gets the bundled Welcome feed so there is something to read.
        """
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # --- reading (sync) ---------------------------------------------------------------
    def feeds(self) -> list[FeedInfo]:
        raise NotImplementedError

    def articles(
        self,
        *,
        view: View = "all",
        feed_id: int | None = None,
        tag: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ArticleSummary]:
        """Newest first."""
        raise NotImplementedError

    def count_articles(
        self, *, view: View = "all", feed_id: int | None = None, tag: str | None = None
    ) -> int:
        raise NotImplementedError

    def article(self, article_id: int) -> StoredArticle:
        raise NotImplementedError

    def search(self, query: str, *, limit: int = 200) -> list[ArticleSummary]:
        """Full-text search over title, byline and text; best matches first, with snippets."""
        raise NotImplementedError

    def set_read(self, article_id: int, read: bool = True) -> None:
        raise NotImplementedError

    def set_starred(self, article_id: int, starred: bool = True) -> None:
        raise NotImplementedError

    def save_position(self, article_id: int, position: float) -> None:
        raise NotImplementedError

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A small persistent UI state value (e.g. the chosen theme)."""
        raise NotImplementedError

    def set_setting(self, key: str, value: str) -> None:
        raise NotImplementedError

    def remove_feed(self, feed_id: int) -> None:
        raise NotImplementedError

    def import_opml(self, path: str | Path) -> int:
        raise NotImplementedError

    def export_opml(self) -> str:
        raise NotImplementedError

    # --- network (async) --------------------------------------------------------------
    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        pages: bool = True,
        progress: Callable[[RefreshProgress], None] | None = None,
    ) -> RefreshReport:
        raise NotImplementedError

    async def add(self, url: str, *, tags: Sequence[str] = ()) -> AddResult:
        raise NotImplementedError

    async def open_url(self, url: str) -> StoredArticle:
        """Fetch, clean and store one page (read-later style); answered from the store if there."""
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError
