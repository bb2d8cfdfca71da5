"""Helpers for driving the app under Pilot."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot

from tui_reader.core.library import Library
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.main import MainScreen

from .conftest import fixed_clock


def make_app(library: Library, **kwargs: object) -> ReaderApp:
    return ReaderApp(library, clock=fixed_clock, **kwargs)  # type: ignore[arg-type]


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and their messages be handled."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def screen_text(app: App[None]) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def main_screen(app: App[None]) -> MainScreen:
    for screen in app.screen_stack:
        if isinstance(screen, MainScreen):
            return screen
    raise AssertionError("no main screen")
