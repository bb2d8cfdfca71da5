"""The engine and the servers' ids: only ids a client gave are ever given back to it.

The Google Reader client against the two-dialect test server (ids listed in decimal, contents
in long hex with every fifth item in bare short hex), and the fake server for what a real
server should never do: send items nobody asked for, list a feed with a ``file:`` URL, or be
another account's server than the one the store synced with last.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.fakeserver import FakeClient, FakeServer
from tests.sync.greader_server import Dialect, GReaderServer
from tests.sync.running import sync
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.sync.base import RemoteItem, SyncUnreachable
from tui_reader.core.sync.greader import LONG_ID_PREFIX

PASSWORD = "ids-test-password"


def remote_ids(lib: Library) -> dict[str, str]:
    """url -> the server id stored for it."""
    with sqlite3.connect(lib.store.path) as db:
        rows = db.execute("SELECT url, remote_id FROM articles WHERE remote_id IS NOT NULL")
        return {str(url): str(remote) for url, remote in rows}


@pytest.fixture(params=["freshrss", "miniflux"])
def greader(request: pytest.FixtureRequest) -> Iterator[GReaderServer]:
    dialect: Dialect = request.param
    with GReaderServer(dialect, password=PASSWORD) as server:
        feed = server.add_feed("https://news.example/feed.xml", "News")
        server.add_items(feed, 12)
        server.add_items(feed, 3, starred=True, read=True)
        yield server


def greader_library(path: Path, server: GReaderServer) -> Library:
    config = Config(
        sync_kind="greader",
        sync_url=server.api_url,
        sync_user=server.user,
        fetch_pages=False,
        retries=0,
    )
    return Library.open(path, config=config)


def test_ids_in_every_spelling_meet_the_engine(
    tmp_path: Path, greader: GReaderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUI_READER_SYNC_PASSWORD", PASSWORD)
    lib = greader_library(tmp_path / "data", greader)
    try:
        report = sync(lib)
        assert report.new_articles == 15 and report.skipped == 0
        stored = remote_ids(lib)
        # One id per item, each the long form of the server's own number, whatever spelling
        # the contents used (every fifth item came as bare short hex).
        assert stored == {item.url: greader.long_id(item.id) for item in greader.items.values()}
        assert all(value.startswith(LONG_ID_PREFIX) for value in stored.values())
        # Flags matched by those ids: the three read and starred items, the others unread.
        flags = {a.url: (a.read, a.starred) for a in lib.articles(limit=100) if a.url}
        for item in greader.items.values():
            assert flags[item.url] == (item.read, item.starred)

        # Nothing is fetched again: the listed ids and the stored ones are the same text.
        contents = greader.count("/reader/api/0/stream/items/contents")
        again = sync(lib)
        assert again.new_articles == 0
        assert greader.count("/reader/api/0/stream/items/contents") == contents

        # A mark on an item whose contents id was short hex reaches that item, not another.
        fifth = next(i for i in greader.items.values() if i.seq % 5 == 0 and not i.read)
        article = lib.store.article_id_by_url(fifth.url)
        assert article is not None
        lib.set_read(article, True)
        before = {i.id: i.read for i in greader.items.values()}
        assert sync(lib).marks_sent == 1
        changed = [i.id for i in greader.items.values() if i.read != before[i.id]]
        assert changed == [fifth.id]
        sent = [
            v for seen in greader.log if seen.path.endswith("edit-tag") for v in seen.values("i")
        ]
        assert sent == [greader.long_id(fifth.id)]
    finally:
        lib.close()


class UnaskedClient(FakeClient):
    """Answers every ``items`` batch with an extra item nobody asked for."""

    async def items(self, ids):  # type: ignore[no-untyped-def, override]
        async for batch in super().items(ids):
            stray = RemoteItem("999", "feed/1", "Stray", url="https://news.example/stray")
            yield [*batch, stray, batch[0]] if batch else batch


def fake_library(path: Path, server: FakeServer, **config: object) -> Library:
    values: dict[str, object] = {
        "sync_kind": "greader",
        "sync_url": "https://rss.example/api/greader.php",
        "sync_user": "me",
        "fetch_pages": False,
        "retries": 0,
        **config,
    }
    return Library.open(path, config=Config(**values), sync_factory=server.client)  # type: ignore[arg-type]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    monkeypatch.setenv("TUI_READER_SYNC_PASSWORD", PASSWORD)
    server = FakeServer(password=PASSWORD)
    server.add_feed("feed/1", "https://news.example/feed.xml", "News")
    for n in range(1, 4):
        server.add_item(str(n), "feed/1", url=f"https://news.example/{n}")
    return server


def test_items_the_server_sends_unasked_are_skipped(
    tmp_path: Path, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.items["999"] = RemoteItem("999", "feed/1", "Stray", url="https://news.example/stray")
    lib = fake_library(tmp_path / "data", server)
    lib._sync_factory = lambda account, http, path: UnaskedClient(server, account)
    try:
        with caplog.at_level(logging.WARNING):
            report = sync(lib)
        assert report.new_articles == 3
        assert report.skipped == 2
        assert set(remote_ids(lib).values()) == {"1", "2", "3"}
        assert "unasked" in caplog.text
    finally:
        lib.close()


def test_a_feed_with_a_url_that_is_not_http_is_refused_with_a_log_line(
    tmp_path: Path, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.add_feed("feed/2", "file:///etc/passwd", "Local \x1b[31mfile")
    server.add_item("20", "feed/2", url="https://elsewhere.example/20")
    lib = fake_library(tmp_path / "data", server)
    try:
        with caplog.at_level(logging.WARNING):
            report = sync(lib)
        assert report.feeds == 1
        assert all(f.url.startswith("https://") for f in lib.feeds() if "example" in f.url)
        assert not any("passwd" in f.url for f in lib.feeds())
        assert "https://elsewhere.example/20" not in remote_ids(lib)
        line = next(r.getMessage() for r in caplog.records if "not http(s)" in r.getMessage())
        assert "file:///etc/passwd" in line and "\x1b" not in line
    finally:
        lib.close()


def test_another_account_never_gets_the_previous_servers_ids(
    tmp_path: Path, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    lib = fake_library(tmp_path / "data", server)
    try:
        sync(lib)
        article = lib.store.article_id_by_url("https://news.example/2")
        assert article is not None
        lib.set_starred(article, True)
        assert lib.marks_waiting() == 1
    finally:
        lib.close()

    # The same feed on another server, where "2" is another article altogether.
    other = FakeServer(password=PASSWORD)
    other.add_feed("feed/7", "https://news.example/feed.xml", "News")
    other.add_item("2", "feed/7", url="https://news.example/other")
    other.add_item("8", "feed/7", url="https://news.example/2")
    lib = fake_library(tmp_path / "data", other, sync_url="https://other.example/api/")
    try:
        # While the new account does not work yet, nothing is forgotten.
        other.down = True
        with pytest.raises(SyncUnreachable):
            sync(lib)
        assert lib.marks_waiting() == 1 and remote_ids(lib)["https://news.example/2"] == "2"
        other.down = False
        with caplog.at_level(logging.WARNING):
            report = sync(lib)
        assert other.marks_received == [] and report.marks_sent == 0
        assert other.starred == set()
        assert "another account" in caplog.text
        # The history is kept and linked again: the article is the new server's "8".
        ids = remote_ids(lib)
        assert ids["https://news.example/2"] == "8"
        assert ids["https://news.example/other"] == "2"
        assert {u: r for u, r in ids.items() if r in {"1", "3"}} == {}
        assert lib.marks_waiting() == 0
    finally:
        lib.close()


def test_the_same_account_keeps_its_ids_and_marks(tmp_path: Path, server: FakeServer) -> None:
    lib = fake_library(tmp_path / "data", server)
    try:
        sync(lib)
        article = lib.store.article_id_by_url("https://news.example/3")
        assert article is not None
        lib.set_read(article, True)
    finally:
        lib.close()
    # A trailing slash is the same server.
    lib = fake_library(tmp_path / "data", server, sync_url="https://rss.example/api/greader.php/")
    try:
        report = sync(lib)
        assert report.marks_sent == 1 and "3" not in server.unread
        assert len(remote_ids(lib)) == 3
    finally:
        lib.close()
