"""Layout at every width: panes, placeholders, feed names, counts, dates, reader header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui_reader.core.library import Library
from tui_reader.core.models import ArticleSummary
from tui_reader.ui.render import RowStyles, age, article_row
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.feed_tree import FeedTree
from tui_reader.ui.widgets.reader_pane import ReaderPane

from .conftest import NOW, StoreSpec, fill_store, record, standard_spec
from .helpers import make_app, press, screen_text, settle, wait_until


def squash(text: str) -> str:
    return "".join(text.split())


def region_text(app, widget) -> str:  # type: ignore[no-untyped-def]
    """What ``widget`` draws (its lines, without borders)."""
    height = widget.scrollable_content_region.height
    lines = [widget.render_line(y) for y in range(height)]
    return "\n".join("".join(segment.text for segment in line) for line in lines)


# --- dates ---------------------------------------------------------------------------


def test_recent_items_show_an_age_and_old_ones_a_date() -> None:
    assert age(NOW - timedelta(minutes=5), NOW) == "5m"
    assert age(NOW - timedelta(hours=3), NOW) == "3h"
    assert age(NOW - timedelta(days=6), NOW) == "6d"
    assert age(datetime(2026, 2, 12, 9, tzinfo=UTC), NOW) == "12 Feb"
    assert age(datetime(2023, 3, 12, 9, tzinfo=UTC), NOW) == "2023-03-12"
    assert age(datetime(2025, 12, 30, 9, tzinfo=UTC), NOW) == "2025-12-30"
    assert age(None, NOW) == ""


def test_a_narrow_row_keeps_the_year_of_an_old_date() -> None:
    summary = ArticleSummary(
        id=1, feed_id=1, feed_title="Feed", title="An old article",
        url="https://a.example/1", published=datetime(2023, 3, 12, tzinfo=UTC),
        read=False, starred=False,
    )  # fmt: skip
    wide = article_row(summary, 90, NOW, RowStyles()).plain
    narrow = article_row(summary, 40, NOW, RowStyles()).plain
    assert wide.endswith("2023-03-12") and len(wide) == 90
    assert narrow.endswith("2023") and len(narrow) == 40


# --- panes ---------------------------------------------------------------------------


def visible(app, widget_type) -> bool:  # type: ignore[no-untyped-def]
    widget = app.screen.query_one(widget_type)
    return bool(widget.display) and widget.region.width > 0


@pytest.mark.parametrize("width", [100, 120, 139])
async def test_medium_widths_fold_the_feeds_pane(library: Library, width: int) -> None:
    app = make_app(library)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        assert not visible(app, FeedTree)
        articles = app.screen.query_one(ArticleList)
        reader = app.screen.query_one(ReaderPane)
        assert articles.region.width >= 38 and reader.region.width >= 58
        # h on the list brings the feeds back, beside the list.
        await press(pilot, "h")
        await wait_until(pilot, lambda: visible(app, FeedTree))
        assert visible(app, FeedTree) and visible(app, ArticleList)
        assert isinstance(app.focused, FeedTree)
        await press(pilot, "tab")
        await wait_until(pilot, lambda: not visible(app, FeedTree))
        assert isinstance(app.focused, ArticleList) and visible(app, ReaderPane)


async def test_wide_terminals_show_three_panes(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        assert visible(app, FeedTree) and visible(app, ArticleList) and visible(app, ReaderPane)
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        assert not visible(app, FeedTree)
        await pilot.resize_terminal(160, 30)
        await settle(pilot)
        assert visible(app, FeedTree)


# --- placeholders --------------------------------------------------------------------


@pytest.mark.parametrize("width", [100, 140, 160])
async def test_placeholders_are_wrapped_not_cut(library: Library, width: int) -> None:
    app = make_app(library)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        reader = app.screen.query_one(ReaderPane)
        articles = app.screen.query_one(ArticleList)
        shown = squash(region_text(app, reader))
        assert squash("Select an article and press Enter to read it.") in shown
        await press(pilot, "f", "f")  # unread, then starred: nothing is starred
        await wait_until(pilot, lambda: "No articles" in screen_text(app))
        shown = squash(region_text(app, articles))
        assert squash("No articles here. Press f to change the filter, r to refresh.") in shown


# --- the feeds pane ------------------------------------------------------------------

LONG = "The Extraordinarily Long Name of a Feed That Goes On and On Without End, " * 2


@pytest.fixture
def long_name_library(data_dir: Path):  # type: ignore[no-untyped-def]
    spec = standard_spec()
    spec.feeds.append(
        ("https://long.example/feed", LONG, (), [record(30 + n, f"Long {n}") for n in range(7)])
    )
    fill_store(data_dir, spec)
    lib = Library.open(data_dir)
    yield lib
    lib.close()


@pytest.mark.parametrize("width", [80, 160])
async def test_a_long_feed_name_is_cut_and_keeps_its_count(long_name_library, width) -> None:
    app = make_app(long_name_library)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        if width < 100:
            await press(pilot, "h")
        tree = app.screen.query_one(FeedTree)
        line = next(row for row in screen_text(app).splitlines() if "Extraordinarily" in row)
        row = line[: tree.region.width].rstrip("▕ ")
        assert row.endswith("… 7"), row
        assert tree.virtual_size.width <= tree.scrollable_content_region.width
        assert not tree.show_horizontal_scrollbar


async def test_every_count_in_the_tree_is_unread(library: Library) -> None:
    first = library.articles(limit=1)[0]
    library.set_read(first.id, True)
    app = make_app(library)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "All 11" in text and "Unread 11" in text
        assert "#tech 3" in text and "Tech Daily 3" in text


# --- the reader's header -------------------------------------------------------------


async def test_reader_header_shows_state_and_site(data_dir: Path) -> None:
    spec = StoreSpec(feeds=[("https://tech.example/feed", "Tech Daily", (), [record(0, "Hello")])])
    fill_store(data_dir, spec)
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            reader = app.screen.query_one(ReaderPane)
            await wait_until(pilot, lambda: reader.laid_out)
            header = reader.lines[1].plain
            assert header.startswith("Read · ")
            assert "News Example" in header and "news.example" in header
            assert "Starred" not in header
            await press(pilot, "s")
            await wait_until(pilot, lambda: "★ Starred" in reader.lines[1].plain)
            assert "★ Starred" in screen_text(app)
            await press(pilot, "m")
            await wait_until(pilot, lambda: reader.lines[1].plain.startswith("Unread"))
            assert reader.lines[1].plain.startswith("Unread · ★ Starred")
    finally:
        library.close()
