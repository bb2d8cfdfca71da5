"""The look of the app: footer, remapped keys, help and log screens, under Pilot."""

from __future__ import annotations

import pytest

from tui_reader.core.library import Library
from tui_reader.ui.screens.dialogs import InputDialog
from tui_reader.ui.screens.help import HelpScreen
from tui_reader.ui.screens.links import LinksScreen
from tui_reader.ui.screens.log import LogScreen
from tui_reader.ui.widgets.keybar import KeyBar

from .conftest import open_with_config
from .helpers import make_app, press, screen_text, settle, wait_until


def footer(app) -> str:  # type: ignore[no-untyped-def]
    return screen_text(app).splitlines()[-1]


def footer_keys(line: str) -> list[str]:
    """``" ? Help q Quit"`` → ``["? Help", "q Quit"]`` (keys and words alternate)."""
    words = line.split()
    return [f"{words[i]} {words[i + 1]}" for i in range(0, len(words) - 1, 2)]


@pytest.mark.parametrize("width", [80, 100, 160])
async def test_footer_puts_help_and_quit_first_and_fits(library: Library, width: int) -> None:
    app = make_app(library)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "Help" in footer(app))
        line = footer(app)
        assert len(line) == width
        shown = footer_keys(line)
        assert shown[:3] == ["? Help", "q Quit", "Enter Open"]
        assert "a Add" in shown and "/ Search" in shown
        # Every shown item is a whole key: nothing cut at the right edge.
        bar = app.screen.query_one(KeyBar)
        whole = {f"{item.key} {item.description}" for _, _, item in bar._shown}
        assert set(shown) == whole
        assert len(shown) == len(bar._shown)
        if width == 160:
            assert "t Theme" in shown and "e Log" in shown
        # The pane's own keys follow the focus.
        await press(pilot, "enter")
        await wait_until(pilot, lambda: "Space Page" in footer(app))
        assert footer_keys(footer(app))[:3] == ["? Help", "q Quit", "Space Page"]


async def test_clicking_a_footer_key_runs_it(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.click(KeyBar, offset=(2, 0))  # "? Help"
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_remapped_keys_show_in_the_footer_and_help(data_dir, isolated_dirs) -> None:
    library = open_with_config(data_dir, isolated_dirs, '[keys]\ntoggle_star = "asterisk"\n')
    try:
        app = make_app(library)
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(pilot)
            await wait_until(pilot, lambda: "Help" in footer(app))
            assert "* Star" in footer_keys(footer(app))
            assert "s Star" not in footer_keys(footer(app))
            await press(pilot, "question_mark")
            text = screen_text(app)
            star = next(line for line in text.splitlines() if "Toggle the star" in line)
            assert star.strip("│ ").split()[0] == "*" and "toggle_star" in star
            assert "Asterisk" not in text
    finally:
        library.close()


async def test_a_key_given_to_two_actions_is_reported_and_defaults_kept(
    data_dir, isolated_dirs
) -> None:
    config = '[keys]\ntoggle_star = "s,m"\nrefresh = "x"\n'
    library = open_with_config(data_dir, isolated_dirs, config)
    try:
        app = make_app(library)
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            conflict = [m for m in messages if "toggle_star" in m]
            assert len(conflict) == 1 and "toggle_read" in conflict[0]
            assert "\n" not in conflict[0]
            first = library.articles(limit=1)[0]
            await press(pilot, "m")  # still toggle_read
            assert library.article(first.id).summary.read
            assert not library.article(first.id).summary.starred
            await press(pilot, "s")  # still toggle_star
            assert library.article(first.id).summary.starred
            # A remap without a conflict still applies.
            assert app.keymap_overrides == {"refresh": "x"}
    finally:
        library.close()


async def test_help_lists_binding_ids_and_scrolls_like_everything_else(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "toggle_read" in text and "Id" in text
        body = app.screen.body
        assert body.max_scroll_y > 0
        await press(pilot, "space")
        assert body.scroll_y > 0
        await press(pilot, "G")
        assert body.scroll_y == body.max_scroll_y
        await press(pilot, "g")
        assert body.scroll_y == 0
        await press(pilot, "j")
        assert body.scroll_y == 1
        await press(pilot, "question_mark")
        assert not isinstance(app.screen, HelpScreen)


async def test_question_mark_opens_help_on_every_screen(library: Library) -> None:
    app = make_app(library)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        assert isinstance(app.screen, LogScreen)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, LogScreen)
        await press(pilot, "escape", "enter", "L")
        assert isinstance(app.screen, LinksScreen)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape", "escape", "slash")
        assert isinstance(app.screen, InputDialog)
        # In a text box "?" is typed; F1 opens the help.
        await press(pilot, "question_mark")
        assert isinstance(app.screen, InputDialog)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, InputDialog)
        assert app.screen.query_one("Input").value == "?"  # type: ignore[attr-defined]


async def test_log_wraps_long_lines_and_scrolls(library: Library) -> None:
    app = make_app(library)
    long_url = "https://feeds.example/" + "very-long-path/" * 6 + "feed.xml"
    for number in range(40):
        app.record_error(f"{long_url}?n={number}: HTTP 503 Service Unavailable")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        assert isinstance(app.screen, LogScreen)
        screen = app.screen
        # Starts at the newest line, and the status code of a long line is on screen.
        await wait_until(pilot, lambda: screen.body.scroll_y == screen.body.max_scroll_y)
        text = screen_text(app)

        def squash(value: str) -> str:
            # Without spaces and the scrollbar's block characters, which sit on the rows.
            return "".join(c for c in "".join(value.split()) if not 0x2580 <= ord(c) <= 0x259F)

        # The whole line is there, wrapped over several rows: nothing is cut.
        assert squash(f"{long_url}?n=39: HTTP 503 Service Unavailable") in squash(text)
        assert text.count("HTTP 503") >= 3
        await press(pilot, "g")
        assert screen.body.scroll_y == 0
        assert "n=0" in screen_text(app)
        await press(pilot, "space")
        assert screen.body.scroll_y > 0
        await press(pilot, "G")
        assert screen.body.scroll_y == screen.body.max_scroll_y
        await press(pilot, "k")
        assert screen.body.scroll_y == screen.body.max_scroll_y - 1


async def test_a_remapped_reader_key_shows_its_new_key(data_dir, isolated_dirs) -> None:
    library = open_with_config(data_dir, isolated_dirs, '[keys]\npage_down = "x,pagedown"\n')
    try:
        app = make_app(library)
        async with app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "enter")
            await wait_until(pilot, lambda: "x Page" in footer(app))
            assert "x Page" in footer_keys(footer(app))
            assert "Space Page" not in footer_keys(footer(app))
    finally:
        library.close()
