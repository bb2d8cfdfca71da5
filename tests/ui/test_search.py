"""Search in the app: the count of all matches, pages loaded as the list scrolls, the order key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_reader.core.library import Library
from tui_reader.ui.search import SearchSource
from tui_reader.ui.widgets.article_list import PAGE_SIZE, ArticleList
from tui_reader.ui.widgets.status import StatusLine

from .conftest import StoreSpec, fill_store, paragraph, record
from .helpers import main_screen, make_app, press, screen_text, settle, wait_until

SIZE = (160, 40)
MATCHES = 351


@pytest.fixture
def ferries(data_dir: Path) -> Iterator[Library]:
    """350 ferry stories an hour apart, one much older strong match, and one other story."""
    stories = [
        record(n, f"Timetable {n}", blocks=(paragraph(f"The ferry leaves at {n}."),))
        for n in range(MATCHES - 1)
    ]
    stories.append(
        record(
            5000,
            "Ferry ferry ferry",
            blocks=(paragraph("Ferry ferry ferry ferry, all about the ferry."),),
        )
    )
    stories.append(record(9999, "Unrelated", blocks=(paragraph("Trains only."),)))
    fill_store(data_dir, StoreSpec(feeds=[("https://port.example/feed", "Port", (), stories)]))
    lib = Library.open(data_dir)
    yield lib
    lib.close()


async def search_for(pilot, words: str) -> None:  # type: ignore[no-untyped-def]
    await press(pilot, "slash")
    await pilot.press(*words)
    await press(pilot, "enter")


def status_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.query_one(StatusLine).render())


async def test_search_says_how_many_and_loads_more_when_scrolled(ferries: Library) -> None:
    app = make_app(ferries)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, "ferry")
        articles = app.query_one(ArticleList)
        assert articles.count == MATCHES
        assert f"{MATCHES} results" in status_text(app)
        assert "search: ferry (newest first)" in screen_text(app)
        # Newest first, and only the first page has been read so far.
        assert articles.cached(0) is not None and articles.cached(0).title == "Timetable 0"
        assert articles.cached(PAGE_SIZE) is None
        await press(pilot, "G")
        assert await wait_until(pilot, lambda: articles.cached(MATCHES - 1) is not None)
        await settle(pilot)
        last = articles.cached(MATCHES - 1)
        assert last is not None and last.title == "Ferry ferry ferry"  # the oldest
        assert "Ferry ferry ferry" in screen_text(app)
        # Every row of every page is a distinct match.
        await press(pilot, "g")
        ids = set()
        for index in range(MATCHES):
            row = articles.fetch_row(index)
            assert row is not None
            ids.add(row.id)
        assert len(ids) == MATCHES
        await press(pilot, "enter")
        reader_title = main_screen(app).reader.stored
        assert reader_title is not None and reader_title.summary.title == "Timetable 0"


async def test_O_switches_between_newest_and_best_first(ferries: Library) -> None:
    app = make_app(ferries)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.check_action("search_order", ()) is False  # no search yet
        await search_for(pilot, "ferry")
        articles = app.query_one(ArticleList)
        assert screen.check_action("search_order", ()) is True
        assert await wait_until(pilot, lambda: "Order" in screen_text(app).splitlines()[-1])
        await press(pilot, "O")
        assert isinstance(articles.source, SearchSource)
        assert articles.source.order == "relevance"
        assert articles.count == MATCHES
        first = articles.cached(0)
        assert first is not None and first.title == "Ferry ferry ferry"
        assert "best first" in status_text(app) and f"{MATCHES} results" in status_text(app)
        # The next search keeps the chosen order; O goes back to newest first.
        await search_for(pilot, "timetable")
        assert articles.source.order == "relevance"
        await press(pilot, "O")
        first = articles.cached(0)
        assert first is not None and first.title == "Timetable 0"
        # Leaving the search: the list is the store again, and O does nothing.
        await press(pilot, "escape")
        assert not isinstance(articles.source, SearchSource)
        assert screen.check_action("search_order", ()) is False
        assert "articles" in status_text(app)


async def test_a_search_without_matches_says_so(ferries: Library) -> None:
    app = make_app(ferries)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search_for(pilot, 'zzz "NEAR(')
        articles = app.query_one(ArticleList)
        assert articles.count == 0
        assert "0 results" in status_text(app)
        assert "Traceback" not in screen_text(app)
