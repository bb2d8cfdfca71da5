"""Feeds have their own body cap, larger than pages': a big archive feed is stored whole with
the defaults, while a page of the same size is still refused, each cap set on its own."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from tests.httpserver import LocalServer
from tests.integration.cli import run
from tests.integration.site import BASE_DATE, Item, rss
from tui_reader.core.config import Config

MiB = 1024 * 1024


def big_feed(items: int) -> bytes:
    """An RSS feed of ``items`` items with long summaries (about 2.5 KB each)."""
    filler = "words of a long summary " * 100
    return rss(
        "Big archive",
        [
            Item(guid=f"b{n}", title=f"Entry {n}", link=f"https://example.org/b/{n}",
                 summary=f"{filler} {n}", date=BASE_DATE + timedelta(minutes=n))
            for n in range(items)
        ],
    )  # fmt: skip


def write_config(root: Path, text: str) -> None:
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config" / "config.toml").write_text(text, encoding="utf-8")


def stored(root: Path) -> int:
    conn = sqlite3.connect(root / "data" / "tui-reader.sqlite3")
    try:
        return int(conn.execute("SELECT count(*) FROM articles WHERE guid LIKE 'b%'").fetchone()[0])
    finally:
        conn.close()


def test_the_feed_cap_is_its_own_and_larger_by_default() -> None:
    config = Config()
    assert config.feed_max_mb >= 100 > config.max_mb


def test_a_feed_above_the_page_cap_is_stored_whole(
    http_server: LocalServer, tmp_path: Path
) -> None:
    body = big_feed(1000)
    assert len(body) > 2 * MiB
    http_server.add("/big.xml", body, content_type="application/rss+xml")
    http_server.add("/big.html", b"<html><body><p>" + b"x " * MiB + b"</p></body></html>",
                    content_type="text/html")  # fmt: skip
    # Pages are capped at 1 MB here; feeds keep their default cap.
    write_config(tmp_path, "[fetch]\nretries = 0\npages = false\nmax_mb = 1\n")
    added = run(tmp_path, "add", http_server.url("/big.xml"))
    assert added.returncode == 0, added.stderr
    assert "1000 articles" in added.stdout
    assert stored(tmp_path) == 1000
    page = run(tmp_path, "add", http_server.url("/big.html"))
    assert page.returncode == 1
    assert "body larger than 1 MB" in page.stderr and "Traceback" not in page.stderr
    assert stored(tmp_path) == 1000


def test_feed_max_mb_caps_feeds_in_add_and_fetch(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add("/big.xml", big_feed(1000), content_type="application/rss+xml")
    http_server.add("/small.xml", big_feed(3), content_type="application/rss+xml")
    write_config(tmp_path, "[fetch]\nretries = 0\npages = false\nfeed_max_mb = 1\n")
    refused = run(tmp_path, "add", http_server.url("/big.xml"))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"tui-reader: error: {http_server.url('/big.xml')}: body larger than 1 MB"
    ]
    assert run(tmp_path, "add", http_server.url("/small.xml")).returncode == 0
    # The feed grows past the cap: the refresh refuses it and keeps what is stored.
    http_server.add("/small.xml", big_feed(1000), content_type="application/rss+xml")
    fetched = run(tmp_path, "fetch")
    assert "body larger than 1 MB" in fetched.stdout + fetched.stderr
    assert stored(tmp_path) == 3
