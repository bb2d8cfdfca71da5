"""Daily reading in the app: mark all read with undo, n across feeds, Space past the end,
managing feeds from the feeds pane, refresh on start, and a cron ``fetch`` showing up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tui_reader.core.library import Library
from tui_reader.core.models import FeedInfo
from tui_reader.core.storage import Store
from tui_reader.ui.screens.choice import ChoiceDialog, EditDialog
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.feed_tree import FeedTree, Selection
from tui_reader.ui.widgets.reader_pane import ReaderPane

from .conftest import NOW, StoreSpec, fill_store, record
from .helpers import main_screen, make_app, press, screen_text, settle, wait_until

WIDE = (160, 48)


def unread_titles(library: Library) -> set[str]:
    return {a.title for a in library.articles(view="unread", limit=1000)}


def cursor_on_feed(app, title: str) -> FeedInfo:
    """Focus the feeds pane with its cursor on the feed called ``title``."""
    main = main_screen(app)
    main.show_pane("feeds")
    tree = app.query_one(FeedTree)
    feed = next(f for f in tree.feeds if f.title == title)
    tree.select_data(Selection("feed", feed_id=feed.id))
    return feed


async def test_A_marks_the_list_read_and_u_undoes(library: Library) -> None:
    before = unread_titles(library)
    assert len(before) == 12
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")
        await settle(pilot)
        assert unread_titles(library) == set()
        assert any("Marked 12 articles read" in n.message for n in app._notifications)
        await press(pilot, "u")
        await settle(pilot)
        assert unread_titles(library) == before
        # Nothing left to undo: says so, changes nothing.
        await press(pilot, "u")
        assert any("Nothing to undo" in n.message for n in app._notifications)
        assert unread_titles(library) == before


async def test_A_can_mark_only_what_is_below_the_cursor(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "A", "2")
        await settle(pilot)
        rows = library.articles(limit=100)
        assert [r.read for r in rows[:3]] == [False, False, False]
        assert all(r.read for r in rows[3:])


async def test_A_in_the_feeds_pane_marks_the_feed_under_the_cursor(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        feed = cursor_on_feed(app, "Miscellany")
        await press(pilot, "A", "1")
        await settle(pilot)
    misc = {a.title for a in library.articles(feed_id=feed.id, limit=100)}
    assert not misc & unread_titles(library)
    assert len(unread_titles(library)) == 12 - len(misc)


@pytest.fixture
def two_feeds(data_dir: Path):
    fill_store(data_dir, StoreSpec(feeds=[
        ("https://one.example/feed", "One", (), [record(0, "One A"), record(2, "One B")]),
        ("https://two.example/feed", "Two", (), [record(1, "Two A", paragraphs=1)]),
    ]))  # fmt: skip
    library = Library.open(data_dir)
    yield library
    library.close()


async def test_n_at_the_end_of_a_feed_moves_to_the_next_feeds_unread(two_feeds) -> None:
    app = make_app(two_feeds)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        main = main_screen(app)
        one = cursor_on_feed(app, "One")
        await press(pilot, "enter")  # show One
        assert main.selection.feed_id == one.id
        await press(pilot, "enter")  # read One A
        await press(pilot, "n")  # One B
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None and reader.stored.summary.title == "One B"
        await press(pilot, "n")  # nothing more in One: on to Two
        await settle(pilot)
        assert main.selection.title == "Two"
        assert reader.stored is not None and reader.stored.summary.title == "Two A"
        assert any("Next feed: Two" in n.message for n in app._notifications)


async def test_space_at_the_end_of_an_article_opens_the_next_unread(two_feeds) -> None:
    app = make_app(two_feeds)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # One A (newest), short enough to fit
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None and reader.stored.summary.title == "One A"
        await press(pilot, "G", "space")
        await settle(pilot)
        assert reader.stored is not None and reader.stored.summary.title == "Two A"


async def test_remove_rename_and_tag_a_feed_from_the_feeds_pane(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        misc = cursor_on_feed(app, "Miscellany")
        # Rename.
        await press(pilot, "c")
        assert isinstance(app.screen, EditDialog)
        app.screen.query_one("Input").value = "[b]Odds[/b] and ends"  # type: ignore[attr-defined]
        await press(pilot, "enter")
        await settle(pilot)
        assert library.feed(misc.id).title == "[b]Odds[/b] and ends"
        assert "[b]Odds[/b] and ends" in screen_text(app)  # literally, not as markup
        # Tags.
        cursor_on_feed(app, "[b]Odds[/b] and ends")
        await press(pilot, "T")
        app.screen.query_one("Input").value = "later, fun"  # type: ignore[attr-defined]
        await press(pilot, "enter")
        await settle(pilot)
        assert library.feed(misc.id).tags == ("fun", "later")
        assert "#later" in screen_text(app)
        # Remove: asks first; "keep" keeps it.
        cursor_on_feed(app, "[b]Odds[/b] and ends")
        await press(pilot, "d")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")
        await settle(pilot)
        assert any(f.id == misc.id for f in library.feeds())
        cursor_on_feed(app, "[b]Odds[/b] and ends")
        await press(pilot, "d", "2")
        await settle(pilot)
        assert all(f.id != misc.id for f in library.feeds())
        assert "Odds" not in screen_text(app)


async def test_feed_keys_outside_the_feeds_pane_say_what_to_do(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for key in ("d", "c", "T"):
            await pilot.press(key)
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog | EditDialog)
        assert len(library.feeds()) == 3


async def test_a_feeds_last_error_shows_when_it_is_under_the_cursor(library: Library) -> None:
    world = next(f for f in library.feeds() if f.title == "World News")
    library.store.set_feed_error(world.id, "https://world.example/feed: HTTP 503")
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        cursor_on_feed(app, "World News")
        tree = app.query_one(FeedTree)
        await settle(pilot)
        assert await wait_until(pilot, lambda: "HTTP 503" in screen_text(app))
        assert tree.tooltip is not None and "HTTP 503" in str(tree.tooltip)
        # The feeds pane (the first 26 columns) marks the row.
        rows = [line[:26] for line in screen_text(app).splitlines() if "World" in line[:26]]
        assert rows and "!" in rows[0]


async def test_a_fetch_from_another_process_shows_up(library: Library, monkeypatch) -> None:
    from tui_reader.ui.screens import main as main_module

    monkeypatch.setattr(main_module, "STORE_POLL_SECONDS", 0.2)
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        article_list = app.query_one(ArticleList)
        await press(pilot, "j", "j")
        under = article_list.cached(article_list.cursor)
        assert article_list.count == 12 and under is not None
        other = Store.open(library.store.path)  # as `tui-reader fetch` would, elsewhere
        try:
            feed_id = library.feeds()[0].id
            other.upsert_articles(
                feed_id, [record(99, "Arrived from cron", published=NOW + timedelta(hours=1))]
            )
        finally:
            other.close()
        assert await wait_until(pilot, lambda: article_list.count == 13, seconds=20)
        await settle(pilot)
        assert "Arrived from cron" in screen_text(app)
        # The cursor stayed on the same article.
        again = article_list.cached(article_list.cursor)
        assert again is not None and again.id == under.id


async def test_refresh_on_start(data_dir: Path, isolated_dirs: Path, http_server) -> None:
    served: LocalServer = http_server
    served.add(
        "/feed.xml",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Started</title>'
        b"<item><title>Fresh at start</title><guid>s1</guid>"
        b"<pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>",
        content_type="application/rss+xml",
    )
    (isolated_dirs / "config" / "config.toml").write_text(
        "[fetch]\nrefresh_on_start = true\npages = false\nretries = 0\n", encoding="utf-8"
    )
    fill_store(data_dir, StoreSpec(feeds=[(served.url("/feed.xml"), "Started", (), [])]))
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            assert await wait_until(pilot, lambda: "Fresh at start" in screen_text(app), 400)
        assert served.requests_for("/feed.xml")
    finally:
        library.close()


async def test_no_refresh_on_start_when_offline(
    data_dir: Path, isolated_dirs: Path, http_server
) -> None:
    (isolated_dirs / "config" / "config.toml").write_text(
        "[fetch]\nrefresh_on_start = true\nrefresh_minutes = 1\n", encoding="utf-8"
    )
    fill_store(data_dir, StoreSpec(feeds=[(http_server.url("/feed.xml"), "Off", (), [])]))
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.pause(0.3)
        assert not http_server.requests_for("/feed.xml")
    finally:
        library.close()


async def test_mark_all_read_is_in_the_command_palette(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"mark all read")
        await settle(pilot)
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")
        await settle(pilot)
        assert unread_titles(library) == set()


async def test_refresh_minutes_refreshes_on_a_timer(
    data_dir: Path, isolated_dirs: Path, http_server, monkeypatch
) -> None:
    from tui_reader.ui.screens import main as main_module

    monkeypatch.setattr(main_module, "MINUTE", 0.3)
    http_server.add("/timed.xml", b"<rss version='2.0'><channel><title>T</title></channel></rss>",
                    content_type="application/rss+xml")  # fmt: skip
    (isolated_dirs / "config" / "config.toml").write_text(
        "[fetch]\nrefresh_minutes = 1\nretries = 0\n", encoding="utf-8"
    )
    fill_store(data_dir, StoreSpec(feeds=[(http_server.url("/timed.xml"), "Timed", (), [])]))
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            assert not http_server.requests_for("/timed.xml")  # not on start: not asked to
            assert await wait_until(
                pilot, lambda: len(http_server.requests_for("/timed.xml")) >= 2, seconds=30
            )
    finally:
        library.close()


async def test_R_in_the_feeds_pane_refreshes_the_feed_under_the_cursor(
    data_dir: Path, http_server
) -> None:
    for name in ("one", "two"):
        http_server.add(f"/{name}.xml", b"<rss version='2.0'><channel><title>x</title>"
                        b"</channel></rss>", content_type="application/rss+xml")  # fmt: skip
    fill_store(data_dir, StoreSpec(feeds=[
        (http_server.url("/one.xml"), "One", (), [record(0, "A")]),
        (http_server.url("/two.xml"), "Two", (), [record(1, "B")]),
    ]))  # fmt: skip
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            cursor_on_feed(app, "Two")
            await press(pilot, "R")
            await settle(pilot)
            assert http_server.requests_for("/two.xml")
            assert not http_server.requests_for("/one.xml")
    finally:
        library.close()
