"""The app with ``[sync]`` set: offline first, the queue in the status line, ``r`` syncs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.fakeserver import FakeServer
from tests.ui.helpers import make_app, press, screen_text, settle
from tui_reader.core.config import Config
from tui_reader.core.library import WELCOME_URL, Library

WIDE = (160, 48)
PASSWORD = "app-pass"


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    for name in ("CONFIG", "LOG"):
        (tmp_path / name.lower()).mkdir()
        monkeypatch.setenv(f"TUI_READER_{name}_DIR", str(tmp_path / name.lower()))
    monkeypatch.setenv("TUI_READER_SYNC_PASSWORD", PASSWORD)
    server = FakeServer(password=PASSWORD)
    # A feed URL nobody answers at: the refresh after the sync fails fast, on its own.
    server.add_feed("feed/1", "http://127.0.0.1:9/feed.xml", "Synced News")
    server.add_item("1", "feed/1", title="Alpha story", url="http://127.0.0.1:9/a")
    server.add_item("2", "feed/1", title="Beta story", url="http://127.0.0.1:9/b")
    return server


@pytest.fixture
def library(tmp_path: Path, server: FakeServer) -> Iterator[Library]:
    config = Config(
        sync_kind="greader",
        sync_url="https://rss.example/",
        sync_user="me",
        fetch_pages=False,
        retries=0,
    )
    lib = Library.open(tmp_path / "data", config=config, sync_factory=server.client)

    async def first() -> None:
        try:
            await lib.sync()
        finally:
            await lib.aclose()

    asyncio.run(first())
    # Only the server's articles in the list, so the first row is one the server knows.
    for feed in lib.feeds():
        if feed.url == WELCOME_URL:
            lib.remove_feed(feed.id)
    yield lib
    lib.close()


def status_line(text: str) -> str:
    return next(line for line in reversed(text.splitlines()) if "online" in line)


async def test_starts_without_the_server_and_shows_marks_waiting(
    library: Library, server: FakeServer
) -> None:
    server.down = True
    before = server.requests
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Alpha story" in screen_text(app) or "Beta story" in screen_text(app)
        assert "marks waiting" not in status_line(screen_text(app))
        await press(pilot, "s")
        await settle(pilot)
        assert "sync: 1 mark waiting" in status_line(screen_text(app))
    assert server.requests == before  # nothing was asked of the server
    assert library.marks_waiting() == 1


async def test_r_syncs_first_and_a_failure_is_one_line_in_the_log(
    library: Library, server: FakeServer
) -> None:
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await settle(pilot)
        server.down = True
        await press(pilot, "r")
        await settle(pilot)
        assert app.is_running
        assert any("sync failed" in line for line in app.error_lines)
        assert "sync: 1 mark waiting" in status_line(screen_text(app))
        server.down = False
        server.add_item("3", "feed/1", title="Gamma story", url="http://127.0.0.1:9/c")
        await press(pilot, "r")
        await settle(pilot)
        assert "marks waiting" not in status_line(screen_text(app))
        assert "Gamma story" in screen_text(app)
    assert server.starred and library.marks_waiting() == 0
