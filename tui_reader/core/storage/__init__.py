"""The local store (SQLite). :class:`Store` is the only way the rest of the core touches it."""

from __future__ import annotations

from tui_reader.core.storage.sqlite import (
    ArticleRecord,
    FeedRow,
    FeedUpdate,
    KnownArticle,
    Store,
    UpsertResult,
    fts_query,
)

__all__ = [
    "ArticleRecord",
    "FeedRow",
    "FeedUpdate",
    "KnownArticle",
    "Store",
    "UpsertResult",
    "fts_query",
]
