"""``L`` acts on the row under the cursor like ``o``/``y``/``m``/``s``; a followed link is
stored, read, listed, and Back returns to the article it was followed from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tui_reader.core.library import Library
from tui_reader.ui.screens.links import LinksScreen
from tui_reader.ui.widgets.article_list import ArticleList
from tui_reader.ui.widgets.reader_pane import ReaderPane

from .conftest import StoreSpec, fill_store, record
from .helpers import main_screen, make_app, press, settle

WIDE = (160, 48)
SEED = Path(__file__).parent.parent / "data" / "pages" / "seed-page.html"


async def test_L_uses_the_row_under_the_cursor_not_the_last_opened(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        # Open the first article (it has links), go back, move to the next row: L lists
        # that row's links (it has none), not the opened article's.
        await press(pilot, "enter", "escape", "j")
        assert main_screen(app).pane == "articles"
        await press(pilot, "L")
        assert isinstance(app.screen, LinksScreen)
        assert app.screen.links == []
        await press(pilot, "escape", "k", "L")
        assert isinstance(app.screen, LinksScreen)
        assert "https://links.example/a" in [url for _, url in app.screen.links]
        await press(pilot, "escape")


@pytest.mark.parametrize("key", ["L", "o", "y", "m", "s"])
async def test_in_the_feeds_pane_no_article_is_selected(library: Library, key: str) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "escape", "escape")  # read one, then back to the feeds
        assert main_screen(app).pane == "feeds"
        await press(pilot, key)
        assert not isinstance(app.screen, LinksScreen)
        messages = [n.message for n in app._notifications]
        assert "No article selected." in messages


@pytest.fixture
def linked(data_dir: Path, http_server: LocalServer):
    http_server.add_file("/seed.html", SEED, content_type="text/html; charset=utf-8")
    link = http_server.url("/seed.html")
    fill_store(data_dir, StoreSpec(feeds=[("https://example.invalid/feed", "Stored", (), [
        record(0, "Has a local link", links=(link,)),
        record(1, "Another article"),
    ])]))  # fmt: skip
    library = Library.open(data_dir)
    yield library, link
    library.close()


async def test_following_a_link_reads_lists_and_back_returns(linked) -> None:
    library, link = linked
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        reader = app.query_one(ReaderPane)
        assert reader.stored is not None
        origin = reader.stored.summary.id
        await press(pilot, "L", "1")
        await settle(pilot)
        assert reader.stored is not None and "OTAN" in reader.stored.article.title
        page_id = reader.stored.summary.id
        # Stored, and read, as any opened article is.
        stored = library.article_by_url(link)
        assert stored is not None and stored.summary.id == page_id and stored.summary.read
        # The list shows it at once, with the cursor on it.
        article_list = app.query_one(ArticleList)
        assert article_list.count == 3
        row = article_list.cached(article_list.cursor)
        assert row is not None and row.id == page_id
        # Back: to the article the link was followed from, still in the reader...
        await press(pilot, "h")
        assert main_screen(app).pane == "reader"
        assert reader.stored is not None and reader.stored.summary.id == origin
        row = article_list.cached(article_list.cursor)
        assert row is not None and row.id == origin
        # ... then to the list.
        await press(pilot, "h")
        assert main_screen(app).pane == "articles"


def _page(title: str, link: str | None) -> bytes:
    words = "Plain words of a real article, enough of them for the cleaner to keep. " * 8
    more = f'<p>Read on: <a href="{link}">the next page</a>.</p>' if link else ""
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{words}</p><p>{words}</p>{more}</article></body></html>"
    ).encode()


async def test_back_walks_a_chain_of_links_then_returns_to_the_list(
    data_dir: Path, http_server: LocalServer
) -> None:
    second = http_server.url("/second.html")
    http_server.add("/first.html", _page("First page", second), content_type="text/html")
    http_server.add("/second.html", _page("Second page", None), content_type="text/html")
    fill_store(data_dir, StoreSpec(feeds=[("https://example.invalid/feed", "Stored", (), [
        record(0, "Where it starts", links=(http_server.url("/first.html"),)),
    ])]))  # fmt: skip
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            reader = app.query_one(ReaderPane)

            def title() -> str:
                assert reader.stored is not None
                return reader.stored.summary.title

            await press(pilot, "enter")
            assert title() == "Where it starts"
            await press(pilot, "L", "1")
            await settle(pilot)
            assert title() == "First page"
            await press(pilot, "L")
            assert isinstance(app.screen, LinksScreen)
            links = [url for _, url in app.screen.links]
            await press(pilot, str(links.index(second) + 1))
            await settle(pilot)
            assert title() == "Second page"
            assert library.article_by_url(second) is not None
            await press(pilot, "h")
            assert title() == "First page" and main_screen(app).pane == "reader"
            await press(pilot, "escape")
            assert title() == "Where it starts" and main_screen(app).pane == "reader"
            await press(pilot, "h")
            assert main_screen(app).pane == "articles"
    finally:
        library.close()
