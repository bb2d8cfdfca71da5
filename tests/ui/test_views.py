"""The reader's ``v`` key: cleaned text, feed text and whole page, offline, with the skips."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tui_reader.core.library import Library
from tui_reader.core.pages import pack_page
from tui_reader.core.storage.sqlite import ArticleRecord
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.widgets.reader_pane import ReaderPane

from .conftest import StoreSpec, fill_store, record
from .helpers import make_app, press, screen_text, settle

WIDE = (160, 48)
DATA = Path(__file__).resolve().parent.parent / "data"
SIDEBAR_STORY = (DATA / "whole" / "sidebar-story.html").read_text("utf-8")
HOSTILE = (DATA / "hostile" / "page.html").read_text("utf-8")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
STORY = "The first frost came early this year"
FEED_WORDS = "Frost arrived, says the feed"


def views(
    number: int,
    title: str,
    *,
    feed_html: str | None = None,
    page: str | None = None,
    summary_only: bool = False,
    paragraphs: int = 3,
) -> ArticleRecord:
    base = record(number, title, summary_only=summary_only, paragraphs=paragraphs)
    url = base.url or ""
    source = pack_page(page, url) if page is not None else None
    return replace(base, feed_summary_html=feed_html, article=replace(base.article, source=source))


def fill(data_dir: Path) -> None:
    records = [
        views(0, "All three views", feed_html=f"<p>{FEED_WORDS}.</p>", page=SIDEBAR_STORY),
        views(1, "No feed text", page=SIDEBAR_STORY),
        views(2, "No stored page", feed_html=f"<p>{FEED_WORDS}.</p>"),
        views(3, "Only cleaned"),
        views(4, "Hostile page", page=HOSTILE),
        views(5, "Long read", page=SIDEBAR_STORY, paragraphs=40),
        views(6, "Feed text only", feed_html=f"<p>{FEED_WORDS}.</p>", summary_only=True),
    ]
    fill_store(data_dir, StoreSpec(feeds=[("https://allot.example/feed", "Allot", (), records)]))


def notices(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_v_cycles_cleaned_feed_whole_offline(data_dir: Path) -> None:
    fill(data_dir)
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            reader = app.query_one(ReaderPane)
            assert reader.view == "cleaned"
            text = screen_text(app)
            assert "About All three views" in text and "view:" not in text

            await press(pilot, "v")
            assert reader.view == "feed"
            text = screen_text(app)
            assert "view: feed text" in text and FEED_WORDS in text
            assert "About All three views" not in text
            assert "All three views" in text  # the title stays

            await press(pilot, "v")
            assert reader.view == "whole"
            text = screen_text(app)
            assert "view: whole page" in text
            assert STORY in text and "I have kept plot 14" in text

            await press(pilot, "v")
            assert reader.view == "cleaned"
            text = screen_text(app)
            assert "view: cleaned text" in text and "About All three views" in text
            assert not [n for n in notices(app) if "Skipped" in n or "Only" in n]

            # Another article opens in its cleaned text again.
            await press(pilot, "v", "J")
            assert reader.view == "cleaned"
            assert reader.stored is not None and reader.stored.summary.title == "No feed text"
    finally:
        library.close()


async def test_missing_views_are_skipped_with_a_notice(data_dir: Path) -> None:
    fill(data_dir)
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            reader = app.query_one(ReaderPane)
            await press(pilot, "j", "enter")  # "No feed text"
            await press(pilot, "v")
            assert reader.view == "whole"
            assert "Skipped (no feed text): showing the whole page." in notices(app)
            assert STORY in screen_text(app)

            await press(pilot, "J", "v")  # "No stored page": feed text first
            assert reader.view == "feed" and FEED_WORDS in screen_text(app)
            await press(pilot, "v")
            assert reader.view == "cleaned"
            assert "Skipped (no stored page): showing the cleaned text." in notices(app)

            await press(pilot, "J", "v")  # "Only cleaned": nothing else to show
            assert reader.view == "cleaned"
            assert "Only the cleaned text is available (no feed text; no stored page)." in notices(
                app
            )
            assert "view:" not in screen_text(app)

            # Its page never cleaned: what it shows is the feed's text, and says so.
            await press(pilot, "J", "J", "J", "v")
            assert reader.stored is not None and reader.stored.summary.title == "Feed text only"
            assert reader.view == "cleaned"
            assert (
                "Only the cleaned text is available (it is the feed's own text; no stored page)."
                in notices(app)
            )
    finally:
        library.close()


async def test_whole_view_of_a_hostile_page_is_plain_text(data_dir: Path) -> None:
    fill(data_dir)
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "j", "j", "j", "j", "enter", "v")
            reader = app.query_one(ReaderPane)
            assert reader.stored is not None and reader.stored.summary.title == "Hostile page"
            assert reader.view == "whole"
            text = screen_text(app)
            assert "CANARYALPHA" in text
            assert not UNSAFE.search(text.replace("\n", ""))
            # Markup in the page is shown as the characters it is, never interpreted.
            assert "[bold red]RED[/bold red]" in text
            assert app.is_running  # "[@click=app.quit]" did nothing
    finally:
        library.close()


async def test_v_is_in_the_help_screen(data_dir: Path) -> None:
    fill(data_dir)
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            # The list is longer than the screen: the row is checked where the table holds it.
            rows = [row for row in app.screen.rows if row[0] == "v"]
            assert [(row[1], row[3]) for row in rows] == [
                ("Cycle the view: cleaned text, feed text, whole page", "cycle_view")
            ]
    finally:
        library.close()


async def test_a_bad_site_rule_is_a_notice_in_the_app(data_dir: Path, isolated_dirs: Path) -> None:
    (isolated_dirs / "config" / "config.toml").write_text(
        '[extract."broken.example"]\ndrop = ["p:nth-child("]\n', "utf-8"
    )
    fill(data_dir)
    library = Library.open(data_dir, offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            (notice,) = [n for n in notices(app) if "broken.example" in n]
            assert "\n" not in notice and "line 2" in notice and "ignored" in notice
            assert "Traceback" not in screen_text(app)
    finally:
        library.close()


async def test_a_damaged_stored_page_is_skipped_with_its_reason(data_dir: Path) -> None:
    fill(data_dir)
    library = Library.open(data_dir)
    try:
        first = library.articles(limit=1)[0]
        conn = library.store._connection()
        conn.execute("UPDATE pages SET html_z = x'00ff00' WHERE article_id = ?", (first.id,))
        app = make_app(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "v", "v")
            reader = app.query_one(ReaderPane)
            assert reader.view == "cleaned"
            (notice,) = [n for n in notices(app) if n.startswith("Skipped")]
            assert "whole page: the stored page is damaged" in notice and "\n" not in notice
            assert "Traceback" not in screen_text(app)
    finally:
        library.close()


async def test_the_reading_position_is_the_cleaned_texts(data_dir: Path) -> None:
    fill(data_dir)
    library = Library.open(data_dir, offline=True)
    try:
        long_read = next(a for a in library.articles() if a.title == "Long read")
        app = make_app(library)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await press(pilot, *["j"] * 5, "enter", "G")
            reader = app.query_one(ReaderPane)
            assert reader.stored is not None and reader.stored.summary.id == long_read.id
            assert reader.position == 1.0
            # In the whole view the scroll moves, but what is kept is where the cleaned
            # text was left.
            await press(pilot, "v", "g", "escape")
            assert reader.view == "whole"
            assert library.article(long_read.id).position == 1.0
            # Opened again, the article shows its cleaned text where it was left.
            await press(pilot, "enter")
            assert reader.view == "cleaned"
            assert reader.position == 1.0
    finally:
        library.close()
