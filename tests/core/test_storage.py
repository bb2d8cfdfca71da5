"""The SQLite store: dedup, updates in place, retention, search, migrations, errors."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui_reader.core.errors import StorageError
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store
from tui_reader.core.storage.schema import SCHEMA_VERSION
from tui_reader.core.storage.sqlite import article_to_json, fts_query

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def body(*paragraphs: str) -> tuple[Block, ...]:
    return tuple(Block("paragraph", spans=(Span(p),)) for p in paragraphs)


def record(
    guid: str,
    *,
    title: str = "A title",
    url: str | None = None,
    text: str = "Some body text.",
    published: datetime | None = NOW,
    updated: datetime | None = None,
    summary_only: bool = False,
    author: str | None = None,
) -> ArticleRecord:
    return ArticleRecord(
        guid=guid,
        url=url if url is not None else f"https://example.org/{guid}",
        title=title,
        article=Article(title=title, blocks=body(text)),
        author=author,
        published=published,
        updated=updated,
        summary_only=summary_only,
        feed_summary_html=f"<p>{text}</p>" if summary_only else None,
    )


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "store.sqlite3")
    yield s
    s.close()


@pytest.fixture
def feed(store: Store) -> int:
    feed_id, created = store.add_feed("https://example.org/feed.xml", title="Example")
    assert created
    return feed_id


def test_new_store_has_current_schema_and_pragmas(store: Store) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    own = store._connection()
    assert own.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert own.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert own.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store.integrity_check() == "ok"


def test_add_feed_twice_keeps_one_row_and_adds_tags(store: Store) -> None:
    first, created = store.add_feed("https://a.example/feed", title="A", tags=["news"])
    again, created_again = store.add_feed("https://a.example/feed", tags=["world", "news"])
    assert created and not created_again and first == again
    (info,) = store.list_feeds()
    assert info.tags == ("news", "world")


def test_same_guid_is_stored_once(store: Store, feed: int) -> None:
    (first,) = store.upsert_articles(feed, [record("g1")])
    (second,) = store.upsert_articles(feed, [record("g1")])
    assert first.status == "new" and second.status == "unchanged"
    assert first.id == second.id
    assert store.count_articles() == 1


def test_same_link_with_a_new_guid_is_the_same_article(store: Store, feed: int) -> None:
    (first,) = store.upsert_articles(feed, [record("g1", url="https://example.org/story")])
    (second,) = store.upsert_articles(
        feed, [record("other-id", url="https://example.org/story", title="New title")]
    )
    assert second.id == first.id and second.status == "updated"
    assert store.count_articles() == 1


def test_distinct_entries_sharing_one_link_stay_distinct(store: Store, feed: int) -> None:
    shared = "https://example.org/live-blog"
    records = [record(f"post-{i}", url=shared, title=f"Post {i}") for i in range(3)]
    first = store.upsert_articles(feed, records)
    assert [r.status for r in first] == ["new", "new", "new"]
    again = store.upsert_articles(feed, records)
    assert [r.status for r in again] == ["unchanged"] * 3
    titles = sorted(a.title for a in store.list_articles(limit=10))
    assert titles == ["Post 0", "Post 1", "Post 2"]


def test_an_entry_renamed_keeps_its_flags_and_is_not_pruned(store: Store, feed: int) -> None:
    old = NOW - timedelta(days=100)
    url = "https://example.org/story"
    (first,) = store.upsert_articles(feed, [record("old-id", url=url, published=old)])
    store.set_flag(first.id, "read", True)
    # The feed now gives the entry a new id; it is still in the feed, so it must survive
    # retention, and stay read.
    cutoff = (NOW - timedelta(days=30)).timestamp()
    (renamed,) = store.write_feed(
        feed,
        FeedUpdate(
            records=[record("new-id", url=url, published=old)],
            prune_before=cutoff,
            keep_guids=frozenset({"new-id"}),
        ),
    )
    assert renamed.id == first.id and renamed.guid == "new-id"
    (listed,) = store.list_articles(limit=10)
    assert listed.id == first.id and listed.read


def test_same_guid_in_two_feeds_is_two_articles(store: Store, feed: int) -> None:
    other, _ = store.add_feed("https://other.example/feed")
    store.upsert_articles(feed, [record("g1")])
    store.upsert_articles(other, [record("g1")])
    assert store.count_articles() == 2


def test_updated_entry_is_updated_in_place_keeping_flags(store: Store, feed: int) -> None:
    (r,) = store.upsert_articles(feed, [record("g1", title="Old", text="old words")])
    store.set_flag(r.id, "read", True)
    store.set_flag(r.id, "starred", True)
    store.save_position(r.id, 0.4)
    later = NOW + timedelta(hours=1)
    (u,) = store.upsert_articles(
        feed, [record("g1", title="New", text="fresh words", updated=later)]
    )
    assert u.status == "updated" and u.id == r.id
    stored = store.get_article(r.id)
    assert stored is not None
    assert stored.summary.title == "New"
    assert stored.summary.read and stored.summary.starred
    assert stored.position == pytest.approx(0.4)
    assert "fresh words" in stored.article.text
    assert [a.id for a in store.search("fresh")] == [r.id]
    assert store.search("old") == []


def test_a_cleaned_page_is_never_replaced_by_the_feed_summary(store: Store, feed: int) -> None:
    (r,) = store.upsert_articles(feed, [record("g1", text="the full page text")])
    (u,) = store.upsert_articles(
        feed, [record("g1", title="Retitled", text="short summary", summary_only=True)]
    )
    assert u.status == "updated"
    stored = store.get_article(r.id)
    assert stored is not None
    assert stored.summary.title == "Retitled"
    assert not stored.summary_only
    assert "full page text" in stored.article.text


def test_summary_only_article_gets_its_page_later(store: Store, feed: int) -> None:
    (r,) = store.upsert_articles(feed, [record("g1", text="summary", summary_only=True)])
    assert store.summary_only_articles(feed) == [(r.id, "https://example.org/g1")]
    page = Article(title="A title", blocks=body("the whole story"))
    store.write_feed(feed, FeedUpdate(pages=[(r.id, page)]))
    stored = store.get_article(r.id)
    assert stored is not None and not stored.summary_only
    assert "whole story" in stored.article.text
    assert store.summary_only_articles(feed) == []
    assert [a.id for a in store.search("whole story")] == [r.id]


def test_write_feed_records_validators_and_errors(store: Store, feed: int) -> None:
    store.write_feed(
        feed, FeedUpdate(etag='"v1"', last_modified="Mon", set_validators=True, title="Renamed")
    )
    row = store.feed(feed)
    assert row is not None
    assert (row.etag, row.last_modified, row.title, row.last_error) == (
        '"v1"',
        "Mon",
        "Renamed",
        None,
    )
    store.set_feed_error(feed, "HTTP 500")
    # A 304 keeps the validators.
    store.write_feed(feed, FeedUpdate())
    row = store.feed(feed)
    assert row is not None and row.etag == '"v1"' and row.last_error is None
    assert row.last_refresh is not None


def test_retention_prunes_old_read_articles_only(store: Store, feed: int) -> None:
    old = NOW - timedelta(days=100)
    results = store.upsert_articles(
        feed,
        [
            record("old-read", published=old),
            record("old-starred", published=old),
            record("old-unread", published=old),
            record("old-still-in-feed", published=old),
            record("new-read", published=NOW),
        ],
    )
    ids = {r.guid: r.id for r in results}
    for guid in ("old-read", "old-starred", "old-still-in-feed", "new-read"):
        store.set_flag(ids[guid], "read", True)
    store.set_flag(ids["old-starred"], "starred", True)
    cutoff = (NOW - timedelta(days=30)).timestamp()
    store.write_feed(
        feed, FeedUpdate(prune_before=cutoff, keep_guids=frozenset({"old-still-in-feed"}))
    )
    left = {a.id for a in store.list_articles(limit=50)}
    assert left == {
        ids["old-starred"],
        ids["old-unread"],
        ids["old-still-in-feed"],
        ids["new-read"],
    }
    # The pruned article's search entry went with it.
    rows = store._connection().execute("SELECT count(*) FROM articles_fts").fetchone()[0]
    assert rows == 4


def test_lists_views_order_and_tags(store: Store) -> None:
    a, _ = store.add_feed("https://a.example/feed", title="A", tags=["tech"])
    b, _ = store.add_feed("https://b.example/feed", title="B")
    ra = store.upsert_articles(
        a, [record(f"a{i}", published=NOW + timedelta(hours=i)) for i in range(3)]
    )
    rb = store.upsert_articles(b, [record("b0", published=NOW + timedelta(minutes=90))])
    store.set_flag(ra[2].id, "read", True)
    store.set_flag(rb[0].id, "starred", True)
    newest_first = [s.id for s in store.list_articles()]
    assert newest_first == [ra[2].id, rb[0].id, ra[1].id, ra[0].id]
    assert [s.id for s in store.list_articles(view="unread")] == [rb[0].id, ra[1].id, ra[0].id]
    assert [s.id for s in store.list_articles(view="starred")] == [rb[0].id]
    assert [s.id for s in store.list_articles(tag="tech", limit=2, offset=1)] == [
        ra[1].id,
        ra[0].id,
    ]
    assert store.count_articles(view="unread", feed_id=a) == 2
    assert store.count_articles(tag="tech") == 3
    feeds = {f.id: f for f in store.list_feeds()}
    assert (feeds[a].unread, feeds[a].total) == (2, 3)
    assert (feeds[b].unread, feeds[b].total) == (1, 1)


def test_list_queries_never_read_article_bodies(store: Store, feed: int) -> None:
    store.upsert_articles(feed, [record("g1"), record("g2")])
    statements: list[str] = []
    store._connection().set_trace_callback(statements.append)
    store.list_articles(view="unread")
    store.count_articles()
    store.list_feeds()
    store.search("body")
    store._connection().set_trace_callback(None)
    assert statements
    assert not [s for s in statements if "article_json" in s]


def test_search_ranks_title_matches_first_and_gives_snippets(store: Store, feed: int) -> None:
    results = store.upsert_articles(
        feed,
        [
            record("text", title="Unrelated", text="a long story about volcanoes erupting"),
            record("title", title="Volcanoes of Iceland", text="lava"),
        ],
    )
    found = store.search("volcanoes", order="relevance")
    assert [f.id for f in found] == [results[1].id, results[0].id]
    assert found[1].snippet is not None and "volcanoes" in found[1].snippet
    # The last word matches as a prefix, for search-as-you-type.
    assert {f.id for f in store.search("volc")} == {r.id for r in results}
    # Words are ANDed.
    assert [f.id for f in store.search("volcanoes lava")] == [results[1].id]


@pytest.mark.parametrize(
    "query",
    ['"', "(", "AND", "a OR", "NEAR(", "*", "title:", "^", '"unterminated', "-x", "a AND (b"],
)
def test_search_syntax_is_never_an_error(store: Store, feed: int, query: str) -> None:
    store.upsert_articles(feed, [record("g1", text="a b x title and or near")])
    store.search(query)  # must not raise


def test_search_of_only_punctuation_returns_nothing(store: Store, feed: int) -> None:
    store.upsert_articles(feed, [record("g1")])
    assert store.search("?!* ()") == []
    assert fts_query("?!* ()") is None
    # A word in quotes is exact (a phrase of one word): it is not being typed any more.
    assert fts_query('say "hello"') == '"say" "hello"'


def test_removing_a_feed_removes_its_articles_and_index(store: Store, feed: int) -> None:
    store.upsert_articles(feed, [record("g1", text="zebra")])
    assert store.search("zebra")
    assert store.remove_feed(feed)
    assert store.count_articles() == 0
    assert store.search("zebra") == []
    conn = store._connection()
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 0
    assert not store.remove_feed(feed)


def test_settings_round_trip(store: Store) -> None:
    assert store.get_setting("theme", "dflt") == "dflt"
    store.set_setting("theme", "nord")
    store.set_setting("theme", "gruvbox")
    assert store.get_setting("theme") == "gruvbox"


def test_migration_from_version_1(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = Store(path)
    old._migrate(target=1)
    conn = old._connection()
    conn.execute(
        "INSERT INTO feeds(id, url, title, kind, created) VALUES (1, 'https://x.example/f', 'X', "
        "'feed', 0)"
    )
    article = Article(title="Kept", blocks=body("an aardvark in the text"))
    conn.execute(
        "INSERT INTO articles(feed_id, guid, url, title, sort_date, fetched_at, read, starred, "
        "article_json) VALUES (1, 'g', 'https://x.example/g', 'Kept', 5, 5, 1, 1, ?)",
        (article_to_json(article),),
    )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()

    store = Store.open(path)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        (found,) = store.search("aardvark")
        assert found.title == "Kept" and found.read and found.starred
        assert store.search("kept")
        assert store.get_setting("fts_backfill") is None
        assert store.integrity_check() == "ok"
    finally:
        store.close()


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer tui-reader"):
        Store.open(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StorageError, match="damaged or not a tui-reader store") as info:
        Store.open(path)
    assert "\n" not in str(info.value)


def test_full_disk_is_a_clear_error_and_keeps_data(store: Store, feed: int) -> None:
    store.upsert_articles(feed, [record("kept")])
    conn = store._connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    big = [record(f"g{i}", text="x" * 50_000) for i in range(20)]
    with pytest.raises(StorageError, match="the store is full") as info:
        store.upsert_articles(feed, big)
    assert "\n" not in str(info.value)
    # The failed transaction was rolled back whole; what was there is intact.
    assert [a.title for a in store.list_articles()] == ["A title"]
    assert store.count_articles() == 1


def test_read_only_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    Store.open(path).close()
    if os.geteuid() == 0:
        # Permissions do not stop root; open the file read-only instead.
        store = Store.open(path, read_only=True)
    else:
        path.chmod(0o444)
        store = Store.open(path, read_only=True)
    try:
        assert store.list_feeds() == []
        with pytest.raises(StorageError, match="read-only"):
            store.set_setting("a", "b")
    finally:
        store.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not apply to root")
def test_read_only_file_opened_normally_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    path = data / "ro.sqlite3"
    Store.open(path).close()
    path.chmod(0o444)
    data.chmod(0o555)
    try:
        with pytest.raises(StorageError) as info:
            store = Store.open(path)
            store.set_setting("a", "b")
        assert "read-only" in str(info.value) or "cannot open" in str(info.value)
    finally:
        data.chmod(0o755)


def test_one_connection_per_thread_and_concurrent_writes(store: Store, feed: int) -> None:
    (r,) = store.upsert_articles(feed, [record("g1")])
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(30):
                store.set_flag(r.id, "read", bool((i + n) % 2))
                store.upsert_articles(feed, [record(f"t{n}-{i}")])
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_articles() == 1 + 4 * 30
    assert len(store._connections) == 5
    assert store.integrity_check() == "ok"


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    store.close()
    with pytest.raises(StorageError, match="closed"):
        store.list_feeds()


def test_migration_adds_later_indexes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = Store(path)
    old._migrate(target=1)
    old.close()
    store = Store.open(path)
    try:
        names = {
            row[0]
            for row in store._connection().execute(
                "SELECT name FROM sqlite_master WHERE type IN ('index', 'table')"
            )
        }
        assert {"articles_fts", "articles_waiting", "articles_by_feed_read"} <= names
        columns = {row[1] for row in store._connection().execute("PRAGMA table_info(articles)")}
        assert "page_attempts" in columns
    finally:
        store.close()


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> str:
    rows = store._connection().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " | ".join(row[3] for row in rows)


@pytest.mark.parametrize(
    ("view", "feed_id", "index"),
    [
        ("unread", None, "articles_by_read"),
        ("starred", None, "articles_by_star"),
        ("all", None, "articles_by_date"),
        ("all", 1, "articles_by_feed"),
    ],
)
def test_list_queries_walk_an_index_in_order(
    store: Store, feed: int, view: str, feed_id: int | None, index: str
) -> None:
    """Listing the newest N must read N index entries, not sort the whole table."""
    statements: list[str] = []
    conn = store._connection()
    conn.set_trace_callback(statements.append)
    store.list_articles(view=view, feed_id=feed_id, limit=100)  # type: ignore[arg-type]
    conn.set_trace_callback(None)
    (sql,) = [s for s in statements if s.lstrip().startswith("SELECT")]
    plan = _plan(store, sql, ())
    assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_entry_lookups_use_indexes(store: Store, feed: int) -> None:
    by_url = _plan(
        store,
        "SELECT id FROM articles WHERE +feed_id = ? AND url = ? LIMIT 1",
        (feed, "https://x"),
    )
    assert "articles_by_url" in by_url
    waiting = _plan(
        store,
        "SELECT id, url FROM articles WHERE feed_id = ? AND summary_only = 1 "
        "AND url IS NOT NULL ORDER BY sort_date DESC LIMIT 20",
        (feed,),
    )
    assert "articles_waiting" in waiting and "TEMP B-TREE" not in waiting


def test_snippet_is_a_window_around_the_first_match() -> None:
    from tui_reader.core.storage.sqlite import snippet

    words = " ".join(f"w{i}" for i in range(100))
    text = words.replace("w50", "Volcano")
    found = snippet(text, ["volc"], size=10)
    assert found is not None
    assert found.startswith("…w47 w48 w49 Volcano") and found.endswith("…")
    assert snippet("short text here", ["absent"]) == "short text here"
    assert snippet("", ["x"]) is None
    assert snippet("a \x1b[31mred\x1b[0m word", ["red"]) == "a red word"


def test_relevance_ranks_every_match_however_many_there_are(
    store: Store, feed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_reader.core.storage import sqlite as module

    results = store.upsert_articles(
        feed,
        [record("oldest", title="Otter otter otter", text="otter", published=NOW - timedelta(1))]
        + [record(f"n{i}", title=f"News {i}", text="an otter was seen") for i in range(4)],
    )
    # The oldest article is the best match: relevance puts it first, newest-first last, also
    # when the newest-first search takes its many-matches path.
    assert store.search("otter", order="relevance")[0].id == results[0].id
    assert store.search("otter")[-1].id == results[0].id
    monkeypatch.setattr(module, "SORT_MATCHES_UP_TO", 2)
    assert [a.id for a in store.search("otter")] == [r.id for r in reversed(results)]
    assert store.search("otter", order="relevance")[0].id == results[0].id


def test_short_last_words_are_not_prefixes() -> None:
    assert fts_query("r") == '"r"'
    assert fts_query("riv") == '"riv" *'
    assert fts_query("to riv") == '"to" "riv" *'


def test_writing_a_feed_removed_meanwhile_is_a_no_op(store: Store, feed: int) -> None:
    assert store.remove_feed(feed)
    assert store.write_feed(feed, FeedUpdate(records=[record("g1")])) == []
    assert store.count_articles() == 0
    store.set_feed_error(feed, "gone")  # no such row: nothing to do, no error
    with pytest.raises(StorageError):
        store.upsert_articles(feed, [record("g1")])


def test_entries_known_to_be_new_are_not_looked_up_but_never_stored_twice(
    store: Store, feed: int
) -> None:
    """``new=True`` (the pieces of a first fetch) skips the lookups; a record that is there
    after all fails the whole call, which stores nothing of its run."""
    now = NOW.timestamp()
    done, previous = store.store_entries(feed, [record("a"), record("b")], now, new=True)
    assert [r.status for r in done] == ["new", "new"]
    with pytest.raises(StorageError):
        store.store_entries(feed, [record("c"), record("b")], now, previous, new=True)
    assert sorted(a.url or "" for a in store.list_articles(feed_id=feed)) == [
        "https://example.org/a",
        "https://example.org/b",
    ]
    # Looked up (the default), the same run updates "b" and adds "c".
    done, _ = store.store_entries(feed, [record("c"), record("b", title="B")], now, previous)
    assert [r.status for r in done] == ["new", "updated"]


def test_a_run_stored_without_checkpoint_stays_in_the_log_until_the_next_write(
    store: Store, feed: int, tmp_path: Path
) -> None:
    """Without ``checkpoint``, a large run stays in the write-ahead log (the database file
    does not grow); the next ordinary write copies it all back."""
    database = tmp_path / "store.sqlite3"
    text = "Words of a long entry. " * 150
    first = [record(f"a{n}", text=text, summary_only=True) for n in range(1500)]
    before = database.stat().st_size
    store.store_entries(feed, first, NOW.timestamp(), new=True, checkpoint=False)
    assert database.stat().st_size == before
    assert len(store.list_articles(feed_id=feed, limit=5000)) == 1500
    second = [record(f"b{n}", text=text, summary_only=True) for n in range(1500)]
    store.store_entries(feed, second, NOW.timestamp(), new=True)
    assert database.stat().st_size > before + 6_000_000
