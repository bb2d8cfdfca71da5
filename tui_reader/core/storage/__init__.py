"""The local store (SQLite). :class:`Store` is the only way the rest of the core touches it."""

from __future__ import annotations

from tui_reader.core.storage.sqlite import (
    MAX_PAGE_ATTEMPTS,
    ArticleRecord,
    FeedRow,
    FeedUpdate,
    KnownArticle,
    Store,
    UpsertResult,
    fts_query,
)

__all__ = [
    "MAX_PAGE_ATTEMPTS",
    "ArticleRecord",
    "FeedRow",
    "FeedUpdate",
    "KnownArticle",
    "Store",
    "UpsertResult",
    "fts_query",
]
