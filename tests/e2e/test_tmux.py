"""End to end: the installed ``tui-reader`` in a real terminal (tmux), online then offline.

A local HTTP server serves an RSS feed whose item links to a saved news page. The test adds
and fetches the feed with the CLI, then drives the app with keys exactly as a user would:
search, open, read, quit; then, with the server gone, reads the stored article offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.httpserver import LocalServer

pytestmark = pytest.mark.tmux

SEED = Path(__file__).parent.parent / "data" / "pages" / "seed-page.html"
BOILERPLATE = ("Partager cet article", "Abonnez-vous gratuitement")


def console_script() -> str:
    found = shutil.which("tui-reader")
    if found:
        return found
    # The script installed next to the running interpreter (a venv not on PATH).
    beside = Path(sys.executable).parent / "tui-reader"
    if beside.exists():
        return str(beside)
    pytest.skip("the tui-reader console script is not installed")


class Tmux:
    """One tmux server of our own (its own socket), one session."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"tui-reader-test-{uuid.uuid4().hex[:8]}"
        self.session = "reader"
        self.env = env

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return result.stdout

    def start(self, command: list[str], width: int = 120, height: int = 40) -> None:
        """Run ``command`` in a ``width`` x ``height`` pane, once the pane has that size.

        A detached session's pane can start at 80x24 and grow a moment later, and the test
        process may carry ``COLUMNS``/``LINES`` (pytest sets them), which the app would
        believe over the pane: both are taken out of the way.
        """
        env_args = [f"{key}={value}" for key, value in self.env.items()]
        shell = " ".join(
            _quote(part) for part in ["env", "-u", "COLUMNS", "-u", "LINES", *env_args, *command]
        )
        wait = f'while [ "$(stty size)" != "{height} {width}" ]; do sleep 0.05; done'
        # Keep the pane after the app exits, so the exit status can be read.
        script = f"{wait}; {shell}; echo EXIT-STATUS=$?; sleep 60"
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                  "sh", "-c", script)  # fmt: skip

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")

    def kill(self) -> None:
        self.tmux("kill-server")


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[[], Tmux]]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (the CI script installs it)")
    made: list[Tmux] = []
    env = {
        "TERM": "xterm-256color",
        "TUI_READER_CONFIG_DIR": str(tmp_path / "config"),
        "TUI_READER_LOG_DIR": str(tmp_path / "log"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }

    def new() -> Tmux:
        session = Tmux(env)
        made.append(session)
        return session

    yield new
    for session in made:
        session.kill()


def read_whole_article(term: Tmux) -> str:
    """Page through the open article with Space, collecting every screen.

    It stops when a page no longer changes the screen, or when Space at the end says there
    is no next article to go on to (each such notice would change the screen again).
    """
    seen: list[str] = []
    previous = None
    for _ in range(30):
        screen = term.screen()
        seen.append(screen)
        if screen == previous or "No more unread articles" in screen:
            break
        previous = screen
        term.keys("Space")
        time.sleep(0.3)
    return "\n".join(seen)


def search_and_open(term: Tmux, word: str) -> str:
    term.keys("/")
    term.wait_for(lambda s: "Search articles" in s, "the search dialog")
    term.type(word)
    term.keys("Enter")
    term.wait_for(lambda s: f"search: {word}" in s, "the search results")
    term.keys("Enter")
    term.wait_for(lambda s: "Space Page" in s, "the reader")
    # A second reading resumes where the first stopped: go to the top to see the title.
    term.keys("g")
    return term.wait_for(lambda s: "Tesla" in s and "min read" in s, "the article body")


def test_search_read_quit_then_read_offline(tmp_path: Path, terminal) -> None:
    script = console_script()
    data = tmp_path / "data"
    env = {
        **os.environ,
        "TUI_READER_CONFIG_DIR": str(tmp_path / "config"),
        "TUI_READER_LOG_DIR": str(tmp_path / "log"),
    }
    server = LocalServer().start()
    try:
        server.add_file("/otan.html", SEED, content_type="text/html; charset=utf-8")
        link = server.url("/otan.html")
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Le Courrier</title>'
            "<link>https://example.org/</link><item><title>Musk et l'OTAN</title>"
            f"<link>{link}</link><guid>{link}</guid>"
            "<pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>"
            "<description>Un résumé.</description></item></channel></rss>"
        )
        server.add("/rss.xml", feed.encode(), content_type="application/rss+xml")
        for command in (["add", server.url("/rss.xml")], ["fetch"]):
            done = subprocess.run(
                [script, "--data-dir", str(data), *command],
                env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr

        term = terminal()
        term.start([script, "--data-dir", str(data)])
        term.wait_for(lambda s: "Musk et l'OTAN" in s and "online" in s, "the article list")
        opened = search_and_open(term, "Tesla")
        assert "Elon Musk appelle au retrait des USA de l’OTAN" in opened
        whole = read_whole_article(term)
        assert "Département de l’efficacité" in whole.replace("\n", " ") or "Doge" in whole
        for junk in BOILERPLATE:
            assert junk not in whole
        term.keys("q")
        term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
    finally:
        server.stop()

    offline = terminal()
    offline.start([script, "--data-dir", str(data), "--offline"])
    offline.wait_for(lambda s: "offline" in s and "Musk et l'OTAN" in s, "the offline list")
    search_and_open(offline, "Tesla")
    whole = read_whole_article(offline)
    for junk in BOILERPLATE:
        assert junk not in whole
    offline.keys("r")
    offline.wait_for(lambda s: "offline, not refreshing" in s, "the offline refresh notice")
    offline.keys("q")
    offline.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")


@pytest.mark.parametrize(
    "extra",
    [{"TEXTUAL_COLOR_SYSTEM": "standard", "TERM": "xterm"}, {"NO_COLOR": "1"}],
    ids=["16-colours", "no-color"],
)
def test_small_terminal_with_few_colours(tmp_path: Path, terminal, extra) -> None:
    script = console_script()
    term = terminal()
    term.env.update(extra)
    term.start([script, "--data-dir", str(tmp_path / "data"), "--offline"], width=80, height=24)
    # The bundled Welcome feed: open its first article, go back, quit.
    term.wait_for(lambda s: "What tui-reader is" in s, "the Welcome articles")
    term.keys("Enter")
    term.wait_for(lambda s: "min read" in s, "the article")
    term.keys("Escape")
    term.wait_for(lambda s: "What tui-reader is" in s and "min read" not in s, "the list")
    term.keys("q")
    term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
