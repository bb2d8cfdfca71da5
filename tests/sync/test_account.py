"""``[sync]`` in config.toml and where the password comes from (a real small script)."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from tui_reader.core.config import Config, load_config
from tui_reader.core.errors import ConfigError
from tui_reader.core.sync.account import account_from_config, password_from_command
from tui_reader.core.sync.base import SyncError


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "pw.py"
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return f"{sys.executable} {path}"


def config(command: str | None = None) -> Config:
    return Config(
        sync_kind="fever",
        sync_url="https://rss.example/fever/",
        sync_user="me",
        sync_password_command=command,
    )


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUI_READER_SYNC_PASSWORD", raising=False)


def test_password_command_first_line(tmp_path: Path) -> None:
    command = script(tmp_path, "print('pa ss word')\nprint('second line')\n")
    account = account_from_config(config(command))
    assert account.password == "pa ss word"
    assert (account.kind, account.user, account.days) == ("fever", "me", 14)


def test_password_command_runs_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "touched"
    command = script(tmp_path, "import sys; print(sys.argv[1])\n") + f" 'x; touch {marker}'"
    assert password_from_command(command) == f"x; touch {marker}"
    assert not marker.exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("import sys; sys.stderr.write('keyring locked\\n'); sys.exit(3)", "keyring locked"),
        ("pass\n", "printed no password"),
    ],
)
def test_password_command_failures_are_one_line(tmp_path: Path, body: str, words: str) -> None:
    with pytest.raises(SyncError) as caught:
        account_from_config(config(script(tmp_path, body)))
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_missing_command_and_timeout(tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="command not found"):
        password_from_command("/nonexistent/pw-tool get")
    with pytest.raises(SyncError, match="no answer"):
        password_from_command(script(tmp_path, "import time; time.sleep(5)"), timeout=0.3)


def test_environment_then_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SyncError, match="no sync password"):
        account_from_config(config())
    monkeypatch.setenv("TUI_READER_SYNC_PASSWORD", "from-env")
    assert account_from_config(config()).password == "from-env"


def test_config_sync_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[sync]\nkind = "fever"\nurl = "https://r.example/fever/"\nuser = "u"\ndays = 3\n'
    )
    loaded = load_config(path)
    assert (loaded.sync_kind, loaded.sync_url, loaded.sync_user, loaded.sync_days) == (
        "fever",
        "https://r.example/fever/",
        "u",
        3,
    )
    path.write_text('[sync]\nkind = "nntp"\nurl = "https://r.example/"\nuser = "u"\n')
    with pytest.raises(ConfigError, match=r"line 2: sync\.kind"):
        load_config(path)
    path.write_text('[sync]\nkind = "fever"\nurl = "https://r.example/"\n')
    with pytest.raises(ConfigError, match="user is missing"):
        load_config(path)
