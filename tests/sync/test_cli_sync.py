"""``sync``, ``mark``, ``articles`` and the sync side of ``fetch``/``add``/``remove``, run
in-process against the fake server, with real SQLite files and config.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.sync.fakeserver import FakeServer
from tui_reader import cli
from tui_reader.cli import sync_commands

DATA = Path(__file__).parent.parent / "data"
FEEDS = DATA / "feeds"
PAGE = DATA / "pages" / "news-inline-promos.html"
PASSWORD = "cli-pass-word"
SYNC_TOML = """
[sync]
kind = "greader"
url = "https://rss.example/api/greader.php"
user = "me"

[fetch]
pages = false
retries = 0
"""


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server = FakeServer(password=PASSWORD)
    server.add_feed("feed/1", "https://news.example/feed.xml", "News", folders=("Tech",))
    server.add_item("1", "feed/1", title="First\tone", url="https://news.example/1")
    server.add_item("2", "feed/1", title="Second", url="https://news.example/2", starred=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(SYNC_TOML)
    monkeypatch.setenv("TUI_READER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TUI_READER_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("TUI_READER_SYNC_PASSWORD", PASSWORD)
    monkeypatch.setattr(sync_commands, "SYNC_FACTORY", server.client)
    return server


def run(tmp_path: Path, *args: str) -> int:
    return cli.main([*args, "--data-dir", str(tmp_path / "data")])


def test_sync_prints_counts_when_piped(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "sync") == 0
    out = capsys.readouterr().out.strip().split("\t")
    # marks sent, feeds, new articles, read changed, starred changed, pages, requests, waiting
    assert out[:3] == ["0", "1", "2"] and out[-1] == "0"
    assert int(out[6]) == server.requests


def test_articles_tsv_and_json(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    run(tmp_path, "sync")
    capsys.readouterr()
    assert run(tmp_path, "articles", "--starred") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    url, title, feed, date, read, starred = lines[0].split("\t")
    assert (url, title, feed, read, starred) == (
        "https://news.example/2",
        "Second",
        "News",
        "0",
        "1",
    )
    assert date.startswith("20")
    assert (
        run(tmp_path, "articles", "--feed", "https://news.example/feed.xml", "--format", "json")
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [sorted(r) for r in rows] == [sorted(sync_commands.ARTICLE_COLUMNS)] * 2
    first = next(r for r in rows if r["url"] == "https://news.example/1")
    assert first["title"] == "First one" and first["read"] is False


def test_mark_works_offline_and_is_delivered_later(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    run(tmp_path, "sync")
    server.down = True
    assert run(tmp_path, "--offline", "mark", "--read", "https://news.example/1") == 0
    assert run(tmp_path, "mark", "--unstar", "https://news.example/2") == 0
    out = capsys.readouterr().out
    assert "2 marks waiting" in out
    assert run(tmp_path, "sync") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot connect" in err
    server.down = False
    assert run(tmp_path, "sync") == 0
    assert "1" not in server.unread and "2" not in server.starred


def test_mark_unknown_url_is_one_line(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    run(tmp_path, "sync")
    capsys.readouterr()
    assert run(tmp_path, "mark", "--star", "https://nowhere.example/x") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not in the store" in err


def test_wrong_password_is_one_line(
    tmp_path: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.password = "other"
    assert run(tmp_path, "sync") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused" in err


def test_fetch_syncs_first_and_refreshes_even_when_sync_fails(
    tmp_path: Path,
    server: FakeServer,
    http_server: LocalServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The server's feed is one the test serves, so the refresh has a document to read.
    http_server.add_file("/news.xml", FEEDS / "rss2.xml", content_type="application/rss+xml")
    server.add_feed("feed/1", http_server.url("/news.xml"), "News", folders=("Tech",))
    assert run(tmp_path, "fetch") == 0
    captured = capsys.readouterr()
    assert "sync: 0 marks sent, 1 feeds, 2 new articles" in captured.err
    server.down = True
    run(tmp_path, "fetch")
    captured = capsys.readouterr()
    assert "sync failed" in captured.err
    # The feeds were refreshed anyway: one line per feed on stdout.
    assert "News" in captured.out


def test_add_and_remove_act_on_the_server(
    tmp_path: Path,
    server: FakeServer,
    http_server: LocalServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    http_server.add_file("/new.xml", FEEDS / "rss2.xml", content_type="application/rss+xml")
    run(tmp_path, "sync")
    assert run(tmp_path, "add", http_server.url("/new.xml"), "--tag", "Later") == 0
    assert any(f.url == http_server.url("/new.xml") for f in server.feeds.values())
    capsys.readouterr()
    assert run(tmp_path, "remove", "https://news.example/feed.xml") == 0
    assert "feed/1" not in server.feeds


def test_fever_add_says_to_use_the_server(
    tmp_path: Path,
    server: FakeServer,
    http_server: LocalServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    http_server.add_file("/other.xml", FEEDS / "rss2.xml", content_type="application/rss+xml")
    server.can_subscribe = False
    assert run(tmp_path, "add", http_server.url("/other.xml")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "server's own web interface" in err
    assert "subscribe" not in server.calls


@pytest.mark.parametrize("can_subscribe", [True, False], ids=["greader", "fever"])
def test_add_of_a_page_saves_it_here_and_leaves_the_server_alone(
    tmp_path: Path,
    server: FakeServer,
    http_server: LocalServer,
    capsys: pytest.CaptureFixture[str],
    can_subscribe: bool,
) -> None:
    http_server.add_file("/story.html", PAGE, content_type="text/html; charset=utf-8")
    server.can_subscribe = can_subscribe
    feeds_before = dict(server.feeds)
    assert run(tmp_path, "add", http_server.url("/story.html")) == 0
    assert "saved to read later" in capsys.readouterr().out
    assert server.feeds == feeds_before and "subscribe" not in server.calls
    assert run(tmp_path, "articles", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["feed"] for r in rows if r["url"] == http_server.url("/story.html")] == ["Saved"]
