"""Crash safety and two processes on one store, with the real console script."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.integration.cli import command, environment
from tests.integration.site import BASE_DATE, Item, rss
from tui_reader.core import paths
from tui_reader.core.config import Config
from tui_reader.core.library import Library


def serve_feeds(server: LocalServer, count: int, items: int, delay: float) -> list[str]:
    urls = []
    for n in range(count):
        entries = [
            Item(
                guid=f"feed{n}-item{i}",
                title=f"Feed {n} item {i}",
                link=server.url(f"/p/{n}/{i}"),
                date=BASE_DATE,
            )
            for i in range(items)
        ]
        server.add(
            f"/feed/{n}", rss(f"Feed {n}", entries), content_type="application/rss+xml", delay=delay
        )
        urls.append(server.url(f"/feed/{n}"))
    return urls


def subscribe(data: Path, urls: list[str]) -> None:
    lib = Library.open(data, config=Config())
    try:
        for url in urls:
            lib.store.add_feed(url)
    finally:
        lib.close()


def committed_guids(db: Path) -> set[str]:
    """What another process has committed so far, read without writing anything."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return {row[0] for row in conn.execute("SELECT guid FROM articles WHERE guid LIKE 'feed%'")}
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_mid_refresh_loses_nothing_committed(
    http_server: LocalServer, tmp_path: Path
) -> None:
    urls = serve_feeds(http_server, count=60, items=3, delay=0.25)
    data = tmp_path / "data"
    subscribe(data, urls)
    db = paths.db_path(data)
    process = subprocess.Popen(
        command(tmp_path, "fetch", "--no-pages"),
        env=environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        recorded: set[str] = set()
        deadline = time.monotonic() + 30
        while len(recorded) < 12 and time.monotonic() < deadline:
            time.sleep(0.02)
            recorded = committed_guids(db)
        assert len(recorded) >= 12, "the refresh committed nothing in time"
        assert process.poll() is None, "the refresh finished before it could be interrupted"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL

    lib = Library.open(data, config=Config())
    try:
        assert lib.store.integrity_check() == "ok"
        stored = {row[0] for row in lib.store._connection().execute("SELECT guid FROM articles")}
        assert recorded <= stored
        # The refresh really was cut short: some feeds were never written.
        assert len(stored & {f"feed{n}-item0" for n in range(60)}) < 60
        # Each feed was written whole or not at all.
        for n in range(60):
            have = {f"feed{n}-item{i}" for i in range(3)} & stored
            assert len(have) in (0, 3)
        assert lib.search("item")
    finally:
        lib.close()


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tui_reader.core.config import Config
    from tui_reader.core.library import Library

    data, stop = sys.argv[1], Path(sys.argv[2])
    lib = Library.open(data, config=Config())
    ids = [a.id for a in lib.articles(limit=20)]
    n = 0
    while not stop.exists() or n < 50:
        for article_id in ids:
            lib.set_read(article_id, n % 2 == 0)
            lib.set_starred(article_id, n % 3 == 0)
            lib.save_position(article_id, (n % 10) / 10)
        lib.articles(view="unread")
        n += 1
    lib.close()
    print(n)
    """
)


@pytest.mark.slow
def test_fetch_and_another_writer_share_the_store(http_server: LocalServer, tmp_path: Path) -> None:
    urls = serve_feeds(http_server, count=30, items=5, delay=0.05)
    data = tmp_path / "data"
    subscribe(data, urls)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data), str(stop)],
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fetch = subprocess.run(
            command(tmp_path, "fetch", "--no-pages"),
            env=environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert fetch.returncode == 0, fetch.stderr
    assert writer.returncode == 0, err
    for stream in (fetch.stderr, fetch.stdout, err):
        assert "locked" not in stream and "busy" not in stream
    assert int(out) >= 50
    assert "30 feeds: 30 with new articles" in fetch.stderr and "150 new articles" in fetch.stderr
    lib = Library.open(data, config=Config())
    try:
        assert lib.store.integrity_check() == "ok"
        assert lib.count_articles() == 150 + 5
    finally:
        lib.close()
