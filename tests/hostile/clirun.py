"""Running the real ``tui-reader`` command in a subprocess, on a pipe or on a pseudo-terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Only colour/style sequences (SGR) are allowed in what rich itself writes to a terminal.
_SGR = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Run:
    returncode: int
    stdout: bytes
    stderr: bytes

    def assert_one_line_error(self) -> str:
        """Exit status 1 and exactly one clean ``tui-reader: error:`` line on stderr."""
        text = self.stderr.decode("utf-8")
        assert self.returncode == 1, (self.returncode, text)
        assert "Traceback" not in text, text
        lines = text.splitlines()
        assert len(lines) == 1, text
        assert lines[0].startswith("tui-reader: error: "), text
        return lines[0]


def cli_env(data_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_READER_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONWARNINGS", None)
    if data_dir is not None:
        env["TUI_READER_DATA_DIR"] = str(data_dir / "data")
        env["TUI_READER_CONFIG_DIR"] = str(data_dir / "config")
        env["TUI_READER_LOG_DIR"] = str(data_dir / "log")
    env["NO_PROXY"] = "*"
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(proxy, None)
    return env


def run_cli(
    *args: str,
    home: Path | None = None,
    stdin: bytes | None = None,
    timeout: float = 120,
    preexec: object = None,
) -> Run:
    """``python -m tui_reader ARGS`` with stdout/stderr on pipes."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui_reader", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=cli_env(home),
        timeout=timeout,
        preexec_fn=preexec,  # type: ignore[arg-type]
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def run_cli_tty(*args: str, home: Path | None = None, timeout: float = 60) -> Run:
    """Like :func:`run_cli` but with stdout on a pseudo-terminal, as a user would see it."""
    import pty
    import select

    master, slave = pty.openpty()
    env = cli_env(home)
    env.update({"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40"})
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            proc.kill()
            raise TimeoutError("the command did not finish")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    proc.stderr.close()
    proc.wait(timeout)
    return Run(proc.returncode, b"".join(chunks), stderr)


def strip_sgr(text: str) -> str:
    """``text`` without the colour sequences rich emits."""
    return _SGR.sub("", text)
