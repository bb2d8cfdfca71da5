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

import contextlib
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
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from tui_reader.core.errors import StorageError
from tui_reader.core.models import (
    Article,
    ArticleSummary,
    Block,
    FeedInfo,
    PageSource,
    StoredArticle,
    collapse_inline,
)
from tui_reader.core.sanitize import clean_line
from tui_reader.core.storage.schema import MIGRATIONS, SCHEMA_VERSION

View = Literal["all", "unread", "starred"]
SearchOrder = Literal["newest", "relevance"]
SEARCH_ORDERS: tuple[SearchOrder, ...] = ("newest", "relevance")
UpsertStatus = Literal["new", "updated", "unchanged"]

BUSY_TIMEOUT_MS = 10_000
_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)
_QUERY_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
_CHUNK = 400  # stays well under SQLite's limit on bound parameters
MAX_PAGE_ATTEMPTS = 5
"""A page that failed this many times is not fetched again by refreshes."""
PREFIX_MIN = 3
SORT_MATCHES_UP_TO = 3000
"""A newest-first search with at most this many matches sorts them; with more, it walks the
date index (see :meth:`Store.search`)."""
BACKFILL_BATCH = 200
"""Articles reindexed per transaction by a backfill: short enough not to hold up a refresh
running in another process, and each batch's progress survives an interruption."""


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


DEFERRED_BODY = '{"blocks":null}'
"""The stored body of a feed entry whose blocks are not made yet: they are rendered from the
stored feed HTML when the article is read (:mod:`tui_reader.core.feedbody`), and its
metadata is the row's own (title, author, date, link)."""


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


def article_from_json(
    text: str, feed_html: str | None = None, head: Article | None = None
) -> Article:
    """The stored article; a deferred body (:data:`DEFERRED_BODY`) is rendered from
    ``feed_html``, the entry's stored feed HTML, under ``head`` (the row's metadata)."""
    if text != DEFERRED_BODY:
        return Article.from_dict(json.loads(text))
    from tui_reader.core.feedbody import render

    return render(feed_html, head or Article())


def is_deferred(text: str) -> bool:
    """True when a stored article's body is still to be made from the feed's HTML."""
    return text == DEFERRED_BODY


def stored_index_text(text: str, feed_html: str | None) -> str:
    """:func:`index_text` of a stored article; for a deferred body, the words of the feed's
    HTML (what it was indexed with when stored)."""
    if is_deferred(text):
        from tui_reader.core.feedbody import index_words

        return index_words(feed_html)
    return index_text(article_from_json(text))


def index_text(article: Article) -> str:
    """The body text the search indexes: :attr:`Article.text` and what it leaves out.

    ``Article.text`` omits figures (a caption is not part of what the article says), but a
    reader who remembers a word from a caption or a picture's description expects to find
    the article by it. Those go after the body, so snippets still come from the body first.
    One definition for every writer: it is also computed in the refresh's worker processes,
    next to the article (see :attr:`ArticleRecord.body_text`).
    """
    extra: list[str] = []
    for top in article.blocks:
        for block in top.walk():
            if block.kind != "figure":
                continue
            caption = block.inline_text
            alt = collapse_inline(block.alt)
            # No figure is in the text, at the top level or nested in a list or a quote.
            for part in (caption, alt):
                if part and part not in extra:
                    extra.append(part)
    return "\n\n".join(t for t in (article.text, *extra) if t)


def fts_query(query: str) -> str | None:
    """Turn what the user typed into a safe FTS5 query, or ``None`` if it has no words.

    All words must match. Words in double quotes must also be next to each other, in that
    order (a phrase; a quote left open runs to the end). Everything else is just text: each
    word becomes a quoted FTS string, so FTS operators (``NEAR``, ``OR``, ``-``, ``:``) and
    stray characters typed by the user are never syntax. The last word, when not quoted, also
    matches as a prefix, so results appear while a word is still being typed (from its third
    letter on: a one-letter prefix would match most of the index); so does any word written
    with a ``*`` after it.
    """
    terms: list[str] = []
    open_word: str | None = None  # the last word, if typed bare and not yet a prefix
    for found in _QUERY_PART.finditer(query):
        phrase, bare = found.group(1), found.group(2)
        if phrase is not None:
            words = _FTS_TOKEN.findall(phrase)
            if words:
                terms.append(f'"{" ".join(words)}"')
                open_word = None
            continue
        words = _FTS_TOKEN.findall(bare)
        for n, word in enumerate(words):
            starred = n == len(words) - 1 and bare.endswith("*")
            prefix = starred and len(word) >= PREFIX_MIN
            terms.append(f'"{word}" *' if prefix else f'"{word}"')
            open_word = None if starred else word
    if not terms:
        return None
    if open_word is not None and len(open_word) >= PREFIX_MIN:
        terms[-1] += " *"
    return " ".join(terms)


@lru_cache(maxsize=64)
def _snippet_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A whole-word match of any of ``words``, the last one as a prefix (see :func:`snippet`)."""
    exact = [re.escape(word) + r"(?!\w)" for word in words[:-1]]
    return re.compile(r"(?<!\w)(?:" + "|".join([*exact, re.escape(words[-1])]) + ")", re.I)


def snippet(text: str, words: Sequence[str], size: int = 24) -> str | None:
    """About ``size`` words of ``text`` around the first place one of ``words`` occurs.

    The last word counts as a prefix, as in the search itself. Without a match in the text
    (the words were in the title), the text's opening words.
    """
    tokens = text.split()
    if not tokens:
        return None
    start = 0
    # One regex search finds the first match: checking token by token cost more than the
    # query itself on a page of results.
    found = _snippet_pattern(tuple(words)).search(text) if words else None
    if found is not None:
        at = found.start()
        index = len(text[:at].split())
        if at > 0 and not text[at - 1].isspace():
            index -= 1  # the match starts inside a token ("rock-" + "volcano")
        start = max(0, index - size // 3)
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
    article: Article | None
    """The cleaned article; ``None`` when the body comes ready to store (``body_json``) and
    the metadata is the record's own (see :attr:`head`)."""
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    summary_only: bool = False
    feed_summary_html: str | None = None
    page_error: str | None = None
    body_json: str | None = None
    """The article as stored (:func:`article_to_json`), when already made where the article
    was built; ``article`` then need only carry the metadata. Spares the writer the work."""
    body_text: str | None = None
    """:func:`index_text` of the article, made alongside ``body_json``."""

    @property
    def head(self) -> Article:
        """The article, or its metadata when it has no article of its own."""
        if self.article is not None:
            return self.article
        return Article(
            title=self.title, byline=self.author or None, published=self.published, url=self.url
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent between processes by the ten thousand: the fields as a tuple pickle and load
        # several times faster than the dataclass's default state.
        return (ArticleRecord, (
            self.guid, self.url, self.title, self.article, self.author, self.published,
            self.updated, self.summary_only, self.feed_summary_html, self.page_error,
            self.body_json, self.body_text,
        ))  # fmt: skip


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
    deferred_until: datetime | None = None
    """Not to be fetched before this time: its server asked to wait (``Retry-After``)."""


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
    """... those still listed in the feed (else they would come back as new), ..."""
    keep_listed: bool = False
    """... and those the feed's latest document listed (for a 304, with no document at hand)."""
    listing: bool = False
    """``records`` and ``also_listed`` are the whole of the feed's current document: the
    feed's other articles are marked as no longer listed (see ``keep_listed``)."""
    also_listed: frozenset[int] = field(default_factory=frozenset)
    """Ids of stored articles the document lists unchanged (so not in ``records``)."""
    dates: Sequence[float | None] | None = None
    """Where each of ``records`` sorts if undated (see :func:`undated_sort_dates`), when the
    caller worked it out over more entries than ``records``; else from ``records`` alone."""


_SUMMARY_COLUMNS = (
    "a.id, a.feed_id, coalesce(f.user_title, f.title), a.title, a.url, a.published, a.read, "
    "a.starred, a.summary_only"
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


def undated_sort_dates(
    records: Sequence[ArticleRecord], now: float, previous: float | None = None
) -> list[float | None]:
    """Where each undated record of one feed's batch sorts (``None`` for dated ones).

    An entry without a date sorts by when it was fetched, but in the feed's own order: just
    below the entry listed before it (the entry's neighbour's date when that one is dated),
    never above ``now``. Giving them all ``now`` put every undated entry above all dated
    ones, and listed a batch of them backwards (same date, newest id first). ``previous``
    is where the entry before the batch sorts, for a document stored in several batches.
    """
    dates: list[float | None] = []
    for record in records:
        dated = to_epoch(record.published) or to_epoch(record.updated)
        if dated is not None:
            dates.append(None)
            previous = dated
            continue
        # A millisecond apart: enough to keep their order, too little to matter otherwise.
        guess = (now if previous is None else min(now, previous)) - 0.001
        dates.append(guess)
        previous = guess
    return dates


def queue_marks(
    conn: sqlite3.Connection,
    flag: Literal["read", "starred"],
    value: bool,
    where: str,
    params: Sequence[Any],
) -> None:
    """Queue the change of ``flag`` for the server, for the articles ``where`` selects that
    the server knows (a ``remote_id``), in the caller's transaction.

    One row per (item, flag): a later change replaces the wanted value and takes a newer
    version, so a delivery in flight knows the row moved on (see the ``SYNC`` migration).
    """
    conn.execute(
        "INSERT INTO sync_marks(item_id, flag, value, version) "
        "SELECT remote_id, ?, ?, (SELECT coalesce(max(version), 0) + 1 FROM sync_marks) "
        f"FROM articles WHERE remote_id IS NOT NULL AND {where} "
        "ON CONFLICT(item_id, flag) DO UPDATE SET value = excluded.value, "
        "version = excluded.version",
        (flag, int(value), *params),
    )


WAL_AUTOCHECKPOINT = 1000
"""Pages of write-ahead log after which a commit copies it back into the database (SQLite's
default, which the store keeps but for :meth:`Store.store_entries` without ``checkpoint``)."""


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
        self._backfill_captions()

    def _backfill_fts(self) -> None:
        """Index the body text of articles stored before search existed."""
        conn = self._connection()
        if conn.execute("SELECT 1 FROM settings WHERE key = 'fts_backfill'").fetchone() is None:
            return
        with self._writing() as conn:
            rows = conn.execute(
                "SELECT id, article_json, feed_summary_html FROM articles"
            ).fetchall()
            for article_id, text, feed_html in rows:
                try:
                    body = stored_index_text(text, feed_html)
                except (ValueError, KeyError, TypeError):
                    continue
                conn.execute("UPDATE articles_fts SET text = ? WHERE rowid = ?", (body, article_id))
            conn.execute("DELETE FROM settings WHERE key = 'fts_backfill'")

    def _backfill_captions(self, batch: int = BACKFILL_BATCH) -> None:
        """Reindex the articles stored before captions were indexed (see schema V5).

        Only articles with a figure need it. Each batch is its own transaction and records
        how far it got, so a refresh in another process waits for one batch at most and a
        killed backfill carries on at the next open.
        """
        key = "fts_captions_after"
        conn = self._connection()
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return
        try:
            after = int(row[0])
        except ValueError:
            after = 0  # a mangled setting: start again, reindexing twice does no harm
        while True:
            with self._writing() as conn:
                rows = conn.execute(
                    "SELECT id, article_json, feed_summary_html FROM articles WHERE id > ? "
                    "AND instr(article_json, '\"figure\"') > 0 ORDER BY id LIMIT ?",
                    (after, batch),
                ).fetchall()
                for article_id, text, feed_html in rows:
                    try:
                        body = stored_index_text(text, feed_html)
                    except (ValueError, KeyError, TypeError):
                        continue  # a damaged body keeps the index it has
                    conn.execute(
                        "UPDATE articles_fts SET text = ? WHERE rowid = ?", (body, article_id)
                    )
                if len(rows) < batch:
                    conn.execute("DELETE FROM settings WHERE key = ?", (key,))
                    return
                after = int(rows[-1][0])
                conn.execute("UPDATE settings SET value = ? WHERE key = ?", (str(after), key))

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
            "SELECT id, url, coalesce(user_title, title), site_url, kind, etag, last_modified, "
            "last_refresh, last_error, deferred_until FROM feeds"
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
                deferred_until=from_epoch(r[9]),
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
                "SELECT id, url, coalesce(user_title, title) AS shown, site_url, kind, "
                "last_refresh, last_error, deferred_until FROM feeds "
                "ORDER BY kind = 'saved', lower(shown), id"
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
                deferred_until=from_epoch(r[7]),
            )
            for r in rows
        ]

    def remove_feed(self, feed_id: int) -> bool:
        """Delete a feed and its articles; False if there was no such feed."""
        with self._writing() as conn:
            cursor = conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return cursor.rowcount > 0

    def change_marker(self) -> tuple[Any, ...]:
        """A cheap value that changes when articles arrive or feeds are refreshed, added or
        removed, by this process or another (a ``fetch`` from cron)."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT (SELECT max(id) FROM articles), (SELECT count(*) FROM feeds), "
                "(SELECT max(last_refresh) FROM feeds)"
            ).fetchone()
        return tuple(row)

    def rename_feed(self, feed_id: int, title: str | None) -> bool:
        """Give a feed the user's title (``None`` or blank: back to the feed's own title).

        Returns False when there is no such feed.
        """
        title = clean_line(title or "") or None
        with self._writing() as conn:
            cursor = conn.execute("UPDATE feeds SET user_title = ? WHERE id = ?", (title, feed_id))
        return cursor.rowcount > 0

    def set_feed_tags(self, feed_id: int, tags: Iterable[str]) -> None:
        """Replace a feed's tags (blank ones are dropped; an empty list removes them all)."""
        # "a / b/" is the path tag "a/b", as OPML folders give it; "/" alone is no tag.
        paths = ("/".join(p.strip() for p in clean_line(t).split("/") if p.strip()) for t in tags)
        wanted = list(dict.fromkeys(path for path in paths if path))
        with self._writing() as conn:
            conn.execute("DELETE FROM feed_tags WHERE feed_id = ?", (feed_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO feed_tags(feed_id, tag) VALUES (?, ?)",
                [(feed_id, tag) for tag in wanted],
            )

    def set_feed_error(self, feed_id: int, error: str | None) -> None:
        with self._writing() as conn:
            conn.execute(
                "UPDATE feeds SET last_error = ?, last_refresh = ?, deferred_until = NULL "
                "WHERE id = ?",
                (error, time.time(), feed_id),
            )

    def defer_feed(self, feed_id: int, until: float) -> None:
        """Skip the feed in refreshes until ``until`` (epoch): its server asked to wait."""
        with self._writing() as conn:
            conn.execute("UPDATE feeds SET deferred_until = ? WHERE id = ?", (until, feed_id))

    def move_feed(self, feed_id: int, url: str) -> int | None:
        """Store the feed's new URL (it moved for good).

        Returns:
            ``None`` when done; the id of the other feed already subscribed at ``url``, in
            which case nothing changed (two subscriptions are not merged behind the user's
            back).
        """
        with self._writing() as conn:
            row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is not None:
                return None if int(row[0]) == feed_id else int(row[0])
            conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))
        return None

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
        with self._writing() as conn:
            return self._upsert_many(conn, feed_id, records, time.time())

    def store_entries(
        self,
        feed_id: int,
        records: Sequence[ArticleRecord],
        now: float,
        previous: float | None = None,
        *,
        new: bool = False,
        checkpoint: bool = True,
    ) -> tuple[list[UpsertResult], float | None]:
        """Store a run of one feed document's entries in a transaction of its own (a large
        document is stored a piece at a time, as its pieces are parsed); ``[]`` when the
        feed is gone.

        ``now`` is the time of the whole refresh and ``previous`` where the entry before this
        run sorts (see :func:`undated_sort_dates`); returned with the results is where the
        run's last entry sorts, to pass on to the next run. The feed's own row and what
        its document lists are left to :meth:`write_feed` after the last run.

        With ``new``, the records are known not to be stored (the pieces of a feed's first
        fetch, each id in one piece only): they are not looked up, and one that is there
        after all fails the call, with nothing of it stored. Without ``checkpoint``, the
        write-ahead log is not copied back into the database after this write: the next
        write that does it takes several pieces at once (it is one pass over the file).
        """
        conn: sqlite3.Connection | None = None
        try:
            with self._writing() as conn:
                if not checkpoint:
                    conn.execute("PRAGMA wal_autocheckpoint = 0")
                if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
                    return [], previous
                dates = undated_sort_dates(records, now, previous)
                results = self._upsert_many(conn, feed_id, records, now, dates, new=new)
        finally:
            if not checkpoint and conn is not None:
                # The setting is the connection's; the commit, now done, was what it skipped.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
        if not records:
            return results, previous
        last = records[-1]
        return results, to_epoch(last.published) or to_epoch(last.updated) or dates[-1]

    def write_feed(self, feed_id: int, update: FeedUpdate) -> list[UpsertResult]:
        """Store everything one refresh of a feed produced, in one transaction."""
        now = time.time()
        with self._writing() as conn:
            if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
                return []  # unsubscribed while it was being fetched: nothing to keep
            results = self._upsert_many(conn, feed_id, update.records, now, update.dates)
            if update.listing:
                self._mark_listed(
                    conn, feed_id, {result.id for result in results} | update.also_listed
                )
            for article_id, article in update.pages:
                self._set_body(conn, article_id, article, summary_only=False, page_error=None)
            for article_id, reason in update.page_errors:
                conn.execute(
                    "UPDATE articles SET page_error = ?, page_attempts = page_attempts + 1 "
                    "WHERE id = ?",
                    (reason, article_id),
                )
            sets = ["last_refresh = ?", "last_error = ?", "deferred_until = NULL"]
            params: list[Any] = [now, update.error]
            if update.title:
                # A feed a sync server lists takes its title from the server, which owns it.
                sets.append("title = CASE WHEN remote_id IS NULL THEN ? ELSE title END")
                params.append(clean_line(update.title))
            if update.site_url:
                sets.append("site_url = ?")
                params.append(update.site_url)
            if update.set_validators:
                sets += ["etag = ?", "last_modified = ?"]
                params += [update.etag, update.last_modified]
            conn.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE id = ?", (*params, feed_id))
            if update.prune_before is not None:
                self._prune(
                    conn, feed_id, update.prune_before, update.keep_guids, update.keep_listed
                )
        return results

    def _upsert_many(
        self,
        conn: sqlite3.Connection,
        feed_id: int,
        records: Sequence[ArticleRecord],
        now: float,
        dates: Sequence[float | None] | None = None,
        *,
        new: bool = False,
    ) -> list[UpsertResult]:
        """Insert and update ``records`` with as few statements as their number allows
        (``dates``: their :func:`undated_sort_dates`, when the caller has them; ``new``: the
        records are known not to be stored, see :meth:`store_entries`).

        What is stored already is looked up in chunks; new rows (nearly all of them on a
        feed's first fetch) are inserted with one ``executemany`` for the articles and one for
        the search index. Known rows are updated one by one, as only changed entries are.
        """
        if not records:
            return []
        if conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
            raise StorageError(f"no feed with id {feed_id}")
        current = frozenset(record.guid for record in records)
        if dates is None:
            dates = undated_sort_dates(records, now)
        # A feed with nothing stored yet (its first fetch: the large ones) has nothing to
        # look up.
        stored = not new and (
            conn.execute("SELECT 1 FROM articles WHERE feed_id = ? LIMIT 1", (feed_id,)).fetchone()
            is not None
        )
        by_guid: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(list(current) if stored else []):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {_KNOWN_COLUMNS} FROM articles WHERE feed_id = ? AND guid IN ({marks})",
                (feed_id, *chunk),
            ):
                by_guid[row[1]] = row
        urls = list({r.url for r in records if r.url and r.guid not in by_guid}) if stored else []
        by_url: dict[str, list[tuple[Any, ...]]] = {}
        for chunk in _chunks(urls):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {_KNOWN_COLUMNS} FROM articles WHERE +feed_id = ? AND url IN ({marks}) "
                "ORDER BY id",
                (feed_id, *chunk),
            ):
                by_url.setdefault(row[2], []).append(row)
        results: list[UpsertResult | None] = [None] * len(records)
        fresh: list[int] = []
        again: list[int] = []
        seen: set[str] = set()
        claimed: set[int] = set()
        for index, record in enumerate(records):
            if record.guid in seen:
                again.append(index)  # a repeated id updates what its first copy stored
                continue
            seen.add(record.guid)
            row = by_guid.get(record.guid)
            if row is None and record.url:
                # Some feeds change an entry's id while the link stays: that is the same
                # article, but only if its old id is gone from the feed (``current``).
                # Distinct entries that share one link stay distinct articles.
                for candidate in by_url.get(record.url, ()):
                    if candidate[1] not in current and candidate[0] not in claimed:
                        row = candidate
                        claimed.add(candidate[0])
                        break
            if row is None:
                fresh.append(index)
            else:
                results[index] = self._update_known(conn, _known(row), record)
        if fresh:
            # Ids are given here (one past the largest, as SQLite would) so that the search
            # index rows can be inserted in one batch too.
            next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])
            rows: list[tuple[Any, ...]] = []
            index_rows: list[tuple[Any, ...]] = []
            kept: list[tuple[int, PageSource]] = []
            for index in fresh:
                record = records[index]
                next_id += 1
                published = to_epoch(record.published)
                updated = to_epoch(record.updated)
                title = clean_line(record.title)
                author = clean_line(record.author) if record.author else None
                rows.append(
                    (
                        next_id,
                        feed_id,
                        record.guid,
                        record.url,
                        title,
                        author,
                        published,
                        updated,
                        published if published is not None else (updated or dates[index] or now),
                        now,
                        int(record.summary_only),
                        record.body_json or article_to_json(record.head),
                        record.feed_summary_html,
                        record.page_error,
                        int(record.page_error is not None),
                    )
                )
                index_rows.append(
                    self._index_row(next_id, title, author, record.article, record.body_text)
                )
                if record.article is not None and record.article.source is not None:
                    kept.append((next_id, record.article.source))
                results[index] = UpsertResult(next_id, record.guid, "new")
            conn.executemany(
                "INSERT INTO articles(id, feed_id, guid, url, title, author, published, updated, "
                "sort_date, fetched_at, summary_only, article_json, feed_summary_html, "
                "page_error, page_attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO articles_fts(rowid, title, byline, text) VALUES (?, ?, ?, ?)",
                index_rows,
            )
            for article_id, page in kept:
                self._keep_page(conn, article_id, page)
        for index in again:
            results[index] = self._upsert(conn, feed_id, records[index], now, current, dates[index])
        return [result for result in results if result is not None]

    @staticmethod
    def _mark_listed(conn: sqlite3.Connection, feed_id: int, ids: set[int]) -> None:
        """Record that exactly ``ids`` are in the feed's latest document (changes only)."""
        listed = {
            int(row[0])
            for row in conn.execute(
                "SELECT id FROM articles WHERE feed_id = ? AND listed = 1", (feed_id,)
            )
        }
        conn.executemany(
            "UPDATE articles SET listed = 0 WHERE id = ?", [(i,) for i in listed - ids]
        )
        conn.executemany(
            "UPDATE articles SET listed = 1 WHERE id = ?", [(i,) for i in ids - listed]
        )

    def _upsert(
        self,
        conn: sqlite3.Connection,
        feed_id: int,
        record: ArticleRecord,
        now: float,
        current: frozenset[str],
        sort_date: float | None = None,
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
                    published if published is not None else (updated or sort_date or now),
                    now,
                    int(record.summary_only),
                    record.body_json or article_to_json(record.head),
                    record.feed_summary_html,
                    record.page_error,
                    int(record.page_error is not None),
                ),
            )
            article_id = int(cursor.lastrowid or 0)
            self._index(conn, article_id, title, author, record.article, record.body_text)
            if record.article is not None:
                self._keep_page(conn, article_id, record.article.source)
            return UpsertResult(article_id, record.guid, "new")
        return self._update_known(conn, _known(row), record)

    def _update_known(
        self, conn: sqlite3.Connection, known: KnownArticle, record: ArticleRecord
    ) -> UpsertResult:
        """Update a stored article from a new copy of its entry (only what changed)."""
        published = to_epoch(record.published)
        updated = to_epoch(record.updated)
        title = clean_line(record.title)
        author = clean_line(record.author) if record.author else None
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
            body_json=record.body_json,
            body_text=record.body_text,
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
                record.head,
                summary_only=record.summary_only,
                page_error=record.page_error,
                stored=(record.body_json, record.body_text or "")
                if record.body_json is not None
                else None,
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
        stored: tuple[str, str] | None = None,
    ) -> None:
        """Store an article's body: ``article``, or ``stored`` when it came ready to store
        (the JSON and the indexed text; ``article`` is then its metadata only)."""
        body, text = stored if stored is not None else (article_to_json(article), None)
        # A page that worked resets the count; one more failure adds to it.
        conn.execute(
            "UPDATE articles SET article_json = ?, summary_only = ?, page_error = ?, "
            "page_attempts = CASE WHEN ? IS NULL THEN 0 ELSE page_attempts + 1 END WHERE id = ?",
            (body, int(summary_only), page_error, page_error, article_id),
        )
        self._reindex(conn, article_id, article, text)
        self._keep_page(conn, article_id, article.source)

    @staticmethod
    def _keep_page(conn: sqlite3.Connection, article_id: int, page: PageSource | None) -> None:
        """Store the page an article was just cleaned from (kept until the article goes)."""
        if page is None:
            return
        conn.execute(
            "INSERT OR REPLACE INTO pages(article_id, url, html_z, chars, truncated, stored_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (article_id, page.url, page.html_z, page.chars, int(page.truncated), time.time()),
        )

    def _reindex(
        self,
        conn: sqlite3.Connection,
        article_id: int,
        article: Article | None = None,
        text: str | None = None,
    ) -> None:
        """Index the article again: ``article`` (or ``text``, its indexed text, when given),
        else what is stored."""
        row = conn.execute(
            "SELECT title, author, article_json, feed_summary_html FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return
        if article is None and text is None:
            if is_deferred(row[2]):
                # Not rendered to be indexed: the words of its feed HTML are what it indexes.
                text = stored_index_text(row[2], row[3])
            else:
                article = article_from_json(row[2])
        conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
        self._index(conn, article_id, row[0], row[1], article, text)

    @staticmethod
    def _index_row(
        article_id: int,
        title: str,
        author: str | None,
        article: Article | None,
        text: str | None = None,
    ) -> tuple[int, str, str, str]:
        """The search index's row for an article: ``(rowid, title, byline, text)``.

        ``article`` may be ``None`` when ``text`` is given (a record's ready-made body,
        whose metadata is the record's own).
        """
        body = text if text is not None else index_text(article or Article())
        byline = author or (article.byline if article is not None else None) or ""
        return (article_id, title, byline, body)

    @classmethod
    def _index(
        cls,
        conn: sqlite3.Connection,
        article_id: int,
        title: str,
        author: str | None,
        article: Article | None,
        text: str | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, byline, text) VALUES (?, ?, ?, ?)",
            cls._index_row(article_id, title, author, article, text),
        )

    @staticmethod
    def _prune(
        conn: sqlite3.Connection,
        feed_id: int,
        before: float,
        keep: frozenset[str],
        keep_listed: bool = False,
    ) -> int:
        listed = " AND listed = 0" if keep_listed else ""
        rows = conn.execute(
            "SELECT id, guid FROM articles WHERE feed_id = ? AND read = 1 AND starred = 0 "
            f"AND sort_date < ?{listed}",
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

    def first_page(
        self, *, view: View = "all", limit: int = 100
    ) -> tuple[int, list[ArticleSummary]]:
        """A view's article count and its newest ``limit`` summaries, read in one statement.

        For the app's first frame. The count is an uncorrelated scalar subquery, which SQLite
        runs once, in the same statement (so the same snapshot) as the rows.
        """
        where, params = self._where(view, None, None)
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT {_SUMMARY_COLUMNS}, (SELECT count(*) FROM articles a{where}) "
                f"FROM articles a JOIN feeds f ON f.id = a.feed_id{where} "
                "ORDER BY a.sort_date DESC, a.id DESC LIMIT ?",
                (*params, *params, max(1, limit)),
            ).fetchall()
        if not rows:
            return 0, []
        return int(rows[0][-1]), [_summary(row) for row in rows]

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
                f"SELECT {_SUMMARY_COLUMNS}, a.article_json, a.position, a.page_error, "
                "a.feed_summary_html, a.author FROM articles a JOIN feeds f ON f.id = a.feed_id "
                "WHERE a.id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        try:
            head = None
            if is_deferred(row[9]):
                head = Article(
                    title=row[3], byline=row[13] or None, published=from_epoch(row[5]), url=row[4]
                )
            article = article_from_json(row[9], row[12], head)
        except (ValueError, KeyError, TypeError) as exc:
            raise StorageError(f"article {article_id} is damaged in the store ({exc})") from exc
        summary = _summary(row)
        return StoredArticle(
            summary=summary,
            article=article,
            summary_only=summary.summary_only,
            position=float(row[10]),
        )

    def stored_page(self, article_id: int) -> PageSource | None:
        """The page the article was cleaned from, when the store has it."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT html_z, url, chars, truncated FROM pages WHERE article_id = ?",
                (article_id,),
            ).fetchone()
        if row is None or not isinstance(row[0], bytes):
            return None
        return PageSource(html_z=row[0], url=row[1], chars=int(row[2]), truncated=bool(row[3]))

    def set_stored_page(self, article_id: int, page: PageSource) -> None:
        """Keep ``page`` for an already stored article (its body is left as it is)."""
        with self._writing() as conn:
            if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                self._keep_page(conn, article_id, page)

    def feed_html(self, article_id: int) -> str | None:
        """The feed entry's own HTML (content or summary) as stored with the article."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT feed_summary_html FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return None if row is None else row[0]

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

    def search(
        self,
        query: str,
        *,
        limit: int = 200,
        offset: int = 0,
        order: SearchOrder = "newest",
    ) -> list[ArticleSummary]:
        """Full-text search over title, byline, text and captions, a page at a time.

        Args:
            query: what the user typed (see :func:`fts_query`).
            limit: at most this many results (at least 1).
            offset: skip this many results first, to page through all of them.
            order: ``"newest"`` (by the articles' dates, as the lists are) or
                ``"relevance"`` (best matches first; the title weighs most).

        Both orders are total (ties are broken by id), so consecutive pages reach every
        match exactly once while the store does not change.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if offset < 0:
            raise ValueError(f"offset must not be negative, not {offset}")
        if order not in SEARCH_ORDERS:
            raise ValueError(f"unknown search order: {order!r}")
        match = fts_query(query)
        if match is None:
            return []
        with self._reading() as conn:
            if order == "newest":
                # Few matches: look each one up and sort them. Many: gather their ids once
                # and walk the date index newest first, stopping after the page, as a list
                # query does; sorting tens of thousands of rows would cost ten times more,
                # and walking the whole index for a rare word would too.
                many = conn.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1 OFFSET ?",
                    (match, SORT_MATCHES_UP_TO),
                ).fetchone()
                by_date = " INDEXED BY articles_by_date" if many else ""
                rows = conn.execute(
                    f"SELECT {_SUMMARY_COLUMNS} FROM articles a{by_date} "
                    "JOIN feeds f ON f.id = a.feed_id "
                    "WHERE a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) "
                    "ORDER BY a.sort_date DESC, a.id DESC LIMIT ? OFFSET ?",
                    (match, limit, offset),
                ).fetchall()
            else:
                # Rank inside the index, then join only the page: anything computed per row
                # (joins, snippets) would otherwise be paid for every match.
                rows = conn.execute(
                    "WITH best AS (SELECT rowid AS id, bm25(articles_fts, 10.0, 3.0, 1.0) "
                    "AS score FROM articles_fts WHERE articles_fts MATCH ? "
                    "ORDER BY score, rowid DESC LIMIT ? OFFSET ?) "
                    f"SELECT {_SUMMARY_COLUMNS} FROM best JOIN articles a ON a.id = best.id "
                    "JOIN feeds f ON f.id = a.feed_id ORDER BY best.score, a.id DESC",
                    (match, limit, offset),
                ).fetchall()
            results = []
            words = [w.lower() for w in _FTS_TOKEN.findall(query)]
            for row in rows:
                text = conn.execute(
                    "SELECT text FROM articles_fts WHERE rowid = ?", (row[0],)
                ).fetchone()
                results.append(_summary(row, snippet(text[0] if text else "", words)))
        return results

    def count_search(self, query: str) -> int:
        """How many articles :meth:`search` finds for ``query`` (all pages together)."""
        match = fts_query(query)
        if match is None:
            return 0
        with self._reading() as conn:
            return int(
                conn.execute(
                    "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)
                ).fetchone()[0]
            )

    def set_flag(self, article_id: int, column: Literal["read", "starred"], value: bool) -> None:
        with self._writing() as conn:
            conn.execute(f"UPDATE articles SET {column} = ? WHERE id = ?", (int(value), article_id))
            queue_marks(conn, column, value, "id = ?", [article_id])

    def set_read_many(self, article_ids: Sequence[int], read: bool = True) -> None:
        with self._writing() as conn:
            conn.executemany(
                "UPDATE articles SET read = ? WHERE id = ?", [(int(read), i) for i in article_ids]
            )
            for chunk in _chunks(list(article_ids)):
                queue_marks(conn, "read", read, f"id IN ({','.join('?' * len(chunk))})", chunk)

    def mark_read_where(
        self,
        *,
        view: View = "all",
        feed_id: int | None = None,
        tag: str | None = None,
        below: int | None = None,
        before: float | None = None,
    ) -> list[int]:
        """Mark read every unread article of a selection, in one transaction.

        Args:
            view, feed_id, tag: the selection, as for :meth:`list_articles`.
            below: only the articles listed after this one (older, in list order).
            before: only the articles whose list date is before this epoch time.

        Returns:
            The ids that changed (to undo with ``set_read_many(ids, False)``).
        """
        where, params = self._where(view, feed_id, tag)
        clauses = [where.removeprefix(" WHERE ")] if where else []
        clauses.append("a.read = 0")
        if below is not None:
            # Rows are listed by (sort_date, id) descending: "after" is smaller in both.
            clauses.append(
                "(a.sort_date < (SELECT sort_date FROM articles WHERE id = ?) OR "
                "(a.sort_date = (SELECT sort_date FROM articles WHERE id = ?) AND a.id < ?))"
            )
            params += [below, below, below]
        if before is not None:
            clauses.append("a.sort_date < ?")
            params.append(before)
        chosen = f"SELECT a.id FROM articles a WHERE {' AND '.join(clauses)}"
        with self._writing() as conn:
            # The ids first (for undo), then one statement over the same selection: inside
            # one write transaction nothing can change in between.
            ids = [int(row[0]) for row in conn.execute(chosen, params)]
            if ids:
                conn.execute(f"UPDATE articles SET read = 1 WHERE id IN ({chosen})", params)
                for chunk in _chunks(ids):
                    queue_marks(conn, "read", True, f"id IN ({','.join('?' * len(chunk))})", chunk)
        return ids

    def set_page(self, article_id: int, article: Article) -> None:
        """Store the cleaned page of an article that had only the feed's summary."""
        with self._writing() as conn:
            self._set_body(conn, article_id, article, summary_only=False, page_error=None)

    def set_page_error(self, article_id: int, reason: str) -> None:
        """Record that the page of a summary-only article failed (once more)."""
        with self._writing() as conn:
            conn.execute(
                "UPDATE articles SET page_error = ?, page_attempts = page_attempts + 1 "
                "WHERE id = ? AND summary_only = 1",
                (reason, article_id),
            )

    def save_position(self, article_id: int, position: float) -> None:
        position = min(1.0, max(0.0, float(position)))
        with self._writing() as conn:
            conn.execute("UPDATE articles SET position = ? WHERE id = ?", (position, article_id))
