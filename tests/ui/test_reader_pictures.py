"""The reader pane with pictures: text first, pictures filling in, captions, the ``i`` key."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tui_reader.core.models import (
    Article,
    ArticleSummary,
    Block,
    Span,
    StoredArticle,
    StoredPicture,
)
from tui_reader.ui import pictures
from tui_reader.ui.widgets.reader_pane import ReaderPane

PHOTO = "https://pics.example/harbour.jpg"
CHART = "https://pics.example/chart.png"
LOST = "https://pics.example/lost.png"
RED = (230, 20, 20)


def article(*blocks: Block, lead: str | None = None) -> StoredArticle:
    summary = ArticleSummary(
        id=7,
        feed_id=1,
        feed_title="Harbour News",
        title="Boats in the harbour",
        url="https://news.example/boats",
        published=datetime(2026, 1, 2, tzinfo=UTC),
    )
    body = Article(title=summary.title, url=summary.url, lead_image=lead, blocks=blocks)
    return StoredArticle(summary=summary, article=body)


def para(text: str) -> Block:
    return Block(kind="paragraph", spans=(Span(text),))


def figure(src: str, alt: str, caption: str = "") -> Block:
    return Block(kind="figure", src=src, alt=alt, spans=(Span(caption),) if caption else ())


STORY = article(
    para("Before the picture, the first paragraph."),
    figure(PHOTO, "boats at dawn", "The harbour at dawn."),
    para("After the picture, the second paragraph."),
    figure(LOST, "a lost map", "The map."),
    *[para(f"More paragraph number {n}.") for n in range(30)],
)


def save_picture(tmp_path: Path, size: tuple[int, int] = (200, 100)) -> StoredPicture:
    path = tmp_path / "harbour.png"
    Image.new("RGB", size, RED).save(path)
    return StoredPicture(path=path, width=size[0], height=size[1])


class PaneApp(App[None]):
    def __init__(self, mode: pictures.Mode = "cells") -> None:
        super().__init__()
        self.picture_mode = mode

        self.logged: list[str] = []

    def record_error(self, line: str) -> None:
        self.logged.append(line)

    def compose(self) -> ComposeResult:
        yield ReaderPane(id="reader")


def rows(app: App[None]) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip).rstrip() for strip in strips]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def stored_only(
    found: dict[str, StoredPicture],
) -> tuple[Callable[[str], StoredPicture | None], Callable[[str], str | None]]:
    problems = {LOST: "not fetched: 404 Not Found"}
    return found.get, problems.get


async def test_text_appears_before_the_picture_is_decoded(tmp_path: Path) -> None:
    picture = save_picture(tmp_path)
    release = threading.Event()
    started = threading.Event()

    def slow_decode(path: Path) -> Image.Image:
        started.set()
        assert release.wait(10), "the test never released the decode"
        return pictures.load(path)

    app = PaneApp()
    async with app.run_test(size=(80, 40)) as pilot:
        pane = app.query_one(ReaderPane)
        pane.color_depth = "truecolor"
        pane.decode = slow_decode
        picture_for, problem_for = stored_only({PHOTO: picture})
        pane.show(STORY, picture_for=picture_for, problem_for=problem_for)
        for _ in range(50):
            await pilot.pause(0.02)
            if pane.laid_out and started.is_set():
                break
        assert pane.laid_out and started.is_set()
        shown = rows(app)
        text = "\n".join(shown)
        assert "Before the picture" in text and "After the picture" in text
        assert "▀" not in text  # not drawn yet
        before = shown.index("Before the picture, the first paragraph.")
        caption = next(i for i, row in enumerate(shown) if "The harbour at dawn." in row)
        # 200x100 pixels in 79 columns: 20 columns, 5 rows kept blank for it.
        assert caption - before - 2 == 5
        assert all(not row.strip() for row in shown[before + 2 : caption])
        scroll = pane.scroll_y

        release.set()
        await settle(pilot)
        shown = rows(app)
        assert shown.index("Before the picture, the first paragraph.") == before
        assert next(i for i, row in enumerate(shown) if "The harbour at dawn." in row) == caption
        picture_rows = shown[before + 2 : caption]
        assert picture_rows == ["▀" * 20] * 5
        assert pane.scroll_y == scroll  # filling in did not move the text
        # The alt text is not shown where the picture is; the lost one keeps it, with why.
        text = "\n".join(shown)
        assert "boats at dawn" not in text
        assert "[image: a lost map] The map. (not fetched: 404 Not Found)" in text


async def test_picture_colours_reach_the_screen(tmp_path: Path) -> None:
    picture = save_picture(tmp_path)
    app = PaneApp()
    async with app.run_test(size=(80, 40)) as pilot:
        pane = app.query_one(ReaderPane)
        pane.color_depth = "truecolor"
        picture_for, problem_for = stored_only({PHOTO: picture})
        pane.show(STORY, picture_for=picture_for, problem_for=problem_for)
        await settle(pilot)
        strips = app.screen._compositor.render_strips()
        blocks = [s for strip in strips for s in strip if s.text.startswith("▀")]
        assert blocks
        style = blocks[0].style
        assert style is not None and style.color is not None
        assert tuple(style.color.get_truecolor()) == RED


async def test_i_hides_and_shows_pictures(tmp_path: Path) -> None:
    picture = save_picture(tmp_path)
    app = PaneApp()
    async with app.run_test(size=(80, 40)) as pilot:
        pane = app.query_one(ReaderPane)
        picture_for, problem_for = stored_only({PHOTO: picture})
        pane.show(STORY, picture_for=picture_for, problem_for=problem_for)
        await settle(pilot)
        pane.focus()
        assert "▀" in "\n".join(rows(app))
        await pilot.press("i")
        await settle(pilot)
        text = "\n".join(rows(app))
        assert "▀" not in text
        assert "[image: boats at dawn] The harbour at dawn." in text
        await pilot.press("i")
        await settle(pilot)
        assert "▀" * 20 in "\n".join(rows(app))


async def test_off_mode_draws_nothing_and_asks_for_nothing(tmp_path: Path) -> None:
    asked: list[str] = []

    def picture_for(src: str) -> StoredPicture | None:
        asked.append(src)
        return save_picture(tmp_path)

    app = PaneApp(mode="off")
    async with app.run_test(size=(80, 40)) as pilot:
        pane = app.query_one(ReaderPane)
        pane.show(STORY, picture_for=picture_for, problem_for=lambda src: None)
        await settle(pilot)
        text = "\n".join(rows(app))
        assert "▀" not in text and "[image: boats at dawn]" in text
        assert asked == []
        # i shows them for the session, drawn in cells.
        pane.focus()
        await pilot.press("i")
        await settle(pilot)
        assert "▀" in "\n".join(rows(app)) and asked


async def test_a_picture_that_cannot_be_decoded_leaves_a_line_not_a_hole(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    app = PaneApp()
    async with app.run_test(size=(80, 40)) as pilot:
        pane = app.query_one(ReaderPane)
        found = {PHOTO: StoredPicture(path=broken, width=200, height=100)}
        pane.show(STORY, picture_for=found.get, problem_for=lambda src: None)
        await settle(pilot)
        shown = rows(app)
        text = "\n".join(shown)
        assert "[image: cannot be drawn" in text
        assert "After the picture, the second paragraph." in text
        assert app.logged == [f"Picture {PHOTO}: cannot be drawn (OSError)"]


async def test_the_picture_is_never_wider_than_the_text_or_taller_than_half_the_pane(
    tmp_path: Path,
) -> None:
    picture = save_picture(tmp_path, size=(3000, 3000))
    app = PaneApp()
    async with app.run_test(size=(60, 30)) as pilot:
        pane = app.query_one(ReaderPane)
        pane.show(STORY, picture_for={PHOTO: picture}.get, problem_for=lambda src: None)
        await settle(pilot)
        drawn = [row for row in rows(app) if "▀" in row]
        assert 1 <= len(drawn) <= 15
        # Half the 30-row pane: 15 rows, so 30 columns of a square picture.
        assert len(drawn) == 15 and all(row.count("▀") == 30 for row in drawn), drawn


async def test_lead_image_stands_under_the_header(tmp_path: Path) -> None:
    picture = save_picture(tmp_path)
    story = article(para("Only a paragraph."), lead=CHART)
    app = PaneApp()
    async with app.run_test(size=(80, 40)) as pilot:
        pane = app.query_one(ReaderPane)
        pane.show(story, picture_for={CHART: picture}.get, problem_for=lambda src: None)
        await settle(pilot)
        shown = rows(app)
        first_picture = next(i for i, row in enumerate(shown) if "▀" in row)
        assert first_picture < shown.index("Only a paragraph.")


@pytest.mark.parametrize("mode", ["kitty", "sixel"])
async def test_protocol_modes_keep_the_layout(tmp_path: Path, mode: pictures.Mode) -> None:
    picture = save_picture(tmp_path)
    app = PaneApp(mode=mode)
    async with app.run_test(size=(80, 40)) as pilot:
        pane = app.query_one(ReaderPane)
        pane.show(STORY, picture_for={PHOTO: picture}.get, problem_for=lambda src: None)
        await settle(pilot)
        shown = rows(app)
        before = shown.index("Before the picture, the first paragraph.")
        caption = next(i for i, row in enumerate(shown) if "The harbour at dawn." in row)
        assert caption - before - 2 == 5
        strips = app.screen._compositor.render_strips()
        text = "".join(s.text for strip in strips for s in strip)
        if mode == "kitty":
            assert text.count(pictures.KITTY_PLACEHOLDER) == 20 * 5
            assert "\x1bP" not in text
            assert len(pane._sent_ids) == 1  # the picture went to the terminal once
            return
        assert pictures.KITTY_PLACEHOLDER not in text and "▀" not in text
        # The Sixel image goes out with its first line, placed at that line's row.
        assert text.count("\x1bP0;1;0q") == 1
        assert f"\x1b7\x1b[{before + 3};1H\x1bP0;1;0q" in text
        # Partly scrolled out of view it is not drawn (it would spill over what is below).
        pane.scroll_to(y=before + 3, animate=False, immediate=True)
        await settle(pilot)
        strips = app.screen._compositor.render_strips()
        assert "\x1bP" not in "".join(s.text for strip in strips for s in strip)


async def test_the_app_offers_the_toggle_in_help_and_palette(tmp_path: Path) -> None:
    from tui_reader.core.library import Library
    from tui_reader.ui.screens.help import HelpScreen

    from .helpers import make_app, press, screen_text
    from .helpers import settle as settle_app

    library = Library.open(tmp_path / "data", offline=True)
    try:
        app = make_app(library)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle_app(pilot)
            rows_by_id = {row[3]: row for row in app.binding_rows()}
            assert rows_by_id["toggle_pictures"][:3] == (
                "i",
                "Show or hide pictures (for this session)",
                "reader",
            )
            reader = app.query_one(ReaderPane)
            assert reader.pictures_shown
            await press(pilot, "ctrl+p")
            await pilot.press(*"toggle pictures")
            await settle_app(pilot)
            await pilot.pause(0.3)
            await press(pilot, "enter")
            assert not reader.pictures_shown
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert any(row[3] == "toggle_pictures" for row in app.screen.rows)
            assert "Keys" in screen_text(app)
    finally:
        library.close()
