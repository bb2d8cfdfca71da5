"""One device of a sync end-to-end test: the real console script on a data directory of its
own, with a sync server's password, as a user on a second machine would run it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.integration.cli import command, environment

SYNC_FIELDS = 8
"""The tab-separated counts ``sync`` writes when piped."""
WELCOME = "Welcome to tui-reader"


@dataclass
class Device:
    """A data directory and a config directory under ``root``, and how the password comes:
    ``TUI_READER_SYNC_PASSWORD`` when ``password`` is given, else the config's own way."""

    root: Path
    password: str | None

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = environment(self.root)
        env.pop("TUI_READER_SYNC_PASSWORD", None)
        if self.password is not None:
            env["TUI_READER_SYNC_PASSWORD"] = self.password
        return subprocess.run(
            command(self.root, *args),
            capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def sync(self) -> list[int]:
        """``sync`` piped: the documented tab-separated counts (the command must succeed)."""
        done = self.run("sync")
        assert done.returncode == 0, done.stderr
        assert done.stdout.endswith("\n") and done.stdout.count("\n") == 1, done.stdout
        fields = done.stdout.rstrip("\n").split("\t")
        assert len(fields) == SYNC_FIELDS, done.stdout
        return [int(f) for f in fields]

    def articles(self, *args: str) -> list[dict[str, object]]:
        """``articles --format json``, without the bundled Welcome feed's articles."""
        done = self.run("articles", "--format", "json", *args)
        assert done.returncode == 0, done.stderr
        rows: list[dict[str, object]] = json.loads(done.stdout)
        return [r for r in rows if r["feed"] != WELCOME]

    def flags(self) -> dict[str, tuple[bool, bool]]:
        """Each article's (read, starred), by URL."""
        return {str(r["url"]): (bool(r["read"]), bool(r["starred"])) for r in self.articles()}
