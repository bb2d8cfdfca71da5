"""Run the installed ``tui-reader`` console script in a subprocess, isolated in tmp dirs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def script() -> list[str]:
    """The console script next to this interpreter, else ``python -m tui_reader``."""
    candidate = Path(sys.executable).parent / "tui-reader"
    if candidate.exists():
        return [str(candidate)]
    return [sys.executable, "-m", "tui_reader"]


def environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TUI_READER_DATA_DIR", None)
    env["TUI_READER_CONFIG_DIR"] = str(root / "config")
    env["TUI_READER_LOG_DIR"] = str(root / "logs")
    env["NO_COLOR"] = "1"
    return env


def command(root: Path, *args: str) -> list[str]:
    return [*script(), *args, "--data-dir", str(root / "data")]


def run(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``tui-reader ARGS --data-dir ROOT/data`` with stdout piped (so output is plain).

    Unless the test wrote its own ``config.toml``, failed requests are not retried (the
    retries' backoff would only slow the tests down), and pictures are not fetched (the
    saved pages name theirs on hosts out on the internet).
    """
    config = root / "config" / "config.toml"
    if not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("[fetch]\nretries = 0\nimages = false\n", encoding="utf-8")
    return subprocess.run(
        command(root, *args),
        capture_output=True,
        text=True,
        env=environment(root),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
