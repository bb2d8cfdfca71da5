"""The app on a store filled from the hostile corpus: text shows literally, nothing escapes.

The store is filled by a real refresh of every corpus feed from the local server (pages
included), then the app is driven with Pilot. What the terminal would show (every rendered
segment) must hold no control character, and markup-like titles must not act.
"""

from __future__ import annotations

import sqlite3
import webbrowser
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.hostile.corpus import FEED_FILES
from tests.hostile.payloads import MARKUP, assert_clean
from tests.hostile.storecheck import ReadOnlyConnection
from tests.hostile.test_store import open_library, serve_corpus_feed, serve_hostile_pages
from tests.httpserver import LocalServer

WIDE = (160, 48)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONFIG", "LOG"):
        path = tmp_path / name.lower()
        path.mkdir()
        monkeypatch.setenv(f"TUI_READER_{name}_DIR", str(path))


@pytest.fixture
async def hostile_library(http_server: LocalServer, tmp_path: Path) -> AsyncIterator[object]:
    serve_hostile_pages(http_server)
    library = open_library(tmp_path / "data")
    for name in FEED_FILES:
        library.store.add_feed(serve_corpus_feed(http_server, name))
    await library.refresh(pages=True)
    await library.aclose()
    # A link that could only come from an old or damaged store: the app must still refuse it.
    conn = sqlite3.connect(tmp_path / "data" / "tui-reader.sqlite3")
    with conn:
        conn.execute(
            "UPDATE articles SET url = 'javascript:alert(1)' WHERE id = "
            "(SELECT id FROM articles ORDER BY sort_date DESC, id DESC LIMIT 1)"
        )
    conn.close()
    yield library
    library.close()


def rendered(app: object) -> list[str]:
    """The text of every segment the screen would write to the terminal."""
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return ["".join(segment.text for segment in strip) for strip in strips]


def assert_screen_clean(app: object, where: str) -> str:
    lines = rendered(app)
    for number, line in enumerate(lines):
        assert_clean(line, f"{where} row {number}")
    return "\n".join(lines)


async def settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_hostile_store_renders_clean_and_literal(hostile_library) -> None:  # noqa: ANN001
    from tui_reader.ui.app import ReaderApp

    app = ReaderApp(hostile_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        text = assert_screen_clean(app, "list")
        assert "[@click=app.quit]x[/]" in text, "markup title not shown literally"
        # Open each of the first articles and page through it.
        for step in range(4):
            await pilot.press("enter")
            await settle(pilot)
            assert_screen_clean(app, f"reader {step}")
            await pilot.press("space")
            await settle(pilot)
            assert_screen_clean(app, f"reader {step} paged")
            await pilot.press("escape", "j")
            await settle(pilot)
            assert app.is_running
        # The links screen lists the hostile page's links, clean.
        await pilot.press("enter", "L")
        await settle(pilot)
        assert_screen_clean(app, "links")
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.is_running


async def test_clicking_a_markup_title_does_not_run_its_action(hostile_library) -> None:  # noqa: ANN001
    from tui_reader.ui.app import ReaderApp

    app = ReaderApp(hostile_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        lines = rendered(app)
        row = next(n for n, line in enumerate(lines) if MARKUP["click_quit"] in line)
        column = lines[row].index(MARKUP["click_quit"]) + 2
        await pilot.click(offset=(column, row))
        await pilot.click(offset=(column, row), times=2)
        await settle(pilot)
        assert app.is_running, "a [@click=app.quit] title quit the app"
        assert_screen_clean(app, "after click")
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


async def test_o_never_opens_a_non_http_url(hostile_library, monkeypatch) -> None:  # noqa: ANN001
    from tui_reader.ui.app import ReaderApp

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app = ReaderApp(hostile_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("o")  # the newest article: its url was made javascript:
        await settle(pilot)
        assert opened == []
        assert any("http" in n.message for n in app._notifications)
        for _ in range(10):
            await pilot.press("j", "o")
            await settle(pilot)
        notes = [n.message for n in app._notifications]
        urls = [a.url for a in hostile_library.articles(limit=20)]
    assert opened, f"no http(s) article was opened at all: {notes} {urls}"
    for url in opened:
        assert url.startswith(("http://", "https://")), url
        assert_clean(url)


async def test_refresh_failures_from_hostile_servers_show_clean(
    hostile_library,  # noqa: ANN001
    http_server: LocalServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from tests.hostile.corpus import error_body
    from tests.hostile.payloads import OSC0, OSC52
    from tui_reader.ui.app import ReaderApp

    http_server.add("/err", error_body(), status=500, content_type="text/html")
    http_server.add("/garbage", f"{OSC0}<html>{OSC52}", content_type="application/rss+xml")
    http_server.redirect("/to-file", "file:///etc/passwd")
    for path in ("/err", "/garbage", "/to-file"):
        hostile_library.store.add_feed(http_server.url(path), title=f"{path} {OSC52}")
    app = ReaderApp(hostile_library)
    caplog.set_level(logging.ERROR, logger="tui_reader")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert_screen_clean(app, "after refresh")
        assert len(app.error_lines) >= 3, app.error_lines
        for line in app.error_lines + [n.message for n in app._notifications]:
            assert "\n" not in line
            assert_clean(line, "error line")
        assert not any("Internal error" in line or "PWNED" in line for line in app.error_lines)
        await pilot.press("e")  # the log screen
        await settle(pilot)
        assert_screen_clean(app, "log screen")
        assert app.is_running
    # What goes to the log file is as clean as what goes to the screen.
    assert "failed" in caplog.text or "error" in caplog.text.lower()
    assert_clean(caplog.text.replace("\n", " "), "log")


async def test_unclean_text_from_a_damaged_store_is_cleaned_on_screen(
    tmp_path: Path,
) -> None:
    # Text that bypassed the ingestion boundary (an old version, a hand-edited or damaged
    # store) is cleaned again where it reaches the terminal.
    import json

    from tests.hostile.payloads import ALL_ESCAPES
    from tests.hostile.test_crash import make_store
    from tui_reader.core.config import Config
    from tui_reader.core.library import Library
    from tui_reader.ui.app import ReaderApp

    data = tmp_path / "data"
    make_store(data, feeds=1, per_feed=5)
    conn = sqlite3.connect(data / "tui-reader.sqlite3")
    with conn:
        body = {
            "title": "Damaged " + ALL_ESCAPES,
            "byline": "By " + ALL_ESCAPES,
            "blocks": [
                {"kind": "heading", "level": 2, "spans": [{"text": "Head " + ALL_ESCAPES}]},
                {"kind": "paragraph", "spans": [{"text": "Para " + ALL_ESCAPES}]},
                {"kind": "code", "code": "code " + ALL_ESCAPES},
                {"kind": "paragraph", "spans": [{"text": "link", "href": "javascript:x"}]},
            ],
        }
        conn.execute(
            "UPDATE articles SET title = ?, author = ?, article_json = ?, sort_date = 4e9 "
            "WHERE id = (SELECT min(id) FROM articles)",
            ("Damaged " + ALL_ESCAPES, "By " + ALL_ESCAPES, json.dumps(body)),
        )
        conn.execute("UPDATE feeds SET title = ?", ("Feed " + ALL_ESCAPES,))
    conn.close()
    library = Library.open(data, config=Config())
    try:
        app = ReaderApp(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert "Damaged" in "\n".join(rendered(app))
            assert_screen_clean(app, "damaged list")
            await pilot.press("enter")
            await settle(pilot)
            text = assert_screen_clean(app, "damaged reader")
            assert "Para" in text
            await pilot.press("L")
            await settle(pilot)
            assert_screen_clean(app, "damaged links")
    finally:
        library.close()


def read_only_library(data: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    from tests.hostile.test_crash import make_store
    from tui_reader.core.config import Config
    from tui_reader.core.library import Library

    make_store(data, feeds=2, per_feed=10)
    library = Library.open(data, config=Config())
    real_connect = library.store._connect
    library.store.close()
    library.store._closed = False
    monkeypatch.setattr(library.store, "_connect", lambda: ReadOnlyConnection(real_connect()))
    return library


async def test_read_only_store_in_the_app_is_a_notification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_reader.ui.app import ReaderApp

    library = read_only_library(tmp_path / "data", monkeypatch)
    try:
        app = ReaderApp(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("m")  # toggle read: a write
            await settle(pilot)
            await pilot.press("s")  # star: a write
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any("read-only" in m for m in messages), messages
            for message in messages:
                assert "\n" not in message and "Traceback" not in message
                assert_clean(message)
            assert app.is_running
    finally:
        library.close()


async def test_read_only_store_still_opens_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_reader.ui.app import ReaderApp

    library = read_only_library(tmp_path / "data", monkeypatch)
    try:
        app = ReaderApp(library)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert "Body of" in "\n".join(rendered(app))
            assert any("read-only" in n.message for n in app._notifications)
    finally:
        library.close()
