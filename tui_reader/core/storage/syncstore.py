"""The store's side of syncing with a feed server: server ids, the mark queue, sync state.

The user's own marks are queued by :class:`~tui_reader.core.storage.Store` itself (in the
transaction that changes the flag, see :func:`~tui_reader.core.storage.sqlite.queue_marks`);
everything here is for the sync engine, and none of it queues marks: what the server says is
applied directly, so it is never sent back.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from tui_reader.core.sanitize import clean_line
from tui_reader.core.storage.sqlite import ArticleRecord, Store, UpsertResult, _chunks

Flag = Literal["read", "starred"]


@dataclass(frozen=True, slots=True)
class QueuedMark:
    """One row of the queue, with the version it had when read."""

    item_id: str
    flag: Flag
    value: bool
    version: int


@dataclass(frozen=True, slots=True)
class FlagChanges:
    """How many stored articles the server's read and starred lists changed."""

    read: int = 0
    starred: int = 0


class SyncStore:
    """Sync bookkeeping over an open :class:`Store` (same file, same connections)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- state ------------------------------------------------------------------------
    def state(self, key: str) -> str | None:
        with self.store._reading() as conn:
            row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, values: dict[str, str | None]) -> None:
        """Set (or, for ``None``, delete) several keys in one transaction."""
        with self.store._writing() as conn:
            for key, value in values.items():
                if value is None:
                    conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO sync_state(key, value) VALUES (?, ?)", (key, value)
                    )

    # --- the mark queue ---------------------------------------------------------------
    def count_marks(self) -> int:
        with self.store._reading() as conn:
            return int(conn.execute("SELECT count(*) FROM sync_marks").fetchone()[0])

    def queued_marks(self, limit: int | None = None) -> list[QueuedMark]:
        """The queue, oldest change first."""
        sql = "SELECT item_id, flag, value, version FROM sync_marks ORDER BY version, item_id"
        with self.store._reading() as conn:
            rows = conn.execute(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
            return [QueuedMark(r[0], r[1], bool(r[2]), int(r[3])) for r in rows]

    def drop_delivered(self, marks: Iterable[QueuedMark]) -> int:
        """Remove delivered rows, except those changed again since they were read."""
        with self.store._writing() as conn:
            cursor = conn.executemany(
                "DELETE FROM sync_marks WHERE item_id = ? AND flag = ? AND version = ?",
                [(m.item_id, m.flag, m.version) for m in marks],
            )
            return cursor.rowcount

    def forget_server(self) -> int:
        """Forget every server id, the queue and the cursor (the account changed).

        Feeds and articles stay, with their flags; the next sync links them again by URL,
        guid or link. Returns how many queued marks were dropped.
        """
        with self.store._writing() as conn:
            dropped = int(conn.execute("SELECT count(*) FROM sync_marks").fetchone()[0])
            conn.execute("DELETE FROM sync_marks")
            conn.execute("UPDATE articles SET remote_id = NULL WHERE remote_id IS NOT NULL")
            conn.execute("UPDATE feeds SET remote_id = NULL WHERE remote_id IS NOT NULL")
            conn.execute("DELETE FROM sync_state WHERE key IN ('account', 'cursor')")
        return dropped

    # --- feeds ------------------------------------------------------------------------
    def feeds_by_remote(self) -> dict[str, int]:
        with self.store._reading() as conn:
            rows = conn.execute("SELECT remote_id, id FROM feeds WHERE remote_id IS NOT NULL")
            return {str(r[0]): int(r[1]) for r in rows}

    def remote_feed_id(self, feed_id: int) -> str | None:
        with self.store._reading() as conn:
            row = conn.execute("SELECT remote_id FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def link_feed(
        self,
        remote_id: str,
        url: str,
        title: str,
        site_url: str | None,
        folders: Sequence[str],
    ) -> tuple[int, bool]:
        """The local feed of a server subscription, made or linked; ``(feed id, created)``.

        A feed already linked to ``remote_id`` is found by it (the server may have moved
        its URL); else the feed with the same URL is linked (history kept); else one is
        made. The server owns folders: a linked feed's tags become its folders; a feed
        linked for the first time keeps its own tags and gains the folders.
        """
        title = clean_line(title)
        tags = [clean_line(f) for f in folders if clean_line(f)]
        now = time.time()
        with self.store._writing() as conn:
            row = conn.execute("SELECT id FROM feeds WHERE remote_id = ?", (remote_id,)).fetchone()
            linked = row is not None
            if row is None:
                row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            created = row is None
            if row is None:
                cursor = conn.execute(
                    "INSERT INTO feeds(url, title, site_url, kind, created, remote_id) "
                    "VALUES (?, ?, ?, 'feed', ?, ?)",
                    (url, title, site_url, now, remote_id),
                )
                feed_id = int(cursor.lastrowid or 0)
            else:
                feed_id = int(row[0])
                conn.execute(
                    "UPDATE feeds SET remote_id = ?, title = CASE WHEN ? = '' THEN title "
                    "ELSE ? END, site_url = coalesce(?, site_url) WHERE id = ?",
                    (remote_id, title, title, site_url, feed_id),
                )
            if linked:
                conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (feed_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO feed_tags(feed_id, tag) VALUES (?, ?)",
                [(feed_id, tag) for tag in tags],
            )
        return feed_id, created

    def unlink_feed(self, feed_id: int) -> None:
        """Forget the server's id of a feed (the feed itself is kept)."""
        with self.store._writing() as conn:
            conn.execute("UPDATE feeds SET remote_id = NULL WHERE id = ?", (feed_id,))

    # --- articles ---------------------------------------------------------------------
    def known_items(self, item_ids: Collection[str]) -> set[str]:
        """Which of these server ids are stored already."""
        found: set[str] = set()
        with self.store._reading() as conn:
            for chunk in _chunks(list(item_ids)):
                marks = ",".join("?" * len(chunk))
                found.update(
                    str(r[0])
                    for r in conn.execute(
                        f"SELECT remote_id FROM articles WHERE remote_id IN ({marks})", chunk
                    )
                )
        return found

    def find_articles(
        self, wanted: Sequence[tuple[int, str | None, str | None]]
    ) -> list[int | None]:
        """For each ``(feed id, guid, link)``: an article of that feed not linked to a server
        item yet, found by guid, else by link (``None``: not stored). One article is never
        given to two items."""
        found: list[int | None] = []
        taken: set[int] = set()
        with self.store._reading() as conn:
            for feed_id, guid, url in wanted:
                match: int | None = None
                for column, value in (("guid", guid), ("url", url)):
                    if not value:
                        continue
                    for row in conn.execute(
                        f"SELECT id FROM articles WHERE feed_id = ? AND {column} = ? "
                        "AND remote_id IS NULL ORDER BY id LIMIT 4",
                        (feed_id, value),
                    ):
                        if int(row[0]) not in taken:
                            match = int(row[0])
                            break
                    if match is not None:
                        break
                if match is not None:
                    taken.add(match)
                found.append(match)
        return found

    def store_items(
        self,
        fresh: dict[int, list[ArticleRecord]],
        item_ids: dict[int, list[str]],
        links: Sequence[tuple[int, str, str]],
    ) -> dict[int, list[UpsertResult]]:
        """Store new articles of several feeds and link them, and ``links``, in one
        transaction (a batch of server items spans many feeds).

        Args:
            fresh: the new articles' records by feed id (bodies already cleaned).
            item_ids: the server's id of each of those records, in the same order.
            links: ``(article id, item id, server body)`` of articles stored before.
        """
        now = time.time()
        results: dict[int, list[UpsertResult]] = {}
        with self.store._writing() as conn:
            pairs = list(links)
            for feed_id, records in fresh.items():
                done = self.store._upsert_many(conn, feed_id, records, now)
                results[feed_id] = done
                for record, result, item_id in zip(records, done, item_ids[feed_id], strict=False):
                    pairs.append((result.id, item_id, record.feed_summary_html or ""))
            # An id the server gave to another article before (it re-keyed) moves here.
            conn.executemany(
                "UPDATE articles SET remote_id = NULL WHERE remote_id = ? AND id != ?",
                [(item_id, article_id) for article_id, item_id, _ in pairs],
            )
            conn.executemany(
                "UPDATE articles SET remote_id = ?, remote_html = ? WHERE id = ?",
                [(item_id, html, article_id) for article_id, item_id, html in pairs],
            )
        return results

    def remote_body(self, article_id: int) -> str | None:
        with self.store._reading() as conn:
            row = conn.execute(
                "SELECT remote_html FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return None if row is None else row[0]

    def apply_flags(self, unread: Collection[str], starred: Collection[str]) -> FlagChanges:
        """Make every linked article's flags what the server says, in one transaction.

        Read is derived: an item not in ``unread`` is read. Changes still waiting in the
        queue keep the local value (the user's change wins until the server has it); the
        queue is read in the same transaction, so a mark made meanwhile is never overwritten.
        """
        unread_set = set(unread)
        starred_set = set(starred)
        read_rows: list[tuple[int, int]] = []
        star_rows: list[tuple[int, int]] = []
        with self.store._writing() as conn:
            held = {f"{r[0]}/{r[1]}" for r in conn.execute("SELECT item_id, flag FROM sync_marks")}
            for article_id, item_id, read, star in conn.execute(
                "SELECT id, remote_id, read, starred FROM articles WHERE remote_id IS NOT NULL"
            ).fetchall():
                want_read = item_id not in unread_set
                if bool(read) != want_read and f"{item_id}/read" not in held:
                    read_rows.append((int(want_read), article_id))
                want_star = item_id in starred_set
                if bool(star) != want_star and f"{item_id}/starred" not in held:
                    star_rows.append((int(want_star), article_id))
            conn.executemany("UPDATE articles SET read = ? WHERE id = ?", read_rows)
            conn.executemany("UPDATE articles SET starred = ? WHERE id = ?", star_rows)
        return FlagChanges(read=len(read_rows), starred=len(star_rows))

    def articles_by_urls(self, urls: Sequence[str]) -> dict[str, list[int]]:
        """Stored article ids for each of these links (any feed)."""
        found: dict[str, list[int]] = {}
        with self.store._reading() as conn:
            for chunk in _chunks(list(urls)):
                marks = ",".join("?" * len(chunk))
                for article_id, url in conn.execute(
                    f"SELECT id, url FROM articles WHERE url IN ({marks}) ORDER BY id", chunk
                ):
                    found.setdefault(str(url), []).append(int(article_id))
        return found
