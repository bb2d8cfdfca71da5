"""End to end: the reader's ``v`` key in a real terminal (tmux), offline, on a stored page.

A local HTTP server serves a feed whose item links to a blog page; the CLI subscribes (which
fetches and stores the page), the server goes away, and the app, started ``--offline``, cycles
the article through its cleaned text, the feed's text and the whole page.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e import test_tmux
from tests.httpserver import LocalServer

pytestmark = pytest.mark.tmux

terminal = test_tmux.terminal  # the fixture: tmux sessions of our own, killed afterwards
PAGE = Path(__file__).resolve().parent.parent / "data" / "whole" / "sidebar-story.html"


def test_v_cycles_the_views_offline(tmp_path: Path, terminal) -> None:
    script = test_tmux.console_script()
    data = tmp_path / "data"
    env = {
        **os.environ,
        "TUI_READER_CONFIG_DIR": str(tmp_path / "config"),
        "TUI_READER_LOG_DIR": str(tmp_path / "log"),
    }
    with LocalServer() as server:
        server.add_file("/frost.html", PAGE, content_type="text/html; charset=utf-8")
        link = server.url("/frost.html")
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Allotment</title>'
            f"<item><title>The first frost</title><link>{link}</link><guid>{link}</guid>"
            "<pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>"
            "<description>Frost came early, says the feed.</description></item>"
            "</channel></rss>"
        )
        server.add("/rss.xml", feed.encode(), content_type="application/rss+xml")
        added = subprocess.run(
            [script, "--data-dir", str(data), "add", server.url("/rss.xml")],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr

    term = terminal()
    term.start([script, "--data-dir", str(data), "--offline"])
    term.wait_for(lambda s: "The first frost" in s and "offline" in s, "the article list")
    # The Welcome articles are newer: find the story by searching.
    term.keys("/")
    term.wait_for(lambda s: "Search articles" in s, "the search dialog")
    term.type("frost")
    term.keys("Enter")
    term.wait_for(lambda s: "search: frost" in s, "the search results")
    term.keys("Enter")
    term.wait_for(lambda s: "min read" in s and "Allotment" in s, "the reader")
    term.keys("v")
    feed_view = term.wait_for(lambda s: "view: feed text" in s, "the feed's text")
    assert "Frost came early, says the feed." in feed_view
    term.keys("v")
    term.wait_for(lambda s: "view: whole page" in s, "the whole page")
    flat = " ".join(test_tmux.read_whole_article(term).split())
    assert "The first frost came early this year" in flat
    assert "Enter email to subscribe" in flat  # unfiltered: the sidebar is there too
    term.keys("v")
    term.wait_for(lambda s: "view: cleaned text" in s, "the cleaned text again")
    term.keys("q")
    term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
