"""Mark all read (by feed, tag, view, below a row, by age) with undo; feed titles of the
user's own that refreshes keep; tags replaced; the store's change marker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui_reader.core.errors import StorageError
from tui_reader.core.library import Library
from tui_reader.core.models import Article
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store
from tui_reader.core.storage.schema import SCHEMA_VERSION

NOW = datetime.now(UTC)


def rec(guid: str, age_days: float) -> ArticleRecord:
    published = NOW - timedelta(days=age_days)
    return ArticleRecord(guid=guid, url=f"https://x.example/{guid}", title=guid,
                         article=Article(title=guid), published=published)  # fmt: skip


@pytest.fixture
def lib(tmp_path: Path):
    library = Library.open(tmp_path / "data")
    store = library.store
    for info in library.feeds():
        library.remove_feed(info.id)  # no Welcome feed: counts stay simple
    a, _ = store.add_feed("https://a.example/feed", title="Alpha", tags=["news"])
    b, _ = store.add_feed("https://b.example/feed", title="Beta", tags=["news", "tech"])
    c, _ = store.add_feed("https://c.example/feed", title="Gamma")
    store.upsert_articles(a, [rec("a1", 1), rec("a2", 5), rec("a3", 10)])
    store.upsert_articles(b, [rec("b1", 2), rec("b2", 8)])
    store.upsert_articles(c, [rec("c1", 3)])
    yield library, {"a": a, "b": b, "c": c}
    library.close()


def unread(library: Library) -> set[str]:
    return {a.title for a in library.articles(view="unread", limit=100)}


def test_mark_a_feed_read_and_undo(lib) -> None:
    library, feeds = lib
    changed = library.mark_read_where(feed_id=feeds["a"])
    assert len(changed) == 3
    assert unread(library) == {"b1", "b2", "c1"}
    # Marking again changes nothing (only unread ones count, so undo stays exact).
    assert library.mark_read_where(feed_id=feeds["a"]) == []
    library.mark_unread(changed)
    assert unread(library) == {"a1", "a2", "a3", "b1", "b2", "c1"}


def test_undo_leaves_articles_read_before_alone(lib) -> None:
    library, feeds = lib
    (a2,) = [a for a in library.articles(limit=100) if a.title == "a2"]
    library.set_read(a2.id)
    changed = library.mark_read_where(tag="news")
    assert a2.id not in changed and len(changed) == 4
    library.mark_unread(changed)
    assert unread(library) == {"a1", "a3", "b1", "b2", "c1"}


def test_mark_below_a_row_and_older_than(lib) -> None:
    library, _ = lib
    rows = library.articles(limit=100)  # newest first: a1 b1 c1 a2 b2 a3
    assert [r.title for r in rows] == ["a1", "b1", "c1", "a2", "b2", "a3"]
    library.mark_read_where(below=rows[2].id)
    assert unread(library) == {"a1", "b1", "c1"}
    library.mark_unread([r.id for r in rows])
    library.mark_read_where(older_than=NOW - timedelta(days=4))
    assert unread(library) == {"a1", "b1", "c1"}


def test_a_renamed_feed_keeps_its_title_through_refreshes(lib) -> None:
    library, feeds = lib
    library.rename_feed(feeds["c"], "My Gamma")
    library.store.write_feed(feeds["c"], FeedUpdate(records=[], title="Gamma (new title)"))
    info = library.feed(feeds["c"])
    assert info.title == "My Gamma"
    row = library.articles(feed_id=feeds["c"])[0]
    assert row.feed_title == "My Gamma"
    # Sorted by the shown title; cleared, the feed's latest own title is back.
    assert [f.title for f in library.feeds()] == ["Alpha", "Beta", "My Gamma"]
    library.rename_feed(feeds["c"], "")
    assert library.feed(feeds["c"]).title == "Gamma (new title)"
    with pytest.raises(StorageError):
        library.rename_feed(9999, "x")


def test_tags_are_replaced(lib) -> None:
    library, feeds = lib
    library.set_tags(feeds["b"], ["tech", " ", "linux / kernel/", "tech", "/"])
    assert library.feed(feeds["b"]).tags == ("linux/kernel", "tech")
    library.set_tags(feeds["b"], [])
    assert library.feed(feeds["b"]).tags == ()


def test_change_marker_moves_when_another_connection_adds_articles(lib, tmp_path) -> None:
    library, feeds = lib
    before = library.store.change_marker()
    assert library.store.change_marker() == before
    other = Store.open(library.store.path)
    try:
        other.upsert_articles(feeds["c"], [rec("c2", 0.5)])
    finally:
        other.close()
    assert library.store.change_marker() != before


def test_schema_has_the_title_column(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    try:
        assert store.schema_version() == SCHEMA_VERSION
        with store._reading() as conn:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(feeds)")}
        assert "user_title" in columns
    finally:
        store.close()
