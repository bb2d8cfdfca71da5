"""The installed ``tui-reader`` script's offline sync commands, on a store a sync filled.

``sync`` itself needs a server and is driven against one elsewhere; ``mark`` and ``articles``
work offline, from the store, which is what scripts and cron rely on.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.integration.cli import run
from tests.sync.fakeserver import FakeServer
from tui_reader.core.config import load_config
from tui_reader.core.library import Library

SYNC_TOML = '[sync]\nkind = "fever"\nurl = "http://127.0.0.1:9/fever/"\nuser = "me"\n'


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(SYNC_TOML + "[fetch]\npages = false\n")
    monkeypatch.setenv("TUI_READER_SYNC_PASSWORD", "pw")
    server = FakeServer(password="pw")
    server.add_feed("1", "https://news.example/feed.xml", "News \x1b[31mred")
    server.add_item("11", "1", title="One", url="https://news.example/1")
    server.add_item("12", "1", title="Two", url="https://news.example/2", starred=True)
    config = load_config(tmp_path / "config" / "config.toml")
    lib = Library.open(tmp_path / "data", config=config, sync_factory=server.client)

    async def first() -> None:
        try:
            await lib.sync()
        finally:
            await lib.aclose()

    try:
        asyncio.run(first())
    finally:
        lib.close()
    return tmp_path


def test_mark_queues_and_articles_lists(root: Path) -> None:
    done = run(root, "mark", "--read", "https://news.example/1", "https://news.example/2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "marked 2 articles read (2 marks waiting for `tui-reader sync`)"
    listed = run(root, "articles", "--unread", "--feed", "https://news.example/feed.xml")
    assert listed.returncode == 0 and listed.stdout == ""
    listed = run(root, "articles", "--starred", "--format", "json")
    rows = json.loads(listed.stdout)
    assert [(r["url"], r["feed"], r["read"], r["starred"]) for r in rows] == [
        ("https://news.example/2", "News red", True, True)
    ]
    missing = run(root, "mark", "--star", "https://elsewhere.example/")
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "not in the store" in missing.stderr


def test_sync_that_cannot_go_through_is_one_line(root: Path) -> None:
    # Port 9 refuses: whichever protocol module answers, nothing leaves this machine.
    done = run(root, "sync")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
