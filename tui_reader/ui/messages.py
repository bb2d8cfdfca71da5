"""App-wide messages: results that workers send back to the UI thread.

Workers never touch widgets; they post one of these and a handler on the screen applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui_reader.core.models import (
    ArticleSummary,
    FeedInfo,
    RefreshProgress,
    RefreshReport,
    StoredArticle,
)
from tui_reader.ui.search import SearchSource


@dataclass
class FeedsLoaded(Message):
    """The feed list with counts, for the tree."""

    feeds: list[FeedInfo]
    starred: int


@dataclass
class ArticleLoaded(Message):
    """An article to show in the reader pane."""

    stored: StoredArticle
    index: int | None
    """Its row in the article list, or ``None`` when it was opened from elsewhere (a link)."""


@dataclass
class FlagsChanged(Message):
    """An article's read/starred flags changed in the store."""

    summary: ArticleSummary


@dataclass
class SearchDone(Message):
    """A search ran: how many articles match, and the first page of them."""

    source: SearchSource
    count: int
    first_page: list[ArticleSummary]


@dataclass
class RefreshStep(Message):
    """One feed of a refresh finished."""

    progress: RefreshProgress

    def can_replace(self, message: Message) -> bool:
        # Only the latest progress matters for the status line; the log gets the report.
        return isinstance(message, RefreshStep) and message.progress.error is None


@dataclass
class RefreshDone(Message):
    """A refresh finished (``report`` is None when it failed as a whole)."""

    report: RefreshReport | None


@dataclass
class LibraryChanged(Message):
    """Something was added to the store: reload the tree and the list."""

    article_id: int | None = None
    """An article just opened from outside the list: the list's cursor goes to it."""
