"""``o`` with a terminal browser, in a real terminal: the app hands the terminal over and back.

A fake ``w3m`` on ``PATH`` prints the URL, reads a line from the terminal and writes what it
got to a marker file. It can read that line only if the app stopped reading keys.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from tests.e2e.test_tmux import console_script, terminal  # noqa: F401 - the fixture
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.models import Article
from tui_reader.core.storage import ArticleRecord

pytestmark = pytest.mark.tmux

URL = "https://news.example/story-one"

FAKE_BROWSER = """#!/bin/sh
printf 'FAKE-BROWSER %s\\n' "$1"
printf 'type a word: '
read answer
printf '%s %s\\n' "$1" "$answer" > "{marker}"
"""


def _store(data: Path) -> None:
    library = Library.open(data, config=Config())
    try:
        feed_id, _ = library.store.add_feed("https://news.example/feed", title="News")
        library.store.upsert_articles(
            feed_id,
            [
                ArticleRecord(
                    guid="one", url=URL, title="Story one", article=Article(title="Story one")
                )
            ],
        )
    finally:
        library.close()


def test_o_suspends_the_app_for_a_terminal_browser(tmp_path: Path, terminal) -> None:  # noqa: F811
    script = console_script()
    data = tmp_path / "data"
    _store(data)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "browser-got.txt"
    fake = bin_dir / "w3m"
    fake.write_text(FAKE_BROWSER.format(marker=marker), encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)

    term = terminal()
    term.env.update(
        {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "BROWSER": "w3m"}
    )
    term.start([script, "--data-dir", str(data)], width=100, height=30)
    term.wait_for(lambda s: "Story one" in s, "the article list")
    # Undated, it was stored last: it is the first row, under the cursor.
    term.keys("o")
    shown = term.wait_for(lambda s: f"FAKE-BROWSER {URL}" in s, "the terminal browser")
    assert "Story one" not in shown  # the app is not drawn over the browser
    term.type("hello")
    term.keys("Enter")
    for _ in range(100):
        if marker.exists() and marker.read_text(encoding="utf-8").strip():
            break
        time.sleep(0.1)
    assert marker.read_text(encoding="utf-8").strip() == f"{URL} hello"
    # The app is back, drawn again, and still answers keys.
    back = term.wait_for(lambda s: "Story one" in s and "FAKE-BROWSER" not in s, "the app")
    assert "type a word" not in back
    term.keys("q")
    term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
