"""The app's network keys (r, R, a, following a link) against a real local HTTP server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tui_reader.core.library import Library
from tui_reader.ui.screens.links import LinksScreen
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.reader_pane import ReaderPane

from .conftest import NOW, StoreSpec, fill_store, record
from .helpers import make_app, press, screen_text, settle

WIDE = (160, 48)
SEED = Path(__file__).parent.parent / "data" / "pages" / "seed-page.html"


def rss(title: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>"
        f"<description>Short summary of {t}.</description></item>"
        for t, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link>{entries}</channel></rss>"
    ).encode()


@pytest.fixture
def served(http_server: LocalServer) -> LocalServer:
    http_server.add_file("/seed.html", SEED, content_type="text/html; charset=utf-8")
    http_server.add(
        "/feed.xml",
        rss("Local News", [("Musk and NATO", http_server.url("/seed.html"))]),
        content_type="application/rss+xml",
    )
    http_server.add(
        "/other.xml",
        rss("Other Feed", [("Other story", http_server.url("/seed.html?other"))]),
        content_type="application/rss+xml",
    )
    http_server.add("/broken.xml", b"oops", status=500)
    return http_server


@pytest.fixture
def net_library(data_dir: Path, served: LocalServer) -> Library:
    page_link = served.url("/seed.html")
    spec = StoreSpec(
        feeds=[
            (served.url("/feed.xml"), "Local News", (), []),
            (served.url("/other.xml"), "Other Feed", (), []),
            (served.url("/missing.xml"), "Stored", (), [
                record(0, "Has a local link", links=(page_link,)),
            ]),
        ]
    )  # fmt: skip
    fill_store(data_dir, spec)
    library = Library.open(data_dir)
    yield library  # type: ignore[misc]
    library.close()


async def test_r_refreshes_all_feeds_in_the_background(net_library: Library, served) -> None:
    # The third feed's URL answers 404; the others are refreshed.
    app = make_app(net_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.query_one(ArticleList).count == 1
        await press(pilot, "r")
        await settle(pilot)
        titles = [a.title for a in net_library.articles(limit=50)]
        assert "Musk and NATO" in titles and "Other story" in titles
        assert app.query_one(ArticleList).count == 3
        text = screen_text(app)
        assert "Musk and NATO" in text
        assert "refreshed: 2 new" in text
        assert served.requests_for("/feed.xml") and served.requests_for("/other.xml")


async def test_R_refreshes_only_the_current_feed(net_library: Library, served) -> None:
    app = make_app(net_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        local = next(f for f in net_library.feeds() if f.title == "Local News")
        from tui_reader.ui.widgets.feed_tree import FeedTree

        tree = app.query_one(FeedTree)
        await press(pilot, "h")
        for _ in range(10):
            node = tree.cursor_node
            if node is not None and node.data is not None and node.data.feed_id == local.id:
                break
            await press(pilot, "j")
        await press(pilot, "enter", "R")
        await settle(pilot)
        assert served.requests_for("/feed.xml")
        assert not served.requests_for("/other.xml")
        assert [a.title for a in net_library.articles(feed_id=local.id)] == ["Musk and NATO"]


async def test_refresh_failures_go_to_the_log_screen(net_library: Library, served) -> None:
    net_library.store.add_feed(served.url("/broken.xml"), title="Broken Feed")
    app = make_app(net_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await settle(pilot)
        assert "failed (e: log)" in screen_text(app)
        await press(pilot, "e")
        log_text = screen_text(app)
        assert "Broken Feed" in log_text or "broken.xml" in log_text
        assert "500" in log_text
        assert app.is_running


async def test_a_adds_a_feed_by_url(data_dir: Path, served: LocalServer) -> None:
    fill_store(data_dir, StoreSpec(feeds=[("https://example.invalid/x", "Stored", (), [])]))
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "a")
            await pilot.press(*served.url("/feed.xml"))
            await press(pilot, "enter")
            await settle(pilot)
            assert any(f.title == "Local News" for f in library.feeds())
            text = screen_text(app)
            assert "Local News" in text  # in the tree
            assert "Musk and NATO" in text  # in the list
    finally:
        library.close()


async def test_following_a_link_fetches_cleans_shows_and_stores(
    net_library: Library, served: LocalServer
) -> None:
    app = make_app(net_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "L")
        assert isinstance(app.screen, LinksScreen)
        await press(pilot, "1")
        await settle(pilot)
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None
        assert "OTAN" in reader.stored.article.title
        text = screen_text(app)
        assert "Elon Musk" in text
        assert "Partager cet article" not in text
        assert net_library.article_by_url(served.url("/seed.html")) is not None
        assert served.requests_for("/seed.html")


async def test_offline_app_does_not_follow_links_to_unstored_pages(
    data_dir: Path, served: LocalServer
) -> None:
    fill_store(data_dir, StoreSpec(feeds=[("https://example.invalid/k", "Stored", (), [
        record(0, "Has a local link", links=(served.url("/seed.html"),)),
    ])]))  # fmt: skip
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "L", "1")
            await settle(pilot)
            assert not served.requests_for("/seed.html")
            assert any("not in the store" in n.message for n in app._notifications)
            assert app.is_running
    finally:
        library.close()


async def test_network_failures_are_one_line_notifications(
    net_library: Library, served: LocalServer, isolated_dirs: Path
) -> None:
    served.add("/gone.html", b"no", status=404)
    app = make_app(net_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await pilot.press(*served.url("/gone.html"))
        await press(pilot, "enter")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert errors[0].startswith("Could not add") and "404" in errors[0]
        assert "\n" not in errors[0]
        # The URL is named once, not once by the app and again by the error.
        assert errors[0].count(served.url("/gone.html")) == 1
        # Following a link to a page that fails is reported the same way.
        main = app.screen
        from tui_reader.ui.screens.main import MainScreen

        assert isinstance(main, MainScreen)
        main.follow_link(served.url("/gone.html"))
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 2 and errors[1].startswith("Could not open")
        assert errors[1].count(served.url("/gone.html")) == 1
        assert app.is_running
        await press(pilot, "e")
        assert screen_text(app).count("404") >= 2


async def test_refresh_progress_shows_in_the_status_line(
    net_library: Library, served: LocalServer
) -> None:
    served.add("/feed.xml", rss("Slow", []), content_type="application/rss+xml", delay=1.5)
    app = make_app(net_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        # While the slow feed is still being fetched the status line says so.
        assert "refreshing" in screen_text(app).splitlines()[-2]
        await settle(pilot)
        assert "refreshed:" in screen_text(app).splitlines()[-2]


async def test_after_a_refresh_the_cursor_follows_the_article(
    data_dir: Path, served: LocalServer
) -> None:
    old = record(0, "An older stored article", published=NOW - timedelta(days=30))
    fill_store(data_dir, StoreSpec(feeds=[(served.url("/feed.xml"), "Local News", (), [old])]))
    library = Library.open(data_dir)
    # Starred, so that the refresh's pruning of old read articles keeps it.
    library.set_starred(library.articles(limit=1)[0].id, True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "r")
            await settle(pilot)
            titles = [a.title for a in library.articles(limit=10)]
            assert titles == ["Musk and NATO", "An older stored article"]
            articles = app.query_one(ArticleList)
            assert articles.cursor == 1
            reader = app.query_one(ReaderPane)
            await press(pilot, "K")
            assert reader.stored is not None and reader.stored.summary.title == "Musk and NATO"
    finally:
        library.close()


async def test_a_second_refresh_waits_for_the_first_instead_of_cancelling_it(
    net_library: Library, served: LocalServer
) -> None:
    served.add(
        "/feed.xml",
        rss("Local News", [("Musk and NATO", served.url("/seed.html"))]),
        content_type="application/rss+xml",
        delay=1.5,
    )
    app = make_app(net_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert any("already running" in str(n.message) for n in app._notifications)
        await settle(pilot)
        # The first refresh was not cancelled: the slow feed's article arrived.
        assert "Musk and NATO" in [a.title for a in net_library.articles(limit=10)]


async def test_refresh_in_the_app_follows_the_pages_setting(
    data_dir: Path, served: LocalServer
) -> None:
    from tui_reader.core.config import Config

    fill_store(data_dir, StoreSpec(feeds=[(served.url("/feed.xml"), "Local News", (), [])]))
    library = Library.open(data_dir, config=Config(fetch_pages=False))
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            await settle(pilot)
        assert [a.title for a in library.articles(limit=10)] == ["Musk and NATO"]
        assert not served.requests_for("/seed.html")
    finally:
        library.close()
