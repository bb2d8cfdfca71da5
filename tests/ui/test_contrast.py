"""Every text cell on the main views reaches 3:1 contrast, in every theme and colour mode.

The screen is rendered under Pilot and each cell's colours are read from the compositor (see
``contrast.py``). The set-ups are the dark and light themes in truecolor, a 16-colour
terminal (``TERM=xterm-16color``) and ``NO_COLOR``.
"""

from __future__ import annotations

import pytest
from rich.color import ColorSystem
from textual.command import CommandPalette

from tui_reader.core.library import Library
from tui_reader.ui.app import ReaderApp

from .contrast import contrast, low_contrast
from .helpers import make_app, press, screen_text, settle, wait_until

MINIMUM = 3.0

SETUPS = {
    "truecolor": {"COLORTERM": "truecolor", "TERM": "xterm-256color"},
    "16colors": {"TERM": "xterm-16color"},
    "no-color": {"COLORTERM": "truecolor", "TERM": "xterm-256color", "NO_COLOR": "1"},
}

SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
    "windows": ColorSystem.WINDOWS,
}


def test_the_ratio_is_wcag() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    # #767676 on white is the classic 4.54:1 grey.
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def _setup(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    for name in ("COLORTERM", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in SETUPS[mode].items():
        monkeypatch.setenv(name, value)


def _check(app: ReaderApp, view: str, failures: list[str]) -> None:
    system = SYSTEMS.get(app.console.color_system or "truecolor", ColorSystem.TRUECOLOR)
    for cell in low_contrast(app, MINIMUM, system)[:6]:
        failures.append(f"{view}: {cell.describe()}")


async def _views(app: ReaderApp, library: Library, failures: list[str]) -> None:
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "Help" in screen_text(app).splitlines()[-1])
        # Read one article and star one so read titles and stars are on screen too.
        await press(pilot, "j", "s", "enter")
        await press(pilot, "escape")
        _check(app, "list focused", failures)
        await press(pilot, "shift+tab")
        _check(app, "feeds focused", failures)
        await press(pilot, "tab", "enter")
        _check(app, "reader focused", failures)
        await press(pilot, "question_mark")
        _check(app, "help", failures)
        await press(pilot, "escape", "L")
        _check(app, "links", failures)
        await press(pilot, "escape", "slash")
        await pilot.press(*"rust")
        await settle(pilot)
        _check(app, "search dialog", failures)
        await press(pilot, "escape")
        app.record_error("https://broken.example/feed: HTTP 404 Not Found")
        await press(pilot, "e")
        _check(app, "log", failures)
        await press(pilot, "escape")
        app.notify("Refresh done: 3 new", markup=False)
        app.notify("Could not add a URL: HTTP 404", severity="error", markup=False)
        app.notify("No article selected.", severity="warning", markup=False)
        await settle(pilot)
        assert await wait_until(pilot, lambda: "HTTP 404" in screen_text(app))
        _check(app, "notifications", failures)
        await press(pilot, "ctrl+p")
        await pilot.press(*"refr")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert await wait_until(pilot, lambda: "Refresh all feeds" in screen_text(app))
        _check(app, "command palette", failures)


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("mode", list(SETUPS))
async def test_every_text_cell_reaches_3_to_1(
    library: Library, monkeypatch: pytest.MonkeyPatch, theme: str, mode: str
) -> None:
    _setup(monkeypatch, mode)
    app = make_app(library, theme=theme)
    if mode == "16colors":
        assert app.console.color_system == "standard"
    if mode == "no-color":
        assert app.no_color
    failures: list[str] = []
    await _views(app, library, failures)
    assert not failures, "text below 3:1:\n" + "\n".join(failures)
