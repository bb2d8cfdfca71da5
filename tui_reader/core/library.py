"""The facade the CLI and the app use: one object over the store, the fetcher and the parsers.

Storage calls are synchronous and safe to call from worker threads (one SQLite connection per
thread); network calls are ``async`` and share one ``httpx.AsyncClient``. With
``offline=True`` no method touches the network: those that would need it raise
:class:`~tui_reader.core.errors.NotStoredError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tui_reader.core import paths
from tui_reader.core.config import Config, load_config
from tui_reader.core.errors import NotStoredError, StorageError
from tui_reader.core.models import (
    AddResult,
    Article,
    ArticleSummary,
    Block,
    FeedInfo,
    RefreshProgress,
    RefreshReport,
    Span,
    StoredArticle,
)
from tui_reader.core.storage import ArticleRecord, Store

if TYPE_CHECKING:
    import httpx

View = Literal["all", "unread", "starred"]

WELCOME_URL = "tui-reader:welcome"
SAVED_URL = "tui-reader:saved"
SAVED_TITLE = "Saved"


class Library:
    """Feeds, articles and their pages, stored locally."""

    offline: bool
    config: Config
    store: Store

    def __init__(
        self,
        store: Store,
        *,
        offline: bool = False,
        config: Config | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """Use :meth:`open`; this wraps an already opened store."""
        self.store = store
        self.offline = offline
        self.config = config or Config()
        self._client = client
        self._fetcher: Any = None

    @classmethod
    def open(
        cls,
        data_dir: str | Path | None = None,
        *,
        offline: bool = False,
        config: Config | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> Library:
        """Open (creating and migrating if needed) the store in ``data_dir``.

        A new, empty store gets the bundled Welcome feed so there is something to read.

        Args:
            data_dir: the directory of the store (default: ``paths.data_dir()``).
            offline: never touch the network.
            config: the settings (default: read from ``config.toml``).
            client: an HTTP client to use instead of a new one (tests inject mock transports).
        """
        if config is None:
            config = load_config()
        try:
            db = paths.db_path(data_dir)
        except OSError as exc:
            where = data_dir or "the data directory"
            raise StorageError(f"cannot create {where} ({exc.strerror or exc})") from exc
        store = Store.open(db)
        try:
            if store.is_empty():
                add_welcome_feed(store)
        except BaseException:
            store.close()
            raise
        return cls(store, offline=offline, config=config, client=client)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading (sync) ---------------------------------------------------------------
    def feeds(self) -> list[FeedInfo]:
        """Every feed, by title (the Saved feed last), with unread/total counts and tags."""
        return self.store.list_feeds()

    def feed(self, feed_id: int) -> FeedInfo:
        """One feed; :class:`StorageError` when there is no such feed."""
        for info in self.store.list_feeds():
            if info.id == feed_id:
                return info
        raise StorageError(f"no feed with id {feed_id}")

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
        return self.store.list_articles(
            view=view, feed_id=feed_id, tag=tag, limit=limit, offset=offset
        )

    def count_articles(
        self, *, view: View = "all", feed_id: int | None = None, tag: str | None = None
    ) -> int:
        return self.store.count_articles(view=view, feed_id=feed_id, tag=tag)

    def article(self, article_id: int) -> StoredArticle:
        """The stored article; :class:`NotStoredError` if there is none with this id."""
        stored = self.store.get_article(article_id)
        if stored is None:
            raise NotStoredError(f"no article with id {article_id} in the store")
        return stored

    def article_by_url(self, url: str) -> StoredArticle | None:
        """The stored article for ``url`` (any feed), or ``None``; never touches the network."""
        article_id = self.store.article_id_by_url(url)
        return None if article_id is None else self.store.get_article(article_id)

    def page_error(self, article_id: int) -> str | None:
        """Why a summary-only article's page could not be used (``None`` if it could)."""
        return self.store.page_error(article_id)

    def search(self, query: str, *, limit: int = 200) -> list[ArticleSummary]:
        """Full-text search over title, byline and text; best matches first, with snippets."""
        return self.store.search(query, limit=limit)

    def set_read(self, article_id: int, read: bool = True) -> None:
        self.store.set_flag(article_id, "read", read)

    def mark_all_read(self, article_ids: Sequence[int]) -> None:
        """Mark several articles read in one transaction."""
        self.store.set_read_many(article_ids, True)

    def set_starred(self, article_id: int, starred: bool = True) -> None:
        self.store.set_flag(article_id, "starred", starred)

    def save_position(self, article_id: int, position: float) -> None:
        self.store.save_position(article_id, position)

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A small persistent UI state value (e.g. the chosen theme)."""
        return self.store.get_setting(key, default)

    def set_setting(self, key: str, value: str) -> None:
        self.store.set_setting(key, value)

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe and delete the feed's articles (starred ones too)."""
        if not self.store.remove_feed(feed_id):
            raise StorageError(f"no feed with id {feed_id}")

    def find_feed(self, ref: str) -> int:
        """A feed id from what a user typed: an id, or a feed's URL."""
        ref = ref.strip()
        if ref.isdigit():
            feed_id = int(ref)
            if self.store.feed(feed_id) is not None:
                return feed_id
        feed_id_or_none = self.store.feed_id_by_url(ref)
        if feed_id_or_none is None:
            raise StorageError(f"{ref}: no such feed (give an id or URL from `tui-reader feeds`)")
        return feed_id_or_none

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
        """Close the network client (the store stays open until :meth:`close`)."""
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            await fetcher.aclose()


# --- the Welcome feed -------------------------------------------------------------------

_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*")


def _spans(text: str) -> tuple[Span, ...]:
    """Inline markup of the bundled texts: `code` and **strong**, nothing else."""
    spans: list[Span] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            spans.append(Span(text[pos : match.start()]))
        if match.group(1) is not None:
            spans.append(Span(match.group(1), style="code"))
        else:
            spans.append(Span(match.group(2), style="strong"))
        pos = match.end()
    if pos < len(text):
        spans.append(Span(text[pos:]))
    return tuple(spans)


def _blocks(paragraphs: Sequence[str]) -> tuple[Block, ...]:
    """Blocks from the bundled texts' tiny markup: ``## heading``, ``- item``, fenced code."""
    blocks: list[Block] = []
    items: list[Block] = []
    for text in paragraphs:
        if text.startswith("- "):
            items.append(Block("item", spans=_spans(text[2:])))
            continue
        if items:
            blocks.append(Block("list", children=tuple(items)))
            items = []
        if text.startswith("```"):
            blocks.append(Block("code", code=text.strip("`").strip("\n") + "\n"))
        elif text.startswith("## "):
            blocks.append(Block("heading", spans=_spans(text[3:]), level=2))
        else:
            blocks.append(Block("paragraph", spans=_spans(text)))
    if items:
        blocks.append(Block("list", children=tuple(items)))
    return tuple(blocks)


def welcome_articles() -> tuple[str, list[ArticleRecord]]:
    """The bundled Welcome feed: its title and its articles, ready to store."""
    raw = resources.files("tui_reader.data").joinpath("welcome.json").read_text("utf-8")
    data = json.loads(raw)
    records = []
    for item in data["articles"]:
        published = datetime.fromisoformat(item["published"])
        article = Article(
            title=item["title"],
            published=published,
            site_name="tui-reader",
            blocks=_blocks(item["body"]),
        )
        records.append(
            ArticleRecord(
                guid=item["guid"],
                url=None,
                title=item["title"],
                article=article,
                published=published,
            )
        )
    return str(data["title"]), records


def add_welcome_feed(store: Store) -> int:
    """Store the Welcome feed (no network involved); returns its feed id."""
    title, records = welcome_articles()
    feed_id, _ = store.add_feed(WELCOME_URL, title=title)
    store.upsert_articles(feed_id, records)
    return feed_id
