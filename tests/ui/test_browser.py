"""Which browsers get the terminal (``o``): terminal ones do, graphical ones do not."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tui_reader.ui.browser import console_browser_command

URL = "https://example.org/a"


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("lynx", "firefox"):
        program = tmp_path / name
        program.write_text("#!/bin/sh\n", encoding="utf-8")
        program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tmp_path))
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    return tmp_path


@pytest.mark.parametrize(
    ("browser", "expected"),
    [
        ("w3m", ["w3m", URL]),
        ("/usr/bin/elinks", ["/usr/bin/elinks", URL]),
        ("lynx -accept_all_cookies %s", ["lynx", "-accept_all_cookies", URL]),
        ("firefox", None),
        ("firefox:w3m", None),  # the first that exists wins, as in webbrowser
        ("missing-gui:w3m", ["w3m", URL]),
    ],
)
def test_browser_variable(fake_path, monkeypatch, browser: str, expected) -> None:
    monkeypatch.setenv("BROWSER", browser)
    assert console_browser_command(URL) == expected


def test_without_display_a_terminal_browser_on_path_is_used(fake_path, monkeypatch) -> None:
    assert console_browser_command(URL) == ["lynx", URL]
    monkeypatch.setenv("DISPLAY", ":0")
    assert console_browser_command(URL) is None
