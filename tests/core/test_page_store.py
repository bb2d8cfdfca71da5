"""The pages table: written with the article, read back, gone with it, added by a migration."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from tui_reader.core.library import Library
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.pages import pack_page, unpack_page
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store
from tui_reader.core.storage.schema import MIGRATIONS, PAGES, SCHEMA_VERSION
from tui_reader.core.storage.sqlite import article_to_json

PAGE = "<html><body><nav>Menu</nav><p>The story itself, kept whole.</p></body></html>"


def with_page(guid: str, *, html: str = PAGE, read: bool = False) -> ArticleRecord:
    url = f"https://example.org/{guid}"
    article = Article(
        title=guid,
        blocks=(Block("paragraph", spans=(Span("Cleaned text."),)),),
        source=pack_page(html, url),
    )
    return ArticleRecord(guid=guid, url=url, title=guid, article=article)


def page_rows(store: Store) -> int:
    return int(store._connection().execute("SELECT count(*) FROM pages").fetchone()[0])


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "store.sqlite3")
    yield s
    s.close()


@pytest.fixture
def feed(store: Store) -> int:
    return store.add_feed("https://example.org/feed.xml", title="Example")[0]


def test_the_page_is_written_with_a_new_article_and_read_back(store: Store, feed: int) -> None:
    (result,) = store.upsert_articles(feed, [with_page("a")])
    page = store.stored_page(result.id)
    assert page is not None
    assert page.url == "https://example.org/a" and page.chars == len(PAGE)
    assert unpack_page(page) == PAGE
    # The article's JSON does not carry the page.
    stored = store.get_article(result.id)
    assert stored is not None and stored.article.source is None
    assert "html" not in article_to_json(stored.article)


def test_an_article_without_a_page_has_none(store: Store, feed: int) -> None:
    record = with_page("b")
    bare = replace(record, article=replace(record.article, source=None))
    (result,) = store.upsert_articles(feed, [bare])
    assert store.stored_page(result.id) is None
    assert page_rows(store) == 0


def test_a_page_fetched_later_replaces_the_stored_one(store: Store, feed: int) -> None:
    record = with_page("c")
    summary_only = replace(record, article=replace(record.article, source=None), summary_only=True)
    (result,) = store.upsert_articles(feed, [summary_only])
    assert store.stored_page(result.id) is None
    later = replace(record.article, source=pack_page("<p>second</p>"))
    store.write_feed(feed, FeedUpdate(pages=[(result.id, later)]))
    page = store.stored_page(result.id)
    assert page is not None and unpack_page(page) == "<p>second</p>"
    store.set_page(result.id, replace(later, source=pack_page("<p>third</p>")))
    page = store.stored_page(result.id)
    assert page is not None and unpack_page(page) == "<p>third</p>"
    assert page_rows(store) == 1


def test_pages_go_with_their_articles(store: Store, feed: int) -> None:
    other = store.add_feed("https://other.example/feed.xml")[0]
    old, keep = store.upsert_articles(feed, [with_page("old"), with_page("keep")])
    (elsewhere,) = store.upsert_articles(other, [with_page("elsewhere")])
    assert page_rows(store) == 3
    # Retention: a read, old article is pruned, and its page with it.
    store.set_flag(old.id, "read", True)
    store._connection().execute("UPDATE articles SET sort_date = 0 WHERE id = ?", (old.id,))
    assert store.prune(time.time() - 3600) == 1
    assert store.stored_page(old.id) is None and store.stored_page(keep.id) is not None
    # Removing a feed removes its articles' pages, not the other feed's.
    assert store.remove_feed(feed)
    assert store.stored_page(keep.id) is None
    assert store.stored_page(elsewhere.id) is not None
    assert page_rows(store) == 1


def test_pages_go_even_with_foreign_keys_off(store: Store, feed: int) -> None:
    (result,) = store.upsert_articles(feed, [with_page("x")])
    conn = store._connection()
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM articles WHERE id = ?", (result.id,))
    assert page_rows(store) == 0


def test_set_stored_page_keeps_the_body_and_ignores_unknown_articles(
    store: Store, feed: int
) -> None:
    record = with_page("y")
    bare = replace(record, article=replace(record.article, source=None))
    (result,) = store.upsert_articles(feed, [bare])
    store.set_stored_page(result.id, pack_page("<p>kept</p>"))
    store.set_stored_page(result.id + 100, pack_page("<p>nobody</p>"))
    assert page_rows(store) == 1
    stored = store.get_article(result.id)
    assert stored is not None and stored.article.text == "Cleaned text."


def test_migration_adds_the_pages_table_to_an_existing_store(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    before = MIGRATIONS.index(PAGES)  # the version just before this migration
    old = Store(path)
    old._migrate(target=before)
    conn = old._connection()
    conn.execute(
        "INSERT INTO feeds(id, url, title, kind, created) VALUES (1, 'https://x.example/f', "
        "'X', 'feed', 0)"
    )
    article = Article(title="Old", blocks=(Block("paragraph", spans=(Span("old text"),)),))
    conn.execute(
        "INSERT INTO articles(feed_id, guid, url, title, sort_date, fetched_at, article_json, "
        "feed_summary_html) VALUES (1, 'g', 'https://x.example/g', 'Old', 5, 5, ?, ?)",
        (article_to_json(article), "<p>The feed's own words.</p>"),
    )
    assert "pages" not in {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    old.close()

    store = Store.open(path)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
        article_id = store.article_id_by_url("https://x.example/g")
        assert article_id is not None
        # Articles stored before the migration have no page (their whole view is skipped)
        # and keep everything else.
        assert store.stored_page(article_id) is None
        assert store.feed_html(article_id) == "<p>The feed's own words.</p>"
        (new,) = store.upsert_articles(1, [with_page("new")])
        assert store.stored_page(new.id) is not None
    finally:
        store.close()


def test_library_views_of_a_stored_article(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "data")
    try:
        store = library.store
        feed = store.add_feed("https://example.org/feed.xml")[0]
        record = replace(with_page("z"), feed_summary_html="<p>From the <b>feed</b>.</p>")
        (result,) = store.upsert_articles(feed, [record])
        whole = library.whole_page(result.id)
        assert whole is not None and whole.text == "Menu\n\nThe story itself, kept whole."
        feed_text = library.feed_text(result.id)
        assert feed_text is not None and feed_text.text == "From the feed."
        (bare,) = store.upsert_articles(
            feed, [replace(record, guid="bare", url=None, feed_summary_html=" ",
                           article=replace(record.article, source=None))]
        )  # fmt: skip
        assert library.whole_page(bare.id) is None and library.feed_text(bare.id) is None
    finally:
        library.close()
