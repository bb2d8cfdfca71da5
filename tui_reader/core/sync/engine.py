"""One sync with a feed server: push the queued marks, then pull the server's state.

A sync runs these steps, each one committed as it goes, so an interrupted sync keeps
everything done so far:

1. **push**: the queued marks, oldest first, in batches of :data:`MARK_BATCH`; a batch the
   server accepted is dropped from the queue, except the rows changed again meanwhile;
2. **subscriptions**: each server feed is found (by the server's id, else by URL) or made;
   folders become tags; feeds only on this side are kept, never deleted;
3. **new items**: the ids the server lists as unread or starred, plus those it added since
   the cursor (on a first sync: the last ``days``), minus those stored already, fetched in
   batches. Each is matched to a stored article of its feed by guid, else by link, so a
   store that starts syncing keeps its history; the others are stored like feed entries
   (text cleaned as feed text is, non-http(s) links refused);
4. **flags**: read and starred become what the server says (read = not in its unread list),
   except for changes still queued: the user's change wins until it is delivered;
5. **pages**: each new article's page is fetched and cleaned exactly as in a refresh, into
   the article's body; the server's own body is kept in a column of its own.

Ids: the engine only ever hands a client ids that client gave it. The ids it stores are the
ones the client listed (an item the server sends unasked, or under another spelling, is
skipped), and when the account changes (another server, kind or user) the previous server's
ids and its undelivered marks are forgotten before anything is sent: the same number on
another server names another article. The articles themselves stay, and are matched again by
guid or link.

The server's errors arrive as :class:`~tui_reader.core.sync.base.SyncError` (one line); a
push that fails keeps its marks queued.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from tui_reader.core import parsework
from tui_reader.core.models import Article
from tui_reader.core.refresh import FeedOutcome, _PageJob, is_media_url
from tui_reader.core.sanitize import clean_line, safe_url
from tui_reader.core.storage import ArticleRecord, Store
from tui_reader.core.storage.syncstore import QueuedMark, SyncStore
from tui_reader.core.sync.base import Mark, RemoteItem, SyncAccount, SyncClient

if TYPE_CHECKING:
    from tui_reader.core.fetch import Fetcher
    from tui_reader.core.refresh import Refresher

Db = Callable[..., Awaitable[Any]]

log = logging.getLogger(__name__)

MARK_BATCH = 200
"""Marks sent per request group (protocol clients split further to their servers' limits)."""

STORE_BATCH = 500
"""Server items stored per transaction."""

Stage = Literal["marks", "feeds", "ids", "items", "flags", "pages", "done"]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Where a sync is: the stage, and how far into it (``total`` when known)."""

    stage: Stage
    done: int = 0
    total: int | None = None
    requests: int = 0


@dataclass(slots=True)
class SyncReport:
    """What one sync did."""

    marks_sent: int = 0
    marks_waiting: int = 0
    """Marks still queued at the end (changed while being sent)."""
    feeds: int = 0
    feeds_added: int = 0
    new_articles: int = 0
    linked_articles: int = 0
    """Server items matched to articles stored before (history kept, not duplicated)."""
    read_changed: int = 0
    starred_changed: int = 0
    pages: int = 0
    requests: int = 0
    skipped: int = 0
    """Items left out: of a feed the server did not list, or without a usable link/text."""
    page_failures: list[tuple[str, str]] = field(default_factory=list)


def account_key(account: SyncAccount) -> str:
    """Who the stored cursor belongs to: another server or user starts from scratch."""
    return f"{account.kind} {account.url.rstrip('/')} {account.user}"


class SyncEngine:
    """Runs syncs for a :class:`~tui_reader.core.library.Library`.

    Args:
        store: the store (read from any thread; written only through ``db``).
        db: runs a store call on the single writer thread and awaits it.
        refresher: the refresh pipeline, whose page step stores the new articles' pages.
        fetch_pages: fetch the new articles' pages at all (``[fetch] pages``).
        concurrency: pages fetched at once.
    """

    def __init__(
        self,
        store: Store,
        db: Db,
        refresher: Refresher,
        *,
        fetch_pages: bool = True,
        concurrency: int = 8,
    ) -> None:
        self.store = store
        self.sync_store = SyncStore(store)
        self.db = db
        self.refresher = refresher
        self.fetch_pages = fetch_pages
        self.concurrency = max(1, concurrency)

    async def push(
        self,
        client: SyncClient,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> int:
        """Deliver the queued marks; returns how many were sent (raises, keeping the rest)."""
        queued: list[QueuedMark] = await self.db(self.sync_store.queued_marks)
        sent = 0
        for start in range(0, len(queued), MARK_BATCH):
            batch = queued[start : start + MARK_BATCH]
            await client.send_marks([Mark(m.item_id, m.flag, m.value) for m in batch])
            await self.db(self.sync_store.drop_delivered, batch)
            sent += len(batch)
            if progress is not None:
                progress(SyncProgress("marks", sent, len(queued), client.requests))
        return sent

    async def sync(
        self,
        client: SyncClient,
        account: SyncAccount,
        fetcher: Fetcher | None,
        progress: Callable[[SyncProgress], None] | None = None,
    ) -> SyncReport:
        """One whole sync (see the module's docstring); the client is logged in here."""
        report = SyncReport()

        def tell(stage: Stage, done: int = 0, total: int | None = None) -> None:
            if progress is not None:
                progress(SyncProgress(stage, done, total, client.requests))

        sync_store = self.sync_store
        key = account_key(account)
        previous = await self.db(sync_store.state, "account")
        await client.login()
        if previous is not None and previous != key:
            # Only once the new account works: a mistyped url that cannot be reached (and is
            # then put right) must not cost the marks queued for the old one.
            dropped = await self.db(sync_store.forget_server)
            log.warning(
                "sync: another account than last time: the previous server's ids and %d "
                "undelivered marks are forgotten",
                dropped,
            )
        report.marks_sent = await self.push(client, progress)

        tell("feeds")
        remote_feeds = await client.feeds()
        feed_map: dict[str, int] = {}
        for remote in remote_feeds:
            url = safe_url(remote.url, fetchable=True)
            if url is None:
                # A feed: or file: URL from the server is never fetched nor stored.
                log.warning(
                    "sync: feed %s refused: its URL is not http(s): %s",
                    clean_line(remote.title)[:80] or "(untitled)",
                    clean_line(remote.url)[:120],
                )
                report.skipped += 1
                continue
            site = safe_url(remote.site_url) if remote.site_url else None
            feed_id, created = await self.db(
                sync_store.link_feed, remote.id, url, remote.title, site, remote.folders
            )
            feed_map[remote.id] = feed_id
            report.feeds_added += created
        report.feeds = len(feed_map)
        tell("feeds", report.feeds, report.feeds)

        cursor = None
        if previous == key:
            cursor = await self.db(sync_store.state, "cursor")
        tell("ids")
        unread = await client.unread_ids()
        starred = await client.starred_ids()
        since = datetime.now(UTC) - timedelta(days=max(1, account.days))
        recent, next_cursor = await client.recent_ids(since, cursor)
        wanted = unread | starred | recent
        known = await self.db(sync_store.known_items, wanted)
        missing = wanted - known

        jobs: list[_PageJob] = []
        done = 0
        tell("items", 0, len(missing))
        if missing:
            # Items are stored a few batches at a time: a server's batch of 50 spans many
            # feeds, and one transaction per few hundred items costs far less than per feed.
            pending: list[RemoteItem] = []
            asked = set(missing)
            unasked = 0
            async for batch in client.items(missing):
                for item in batch:
                    # Only ids the client listed are stored, so only those are ever sent
                    # back; each at most once.
                    if item.id in asked:
                        asked.discard(item.id)
                        pending.append(item)
                    else:
                        unasked += 1
                done += len(batch)
                if len(pending) >= STORE_BATCH:
                    jobs += await self._store_items(pending, feed_map, report)
                    pending = []
                tell("items", done, len(missing))
            jobs += await self._store_items(pending, feed_map, report)
            if unasked:
                log.warning("sync: %d items the server sent unasked were skipped", unasked)
                report.skipped += unasked

        tell("flags")
        changes = await self.db(sync_store.apply_flags, unread, starred)
        report.read_changed = changes.read
        report.starred_changed = changes.starred
        await self.db(
            sync_store.set_state,
            {"account": key, "cursor": next_cursor, "last_sync": str(time.time())},
        )

        if jobs and fetcher is not None and self.fetch_pages:
            report.pages, report.page_failures = await self._pages(fetcher, jobs, tell)
        report.requests = client.requests
        report.marks_waiting = await self.db(sync_store.count_marks)
        tell("done", 1, 1)
        return report

    async def _store_items(
        self, batch: Sequence[RemoteItem], feed_map: dict[str, int], report: SyncReport
    ) -> list[_PageJob]:
        """Store (or link to stored articles) a batch of server items; the page jobs."""
        usable: list[tuple[RemoteItem, int, str | None, str | None]] = []
        for item in batch:
            feed_id = feed_map.get(item.feed_id)
            if feed_id is None:
                report.skipped += 1
                continue
            # A link that is not http(s) (javascript:, file:) is refused, as in feeds.
            url = safe_url(item.url, fetchable=True) if item.url else None
            guid = clean_line(item.guid or "") or None
            usable.append((item, feed_id, guid, url))
        if not usable:
            return []
        existing = await self.db(
            self.sync_store.find_articles, [(f, guid, url) for _, f, guid, url in usable]
        )
        links: list[tuple[int, str, str]] = []
        fresh: dict[int, list[ArticleRecord]] = {}
        item_ids: dict[int, list[str]] = {}
        for (item, feed_id, guid, url), found in zip(usable, existing, strict=True):
            if found is not None:
                links.append((found, item.id, item.html))
                report.linked_articles += 1
                continue
            title = clean_line(item.title) or (clean_line(url) if url else "") or "Untitled"
            author = clean_line(item.author) if item.author else None
            fresh.setdefault(feed_id, []).append(
                ArticleRecord(
                    guid=guid or url or f"sync:{item.id}",
                    url=url,
                    title=title,
                    article=Article(title=title, byline=author, published=item.published, url=url),
                    author=author,
                    published=item.published,
                    summary_only=True,
                    feed_summary_html=item.html,
                )
            )
            item_ids.setdefault(feed_id, []).append(item.id)
        # The server's body is cleaned exactly as a feed entry's text is (off the loop).
        cleaned = {
            feed_id: await asyncio.to_thread(parsework.feed_bodies, records)
            for feed_id, records in fresh.items()
        }
        results = await self.db(self.sync_store.store_items, cleaned, item_ids, links)
        jobs: list[_PageJob] = []
        for feed_id, records in cleaned.items():
            for record, result in zip(records, results[feed_id], strict=False):
                if result.status != "new":
                    report.linked_articles += 1
                    continue
                report.new_articles += 1
                if record.url is not None and not is_media_url(record.url):
                    jobs.append(
                        _PageJob(
                            result.id,
                            record.url,
                            record.head,
                            len(record.body_text or ""),
                            True,
                            record.title,
                        )
                    )
        return jobs

    async def _pages(
        self,
        fetcher: Fetcher,
        jobs: list[_PageJob],
        tell: Callable[[Stage, int, int | None], None],
    ) -> tuple[int, list[tuple[str, str]]]:
        """Each new article's page, through the refresh's own page step."""
        outcome = FeedOutcome("sync")
        slots = asyncio.Semaphore(self.concurrency)
        done = 0

        async def one(job: _PageJob) -> None:
            nonlocal done
            async with slots:
                await self.refresher.store_page(fetcher, job, outcome)
            done += 1
            tell("pages", done, len(jobs))

        tell("pages", 0, len(jobs))
        await asyncio.gather(*(one(job) for job in jobs))
        return outcome.pages, outcome.page_failures
