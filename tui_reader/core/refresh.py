"""Refreshing feeds: fetch, parse in another process, store as you go, then fill in pages.

A refresh runs every feed through the same pipeline, many feeds at once:

1. **fetch** the feed (conditional GET; a feed whose server asked to wait is skipped until
   then, and one that moved for good gets its new URL stored);
2. **parse** it in a worker process (:class:`WorkerPool`): the parsers are CPU-bound and hold
   the interpreter, so in the app's own process they would freeze the screen;
3. **store** its entries at once, with the feed's own text as their body, in one transaction
   with batched inserts: the article list fills before any page is fetched, and a refresh
   that is interrupted keeps every feed it got this far;
4. **pages**: each new article's page is fetched, cleaned in a worker process and stored on
   its own (:meth:`Refresher.store_page`), so pages fill in one by one. Pages that could not
   be used stay summary-only and are retried by later refreshes.
5. **pictures**: once an article's page is stored (or found unusable), its pictures are
   fetched and kept (:mod:`tui_reader.core.pictures`), outside the page slots, so that
   pictures never hold back another article's page.

The store is only ever written from the caller's single writer thread (``db``), the network
only from the event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import heapq
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from tui_reader.core import parsework
from tui_reader.core.config import Config
from tui_reader.core.errors import (
    DeferredError,
    ExtractError,
    FeedError,
    FetchError,
    StorageError,
    TuiReaderError,
)
from tui_reader.core.models import Article, RefreshProgress, RefreshReport
from tui_reader.core.sanitize import clean_line, is_fetchable_url
from tui_reader.core.storage import (
    MAX_PAGE_ATTEMPTS,
    ArticleRecord,
    FeedRow,
    FeedUpdate,
    Store,
)
from tui_reader.core.storage.sqlite import UpsertResult, undated_sort_dates

if TYPE_CHECKING:
    from tui_reader.core.fetch import Fetcher, FetchResult
    from tui_reader.core.pictures import PictureKeeper

log = logging.getLogger(__name__)

_T = TypeVar("_T")
Db = Callable[..., Awaitable[Any]]

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MIN_PAGE_CHARS = 250
"""A cleaned page with less text than this (and than the feed's own text) is not used.
Characters, not words: CJK text has few spaces."""
BODY_CHUNK = 2000
"""Feed bodies are made in batches of this many entries, so that the workers share a big
feed and no single answer is huge."""
PIECES_FROM_BYTES = 4_000_000
"""A feed document this large may be parsed in pieces, in parallel (see
:meth:`Refresher._prepare_in_pieces`); smaller ones are not worth the look."""
PIECES_HERE = 8
"""From a command line, which parses a feed in its own process, a document is handed to the
worker processes only when it has at least this many pieces: starting them costs about as
much as parsing a few pieces."""
SHARE_FROM_BYTES = 1_000_000
"""From a command line, a feed document this large is parsed by this process and one worker
together, when the worker was started while the document downloaded (see
:meth:`Refresher._prepare_shared` and :func:`spare_core`)."""


def spare_core() -> bool:
    """Whether this process may use more than one core (a worker then runs beside it)."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # not on this platform
        return (os.cpu_count() or 1) > 1


@contextmanager
def _usable_stderr() -> Iterator[None]:
    """``sys.stderr`` with a real file descriptor for the duration (see ``_submit``)."""
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        yield
        return
    saved = sys.stderr
    with open(os.devnull, "w") as stand_in:
        sys.stderr = stand_in
        try:
            yield
        finally:
            sys.stderr = saved


FINISH = 0
"""Task priority: work that completes something already under way (a parsed feed's bodies)."""
PARSE = 1
"""Task priority: parsing a feed (its articles appear in the list when done)."""
PAGE = 2
"""Task priority: cleaning an article's page (fills in an article already listed)."""


def _pass_on(done: concurrent.futures.Future[_T], to: concurrent.futures.Future[_T]) -> None:
    """Give ``to`` the outcome of ``done``."""
    try:
        to.set_result(done.result())
    except BaseException as exc:  # noqa: BLE001 - whatever it was, ``to`` carries it
        to.set_exception(exc)


class WorkerPool:
    """Worker processes for CPU work, started on first use and shut down with :meth:`close`.

    Processes are started with ``forkserver`` (or ``spawn``), never plain ``fork``: the app
    has threads and an event loop, which a forked child would inherit half-copied.

    No more tasks are handed to the processes than there are processes; the others wait here,
    best priority first (then first come), so that a feed just parsed is finished and stored
    before the next feed is parsed, and every feed before any page is cleaned.

    A worker that dies (a crash in a parser, the kernel's out-of-memory killer) breaks the
    whole pool and every task in flight. The pool is then replaced, and each of those tasks is
    tried once more, one at a time, so that only the one that kills its worker fails.
    """

    def __init__(self, workers: int | None = None, *, nice: int = 0) -> None:
        """Set up (nothing starts until the first task).

        Args:
            workers: how many processes (default: the number of cores, at most 2).
            nice: added to the processes' scheduling niceness (lower priority).
        """
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self.nice = nice
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._solo: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._closed = False
        self._gate_loop: asyncio.AbstractEventLoop | None = None
        self._free = self.workers
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = 0
        self._one: tuple[ProcessPoolExecutor, concurrent.futures.Future[bool]] | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise TuiReaderError("the worker processes were shut down")
            if self._pool is None:
                self._pool = self._new_executor(self.workers)
            return self._pool

    def _new_executor(self, workers: int) -> ProcessPoolExecutor:
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"
        with _usable_stderr():  # its locks start a helper process
            return ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context(method),
                initializer=parsework.worker_setup,
                initargs=(self.nice, os.getpid()),
            )

    async def _submit(self, func: Callable[..., _T], *args: Any) -> _T:
        """Hand the task to a process and wait for its answer.

        Creating the pool and starting processes (which happens on submit) wait on other
        processes, so both happen in a helper thread, never in the event loop's.
        """
        pool = await asyncio.to_thread(self._executor)
        try:
            future = await asyncio.to_thread(self._submit_now, pool, func, *args)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._discard(pool)
            raise

    @staticmethod
    def _submit_now(
        pool: ProcessPoolExecutor, func: Callable[..., _T], *args: Any
    ) -> concurrent.futures.Future[_T]:
        # Starting a process passes ``sys.stderr``'s file descriptor to multiprocessing's
        # helper process, and while the app runs that is Textual's capture object, whose
        # descriptor is -1: a real one stands in for the moment.
        with _usable_stderr():
            return pool.submit(func, *args)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    async def _take_slot(self, priority: int) -> None:
        loop = asyncio.get_running_loop()
        if self._gate_loop is not loop:
            # Slots and waiters belong to one event loop; a new loop starts afresh.
            self._gate_loop = loop
            self._free = self.workers
            self._queue = []
        if self._free > 0 and not self._queue:
            self._free -= 1
            return
        self._order += 1
        waiter: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._queue, (priority, self._order, waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._give_slot()  # handed over just as the task was cancelled
            raise

    def _give_slot(self) -> None:
        while self._queue:
            _, _, waiter = heapq.heappop(self._queue)
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def warm(self) -> None:
        """Start the processes now (the imports take a moment) without waiting for them."""
        try:
            pool = self._executor()
        except TuiReaderError:
            return
        try:
            with _usable_stderr():
                for _ in range(self.workers):
                    pool.submit(parsework.ready)
        except (BrokenProcessPool, RuntimeError):
            pass  # the first real task finds out and says so

    def start_one(self) -> None:
        """Start a process of its own for this process to share a parse with (see
        :meth:`started_one`), without waiting for it to be ready.

        It is apart from the other workers: the executor would start a second process for a
        task handed over at the moment the first becomes free, and then wait for it.
        It blocks while the process is forked: call it from a thread of its own.
        """
        with self._lock:
            if self._closed or self._one is not None:
                return
            executor = self._new_executor(1)
            # Known at once, ready later: a parse that starts meanwhile hands the process
            # its share when it is ready.
            ready: concurrent.futures.Future[bool] = concurrent.futures.Future()
            self._one = (executor, ready)
        try:
            with _usable_stderr():
                started = executor.submit(parsework.ready_to_parse)
        except (BrokenProcessPool, RuntimeError) as exc:
            ready.set_exception(exc)  # no help then: the work is done here
            return
        started.add_done_callback(partial(_pass_on, to=ready))

    def stop_one(self) -> None:
        """Stop the process :meth:`start_one` started, if any (its memory is freed)."""
        with self._lock:
            one, self._one = self._one, None
        if one is not None:
            _stop(one[0])

    def started_one(self) -> tuple[ProcessPoolExecutor, concurrent.futures.Future[bool]] | None:
        """The executor of the process :meth:`start_one` started, with a future that is done
        when the process is ready for tasks; ``None`` when none was started."""
        with self._lock:
            return None if self._closed else self._one

    def _solo_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._solo is None or self._solo[0] is not loop:
            self._solo = (loop, asyncio.Lock())
        return self._solo[1]

    async def run(
        self,
        priority: int,
        error: Callable[[str], TuiReaderError],
        func: Callable[..., _T],
        *args: Any,
    ) -> _T:
        """Run ``func(*args)`` in a worker; ``error(reason)`` is raised if the worker dies."""
        await self._take_slot(priority)
        try:
            return await self._run(error, func, *args)
        finally:
            self._give_slot()

    async def _run(
        self,
        error: Callable[[str], TuiReaderError],
        func: Callable[..., _T],
        *args: Any,
    ) -> _T:
        solo = self._solo_lock()
        if solo.locked():
            # Tasks that broke a pool are being retried alone: wait, so as not to be a
            # bystander again.
            async with solo:
                pass
        try:
            return await self._submit(func, *args)
        except BrokenProcessPool:
            pass
        async with solo:
            try:
                return await self._submit(func, *args)
            except BrokenProcessPool:
                raise error("the worker process stopped unexpectedly") from None

    def close(self) -> None:
        """Stop the workers now: a parse under way is abandoned, not waited for.

        Quitting the app in the middle of a refresh must not wait for a huge feed's parse;
        nothing is lost, as only finished work is ever stored.
        """
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
            one, self._one = self._one, None
        for executor in (pool, one[0] if one is not None else None):
            if executor is not None:
                _stop(executor)


class _PieceRun:
    """The parsed pieces of one document, taken in document order: each checked to have read
    as the whole would, each id kept in the first piece that has it (as a whole parse keeps
    it), and, for a feed with nothing stored yet, what the pieces' writes stored."""

    def __init__(self, shown: str, first: bool, now: float) -> None:
        self.shown = shown
        self.parts: list[parsework.PreparedFeed] = []
        self.seen: set[str] = set()
        self.stored: list[UpsertResult] | None = [] if first else None
        """The results of the pieces' writes; ``None`` when they are not written here."""
        self.now = now
        """The time of the feed's refresh (see ``Store.store_entries``)."""
        self.previous: float | None = None
        """Where the last entry written sorts (see ``Store.store_entries``)."""

    def take(self, part: object, count: int) -> tuple[ArticleRecord, ...] | None:
        """The next piece's records to write (ids not seen before), or ``None`` when it is
        not a piece the fast parser read whole with ``count`` entries."""
        if not isinstance(part, parsework.PreparedFeed) or not part.fast or part.entries != count:
            log.info("%s: a piece did not read as the whole would; parsing it whole", self.shown)
            return None
        records = parsework.first_copies(part.records, self.seen)
        self.parts.append(dataclasses.replace(part, records=records))
        return records

    def wrote(self, done: list[UpsertResult], previous: float | None) -> bool:
        """Note a piece's write; False when nothing was written (the feed is gone)."""
        assert self.stored is not None
        self.stored += done
        self.previous = previous
        return bool(done)

    def result(self) -> tuple[parsework.PreparedFeed, list[UpsertResult] | None]:
        """The document as if prepared whole, with what the pieces' writes stored."""
        return parsework.join_pieces(self.parts), self.stored


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down, ending its processes even in the middle of a task."""
    # The executor has no public way to stop a running task; its processes are known.
    running: dict[int, multiprocessing.process.BaseProcess] = (
        getattr(pool, "_processes", None) or {}
    )
    processes = list(running.values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
    pool.shutdown(wait=True)


@dataclass(slots=True)
class FeedOutcome:
    """What the refresh of one feed did (pages are counted as they arrive)."""

    title: str
    new: int = 0
    pages: int = 0
    not_modified: bool = False
    deferred: bool = False
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    page_failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def notice(self) -> str | None:
        return "; ".join(self.notices) or None


_MEDIA_SUFFIXES = (
    ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac",
    ".mp4", ".m4v", ".webm", ".mov", ".mkv", ".avi",
    ".pdf", ".epub", ".zip", ".gz", ".tar", ".7z",
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg",
)  # fmt: skip


def is_media_url(url: str) -> bool:
    """True for links to audio, video, images or archives (podcast feeds link episodes).

    Their "page" would be megabytes of something that is not an article, so it is not
    fetched: the feed's own text is the article.
    """
    path = urlsplit(url).path.lower()
    return path.endswith(_MEDIA_SUFFIXES)


def fill(page: Article, feed: Article | None) -> Article:
    """The cleaned page, with what it lacks taken from the feed's entry."""
    if feed is None:
        return page
    return replace(
        page,
        title=page.title or feed.title,
        byline=page.byline or feed.byline,
        published=page.published or feed.published,
        url=page.url or feed.url,
    )


def feed_cap(config: Config) -> int:
    """The largest feed document accepted, in bytes (feeds have their own, larger cap)."""
    return config.feed_max_mb * 1024 * 1024


def _local_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M")


@dataclass(slots=True)
class _PageJob:
    article_id: int
    url: str
    fallback: Article | None
    """The feed's version of the article's metadata (``None``: read it from the store)."""
    fallback_chars: int | None
    """How much text the feed's own version has, if any (a short page must do better)."""
    report: bool
    """Report a failure (a page that already failed before fails quietly)."""
    title: str = ""


class Refresher:
    """Runs refreshes for a :class:`~tui_reader.core.library.Library`.

    Args:
        store: the store (read from any thread; written only through ``db``).
        config: limits and retention.
        db: runs a store call on the single writer thread and awaits it.
        pool: the worker processes.
    """

    def __init__(self, store: Store, config: Config, db: Db, pool: WorkerPool) -> None:
        self.store = store
        self.config = config
        self.db = db
        self.pool = pool
        self.prepare_task: Callable[..., parsework.PreparedFeed] = parsework.prepare_feed
        """What parses a feed in the worker (a test swaps in one that crashes)."""
        self.pictures: PictureKeeper | None = None
        """Keeps articles' pictures after their pages (``None``: pictures are not fetched)."""

    # --- a whole refresh ---------------------------------------------------------------
    async def refresh(
        self,
        fetcher: Fetcher,
        feed_ids: Sequence[int] | None = None,
        *,
        pages: bool = True,
        progress: Callable[[RefreshProgress], None] | None = None,
    ) -> RefreshReport:
        """Refresh feeds (all when ``feed_ids`` is None); see the module's docstring."""
        rows = [
            row
            for row in await self.db(self.store.feed_rows, feed_ids)
            if row.kind == "feed" and is_fetchable_url(row.url)
        ]
        warming: asyncio.Future[None] | None = None
        if rows:
            # Start the processes while the first feeds download (in a helper thread:
            # starting processes waits on them).
            warming = asyncio.get_running_loop().run_in_executor(None, self.pool.warm)
        total = len(rows)
        done = 0
        background: list[asyncio.Task[None]] = []
        # Pages never take every connection: feeds further down the list must still get
        # through while earlier feeds' pages are being fetched.
        page_slots = asyncio.Semaphore(max(1, self.config.concurrency // 2))
        now = time.time()

        async def one(row: FeedRow) -> FeedOutcome:
            nonlocal done
            waiting_until = row.deferred_until.timestamp() if row.deferred_until else None
            if waiting_until is not None and waiting_until > now:
                outcome = FeedOutcome(row.title or row.url, deferred=True)
                outcome.notices.append(
                    f"skipped: the server asked to wait until {_local_time(waiting_until)}"
                )
            else:
                outcome = await self._guarded(fetcher, row, pages, background, page_slots)
            done += 1
            for notice in outcome.notices:
                log.info("%s: %s", outcome.title, notice)
            if progress is not None:
                progress(
                    RefreshProgress(
                        done=done,
                        total=total,
                        feed_title=outcome.title,
                        new_articles=outcome.new,
                        error=outcome.error,
                        notice=outcome.notice,
                        deferred=outcome.deferred,
                    )
                )
            return outcome

        try:
            outcomes = await asyncio.gather(*(one(row) for row in rows))
            # Tasks add more tasks (a feed's pages) only while the feeds run: all are known.
            await asyncio.gather(*background)
        finally:
            for task in background:
                task.cancel()
            if warming is not None:
                await asyncio.wait([warming])
        if self.pictures is not None and rows:
            await self.pictures.tidy()
        failures: list[tuple[str, str]] = []
        notices: list[tuple[str, str]] = []
        for outcome in outcomes:
            if outcome.error:
                failures.append((outcome.title, outcome.error))
            failures += outcome.page_failures
            notices += [(outcome.title, notice) for notice in outcome.notices]
        return RefreshReport(
            feeds_ok=sum(
                1 for o in outcomes if o.error is None and not o.not_modified and not o.deferred
            ),
            feeds_not_modified=sum(1 for o in outcomes if o.not_modified),
            new_articles=sum(o.new for o in outcomes),
            pages_fetched=sum(o.pages for o in outcomes),
            failures=tuple(failures),
            notices=tuple(notices),
            feeds_deferred=sum(1 for o in outcomes if o.deferred),
        )

    async def _guarded(
        self,
        fetcher: Fetcher,
        row: FeedRow,
        pages: bool,
        background: list[asyncio.Task[None]],
        page_slots: asyncio.Semaphore,
    ) -> FeedOutcome:
        try:
            outcome, jobs = await self.refresh_feed(fetcher, row, pages=pages)
        except StorageError:
            raise
        except Exception as exc:  # noqa: BLE001
            # Something nobody foresaw in one feed (a parser bug, a strange document)
            # must not stop the others; it is that feed's error.
            reason = clean_line(f"{row.url}: unexpected {type(exc).__name__}: {exc}")
            await self.db(self.store.set_feed_error, row.id, reason)
            return FeedOutcome(row.title or row.url, error=reason)
        for job in jobs:
            background.append(
                asyncio.create_task(self._page_in_slot(fetcher, job, outcome, page_slots))
            )
        return outcome

    async def _page_in_slot(
        self, fetcher: Fetcher, job: _PageJob, outcome: FeedOutcome, slots: asyncio.Semaphore
    ) -> None:
        async with slots:
            await self.store_page(fetcher, job, outcome)
        await self.keep_pictures(fetcher, job.article_id)

    async def keep_pictures(self, fetcher: Fetcher, article_id: int) -> None:
        """Fetch and store the pictures of the article as it is stored now."""
        if self.pictures is None:
            return
        stored = await self.db(self.store.get_article, article_id)
        if stored is None:
            return
        try:
            await self.pictures.keep(fetcher, article_id, stored.article)
        except StorageError:
            raise
        except Exception as exc:  # noqa: BLE001
            # A picture must never cost the refresh: whatever went wrong is logged, once.
            log.warning(
                "article %d: pictures: unexpected %s: %s",
                article_id,
                type(exc).__name__,
                clean_line(str(exc)),
            )

    # --- one feed ----------------------------------------------------------------------
    async def refresh_feed(
        self,
        fetcher: Fetcher,
        row: FeedRow,
        *,
        pages: bool,
        prefetched: FetchResult | None = None,
        inline: bool = False,
    ) -> tuple[FeedOutcome, list[_PageJob]]:
        """Fetch, parse and store one feed; returns its outcome and the pages still to get.

        Fetch and parse failures are the feed's error (stored, and in the outcome); a
        ``Retry-After`` beyond what we wait defers the feed instead. With ``inline`` the
        parse and the bodies happen in this process (for a command line with one feed to
        do, where handing the work to another process costs more than it saves; never
        where a screen is drawn).
        """
        if inline:
            # From the parse to the write, nothing else runs here and everything the parse
            # made stays alive: a collection between the two (the collector back on after the
            # parse) would walk all of it for nothing (see parsework.collector_paused).
            with parsework.collector_paused():
                return await self._refresh_feed(fetcher, row, pages, prefetched, inline)
        return await self._refresh_feed(fetcher, row, pages, prefetched, inline)

    async def _refresh_feed(
        self,
        fetcher: Fetcher,
        row: FeedRow,
        pages: bool,
        prefetched: FetchResult | None,
        inline: bool,
    ) -> tuple[FeedOutcome, list[_PageJob]]:
        title = row.title or row.url
        try:
            result = prefetched or await fetcher.fetch(
                row.url,
                etag=row.etag,
                last_modified=row.last_modified,
                accept=FEED_ACCEPT,
                documents_only=True,
                max_bytes=feed_cap(self.config),
            )
        except DeferredError as exc:
            await self.db(self.store.defer_feed, row.id, exc.until)
            outcome = FeedOutcome(title, deferred=True)
            outcome.notices.append(
                f"the server asked to wait: deferred until {_local_time(exc.until)}"
            )
            return outcome, []
        except FetchError as exc:
            return await self._failed(row, title, exc), []
        outcome = FeedOutcome(title)
        if result.permanent_url and result.permanent_url != row.url:
            await self._moved(row, result.permanent_url, outcome)
        prune_before = (
            time.time() - self.config.retention_days * 86400
            if self.config.retention_days > 0
            else None
        )
        if result.not_modified:
            outcome.not_modified = True
            # Nothing new to store, but retention still applies (to what the feed no
            # longer lists: on a 304 its document is the one seen last time).
            await self.db(
                self.store.write_feed,
                row.id,
                FeedUpdate(prune_before=prune_before, keep_listed=True),
            )
            return outcome, await self._waiting_pages(row, set()) if pages else []
        shown = clean_line(result.url)
        # A feed with nothing stored yet has only new entries: their bodies are made in the
        # same task as the parse.
        first = await self.db(partial(self.store.count_articles, feed_id=row.id)) == 0
        # One time for all of the feed's writes: pieces stored before a piece that the fast
        # parser could not read, and the rest stored after the whole parse, sort as one.
        now = time.time()
        stored: list[UpsertResult] | None = None
        try:
            in_pieces = await self._prepare_in_pieces(row, result, shown, first, inline, now)
            if in_pieces is None and inline:
                in_pieces = self._prepare_shared(row, result, shown, first, now)
            if in_pieces is not None:
                prepared, stored = in_pieces
            elif inline:
                prepared = self._prepare_here(result, shown, first)
            else:
                prepared = await self.pool.run(
                    PARSE,
                    lambda reason: FeedError(f"{shown}: {reason}"),
                    self.prepare_task,
                    result.content,
                    result.url,
                    result.content_type,
                    result.charset,
                    first,
                )
        except FeedError as exc:
            return await self._failed(row, title, exc), []
        outcome.title = prepared.title or title
        if prepared.notice:
            outcome.notices.append(prepared.notice)
        records = prepared.records
        if stored is not None:
            # Stored piece by piece already, every one of them new (see _prepare_in_pieces).
            by_guid, by_url = {}, {}
        else:
            by_guid, by_url = await self.db(
                self.store.known_articles,
                row.id,
                [r.guid for r in records],
                [r.url for r in records if r.url],
            )
        guids = frozenset(r.guid for r in records)
        # On a feed's first fetch, what is stored already are pieces of this same document,
        # stored before a piece the fast parser could not read: every entry is new, and the
        # undated ones sort in the document's order through all of them. (From the changed
        # records alone, the next undated entry would sort as if it opened the feed.)
        undated = undated_sort_dates(records, now) if first and by_guid else None
        changed: list[ArticleRecord] = []
        changed_dates: list[float | None] = []
        # (index in ``changed``, fetch its page?, report a failure?)
        plans: list[tuple[int, bool, bool]] = []
        retries: list[tuple[int, str]] = []
        listed: set[int] = set()
        for position, record in enumerate(records):
            known = by_guid.get(record.guid)
            if known is None and record.url:
                # The same link under a new id is the same article only if the old id left
                # the feed; entries that share a link are distinct (the store decides alike).
                by_link = by_url.get(record.url)
                known = by_link if by_link is not None and by_link.guid not in guids else None
            retry = known is not None and known.summary_only
            has_page = pages and record.url is not None and not is_media_url(record.url)
            if known is None or known.differs_from(record):
                # A page that failed before is retried quietly; its new error is stored,
                # not reported again.
                plans.append((len(changed), has_page, not retry))
                changed.append(record)
                if undated is not None:
                    changed_dates.append(undated[position])
            else:
                listed.add(known.id)
                if retry and has_page and known.page_attempts < MAX_PAGE_ATTEMPTS:
                    assert record.url is not None
                    retries.append((known.id, record.url))
        if prepared.with_bodies:
            bodies = changed
        elif inline:
            bodies = parsework.feed_bodies(changed)
        else:
            bodies = await self._bodies(shown, changed)
        if stored is not None:
            listed.update(result.id for result in stored)
        update = FeedUpdate(
            records=bodies if stored is None else (),
            title=prepared.title or None,
            site_url=prepared.site_url,
            etag=result.etag,
            last_modified=result.last_modified,
            set_validators=True,
            prune_before=prune_before,
            keep_guids=guids,
            listing=True,
            also_listed=frozenset(listed),
            dates=changed_dates if undated is not None else None,
        )
        results = await self.db(self.store.write_feed, row.id, update)
        if stored is not None:
            results = stored
        if len(results) != len(bodies):
            return outcome, []  # unsubscribed while it was being fetched
        outcome.new = sum(1 for r in results if r.status == "new")
        jobs: list[_PageJob] = []
        for index, get, report in plans:
            record = bodies[index]
            if get and record.url is not None:
                jobs.append(
                    _PageJob(
                        results[index].id,
                        record.url,
                        record.head,
                        len(record.body_text or ""),
                        report,
                        record.title,
                    )
                )
        jobs += [_PageJob(article_id, url, None, None, False) for article_id, url in retries]
        if pages:
            planned = {job.article_id for job in jobs} | listed
            jobs += await self._waiting_pages(row, planned)
        return outcome, jobs

    async def _prepare_in_pieces(
        self,
        row: FeedRow,
        result: FetchResult,
        shown: str,
        first: bool,
        inline: bool,
        now: float,
    ) -> tuple[parsework.PreparedFeed, list[UpsertResult] | None] | None:
        """A large feed parsed a few thousand entries per task, as many tasks at once as there
        are workers; ``None`` when it is not one to cut, or when a piece did not read as the
        whole would (then the whole document is parsed as usual, which decides).

        For a feed with nothing stored yet, each piece is stored as soon as it and those
        before it are parsed, each in a transaction of its own: the first articles are there
        at once, the writing overlaps the parsing, and an interrupted refresh keeps what it
        stored. The results of those writes come back with the feed (else ``None``).
        """
        if len(result.content) < PIECES_FROM_BYTES:
            return None
        warm = None
        if inline:
            if not parsework.may_have_pieces(result.content, PIECES_HERE):
                return None  # the workers would cost more than they save
            # The workers parse it all: the one started to share a parse is not needed.
            self.pool.stop_one()
            # The workers start while the document is cut (nothing is running yet here).
            warm = asyncio.create_task(
                self.pool.run(PARSE, lambda reason: FeedError(reason), parsework.ready_to_parse)
            )
        try:
            pieces = await asyncio.to_thread(
                parsework.feed_pieces, result.content, result.url, result.content_type
            )
        finally:
            if warm is not None:
                await asyncio.gather(warm, return_exceptions=True)
        if len(pieces) < (PIECES_HERE if inline else 2):
            return None
        counts = [count for _, count in pieces]
        tasks = [
            asyncio.ensure_future(
                self.pool.run(
                    PARSE,
                    lambda reason: FeedError(f"{shown}: {reason}"),
                    self.prepare_task,
                    piece,
                    result.url,
                    result.content_type,
                    result.charset,
                    first,
                )
            )
            for piece, _ in pieces
        ]
        del pieces  # the tasks hold the pieces until they are handed over
        run = _PieceRun(shown, first, now)
        try:
            for task, count in zip(tasks, counts, strict=True):
                try:
                    part: parsework.PreparedFeed | None = await task
                except FeedError:
                    part = None
                records = run.take(part, count)
                if records is None:
                    return None
                if run.stored is not None and records:
                    done, previous = await self.db(
                        partial(self.store.store_entries, new=True),
                        row.id,
                        records,
                        run.now,
                        run.previous,
                    )
                    if not run.wrote(done, previous):
                        return None  # unsubscribed meanwhile: the usual path ends it
        finally:
            for task in tasks:
                task.cancel()
        return run.result()

    def _prepare_shared(
        self, row: FeedRow, result: FetchResult, shown: str, first: bool, now: float
    ) -> tuple[parsework.PreparedFeed, list[UpsertResult] | None] | None:
        """A large feed parsed in pieces by this process and a worker together (from a command
        line, where this process has nothing else to do meanwhile); ``None`` when the worker
        was not started, the document is not one to cut, or a piece did not read as the
        whole would (the whole document is then parsed here, which decides).

        The worker is started while the document downloads (see ``Library.add``); it takes
        pieces from the end while this process takes them from the start, so neither waits
        for the other however long the worker took to start. For a feed with nothing stored
        yet, this process stores each piece, in order, as soon as it and those before it are
        parsed (as :meth:`_prepare_in_pieces` does): the writing overlaps the worker's
        parsing. The results of those writes come back with the feed (else ``None``).
        """
        if len(result.content) < SHARE_FROM_BYTES:
            return None
        started = self.pool.started_one()
        if started is None:
            return None
        executor, ready = started
        pieces = parsework.feed_pieces(result.content, result.url, result.content_type)
        if len(pieces) < 2:
            return None
        task = self.prepare_task
        url, content_type, charset = result.url, result.content_type, result.charset
        run = _PieceRun(shown, first, now)
        usable = True

        def here(piece: tuple[bytes, int]) -> parsework.PreparedFeed:
            return task(piece[0], url, content_type, charset, first)

        def there(piece: tuple[bytes, int]) -> concurrent.futures.Future[parsework.PreparedFeed]:
            with _usable_stderr():
                return executor.submit(task, piece[0], url, content_type, charset, first)

        def then(index: int, part: parsework.PreparedFeed | BaseException) -> None:
            nonlocal usable
            if not usable:
                return
            records = run.take(part, pieces[index][1])
            if records is None:
                usable = False
            elif run.stored is not None and records:
                # In this thread, between pieces: the store's writer thread would have to
                # wait for the interpreter while this one parses.
                done, previous = self.store.store_entries(
                    row.id, records, run.now, run.previous, new=True, checkpoint=False
                )
                usable = run.wrote(done, previous)  # else unsubscribed meanwhile

        try:
            parsework.share(pieces, here, there, ready, then)
        except (KeyboardInterrupt, SystemExit, TuiReaderError):
            raise
        except BaseException as exc:  # noqa: BLE001 - a native parser's panic, as in _prepare_here
            raise FeedError(f"{shown}: unexpected {type(exc).__name__}: {exc}") from None
        return run.result() if usable else None

    def _prepare_here(self, result: FetchResult, shown: str, first: bool) -> parsework.PreparedFeed:
        """The parse a worker would do, in this process (a parser's crash is the feed's error,
        as it is when a worker dies)."""
        try:
            return self.prepare_task(
                result.content,
                result.url,
                result.content_type,
                result.charset,
                first,
            )
        except (FeedError, KeyboardInterrupt, SystemExit, asyncio.CancelledError):
            raise
        except BaseException as exc:  # noqa: BLE001 - a native parser's panic is not an Exception
            raise FeedError(f"{shown}: unexpected {type(exc).__name__}: {exc}") from None

    async def _failed(self, row: FeedRow, title: str, exc: TuiReaderError) -> FeedOutcome:
        reason = clean_line(str(exc))
        await self.db(self.store.set_feed_error, row.id, reason)
        return FeedOutcome(title, error=reason)

    async def _moved(self, row: FeedRow, url: str, outcome: FeedOutcome) -> None:
        """The feed moved for good: store its new URL unless another subscription has it."""
        shown = clean_line(url)
        other = await self.db(self.store.move_feed, row.id, url)
        if other is None:
            outcome.notices.append(f"moved permanently to {shown}: address updated")
        else:
            outcome.notices.append(
                f"moved permanently to {shown}, which is already subscribed (feed {other}); "
                "address kept"
            )

    async def _bodies(self, shown: str, records: list[ArticleRecord]) -> list[ArticleRecord]:
        """The records' bodies cleaned from the feed's HTML, in the workers."""
        if not records:
            return []
        chunks = [records[i : i + BODY_CHUNK] for i in range(0, len(records), BODY_CHUNK)]
        done = await asyncio.gather(
            *(
                self.pool.run(
                    FINISH,
                    lambda reason: FeedError(f"{shown}: {reason}"),
                    parsework.feed_bodies,
                    chunk,
                )
                for chunk in chunks
            )
        )
        return [record for chunk in done for record in chunk]

    async def _waiting_pages(self, row: FeedRow, skip: set[int]) -> list[_PageJob]:
        """This feed's summary-only articles, to try their pages again (quietly)."""
        return [
            _PageJob(article_id, url, None, None, False)
            for article_id, url in await self.db(self.store.summary_only_articles, row.id)
            if article_id not in skip and not is_media_url(url)
        ]

    # --- one page ----------------------------------------------------------------------
    async def store_page(self, fetcher: Fetcher, job: _PageJob, outcome: FeedOutcome) -> None:
        """Fetch, clean and store one article's page (or record why it is not usable)."""
        article, reason = await self.page(fetcher, job.url, job.fallback_chars)
        if article is None:
            reason = reason or "no article text"
            await self.db(self.store.set_page_error, job.article_id, reason)
            if job.report:
                outcome.page_failures.append((job.title or job.url, reason))
            return
        feed_version = job.fallback
        if feed_version is None:
            stored = await self.db(self.store.get_article, job.article_id)
            feed_version = stored.article if stored is not None else None
        await self.db(self.store.set_page, job.article_id, fill(article, feed_version))
        outcome.pages += 1

    async def page(
        self, fetcher: Fetcher, url: str, fallback_chars: int | None = None
    ) -> tuple[Article | None, str | None]:
        """Fetch and clean a page in a worker; ``(None, reason)`` when it is not usable."""
        from tui_reader.core.pagecheck import ensure_page

        shown = clean_line(url)
        try:
            result = await fetcher.fetch(url, accept=PAGE_ACCEPT, documents_only=True)
            ensure_page(result.content, result.content_type, shown)
            article = await self.pool.run(
                PAGE,
                lambda reason: ExtractError(f"{shown}: {reason}"),
                parsework.clean_page,
                result.content,
                result.charset,
                result.url,
                # A plain dict: the rules cross into the worker process.
                dict(self.config.site_rules),
            )
        except (FetchError, ExtractError) as exc:
            return None, clean_line(str(exc))
        if article.extraction not in ("", "paragraphs", "site rule"):
            # The usual vote was not trusted: which pass chose the text says where to look
            # when an article reads wrong (a site rule can then pin the body).
            log.info("%s: article text chosen by the %r pass", shown, article.extraction)
        size = len(article.text)
        if size < MIN_PAGE_CHARS and (fallback_chars is None or size < fallback_chars):
            return None, f"{shown}: the page has almost no article text"
        return article, None
