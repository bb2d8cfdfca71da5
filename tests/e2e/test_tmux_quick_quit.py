"""End to end: quitting the instant the first titles show exits cleanly.

The feeds tree, the reader and the footer are mounted just after the first frame; a ``q``
typed as soon as the titles appear must still quit with status 0 and no traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.test_tmux import console_script, terminal  # noqa: F401 - the fixture

pytestmark = pytest.mark.tmux


def test_quit_at_the_first_frame(tmp_path: Path, terminal) -> None:  # noqa: F811
    script = console_script()
    term = terminal()
    term.start([script, "--data-dir", str(tmp_path / "data"), "--offline"])
    deadline = time.monotonic() + 30
    while "What tui-reader is" not in term.screen():
        assert time.monotonic() < deadline, term.screen()
    term.keys("q")
    screen = term.wait_for(lambda s: "EXIT-STATUS=" in s, "the app to quit")
    assert "EXIT-STATUS=0" in screen, screen
    assert "Traceback" not in screen and "Error" not in screen, screen
