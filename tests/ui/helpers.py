"""Helpers for driving the app under Pilot."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerState

from tui_reader.core.library import Library
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.screens.main import MainScreen

from .conftest import fixed_clock


def make_app(library: Library, **kwargs: object) -> ReaderApp:
    return ReaderApp(library, clock=fixed_clock, **kwargs)  # type: ignore[arg-type]


def _busy(app: App[None]) -> bool:
    return any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and their messages be handled (and the workers those start)."""
    app = pilot.app
    await pilot.pause()
    for _ in range(6):
        if not _busy(app):
            return
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


async def wait_until(pilot: Pilot[None], check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Pause until ``check()`` holds (for things drawn after a refresh, not by a worker).

    Bounded by time rather than by a number of pauses: on a loaded machine a frame can take
    many event-loop turns to come.
    """
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.01)
    return True
