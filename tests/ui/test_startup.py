"""Startup: the first page in one query, and nothing imported that the first screen does not use."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_reader.core.library import Library
from tui_reader.ui import gcpause

from .helpers import make_app, screen_text, settle


def test_first_page_matches_count_and_articles(library: Library) -> None:
    for view in ("all", "unread", "starred"):
        count, rows = library.first_page(view=view, limit=5)  # type: ignore[arg-type]
        assert count == library.count_articles(view=view)  # type: ignore[arg-type]
        assert rows == library.articles(view=view, limit=5)  # type: ignore[arg-type]
    first = library.articles(limit=1)[0]
    library.set_starred(first.id, True)
    assert library.first_page(view="starred") == (1, [library.articles(view="starred")[0]])


def test_first_page_is_one_statement(library: Library) -> None:
    statements: list[str] = []
    conn = library.store._connection()
    conn.set_trace_callback(statements.append)
    try:
        library.first_page(view="all", limit=100)
    finally:
        conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, statements


LAUNCH = """
import asyncio, sys
from tui_reader.core.library import Library
from tui_reader.ui.app import ReaderApp, preload

library = Library.open(sys.argv[1], offline=True)
app = ReaderApp(library, offline=True, startup=preload(library))

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Rust 2.0" in "".join(
            segment.text for strip in app.screen._compositor.render_strips() for segment in strip
        )

asyncio.run(main())
library.close()
print(",".join(sorted(m for m in sys.modules if m.startswith(HEAVY))))
"""

# Modules the first screen has no use for: the network, the parsers and the extractor, the
# refresh machinery (worker processes, the parse pipeline), which come when first used, and
# the modules of the command line's subcommands.
HEAVY = (
    "tui_reader.cli.library_commands",
    "tui_reader.cli.manage",
    "tui_reader.cli.read",
    "httpx",
    "httpcore",
    "feedparser",
    "selectolax",
    "tui_reader.core.extract",
    "tui_reader.core.fetch",
    "tui_reader.core.feeds",
    "tui_reader.core.refresh",
    "tui_reader.core.parsework",
    "tui_reader.core.pages",
    "multiprocessing",
    "concurrent.futures.process",
    "argparse",
    "webbrowser",
)

# The launch as `tui-reader --data-dir D --offline` runs it, from the command line's own entry
# point, drawn by a headless driver (no terminal here): the first frame must hold the newest
# title, then the app quits.
CLI_LAUNCH = """
import sys
from textual.app import App
from tui_reader.ui.app import ReaderApp

def headless(self, **kwargs):
    async def quit_after_first_frame(pilot):
        await pilot.pause()
        text = "".join(
            segment.text
            for strip in pilot.app.screen._compositor.render_strips()
            for segment in strip
        )
        assert "Rust 2.0" in text, text
        await pilot.press("q")
    return App.run(self, headless=True, size=(120, 40), auto_pilot=quit_after_first_frame)

ReaderApp.run = headless
sys.stdin.isatty = sys.stdout.isatty = lambda: True
from tui_reader.__main__ import main
assert main(["--data-dir", sys.argv[1], "--offline"]) == 0
print(",".join(sorted(m for m in sys.modules if m.startswith(HEAVY))))
"""


def test_launching_the_app_imports_no_network_parser_or_extractor(
    library: Library, data_dir: Path
) -> None:
    library.close()
    result = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{LAUNCH}", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", result.stdout


def test_the_command_line_launch_imports_no_refresh_or_parse_machinery(
    library: Library, data_dir: Path
) -> None:
    library.close()
    result = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{CLI_LAUNCH}", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", result.stdout


@pytest.fixture
def collector() -> Iterator[None]:
    """Leaves the garbage collector as it found it (enabled, nothing frozen by the test)."""
    was_enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    yield
    gcpause.resume()
    if gc.get_freeze_count() > frozen:
        gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_collection_resumes_frozen(collector: None) -> None:
    gc.enable()
    gcpause.pause()
    assert not gc.isenabled()
    garbage: list[object] = []
    garbage.append(garbage)  # an object that exists when the collector resumes
    gcpause.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    gcpause.resume()  # a second resume changes nothing
    assert gc.isenabled()


def test_resume_leaves_a_collector_it_did_not_stop(collector: None) -> None:
    gc.disable()
    frozen = gc.get_freeze_count()
    gcpause.pause()
    gcpause.resume()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen
    gc.enable()
    gcpause.resume()  # not paused: no freeze, no change
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()


async def test_the_app_resumes_collection_after_its_first_frame(
    library: Library, collector: None
) -> None:
    gc.enable()
    gcpause.pause()
    app = make_app(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Rust 2.0" in screen_text(app)
        assert gc.isenabled()
