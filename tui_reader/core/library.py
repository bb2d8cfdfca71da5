"""The facade the CLI and the app use: one object over the store, the fetcher and the parsers.

Storage calls are synchronous and safe to call from worker threads (one SQLite connection per
thread); network calls are ``async`` and share one ``httpx.AsyncClient``. With
``offline=True`` no method touches the network: those that would need it raise
:class:`~tui_reader.core.errors.NotStoredError`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from tui_reader.core import paths
from tui_reader.core.config import Config, load_config
from tui_reader.core.errors import (
    ContentTypeError,
    FeedError,
    FetchError,
    NotStoredError,
    StorageError,
    TooLargeError,
    TuiReaderError,
    UnsafeURLError,
)
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
    StoredPicture,
)
from tui_reader.core.sanitize import clean_line, is_fetchable_url, safe_url
from tui_reader.core.storage import ArticleRecord, Store
from tui_reader.core.storage.sqlite import SearchOrder

# The refresh and parse machinery (worker processes, the feed and page pipelines) is imported
# when a method first needs it: reading the store, as the app does at launch, never does.
if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from tui_reader.core.fetch import Fetcher, FetchResult, LargeBody
    from tui_reader.core.pictures import PictureKeeper
    from tui_reader.core.refresh import Refresher, WorkerPool
    from tui_reader.core.refresh import is_media_url as is_media_url
    from tui_reader.core.sync.base import SyncAccount, SyncClient
    from tui_reader.core.sync.connect import ClientFactory
    from tui_reader.core.sync.engine import SyncProgress, SyncReport

View = Literal["all", "unread", "starred"]
_T = TypeVar("_T")

FEED_OR_PAGE_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, text/html;q=0.9, "
    "application/xhtml+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
OPML_ACCEPT = "text/x-opml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

WELCOME_URL = "tui-reader:welcome"
SAVED_URL = "tui-reader:saved"
SAVED_TITLE = "Saved"
WELCOME_SETTING = "welcome_added"


def __getattr__(name: str) -> Any:
    """``is_media_url``, still importable from here, without importing the refresh at launch."""
    if name == "is_media_url":
        from tui_reader.core.refresh import is_media_url

        return is_media_url
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        interactive: bool = False,
        sync_factory: ClientFactory | None = None,
    ) -> None:
        """Use :meth:`open`; this wraps an already opened store."""
        self.store = store
        self.offline = offline
        self.interactive = interactive
        self.config = config or Config()
        self._client = client
        self._fetcher: Fetcher | None = None
        self._fetcher_loop: asyncio.AbstractEventLoop | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._pool: WorkerPool | None = None
        self._refresh: Refresher | None = None
        self._sync_factory = sync_factory
        self._sync_account: SyncAccount | None = None
        self._sync_http: httpx.AsyncClient | None = None
        self.ask_password = False
        """Ask for the sync password on the terminal when nothing else gives it (the CLI)."""
        self._keeper: PictureKeeper | None = None
        self._picture_tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def open(
        cls,
        data_dir: str | Path | None = None,
        *,
        offline: bool = False,
        config: Config | None = None,
        client: httpx.AsyncClient | None = None,
        interactive: bool = False,
        sync_factory: ClientFactory | None = None,
    ) -> Library:
        """Open (creating and migrating if needed) the store in ``data_dir``.

        A new, empty store gets the bundled Welcome feed so there is something to read.

        Args:
            data_dir: the directory of the store (default: ``paths.data_dir()``).
            offline: never touch the network.
            config: the settings (default: read from ``config.toml``).
            client: an HTTP client to use instead of a new one (tests inject mock transports).
            interactive: a screen is being drawn by this process (the app): the worker
                processes that parse feeds run at a lower priority, so that it stays
                responsive on a machine with few cores.
            sync_factory: makes the sync client (default:
                :func:`tui_reader.core.sync.connect.make_client`; tests plug in a fake).
        """
        if config is None:
            config = load_config()
        try:
            db = paths.db_path(data_dir)
        except OSError as exc:
            if exc.filename and Path(exc.filename).is_file():
                # mkdir's own words ("File exists") would not say what is wrong.
                raise StorageError(f"{exc.filename}: is a file, not a directory") from exc
            where = data_dir or "the data directory"
            raise StorageError(f"cannot create {where} ({exc.strerror or exc})") from exc
        try:
            store = Store.open(db)
        except StorageError:
            # A store on a read-only file system (a backup disk, a snapshot) can still be read:
            # listing, searching and reading work, and every write says the store is read-only.
            if not db.exists() or os.access(db.parent, os.W_OK):
                raise
            store = Store.open(db, read_only=True)
        try:
            # Only a brand-new store gets the Welcome feed: once removed it stays removed.
            if not store.read_only and store.get_setting(WELCOME_SETTING) is None:
                if store.is_empty():
                    add_welcome_feed(store)
                store.set_setting(WELCOME_SETTING, "1")
        except BaseException:
            store.close()
            raise
        return cls(
            store,
            offline=offline,
            config=config,
            client=client,
            interactive=interactive,
            sync_factory=sync_factory,
        )

    def close(self) -> None:
        """Close the store (call :meth:`aclose` first when the network was used)."""
        pool, self._pool = self._pool, None
        self._refresh = None
        if pool is not None:
            pool.close()
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.close()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)
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
        keep: Collection[int] = (),
    ) -> list[ArticleSummary]:
        """Newest first.

        ``keep`` lists articles to show in an unread or starred view even though their flag
        changed since the view was opened (the 400 most recent ids, in the order given).
        """
        return self.store.list_articles(
            view=view, feed_id=feed_id, tag=tag, limit=limit, offset=offset, keep=keep
        )

    def first_page(
        self, *, view: View = "all", limit: int = 100
    ) -> tuple[int, list[ArticleSummary]]:
        """``(count, newest limit summaries)`` of a view, in one query (the app's first frame)."""
        return self.store.first_page(view=view, limit=limit)

    def count_articles(
        self,
        *,
        view: View = "all",
        feed_id: int | None = None,
        tag: str | None = None,
        keep: Collection[int] = (),
    ) -> int:
        return self.store.count_articles(view=view, feed_id=feed_id, tag=tag, keep=keep)

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

    def feed_text(self, article_id: int) -> Article | None:
        """The feed entry's own text for a stored article, or ``None`` when it has none."""
        html = self.store.feed_html(article_id)
        if not html or not html.strip():
            return None
        from tui_reader.core.feedbody import fragment_article

        article = fragment_article(html, self._article_url(article_id))
        return article if article.blocks else None

    def whole_page(self, article_id: int) -> Article | None:
        """The whole stored page of an article (every block, unfiltered), or ``None`` when
        the store has no page for it. Never touches the network.

        Raises:
            ExtractError: the stored page is damaged.
        """
        from tui_reader.core.pages import whole_from_source

        source = self.store.stored_page(article_id)
        if source is None:
            return None
        return whole_from_source(source, source.url or self._article_url(article_id))

    def _article_url(self, article_id: int) -> str | None:
        stored = self.store.get_article(article_id)
        return stored.summary.url if stored is not None else None

    def picture(self, article_id: int, src: str) -> StoredPicture | None:
        """The stored picture of a figure's ``src`` (or of the lead image), or ``None``.

        Reads the store only (one indexed row and a file check), never the network.
        """
        from tui_reader.core.pictures import pictures_dir, stored_picture
        from tui_reader.core.storage.pictures import picture_row

        row = picture_row(self.store, article_id, src)
        if row is None or row.hash is None or row.ext is None:
            return None
        picture = stored_picture(pictures_dir(self.store), row.hash, row.ext, row.width, row.height)
        return picture if picture.path.is_file() else None

    def picture_problem(self, article_id: int, src: str) -> str | None:
        """One line saying why a picture is not stored, or ``None`` when it is."""
        from tui_reader.core.pictures import pictures_dir, stored_picture
        from tui_reader.core.storage.pictures import picture_row

        row = picture_row(self.store, article_id, src)
        if row is None:
            if not self.config.fetch_images:
                return "not fetched: pictures are off by [fetch] images = false"
            return "not fetched yet: a refresh gets it"
        if row.hash is None or row.ext is None:
            return row.problem or "not stored"
        path = stored_picture(pictures_dir(self.store), row.hash, row.ext, 0, 0).path
        return None if path.is_file() else "the stored file is missing: a refresh gets it again"

    def page_error(self, article_id: int) -> str | None:
        """Why a summary-only article's page could not be used (``None`` if it could)."""
        return self.store.page_error(article_id)

    def search(
        self, query: str, *, limit: int = 200, offset: int = 0, order: SearchOrder = "newest"
    ) -> list[ArticleSummary]:
        """Full-text search over title, byline, text and captions, a page at a time.

        Newest first by default, or ``order="relevance"``; every result has a snippet.
        ``limit`` must be at least 1 and ``offset`` not negative (else ``ValueError``).
        """
        return self.store.search(query, limit=limit, offset=offset, order=order)

    def count_search(self, query: str) -> int:
        """How many articles match ``query`` (what :meth:`search` pages through)."""
        return self.store.count_search(query)

    def set_read(self, article_id: int, read: bool = True) -> None:
        self.store.set_flag(article_id, "read", read)

    def mark_all_read(self, article_ids: Sequence[int]) -> None:
        """Mark several articles read in one transaction."""
        self.store.set_read_many(article_ids, True)

    def mark_read_where(
        self,
        *,
        view: View = "all",
        feed_id: int | None = None,
        tag: str | None = None,
        below: int | None = None,
        older_than: datetime | None = None,
    ) -> list[int]:
        """Mark read the unread articles of a view, feed or tag, in one transaction.

        ``below`` keeps only the articles listed after that one (older than the cursor);
        ``older_than`` only those dated before it. Returns the ids that changed, for
        :meth:`mark_unread` to undo.
        """
        return self.store.mark_read_where(
            view=view,
            feed_id=feed_id,
            tag=tag,
            below=below,
            before=older_than.timestamp() if older_than is not None else None,
        )

    def mark_unread(self, article_ids: Sequence[int]) -> None:
        """Mark these articles unread again, in one transaction (undo of a mark-all)."""
        self.store.set_read_many(article_ids, False)

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
        """Unsubscribe and delete the feed's articles (starred ones too) and their pictures."""
        if not self.store.remove_feed(feed_id):
            raise StorageError(f"no feed with id {feed_id}")
        from tui_reader.core.pictures import tidy_now

        try:
            tidy_now(self.store, self.config)
        except OSError:
            pass  # the next refresh sweeps the files again

    def rename_feed(self, feed_id: int, title: str | None) -> None:
        """Show the feed under ``title`` from now on (refreshes keep it); ``None`` undoes it."""
        if not self.store.rename_feed(feed_id, title):
            raise StorageError(f"no feed with id {feed_id}")

    def set_tags(self, feed_id: int, tags: Sequence[str]) -> None:
        """Replace the feed's tags."""
        if self.store.feed(feed_id) is None:
            raise StorageError(f"no feed with id {feed_id}")
        self.store.set_feed_tags(feed_id, tags)

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
        """Subscribe to every feed of an OPML file; returns how many were new.

        Folders and categories become tags. Nothing is fetched: run :meth:`refresh` next.
        """
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TuiReaderError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        return self.import_opml_data(data)

    def import_opml_data(self, data: bytes) -> int:
        """Like :meth:`import_opml`, from the document's bytes."""
        from tui_reader.core.opml import parse_opml

        added = 0
        for outline in parse_opml(data):
            url = safe_url(outline.url, fetchable=True)
            if url is None:
                continue
            _, created = self.store.add_feed(
                url, title=outline.title, site_url=outline.site_url, tags=outline.tags
            )
            added += created
        return added

    async def import_opml_url(self, url: str) -> int:
        """Like :meth:`import_opml`, with the document fetched from an http(s) URL."""
        if safe_url(url, fetchable=True) is None:
            raise UnsafeURLError(f"{clean_line(url)}: only http(s) URLs can be fetched")
        fetcher = self._network(f"import {clean_line(url)}")
        result = await fetcher.fetch(url, accept=OPML_ACCEPT)
        return self.import_opml_data(result.content)

    def import_starter(self) -> int:
        """Subscribe to the bundled list of well-known news feeds; returns how many were new."""
        from importlib import resources

        data = resources.files("tui_reader.data").joinpath("starter.opml").read_bytes()
        return self.import_opml_data(data)

    def export_opml(self) -> str:
        """Every subscription (not the Welcome or Saved feeds) as an OPML document."""
        from tui_reader.core.opml import write_opml

        return write_opml(
            info for info in self.feeds() if info.kind == "feed" and is_fetchable_url(info.url)
        )

    # --- network (async) --------------------------------------------------------------
    def _network(self, what: str) -> Fetcher:
        if self.offline:
            raise NotStoredError(f"{what}: not possible offline")
        loop = asyncio.get_running_loop()
        if self._fetcher is not None and self._fetcher_loop is not loop:
            # A fetcher belongs to the loop it was first used in (its client's connections
            # do); one left over from an earlier loop that was never closed is dropped.
            self._fetcher = None
        if self._fetcher is None:
            from tui_reader.core.fetch import FetchConfig, Fetcher

            self._fetcher_loop = loop

            config = self.config
            self._fetcher = Fetcher(
                FetchConfig(
                    connect_timeout=config.connect_timeout,
                    read_timeout=config.read_timeout,
                    deadline=config.deadline,
                    max_bytes=config.max_mb * 1024 * 1024,
                    concurrency=config.concurrency,
                    per_host=config.per_host,
                    retries=config.retries,
                ),
                client=self._client,
            )
        return self._fetcher

    async def _db(self, func: Callable[..., _T], *args: Any) -> _T:
        """Run a store call on the single writer thread (keeps the event loop free)."""
        if self._writer is None:
            from concurrent.futures import ThreadPoolExecutor

            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tui-reader-db")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, partial(func, *args))

    def _refresher(self) -> Refresher:
        if self._refresh is None:
            from tui_reader.core.refresh import Refresher, WorkerPool

            self._pool = WorkerPool(nice=10 if self.interactive else 0)
            self._refresh = Refresher(self.store, self.config, self._db, self._pool)
            self._refresh.pictures = self._pictures()
        return self._refresh

    def _pictures(self) -> PictureKeeper | None:
        # Kept with pictures off too: retention still has files of deleted articles to sweep.
        if self.offline or self.store.read_only:
            return None
        if self._keeper is None:
            from tui_reader.core.pictures import PictureKeeper

            self._keeper = PictureKeeper(self.store, self.config, self._db)
        return self._keeper

    async def _keep_pictures(self, fetcher: Fetcher, article_id: int) -> None:
        """Store an article's pictures, then keep the cache within its limits."""
        keeper = self._pictures()
        if keeper is None:
            return
        await self._refresher().keep_pictures(fetcher, article_id)
        await keeper.tidy()

    def _pictures_later(self, fetcher: Fetcher, article_id: int) -> None:
        """Fetch an article's pictures in the background: its text is shown meanwhile."""
        task = asyncio.get_running_loop().create_task(self._keep_pictures(fetcher, article_id))
        self._picture_tasks.add(task)
        task.add_done_callback(self._picture_tasks.discard)

    async def pictures_settled(self) -> None:
        """Wait for the pictures being fetched in the background (after :meth:`open_url`)."""
        while self._picture_tasks:
            await asyncio.gather(*self._picture_tasks, return_exceptions=True)

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        pages: bool = True,
        progress: Callable[[RefreshProgress], None] | None = None,
    ) -> RefreshReport:
        """Fetch feeds (all when ``feed_ids`` is None) and store what is new.

        Feeds are fetched concurrently within the fetcher's limits and parsed in worker
        processes; each feed's entries are stored as soon as it is parsed (one transaction),
        then each new article's page is fetched, cleaned and stored on its own (pages that
        failed before are retried). Per-feed failures are stored in the feed's ``last_error``
        and listed in the report; they do not raise. ``progress`` is called as each feed's
        entries are stored. See :mod:`tui_reader.core.refresh`.
        """
        fetcher = self._network("refresh")
        return await self._refresher().refresh(fetcher, feed_ids, pages=pages, progress=progress)

    async def _fetch_article(self, fetcher: Fetcher, url: str) -> Article:
        """Fetch and clean one page (a thread: one page does not need a worker process)."""
        from tui_reader.core.extract.encoding import decode_html
        from tui_reader.core.pagecheck import ensure_page
        from tui_reader.core.refresh import PAGE_ACCEPT

        result = await fetcher.fetch(url, accept=PAGE_ACCEPT, documents_only=True)
        ensure_page(result.content, result.content_type, clean_line(url))
        html = decode_html(result.content, result.charset)
        return await asyncio.to_thread(self.clean_page, html, result.url)

    def clean_page(self, html: str, url: str | None) -> Article:
        """The article in a fetched page (site rules applied), carrying the page for the store.

        Every page the library fetches is cleaned here, so the user's site rules apply to
        all of them and the store keeps each page for the whole-page view.
        """
        from tui_reader.core.pages import clean_page

        return clean_page(html, url, self.config.site_rules)

    async def fetch_article(self, url: str) -> Article:
        """Fetch and clean one page without storing it (``tui-reader read URL``)."""
        if safe_url(url, fetchable=True) is None:
            raise UnsafeURLError(f"{clean_line(url)}: only http(s) URLs can be fetched")
        return await self._fetch_article(self._network(url), url)

    async def add(self, url: str, *, tags: Sequence[str] = ()) -> AddResult:
        """Subscribe to a feed, to the best feed a site announces, or save a single page.

        The first refresh of a new feed happens here (pages included when the config says so).
        A URL typed without a scheme (``lwn.net``) is taken to be https.
        """
        from tui_reader.core.typed_url import with_scheme

        url = with_scheme(url)
        shown = clean_line(url)
        if safe_url(url, fetchable=True) is None:
            raise UnsafeURLError(f"{shown}: only http(s) URLs can be added")
        fetcher = self._network(f"add {shown}")
        from tui_reader.core.feeds import looks_like_feed

        existing = self.store.feed_id_by_url(url)
        if existing is not None:
            self.store.add_feed(url, tags=tags)
            info = self.feed(existing)
            return AddResult("feed", existing, info.title, f"already subscribed to {info.title}")
        # A feed or a page: the larger cap until the body says which it is.
        from tui_reader.core.refresh import FEED_ACCEPT, feed_cap

        cap = max(feed_cap(self.config), self.config.max_mb * 1024 * 1024)
        result = await fetcher.fetch(
            url,
            accept=FEED_OR_PAGE_ACCEPT,
            documents_only=True,
            max_bytes=cap,
            large=self._helper_for_large_feeds(),
        )
        if result.permanent_url is not None:
            # The address moved for good: subscribe to where it is now (maybe already done).
            url = result.permanent_url
            existing = self.store.feed_id_by_url(url)
            if existing is not None:
                self.store.add_feed(url, tags=tags)
                info = self.feed(existing)
                message = f"{shown} moved to {clean_line(url)}: already subscribed to {info.title}"
                return AddResult("feed", existing, info.title, message)
        if looks_like_feed(result.content, result.content_type):
            if len(result.content) > feed_cap(self.config):
                raise TooLargeError(f"{shown}: body larger than {self.config.feed_max_mb} MB")
            return await self._subscribe(fetcher, url, result, tags, message="subscribed to")
        if len(result.content) > self.config.max_mb * 1024 * 1024:
            raise TooLargeError(f"{shown}: body larger than {self.config.max_mb} MB")
        ctype = result.content_type
        if ctype and "html" not in ctype and "xml" not in ctype:
            raise ContentTypeError(
                f"{shown}: neither a feed nor an HTML page ({clean_line(ctype)})"
            )
        from tui_reader.core.discover import discover_feeds

        candidates = discover_feeds(result.content, result.url)
        problems: list[str] = []
        for candidate in candidates[:3]:
            if candidate.url in (url, result.url):
                continue
            subscribed = self.store.feed_id_by_url(candidate.url)
            if subscribed is not None:
                self.store.add_feed(candidate.url, tags=tags)
                info = self.feed(subscribed)
                message = f"{shown} announces {info.title}: already subscribed"
                return AddResult("feed", subscribed, info.title, message)
            count = len(candidates)
            found = f"found {count} feed{'s' if count != 1 else ''} on {shown}; subscribed to"
            try:
                feed_result = await fetcher.fetch(
                    candidate.url,
                    accept=FEED_ACCEPT,
                    documents_only=True,
                    max_bytes=feed_cap(self.config),
                )
                return await self._subscribe(
                    fetcher, candidate.url, feed_result, tags, message=found
                )
            except (FetchError, FeedError) as exc:
                problems.append(clean_line(str(exc)))
        if candidates and problems:
            raise FeedError(f"{shown}: the feeds this page announces do not work ({problems[0]})")
        stored = await self._save_page(fetcher, url, result)
        # A saved page is read later, maybe offline: its pictures are kept before returning.
        await self._keep_pictures(fetcher, stored.summary.id)
        return AddResult(
            "saved",
            stored.summary.feed_id,
            stored.summary.title,
            f"saved to read later: {stored.summary.title or shown}",
            article_id=stored.summary.id,
        )

    def _helper_for_large_feeds(self) -> LargeBody | None:
        """For a command line on a machine with a core to spare: start one worker process as
        soon as a body is known to be large, so that it is ready to share the parse when the
        body is in (see ``Refresher._prepare_shared``). Small documents start nothing."""
        from tui_reader.core.refresh import SHARE_FROM_BYTES, spare_core

        if self.interactive or not spare_core():
            return None
        pool = self._refresher().pool

        def start() -> None:
            # Starting a process waits for it to be forked: not in the event loop's thread.
            threading.Thread(target=pool.start_one, name="start-worker", daemon=True).start()

        return SHARE_FROM_BYTES, start

    async def _subscribe(
        self,
        fetcher: Fetcher,
        url: str,
        result: FetchResult,
        tags: Sequence[str],
        *,
        message: str,
    ) -> AddResult:
        """Subscribe to a fetched feed and store its entries (parsed in a worker process).

        A document that turns out not to be a usable feed leaves no subscription behind.
        """
        if self.sync_configured:
            # The server owns the subscriptions: a feed added only here would be a feed the
            # other devices never see. Only feeds go there; a single page is saved here.
            return await self._add_on_server(url, tags)
        feed_id, created = await self._db(partial(self.store.add_feed, url, tags=tags))
        row = await self._db(self.store.feed, feed_id)
        assert row is not None
        refresher = self._refresher()
        outcome, jobs = await refresher.refresh_feed(
            fetcher,
            row,
            pages=self.config.fetch_pages,
            prefetched=result,
            inline=not self.interactive,
        )
        if outcome.error:
            if created:
                await self._db(self.store.remove_feed, feed_id)
            raise FeedError(outcome.error)

        # The entries are stored: the pages follow, as in a refresh, and their pictures.
        async def page(job: Any) -> None:
            await refresher.store_page(fetcher, job, outcome)
            await refresher.keep_pictures(fetcher, job.article_id)

        await asyncio.gather(*(page(job) for job in jobs))
        if refresher.pictures is not None and jobs:
            await refresher.pictures.tidy()
        title = outcome.title
        new = outcome.new
        text = f"{message} {title} ({clean_line(url)}): {new} article{'s' if new != 1 else ''}"
        if outcome.notice:
            text += f" ({outcome.notice})"
        return AddResult("feed", feed_id, title, text)

    async def _save_page(
        self, fetcher: Fetcher, url: str, result: FetchResult | None = None
    ) -> StoredArticle:
        from tui_reader.core.extract.encoding import decode_html

        if result is None:
            article = await self._fetch_article(fetcher, url)
        else:
            html = decode_html(result.content, result.charset)
            article = await asyncio.to_thread(self.clean_page, html, result.url)
        feed_id, _ = await self._db(
            partial(self.store.add_feed, SAVED_URL, title=SAVED_TITLE, kind="saved")
        )
        record = ArticleRecord(
            guid=url,
            url=url,
            title=article.title or clean_line(url),
            article=article,
            author=article.byline,
            published=article.published,
        )
        results = await self._db(self.store.upsert_articles, feed_id, [record])
        stored = await self._db(self.store.get_article, results[0].id)
        assert stored is not None
        return stored

    async def open_url(self, url: str) -> StoredArticle:
        """Fetch, clean and store one page (read-later style); answered from the store if there."""
        stored = self.article_by_url(url)
        if stored is not None and (self.offline or not stored.summary_only):
            return stored
        if self.offline:
            raise NotStoredError(f"{clean_line(url)}: not in the store (offline)")
        if safe_url(url, fetchable=True) is None:
            raise UnsafeURLError(f"{clean_line(url)}: only http(s) URLs can be fetched")
        fetcher = self._network(url)
        if stored is None:
            saved = await self._save_page(fetcher, url)
            self._pictures_later(fetcher, saved.summary.id)
            return saved
        # Only the feed's summary is stored: try the page again, and keep it if it comes.
        try:
            article = await self._fetch_article(fetcher, url)
        except FetchError:
            return stored
        await self._db(self.store.set_page, stored.summary.id, article)
        self._pictures_later(fetcher, stored.summary.id)
        return self.article(stored.summary.id)

    async def aclose(self) -> None:
        """Close the network client (the store stays open until :meth:`close`).

        Pictures still being fetched in the background are abandoned: what was stored stays,
        and the rest are fetched again by a later refresh.
        """
        tasks = list(self._picture_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._keeper is not None:
            await self._keeper.cancel()
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            await fetcher.aclose()
        http, self._sync_http = self._sync_http, None
        if http is not None:
            await http.aclose()

    # --- sync with a feed server ------------------------------------------------------
    @property
    def sync_configured(self) -> bool:
        """Whether ``[sync]`` is set up in the configuration."""
        return bool(self.config.sync_kind)

    def marks_waiting(self) -> int:
        """How many read/starred changes wait to be delivered to the sync server."""
        from tui_reader.core.storage.syncstore import SyncStore

        return SyncStore(self.store).count_marks()

    def last_sync(self) -> datetime | None:
        """When the last sync ended (``None``: never)."""
        from tui_reader.core.storage.syncstore import SyncStore

        value = SyncStore(self.store).state("last_sync")
        return datetime.fromtimestamp(float(value), UTC) if value else None

    def _account(self) -> SyncAccount:
        if self._sync_account is None:
            from tui_reader.core.sync.account import account_from_config

            self._sync_account = account_from_config(self.config, ask=self.ask_password)
        return self._sync_account

    def _sync_client(self, account: SyncAccount) -> SyncClient:
        """A client for the account (raises :class:`SyncError`; offline: NotStoredError)."""
        if self.offline:
            raise NotStoredError("sync: not possible offline")
        http = self._client
        if http is None:
            if self._sync_http is None:
                import httpx

                from tui_reader.core.fetch import USER_AGENT

                config = self.config
                self._sync_http = httpx.AsyncClient(
                    timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
                    headers={"User-Agent": USER_AGENT},
                    follow_redirects=True,
                )
            http = self._sync_http
        from tui_reader.core.sync.connect import make_client

        factory = self._sync_factory or make_client
        return factory(account, http, self.store.path.parent / "sync-session")

    async def sync(self, progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """Sync with the server of ``[sync]``: push queued marks, pull its state.

        See :mod:`tui_reader.core.sync.engine`. Raises :class:`SyncError` (one line) when
        the server cannot be reached or refuses the password: the queue is kept.
        """
        from tui_reader.core.sync.engine import SyncEngine

        account = self._account()
        client = self._sync_client(account)
        fetcher = self._network("sync")
        engine = SyncEngine(
            self.store,
            self._db,
            self._refresher(),
            fetch_pages=self.config.fetch_pages,
            concurrency=max(1, self.config.concurrency // 2),
        )
        try:
            return await engine.sync(client, account, fetcher, progress)
        finally:
            await client.aclose()

    async def _add_on_server(self, url: str, tags: Sequence[str]) -> AddResult:
        """Subscribe on the sync server, then bring the feed in here."""
        from tui_reader.core.storage.syncstore import SyncStore
        from tui_reader.core.sync.base import SyncUnsupported

        account = self._account()
        client = self._sync_client(account)
        try:
            if not client.can_subscribe:
                raise SyncUnsupported(
                    f"the {account.kind} API cannot subscribe: add the feed in the server's "
                    "own web interface, then run `tui-reader sync`"
                )
            await client.login()
            remote = await client.subscribe(url, tags[0] if tags else None)
        finally:
            await client.aclose()
        feed_url = safe_url(remote.url, fetchable=True) or url
        feed_id, _ = await self._db(
            SyncStore(self.store).link_feed,
            remote.id,
            feed_url,
            remote.title,
            None,
            tuple(remote.folders) + tuple(tags),
        )
        report = await self.refresh([feed_id], pages=self.config.fetch_pages)
        title = self.feed(feed_id).title
        new = report.new_articles
        message = (
            f"subscribed on the server to {clean_line(title)} ({clean_line(feed_url)}): "
            f"{new} article{'s' if new != 1 else ''}"
        )
        return AddResult("feed", feed_id, title, message)

    async def remove_synced_feed(self, feed_id: int) -> None:
        """Unsubscribe on the sync server (when the feed is the server's), then here."""
        from tui_reader.core.storage.syncstore import SyncStore
        from tui_reader.core.sync.base import SyncUnsupported

        remote_id = SyncStore(self.store).remote_feed_id(feed_id)
        if remote_id is not None and self.sync_configured:
            account = self._account()
            client = self._sync_client(account)
            try:
                if not client.can_subscribe:
                    raise SyncUnsupported(
                        f"the {account.kind} API cannot unsubscribe: remove the feed in the "
                        "server's own web interface (the next sync keeps it otherwise)"
                    )
                await client.login()
                await client.unsubscribe(remote_id)
            finally:
                await client.aclose()
        self.remove_feed(feed_id)


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


def welcome_articles(now: datetime | None = None) -> tuple[str, list[ArticleRecord]]:
    """The bundled Welcome feed: its title and its articles, ready to store.

    The articles are dated as of ``now`` (default: the present), an hour apart as in the
    bundled file, so a new store's list shows them as new rather than months old.
    """
    from importlib import resources

    raw = resources.files("tui_reader.data").joinpath("welcome.json").read_text("utf-8")
    data = json.loads(raw)
    now = now or datetime.now(UTC)
    dates = [datetime.fromisoformat(item["published"]) for item in data["articles"]]
    newest = max(dates, default=now)
    records = []
    for item, bundled in zip(data["articles"], dates, strict=True):
        published = now - (newest - bundled)
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


def add_welcome_feed(store: Store, now: datetime | None = None) -> int:
    """Store the Welcome feed (no network involved); returns its feed id."""
    title, records = welcome_articles(now)
    feed_id, _ = store.add_feed(WELCOME_URL, title=title)
    store.upsert_articles(feed_id, records)
    return feed_id
