"""What the commands print on a terminal: rich tables and a progress bar, never markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.integration.site import Item, serve_feed
from tui_reader.cli import library_commands, main


@pytest.fixture
def terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATA", "CONFIG", "LOG"):
        (tmp_path / name.lower()).mkdir()
        monkeypatch.setenv(f"TUI_READER_{name}_DIR", str(tmp_path / name.lower()))
    (tmp_path / "config" / "config.toml").write_text("[fetch]\nretries = 0\nimages = false\n")
    monkeypatch.setattr(library_commands, "_tty", lambda: True)
    monkeypatch.setenv("COLUMNS", "160")
    return tmp_path


def test_feeds_fetch_and_search_on_a_terminal(
    terminal: Path, http_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "[bold red]Shouty[/] \x1b]52;c;SGVsbG8=\x07feed"
    items = [
        Item(
            guid="1",
            title="[link=https://evil.example]Click[/link] volcano",
            link=http_server.url("/missing.html"),
            summary="A volcano erupted \x1b[2J near the town.",
        )
    ]
    url = serve_feed(http_server, "/feed", "rss", hostile, items)
    http_server.add("/down", b"", status=503)
    assert main(["add", url]) == 0
    assert main(["import-opml", str(_opml(terminal, http_server.url("/down")))]) == 0
    capsys.readouterr()

    assert main(["fetch"]) == 0
    out = capsys.readouterr().out
    assert "2 feeds: 0 with new articles, 1 with nothing new, 1 failed" in out and "503" in out
    assert "missing.html" not in out  # a page that failed before is retried quietly

    assert main(["feeds"]) == 0
    table = capsys.readouterr().out
    assert "[bold red]Shouty[/] feed" in table  # shown as text, not interpreted
    assert "\x1b]52" not in table and "SGVsbG8=" not in table.replace("SGVsbG8=feed", "")
    assert "1/1" in table and "503" in table

    assert main(["search", "volcano"]) == 0
    found = capsys.readouterr().out
    assert "[link=https://evil.example]Click[/link] volcano" in found
    assert "erupted" in found and "\x1b[2J" not in found


def _opml(root: Path, url: str) -> Path:
    path = root / "down.opml"
    path.write_text(
        f'<opml version="2.0"><body><outline text="Down" xmlUrl="{url}"/></body></opml>'
    )
    return path
