"""End to end: the app in a real terminal (tmux) with ``[sync]`` set, against a feed server.

The server is the Google Reader test server (:mod:`tests.sync.greader_server`) in this
process; the app is the installed console script. ``r`` syncs and the server's articles
appear; with the server stopped, a star made in the app waits in the queue and the status
line says so; the app starts and reads from the store while the server is down; once the
server is back, ``r`` delivers the mark.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_tmux import console_script, terminal
from tests.httpserver import LocalServer
from tests.sync.greader_server import GReaderServer

pytestmark = pytest.mark.tmux

__all__ = ["terminal"]

DATA = Path(__file__).parent.parent / "data"
PASSWORD = "tmux-sync-password"


def test_r_syncs_marks_wait_offline_and_are_delivered(tmp_path: Path, terminal) -> None:
    script = console_script()
    data = tmp_path / "data"
    config = tmp_path / "config"
    config.mkdir()
    with LocalServer() as web:
        web.add_file("/news.xml", DATA / "feeds" / "atom.xml", content_type="application/atom+xml")
        server = GReaderServer("freshrss", password=PASSWORD).start()
        try:
            feed = server.add_feed(web.url("/news.xml"), "Synced News", folders=["World"])
            ids = server.add_items(
                feed,
                3,
                title="Synced story {n}",
                content="<p>The body of synced story {n}, kept for reading offline.</p>",
                url=web.url("/story/{n}.html"),
            )
            (config / "config.toml").write_text(
                "[sync]\n"
                'kind = "greader"\n'
                f'url = "{server.api_url}"\n'
                f'user = "{server.user}"\n'
                "\n[fetch]\npages = false\nretries = 0\n",
                encoding="utf-8",
            )
            # Only the server's articles in the list, so the first row is one the server knows.
            removed = subprocess.run(
                [script, "--data-dir", str(data), "remove", "tui-reader:welcome"],
                env=_env(tmp_path), capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert removed.returncode == 0, removed.stderr

            term = terminal()
            term.env["TUI_READER_SYNC_PASSWORD"] = PASSWORD
            term.start([script, "--data-dir", str(data)], width=140, height=36)
            term.wait_for(lambda s: "online" in s, "the app")
            assert "Synced story" not in term.screen()
            term.keys("r")
            term.wait_for(lambda s: "Synced story 3" in s, "the synced articles")
            assert "marks waiting" not in term.screen() and "mark waiting" not in term.screen()

            server.stop()
            term.keys("s")
            screen = term.wait_for(lambda s: "sync: 1 mark waiting" in s, "the queued mark")
            assert "1 marks" not in screen
            term.keys("q")
            term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
            assert not server.starred()

            # The server is down: the app starts anyway, from the store, and reads.
            offline = terminal()
            offline.env["TUI_READER_SYNC_PASSWORD"] = PASSWORD
            offline.start([script, "--data-dir", str(data)], width=140, height=36)
            offline.wait_for(
                lambda s: "Synced story" in s and "sync: 1 mark waiting" in s,
                "the stored articles and the waiting mark",
            )
            offline.keys("Enter")
            offline.wait_for(lambda s: "kept for reading offline" in s, "the stored article")
            # Opening it marked it read: a second change waiting for the server.
            offline.wait_for(lambda s: "sync: 2 marks waiting" in s, "the read mark queued")
            # ("h", not Escape: tmux would read Escape then "r" as Alt+r.)
            offline.keys("h")
            offline.wait_for(lambda s: "Space Page" not in s, "the list again")
            # A refresh while the server is down keeps the app up and the marks queued.
            offline.keys("r")
            offline.wait_for(lambda s: "sync failed" in s, "the sync failure")
            # The feeds are refreshed all the same; a second `r` waits for that to end.
            offline.wait_for(lambda s: "refreshed:" in s, "the refresh after the failed sync")
            assert not server.starred() and server.unread() == set(ids)

            server.start()
            offline.keys("r")
            offline.wait_for(
                lambda s: "refreshed:" in s and "waiting" not in s,
                "the marks delivered",
                timeout=30,
            )
            assert len(server.starred()) == 1 and server.starred() <= set(ids)
            assert server.starred() <= set(ids) - server.unread()
            offline.keys("q")
            offline.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
        finally:
            server.stop()


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TUI_READER_CONFIG_DIR": str(tmp_path / "config"),
        "TUI_READER_LOG_DIR": str(tmp_path / "log"),
    }
