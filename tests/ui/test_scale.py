"""Large stores and long articles: the list reads only what it shows, the reader stays lazy."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tui_reader.core.library import Library
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.storage.sqlite import ArticleRecord
from tui_reader.ui.widgets.article_list import PAGE_SIZE, ArticleList
from tui_reader.ui.widgets.reader_pane import ReaderPane

from .conftest import NOW, StoreSpec, fill_store
from .helpers import make_app, press, screen_text, settle

BULK = 2500


def bulk_records(count: int) -> list[ArticleRecord]:
    records = []
    for number in range(count):
        published = NOW - timedelta(minutes=number + 1)
        article = Article(
            title=f"Bulk {number}",
            blocks=(Block("paragraph", spans=(Span(f"Body {number}"),)),),
        )
        records.append(
            ArticleRecord(
                guid=f"b{number}",
                url=f"https://bulk.example/{number}",
                title=f"Bulk {number}",
                article=article,
                published=published,
            )
        )
    return records


async def test_startup_reads_one_page_and_jumps_read_one_more(data_dir: Path, monkeypatch) -> None:
    feeds = [("https://bulk.example/feed", "Bulk", (), bulk_records(BULK))]
    fill_store(data_dir, StoreSpec(feeds=feeds))
    library = Library.open(data_dir)
    calls: list[tuple[int, int]] = []
    original = library.articles

    def counting(**kwargs):  # type: ignore[no-untyped-def]
        calls.append((kwargs["limit"], kwargs["offset"]))
        return original(**kwargs)

    monkeypatch.setattr(library, "articles", counting)
    try:
        app = make_app(library)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            articles = app.query_one(ArticleList)
            assert articles.count == BULK
            assert articles.virtual_size.height == BULK
            assert calls == [(PAGE_SIZE, 0)]
            assert "Bulk 0" in screen_text(app)
            await press(pilot, "G")
            assert articles.cursor == BULK - 1
            text = screen_text(app)
            assert f"Bulk {BULK - 1}" in text
            # Only the pages on screen were read: the first, then the last one or two.
            assert calls[0] == (PAGE_SIZE, 0)
            assert {offset for _, offset in calls[1:]} <= {
                (BULK - 1) // PAGE_SIZE * PAGE_SIZE,
                ((BULK - 1) // PAGE_SIZE - 1) * PAGE_SIZE,
            }
            # The row at the cursor opens the right article even far down the list.
            await press(pilot, "enter")
            reader = app.query_one(ReaderPane)
            assert reader.stored is not None and reader.stored.summary.title == f"Bulk {BULK - 1}"
    finally:
        library.close()


async def test_unread_view_keeps_rows_read_while_it_is_shown(data_dir: Path) -> None:
    # Reading articles in the Unread view must not shift the rows of later pages: the view
    # keeps what it showed (now marked read) until it is chosen again.
    total = PAGE_SIZE + 150
    fill_store(
        data_dir, StoreSpec(feeds=[("https://bulk.example/feed", "Bulk", (), bulk_records(total))])
    )
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            articles = app.query_one(ArticleList)
            await press(pilot, "f")  # unread
            assert articles.count == total
            await press(pilot, "enter", *["J"] * 9, "h")
            assert library.count_articles(view="unread") == total - 10
            assert articles.count == total
            for index in (5, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 5, total - 1):
                row = articles.fetch_row(index)
                assert row is not None and row.title == f"Bulk {index}", (index, row)
            assert articles.fetch_row(3) is not None and articles.fetch_row(3).read
            await press(pilot, "G")
            assert f"Bulk {total - 1}" in screen_text(app)
            # Choosing the view again shows only what is unread now.
            await press(pilot, "f", "f", "f")
            assert articles.count == total - 10
    finally:
        library.close()


async def test_a_300kb_article_opens_and_scrolls_to_its_end(data_dir: Path) -> None:
    paragraphs = tuple(
        Block("paragraph", spans=(Span(f"Paragraph {n}: " + "lorem ipsum dolor sit amet " * 4),))
        for n in range(3000)
    )
    article = Article(title="A very long read", blocks=paragraphs)
    assert len(article.text) > 300_000
    record = ArticleRecord(
        guid="long", url="https://long.example/1", title="A very long read", article=article,
        published=NOW,
    )  # fmt: skip
    fill_store(data_dir, StoreSpec(feeds=[("https://long.example/feed", "Long", (), [record])]))
    library = Library.open(data_dir)
    try:
        app = make_app(library)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            # Right after Enter the layout runs in a thread; the UI still answers keys.
            await pilot.press("question_mark")
            await pilot.pause()
            await settle(pilot)
            from tui_reader.ui.screens.help import HelpScreen

            assert isinstance(app.screen, HelpScreen)
            await press(pilot, "escape")
            reader = app.query_one(ReaderPane)
            assert reader.laid_out
            assert len(reader.lines) > 6000
            await press(pilot, "G")
            assert "Paragraph 2999:" in screen_text(app)
            # Only lines that were drawn were turned into segments.
            assert len(reader._strips) < 200
    finally:
        library.close()


def test_the_app_module_does_not_import_the_network_or_the_extractor() -> None:
    code = (
        "import sys\n"
        "import tui_reader.ui.app, tui_reader.ui.screens.main\n"
        "import tui_reader.core.library\n"
        "bad = [m for m in ('httpx', 'selectolax', 'feedparser', 'tui_reader.core.extract',"
        " 'tui_reader.core.fetch') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )  # fmt: skip
    assert result.stdout.strip() == ""
