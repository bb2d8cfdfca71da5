"""The app during a large refresh: keys are answered, the list fills feed by feed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.worker import WorkerState

from tests.httpserver import LocalServer
from tests.integration.site import BASE_DATE, Item, rss
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.ui.widgets.article_list import ArticleList

from .conftest import StoreSpec, fill_store
from .helpers import main_screen, make_app, settle

WIDE = (160, 48)
FEEDS, ITEMS = 6, 1000


async def until(check: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.02)
    return check()


@pytest.fixture
def big_library(data_dir: Path, http_server: LocalServer):
    feeds = []
    for n in range(FEEDS):
        entries = [
            Item(guid=f"f{n}-{i}", title=f"Feed {n} item {i}",
                 link=f"https://example.org/{n}/{i}", date=BASE_DATE)
            for i in range(ITEMS)
        ]  # fmt: skip
        # Ready one after another, so that the refresh lasts a while whatever the machine.
        http_server.add(
            f"/feed/{n}.xml",
            rss(f"Feed {n}", entries),
            content_type="application/rss+xml",
            delay=0.5 * n,
        )
        feeds.append((http_server.url(f"/feed/{n}.xml"), f"Feed {n}", (), []))
    fill_store(data_dir, StoreSpec(feeds=feeds))
    library = Library.open(data_dir, config=Config(fetch_pages=False, retries=0), interactive=True)
    yield library
    library.close()


async def test_keys_are_answered_and_the_list_fills_while_a_large_refresh_runs(
    big_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui_reader.core.feeds as feeds

    def in_this_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("a feed was parsed in the app's process")

    # The worker processes import their own copy; this one must never be called.
    monkeypatch.setattr(feeds, "parse_feed", in_this_process)
    app = make_app(big_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.count == 0
        await pilot.press("r")
        screen = main_screen(app)
        assert await until(lambda: any(w.group == "refresh" for w in screen.workers))
        refresh = next(w for w in screen.workers if w.group == "refresh")
        # Articles show up while the refresh is still going: each feed is stored when read.
        assert await until(lambda: articles.count > 0 or refresh.is_finished)
        assert refresh.state == WorkerState.RUNNING, "no article was listed before the end"
        assert articles.count < FEEDS * ITEMS
        # A key is answered in the middle of it.
        await pilot.press("ctrl+p")
        assert await until(lambda: isinstance(app.screen, CommandPalette), 30)
        assert refresh.state == WorkerState.RUNNING
        await pilot.press("escape")
        assert await until(lambda: refresh.is_finished, 180)
        await settle(pilot)
        assert big_library.count_articles() == FEEDS * ITEMS
        assert articles.count == FEEDS * ITEMS
        assert all(not info.last_error for info in big_library.feeds())
