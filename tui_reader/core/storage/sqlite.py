"""The SQLite store: one file, WAL mode, one connection per thread.

Every public method is a short transaction of its own (reads are plain autocommit reads;
writes take ``BEGIN IMMEDIATE`` so that two writers queue on ``busy_timeout`` instead of
failing when one upgrades a read lock). A feed's refresh is written by :meth:`Store.write_feed`
in one transaction, so a crash loses at most the feed being written. Every
:class:`sqlite3.Error` leaves this module as a one-line
:class:`~tui_reader.core.errors.StorageError`.

List queries read only the listing columns; an article's body (``article_json``) is read only
by :meth:`Store.get_article`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from tui_reader.core.errors import StorageError
from tui_reader.core.models import Article, ArticleSummary, Block, FeedInfo, StoredArticle
from tui_reader.core.sanitize import clean_line
from tui_reader.core.storage.schema import MIGRATIONS, SCHEMA_VERSION

View = Literal["all", "unread", "starred"]
UpsertStatus = Literal["new", "updated", "unchanged"]

BUSY_TIMEOUT_MS = 10_000
_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)
_CHUNK = 400  # stays well under SQLite's limit on bound parameters
MAX_PAGE_ATTEMPTS = 5
"""A page that failed this many times is not fetched again by refreshes."""
PREFIX_MIN = 3
RANK_WINDOW = 5000
"""At most this many of a search's matches (the newest) are ranked."""


def to_epoch(value: datetime | None) -> float | None:
    """A datetime as UTC epoch seconds; naive values are taken to be UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def from_epoch(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


def _block_data(block: Block) -> dict[str, Any]:
    """:meth:`Block.to_dict` without the derived ``text`` (which costs a walk per block)."""
    data: dict[str, Any] = {"kind": block.kind}
    if block.spans:
        data["spans"] = [span.to_dict() for span in block.spans]
    if block.children:
        data["children"] = [_block_data(child) for child in block.children]
    kind = block.kind
    if kind == "heading":
        data["level"] = block.level
    elif kind == "list":
        data["ordered"] = block.ordered
    elif kind == "code":
        data["code"] = block.code
        if block.language:
            data["language"] = block.language
    elif kind == "table":
        data["rows"] = [list(row) for row in block.rows]
        data["header_rows"] = block.header_rows
    elif kind == "figure":
        data["src"] = block.src
        data["alt"] = block.alt
    return data


def article_to_json(article: Article) -> str:
    """The article as stored: :meth:`Article.to_dict` without the derived text and markdown.

    Built here rather than by trimming ``to_dict()``, which would render the markdown only
    to throw it away.
    """
    data = {
        "title": article.title,
        "byline": article.byline,
        "published": article.published.isoformat() if article.published else None,
        "site_name": article.site_name,
        "language": article.language,
        "url": article.url,
        "lead_image": article.lead_image,
        "description": article.description,
        "blocks": [_block_data(block) for block in article.blocks],
        "extraction": article.extraction,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def article_from_json(text: str) -> Article:
    return Article.from_dict(json.loads(text))


def fts_query(query: str) -> str | None:
    """Turn what the user typed into a safe FTS5 query, or ``None`` if it has no words.

    Every word becomes a quoted phrase (so FTS operators and stray quotes typed by the user
    are just text) and all must match; the last word also matches as a prefix, so results
    appear while a word is still being typed (from its third letter on: a one-letter prefix
    would match most of the index).
    """
    words = _FTS_TOKEN.findall(query)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) >= PREFIX_MIN:
        quoted[-1] += " *"
    return " ".join(quoted)


def snippet(text: str, words: Sequence[str], size: int = 24) -> str | None:
    """About ``size`` words of ``text`` around the first place one of ``words`` occurs.

    The last word counts as a prefix, as in the search itself. Without a match in the text
    (the words were in the title), the text's opening words.
    """
    tokens = text.split()
    if not tokens:
        return None
    start = 0
    for i, token in enumerate(tokens):
        found = False
        for term in _FTS_TOKEN.findall(token.lower()):
            if term in words[:-1] or (words and term.startswith(words[-1])):
                found = True
                break
        if found:
            start = max(0, i - size // 3)
            break
    piece = " ".join(tokens[start : start + size])
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + size < len(tokens) else ""
    return clean_line(prefix + piece + suffix) or None


def storage_error(exc: BaseException, path: Path | str) -> StorageError:
    """A one-line :class:`StorageError` for ``exc``, saying what the user can do about it."""
    message = " ".join(str(exc).split()) or exc.__class__.__name__
    low = message.lower()
    if "disk is full" in low or "database or disk is full" in low or "no space" in low:
        text = f"the store is full (no space left on the disk): {path}"
    elif "readonly" in low or "read-only" in low:
        text = f"the store is read-only (check the file's permissions): {path}"
    elif "locked" in low or "busy" in low:
        text = f"the store is busy in another process; try again: {path}"
    elif "unable to open" in low or "cannot open" in low:
        text = f"cannot open the store: {path}"
    elif "disk i/o error" in low:
        # SQLite reports a write refused for size (EFBIG), a quota or a failing disk alike.
        text = f"cannot write the store (disk full, over quota or failing): {path}"
    elif "malformed" in low or "not a database" in low:
        text = f"the store is damaged or not a tui-reader store: {path}"
    else:
        text = f"store error: {message} ({path})"
    error = StorageError(text)
    error.__cause__ = exc
    return error


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """An article to store: the feed entry's fields and its cleaned content."""

    guid: str
    url: str | None
    title: str
    article: Article
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    summary_only: bool = False
    feed_summary_html: str | None = None
    page_error: str | None = None


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """What the store already holds for a feed entry (to decide what needs a page fetch)."""

    id: int
    guid: str
    url: str | None
    title: str
    author: str | None
    published: float | None
    updated: float | None
    summary_only: bool
    feed_summary_html: str | None
    page_attempts: int = 0
    """How often its page has failed (see :data:`MAX_PAGE_ATTEMPTS`)."""

    def differs_from(self, record: ArticleRecord) -> bool:
        """True when the entry changed since it was stored (it is then updated in place)."""
        return (
            self.guid != record.guid
            or self.title != record.title
            or self.url != record.url
            or self.author != record.author
            or self.published != to_epoch(record.published)
            or self.updated != to_epoch(record.updated)
            or (self.feed_summary_html or None) != (record.feed_summary_html or None)
        )


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A feed's stored fetch state."""

    id: int
    url: str
    title: str
    site_url: str | None
    kind: Literal["feed", "saved"]
    etag: str | None
    last_modified: str | None
    last_refresh: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class UpsertResult:
    id: int
    guid: str
    status: UpsertStatus


@dataclass(slots=True)
class FeedUpdate:
    """The outcome of fetching one feed, written by :meth:`Store.write_feed` in one go."""

    records: Sequence[ArticleRecord] = ()
    pages: Sequence[tuple[int, Article]] = ()
    """``(article id, article)`` for summary-only articles whose page has now been cleaned."""
    page_errors: Sequence[tuple[int, str]] = ()
    """``(article id, reason)`` for summary-only articles whose page failed again."""
    title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    set_validators: bool = False
    """Replace the stored ETag/Last-Modified (after a 200; a 304 keeps them)."""
    error: str | None = None
    prune_before: float | None = None
    """Delete read, unstarred articles of this feed dated before this epoch, except ..."""
    keep_guids: frozenset[str] = field(default_factory=frozenset)
    """... those still listed in the feed (else they would come back as new)."""


_SUMMARY_COLUMNS = (
    "a.id, a.feed_id, f.title, a.title, a.url, a.published, a.read, a.starred, a.summary_only"
)
_KNOWN_COLUMNS = (
    "id, guid, url, title, author, published, updated, summary_only, feed_summary_html, "
    "page_attempts"
)


def _summary(row: sqlite3.Row | tuple[Any, ...], snippet: str | None = None) -> ArticleSummary:
    return ArticleSummary(
        id=row[0],
        feed_id=row[1],
        feed_title=row[2],
        title=row[3],
        url=row[4],
        published=from_epoch(row[5]),
        read=bool(row[6]),
        starred=bool(row[7]),
        summary_only=bool(row[8]),
        snippet=snippet,
    )


def _known(row: tuple[Any, ...]) -> KnownArticle:
    return KnownArticle(
        id=row[0],
        guid=row[1],
        url=row[2],
        title=row[3],
        author=row[4],
        published=row[5],
        updated=row[6],
        summary_only=bool(row[7]),
        feed_summary_html=row[8],
        page_attempts=int(row[9]),
    )


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Store:
    """The local store of feeds and articles in one SQLite file."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Use :meth:`open`, which also creates and migrates the schema."""
        self.path = path
        self.read_only = read_only
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False

    # --- connections ------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> Store:
        """Open the store at ``path``, creating and migrating it unless ``read_only``."""
        path = Path(path)
        store = cls(path, read_only=read_only)
        if read_only and not path.exists():
            raise StorageError(f"no store at {path}")
        try:
            store._connection()
            if not read_only:
                store._migrate()
        except sqlite3.Error as exc:
            store.close()
            raise storage_error(exc, path) from exc
        except OSError as exc:
            store.close()
            raise StorageError(f"cannot open the store: {path} ({exc.strerror or exc})") from exc
        except BaseException:
            store.close()
            raise
        return store

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            if not os.access(self.path.parent, os.W_OK):
                # On a read-only file system SQLite cannot create the WAL index beside the
                # file; nothing can change the store there, so it may be read as immutable.
                uri += "&immutable=1"
            conn = sqlite3.connect(
                uri,
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not self.read_only:
                # WAL: readers never block the writer, and another process (the app, a
                # cron `fetch`) can read while a refresh writes.
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise sqlite3.OperationalError(f"cannot use WAL journal mode ({mode})")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StorageError(f"the store is closed: {self.path}")
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._connection()
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc
        except OSError as exc:
            raise StorageError(
                f"cannot use the store: {self.path} ({exc.strerror or exc})"
            ) from exc

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed on success and rolled back on any error."""
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc
        except OSError as exc:
            raise StorageError(
                f"cannot use the store: {self.path} ({exc.strerror or exc})"
            ) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(exc, sqlite3.Error):
                raise storage_error(exc, self.path) from exc
            raise

    # --- schema -----------------------------------------------------------------------
    def schema_version(self) -> int:
        with self._reading() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"the store was written by a newer tui-reader (schema {version}, "
                    f"this version knows {SCHEMA_VERSION}): {self.path}"
                )
            for number in range(version + 1, target + 1):
                for statement in MIGRATIONS[number - 1]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if target >= 2:
            self._backfill_fts()

    def _backfill_fts(self) -> None:
        """Index the body text of articles stored before search existed."""
        conn = self._connection()
        if conn.execute("SELECT 1 FROM settings WHERE key = 'fts_backfill'").fetchone() is None:
            return
        with self._writing() as conn:
            rows = conn.execute("SELECT id, article_json FROM articles").fetchall()
            for article_id, text in rows:
                try:
                    body = article_from_json(text).text
                except (ValueError, KeyError, TypeError):
                    continue
                conn.execute("UPDATE articles_fts SET text = ? WHERE rowid = ?", (body, article_id))
            conn.execute("DELETE FROM settings WHERE key = 'fts_backfill'")

    def integrity_check(self) -> str:
        with self._reading() as conn:
            return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))

    # --- settings ---------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self._reading() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- feeds ------------------------------------------------------------------------
    def is_empty(self) -> bool:
        """True when the store has no feeds at all (a brand-new store)."""
        with self._reading() as conn:
            return conn.execute("SELECT 1 FROM feeds LIMIT 1").fetchone() is None

    def add_feed(
        self,
        url: str,
        *,
        title: str = "",
        site_url: str | None = None,
        kind: Literal["feed", "saved"] = "feed",
        tags: Iterable[str] = (),
    ) -> tuple[int, bool]:
        """Subscribe to ``url`` (tags are added if already subscribed).

        Returns:
            ``(feed id, created)``.
        """
        with self._writing() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO feeds(url, title, site_url, kind, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (url, clean_line(title), site_url, kind, time.time()),
            )
            created = cursor.rowcount == 1
            feed_id = int(conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()[0])
            for tag in tags:
                tag = clean_line(tag)
                if tag:
                    conn.execute(
                        "INSERT OR IGNORE INTO feed_tags(feed_id, tag) VALUES (?, ?)",
                        (feed_id, tag),
                    )
        return feed_id, created

    def feed_id_by_url(self, url: str) -> int | None:
        with self._reading() as conn:
            row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        return None if row is None else int(row[0])

    def feed(self, feed_id: int) -> FeedRow | None:
        rows = self.feed_rows([feed_id])
        return rows[0] if rows else None

    def feed_rows(self, feed_ids: Sequence[int] | None = None) -> list[FeedRow]:
        """Fetch state of the given feeds (all when ``None``), in id order."""
        sql = (
            "SELECT id, url, title, site_url, kind, etag, last_modified, last_refresh, "
            "last_error FROM feeds"
        )
        with self._reading() as conn:
            if feed_ids is None:
                rows = conn.execute(sql + " ORDER BY id").fetchall()
            else:
                rows = []
                for chunk in _chunks(list(feed_ids)):
                    marks = ",".join("?" * len(chunk))
                    rows += conn.execute(f"{sql} WHERE id IN ({marks})", chunk).fetchall()
                rows.sort(key=lambda r: r[0])
        return [
            FeedRow(
                id=r[0],
                url=r[1],
                title=r[2],
                site_url=r[3],
                kind=r[4],
                etag=r[5],
                last_modified=r[6],
                last_refresh=from_epoch(r[7]),
                last_error=r[8],
            )
            for r in rows
        ]

    def list_feeds(self) -> list[FeedInfo]:
        """Every feed with its tags and unread/total counts, by title."""
        with self._reading() as conn:
            counts = {
                row[0]: (row[1], row[2])
                for row in conn.execute(
                    "SELECT feed_id, count(*) - sum(read), count(*) FROM articles GROUP BY feed_id"
                )
            }
            tags: dict[int, list[str]] = {}
            for feed_id, tag in conn.execute("SELECT feed_id, tag FROM feed_tags ORDER BY tag"):
                tags.setdefault(feed_id, []).append(tag)
            rows = conn.execute(
                "SELECT id, url, title, site_url, kind, last_refresh, last_error FROM feeds "
                "ORDER BY kind = 'saved', lower(title), id"
            ).fetchall()
        return [
            FeedInfo(
                id=r[0],
                url=r[1],
                title=r[2] or r[1],
                site_url=r[3],
                tags=tuple(tags.get(r[0], ())),
                unread=int(counts.get(r[0], (0, 0))[0]),
                total=int(counts.get(r[0], (0, 0))[1]),
                last_refresh=from_epoch(r[5]),
                last_error=r[6],
                kind=r[4],
            )
            for r in rows
        ]

    def remove_feed(self, feed_id: int) -> bool:
        """Delete a feed and its articles; False if there was no such feed."""
        with self._writing() as conn:
            cursor = conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return cursor.rowcount > 0

    def set_feed_error(self, feed_id: int, error: str | None) -> None:
        with self._writing() as conn:
            conn.execute(
                "UPDATE feeds SET last_error = ?, last_refresh = ? WHERE id = ?",
                (error, time.time(), feed_id),
            )

    # --- articles: refresh side -------------------------------------------------------
    def known_articles(
        self, feed_id: int, guids: Sequence[str], urls: Sequence[str] = ()
    ) -> tuple[dict[str, KnownArticle], dict[str, KnownArticle]]:
        """Stored articles of ``feed_id`` matching these guids, and these URLs.

        Returns:
            ``(by guid, by url)``.
        """
        by_guid: dict[str, KnownArticle] = {}
        by_url: dict[str, KnownArticle] = {}
        with self._reading() as conn:
            for chunk in _chunks(list(guids)):
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    f"SELECT {_KNOWN_COLUMNS} FROM articles "
                    f"WHERE feed_id = ? AND guid IN ({marks})",
                    (feed_id, *chunk),
                ):
                    known = _known(row)
                    by_guid[known.guid] = known
            for chunk in _chunks(list(urls)):
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    # `+feed_id`: look up by URL, then check the feed (the feed's own indexes
                    # would scan all of its articles).
                    f"SELECT {_KNOWN_COLUMNS} FROM articles "
                    f"WHERE +feed_id = ? AND url IN ({marks})",
                    (feed_id, *chunk),
                ):
                    known = _known(row)
                    if known.url is not None:
                        by_url.setdefault(known.url, known)
        return by_guid, by_url

    def summary_only_articles(
        self, feed_id: int, limit: int = 20, max_attempts: int = MAX_PAGE_ATTEMPTS
    ) -> list[tuple[int, str]]:
        """``(id, url)`` of the newest articles of a feed still waiting for their page.

        Pages that already failed ``max_attempts`` times are given up on.
        """
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT id, url FROM articles WHERE feed_id = ? AND summary_only = 1 "
                "AND url IS NOT NULL AND page_attempts < ? ORDER BY sort_date DESC LIMIT ?",
                (feed_id, max_attempts, limit),
            ).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def upsert_articles(self, feed_id: int, records: Sequence[ArticleRecord]) -> list[UpsertResult]:
        """Insert new articles and update changed ones in place, in one transaction.

        Raises:
            StorageError: there is no feed ``feed_id``.
        """
        current = frozenset(record.guid for record in records)
        with self._writing() as conn:
            return [self._upsert(conn, feed_id, record, time.time(), current) for record in records]

    def write_feed(self, feed_id: int, update: FeedUpdate) -> list[UpsertResult]:
        """Store everything one refresh of a feed produced, in one transaction."""
        now = time.time()
        with self._writing() as conn:
            if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
                return []  # unsubscribed while it was being fetched: nothing to keep
            current = frozenset(record.guid for record in update.records)
            results = [
                self._upsert(conn, feed_id, record, now, current) for record in update.records
            ]
            for article_id, article in update.pages:
                self._set_body(conn, article_id, article, summary_only=False, page_error=None)
            for article_id, reason in update.page_errors:
                conn.execute(
                    "UPDATE articles SET page_error = ?, page_attempts = page_attempts + 1 "
                    "WHERE id = ?",
                    (reason, article_id),
                )
            sets = ["last_refresh = ?", "last_error = ?"]
            params: list[Any] = [now, update.error]
            if update.title:
                sets.append("title = ?")
                params.append(clean_line(update.title))
            if update.site_url:
                sets.append("site_url = ?")
                params.append(update.site_url)
            if update.set_validators:
                sets += ["etag = ?", "last_modified = ?"]
                params += [update.etag, update.last_modified]
            conn.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE id = ?", (*params, feed_id))
            if update.prune_before is not None:
                self._prune(conn, feed_id, update.prune_before, update.keep_guids)
        return results

    def _upsert(
        self,
        conn: sqlite3.Connection,
        feed_id: int,
        record: ArticleRecord,
        now: float,
        current: frozenset[str],
    ) -> UpsertResult:
        row = conn.execute(
            f"SELECT {_KNOWN_COLUMNS} FROM articles WHERE feed_id = ? AND guid = ?",
            (feed_id, record.guid),
        ).fetchone()
        if row is None and record.url:
            # Some feeds change an entry's id while the link stays: that is the same article,
            # but only if its old id is gone from the feed (``current``, the ids of this
            # refresh). Distinct entries that share one link stay distinct articles.
            for candidate in conn.execute(
                f"SELECT {_KNOWN_COLUMNS} FROM articles WHERE +feed_id = ? AND url = ?",
                (feed_id, record.url),
            ).fetchall():
                if candidate[1] not in current:
                    row = candidate
                    break
        published = to_epoch(record.published)
        updated = to_epoch(record.updated)
        title = clean_line(record.title)
        author = clean_line(record.author) if record.author else None
        if row is None:
            cursor = conn.execute(
                "INSERT INTO articles(feed_id, guid, url, title, author, published, updated, "
                "sort_date, fetched_at, summary_only, article_json, feed_summary_html, "
                "page_error, page_attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    feed_id,
                    record.guid,
                    record.url,
                    title,
                    author,
                    published,
                    updated,
                    published if published is not None else (updated or now),
                    now,
                    int(record.summary_only),
                    article_to_json(record.article),
                    record.feed_summary_html,
                    record.page_error,
                    int(record.page_error is not None),
                ),
            )
            article_id = int(cursor.lastrowid or 0)
            self._index(conn, article_id, title, author, record.article)
            return UpsertResult(article_id, record.guid, "new")
        known = _known(row)
        record = ArticleRecord(
            guid=record.guid,
            url=record.url,
            title=title,
            article=record.article,
            author=author,
            published=record.published,
            updated=record.updated,
            summary_only=record.summary_only,
            feed_summary_html=record.feed_summary_html,
            page_error=record.page_error,
        )
        changed = known.differs_from(record)
        # Never replace a cleaned page by the feed's summary: a page that failed this time
        # keeps what was stored before.
        replace_body = not record.summary_only or known.summary_only
        if not changed and not (known.summary_only and not record.summary_only):
            if known.summary_only and record.page_error:
                conn.execute(
                    "UPDATE articles SET page_error = ?, page_attempts = page_attempts + 1 "
                    "WHERE id = ?",
                    (record.page_error, known.id),
                )
            return UpsertResult(known.id, known.guid, "unchanged")
        conn.execute(
            "UPDATE articles SET guid = ?, url = ?, title = ?, author = ?, published = ?, "
            "updated = ?, sort_date = coalesce(?, sort_date), feed_summary_html = ? WHERE id = ?",
            (
                record.guid,
                record.url,
                title,
                author,
                published,
                updated,
                published,
                record.feed_summary_html,
                known.id,
            ),
        )
        if replace_body:
            self._set_body(
                conn,
                known.id,
                record.article,
                summary_only=record.summary_only,
                page_error=record.page_error,
            )
        else:
            self._reindex(conn, known.id)
        return UpsertResult(known.id, record.guid, "updated" if changed else "unchanged")

    def _set_body(
        self,
        conn: sqlite3.Connection,
        article_id: int,
        article: Article,
        *,
        summary_only: bool,
        page_error: str | None,
    ) -> None:
        # A page that worked resets the count; one more failure adds to it.
        conn.execute(
            "UPDATE articles SET article_json = ?, summary_only = ?, page_error = ?, "
            "page_attempts = CASE WHEN ? IS NULL THEN 0 ELSE page_attempts + 1 END WHERE id = ?",
            (article_to_json(article), int(summary_only), page_error, page_error, article_id),
        )
        self._reindex(conn, article_id, article)

    def _reindex(
        self, conn: sqlite3.Connection, article_id: int, article: Article | None = None
    ) -> None:
        row = conn.execute(
            "SELECT title, author, article_json FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return
        if article is None:
            article = article_from_json(row[2])
        conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
        self._index(conn, article_id, row[0], row[1], article)

    @staticmethod
    def _index(
        conn: sqlite3.Connection, article_id: int, title: str, author: str | None, article: Article
    ) -> None:
        byline = author or article.byline or ""
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, byline, text) VALUES (?, ?, ?, ?)",
            (article_id, title, byline, article.text),
        )

    @staticmethod
    def _prune(conn: sqlite3.Connection, feed_id: int, before: float, keep: frozenset[str]) -> int:
        rows = conn.execute(
            "SELECT id, guid FROM articles WHERE feed_id = ? AND read = 1 AND starred = 0 "
            "AND sort_date < ?",
            (feed_id, before),
        ).fetchall()
        doomed = [(r[0],) for r in rows if r[1] not in keep]
        conn.executemany("DELETE FROM articles WHERE id = ?", doomed)
        return len(doomed)

    def prune(self, before: float, *, keep: Iterable[tuple[int, str]] = ()) -> int:
        """Delete read, unstarred articles of ``feed`` feeds dated before ``before``.

        Articles of saved pages are never pruned: they were kept on purpose.
        """
        keep_set = set(keep)
        with self._writing() as conn:
            rows = conn.execute(
                "SELECT a.id, a.feed_id, a.guid FROM articles a JOIN feeds f ON f.id = a.feed_id "
                "WHERE f.kind = 'feed' AND a.read = 1 AND a.starred = 0 AND a.sort_date < ?",
                (before,),
            ).fetchall()
            doomed = [(r[0],) for r in rows if (r[1], r[2]) not in keep_set]
            conn.executemany("DELETE FROM articles WHERE id = ?", doomed)
        return len(doomed)

    # --- articles: reading side -------------------------------------------------------
    @staticmethod
    def _where(
        view: View, feed_id: int | None, tag: str | None, keep: Collection[int] = ()
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        # ``keep``: articles that stay in an unread/starred view although their flag changed
        # while it was shown, so the rows under the reader's cursor do not shift.
        kept = list(keep)[-_CHUNK:]
        also = f" OR a.id IN ({','.join('?' * len(kept))})" if kept else ""
        if view == "unread":
            clauses.append(f"(a.read = 0{also})")
            params += kept
        elif view == "starred":
            clauses.append(f"(a.starred = 1{also})")
            params += kept
        if feed_id is not None:
            clauses.append("a.feed_id = ?")
            params.append(feed_id)
        if tag is not None:
            clauses.append("a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag = ?)")
            params.append(tag)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list_articles(
        self,
        *,
        view: View = "all",
        feed_id: int | None = None,
        tag: str | None = None,
        limit: int = 100,
        offset: int = 0,
        keep: Collection[int] = (),
    ) -> list[ArticleSummary]:
        """Article summaries, newest first (no bodies are read)."""
        where, params = self._where(view, feed_id, tag, keep)
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id"
                f"{where} ORDER BY a.sort_date DESC, a.id DESC LIMIT ? OFFSET ?",
                (*params, max(0, limit), max(0, offset)),
            ).fetchall()
        return [_summary(row) for row in rows]

    def count_articles(
        self,
        *,
        view: View = "all",
        feed_id: int | None = None,
        tag: str | None = None,
        keep: Collection[int] = (),
    ) -> int:
        where, params = self._where(view, feed_id, tag, keep)
        with self._reading() as conn:
            return int(
                conn.execute(f"SELECT count(*) FROM articles a{where}", params).fetchone()[0]
            )

    def get_article(self, article_id: int) -> StoredArticle | None:
        with self._reading() as conn:
            row = conn.execute(
                f"SELECT {_SUMMARY_COLUMNS}, a.article_json, a.position, a.page_error "
                "FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        try:
            article = article_from_json(row[9])
        except (ValueError, KeyError, TypeError) as exc:
            raise StorageError(f"article {article_id} is damaged in the store ({exc})") from exc
        summary = _summary(row)
        return StoredArticle(
            summary=summary,
            article=article,
            summary_only=summary.summary_only,
            position=float(row[10]),
        )

    def page_error(self, article_id: int) -> str | None:
        with self._reading() as conn:
            row = conn.execute(
                "SELECT page_error FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return None if row is None else row[0]

    def article_id_by_url(self, url: str) -> int | None:
        """The newest stored article with this URL (any feed), or ``None``."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT id FROM articles WHERE url = ? ORDER BY summary_only, sort_date DESC "
                "LIMIT 1",
                (url,),
            ).fetchone()
        return None if row is None else int(row[0])

    def search(self, query: str, *, limit: int = 200) -> list[ArticleSummary]:
        """Full-text search; best matches first (title weighs most), with a text snippet."""
        match = fts_query(query)
        if match is None:
            return []
        with self._reading() as conn:
            # Ranking costs time for every match. When a query matches very many articles,
            # only the newest RANK_WINDOW of them (by id, which grows as articles arrive)
            # are ranked: search stays quick on a big store, and for so common a query the
            # recent articles are the ones wanted.
            floor = conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (match, RANK_WINDOW - 1),
            ).fetchone()
            # Rank first, then join only the best rows: anything computed per row (joins,
            # snippets) would otherwise be paid for every match.
            rows = conn.execute(
                "WITH best AS (SELECT rowid AS id, bm25(articles_fts, 10.0, 3.0, 1.0) AS score "
                "FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ? "
                "ORDER BY score LIMIT ?) "
                f"SELECT {_SUMMARY_COLUMNS} FROM best JOIN articles a ON a.id = best.id "
                "JOIN feeds f ON f.id = a.feed_id ORDER BY best.score, a.sort_date DESC",
                (match, floor[0] if floor else 0, max(0, limit)),
            ).fetchall()
            results = []
            words = [w.lower() for w in _FTS_TOKEN.findall(query)]
            for row in rows:
                text = conn.execute(
                    "SELECT text FROM articles_fts WHERE rowid = ?", (row[0],)
                ).fetchone()
                results.append(_summary(row, snippet(text[0] if text else "", words)))
        return results

    def set_flag(self, article_id: int, column: Literal["read", "starred"], value: bool) -> None:
        with self._writing() as conn:
            conn.execute(f"UPDATE articles SET {column} = ? WHERE id = ?", (int(value), article_id))

    def set_read_many(self, article_ids: Sequence[int], read: bool = True) -> None:
        with self._writing() as conn:
            conn.executemany(
                "UPDATE articles SET read = ? WHERE id = ?", [(int(read), i) for i in article_ids]
            )

    def set_page(self, article_id: int, article: Article) -> None:
        """Store the cleaned page of an article that had only the feed's summary."""
        with self._writing() as conn:
            self._set_body(conn, article_id, article, summary_only=False, page_error=None)

    def save_position(self, article_id: int, position: float) -> None:
        position = min(1.0, max(0.0, float(position)))
        with self._writing() as conn:
            conn.execute("UPDATE articles SET position = ? WHERE id = ?", (position, article_id))
