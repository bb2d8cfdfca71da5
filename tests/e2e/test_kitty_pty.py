"""End to end: the real ``tui-reader`` in a pseudo-terminal that answers as Kitty does.

The test plays the terminal: it answers the app's start-up queries (the Kitty graphics query,
the cell size and Primary Device Attributes) the way Kitty answers them, opens a stored
article with keys, and reads what the app writes. Where the terminal said it speaks the Kitty
graphics protocol, each stored picture must be transmitted once as a well-formed PNG and placed
with Unicode placeholders in the text; where it only answered the device query, no graphics
command may be sent at all.
"""

from __future__ import annotations

import base64
import fcntl
import io
import os
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e import test_tmux
from tests.e2e.test_tmux_pictures import fetch_story

KITTY_QUERY = b"\x1b_Gi=31,"
DEVICE_QUERY = b"\x1b[c"
KITTY_OK = b"\x1b_Gi=31;OK\x1b\\"
KITTY_DEVICE = b"\x1b[?62;c"  # what Kitty answers to Primary Device Attributes
CELL_SIZE = b"\x1b[6;20;10t"  # a cell of 10x20 pixels
PLACEHOLDER = "\U0010eeee"
_APC = re.compile(rb"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")


class PtyTerminal:
    """The app on a 120x40 pseudo-terminal; everything it writes is kept in ``output``."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1200, 800))
        self.proc = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = b""

    def read(self, timeout: float = 0.1) -> bytes:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the app closed the terminal
            return b""
        self.output += chunk
        return chunk

    def wait_for(self, needle: bytes, what: str, start: int = 0, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.output.find(needle, start)
            if found >= 0:
                return found
            self.read()
        raise AssertionError(f"timed out waiting for {what}; the app wrote {self.output[-3000:]!r}")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> int:
        if self.proc.poll() is None:
            self.send(b"q")
            deadline = time.monotonic() + 20
            while self.proc.poll() is None and time.monotonic() < deadline:
                self.read()
        if self.proc.poll() is None:
            self.proc.kill()
        os.close(self.master)
        return self.proc.wait(10)


def open_article(term: PtyTerminal, kitty: bool) -> int:
    """Answer the start-up queries, open the stored article; where its output starts."""
    term.wait_for(DEVICE_QUERY, "the terminal queries")
    answer = (KITTY_OK if kitty else b"") + CELL_SIZE + KITTY_DEVICE
    term.send(answer)
    term.wait_for(b"Salt pans at dawn", "the article list")
    time.sleep(0.5)  # the list has focus and keys are read
    term.send(b"/")
    term.wait_for(b"Search articles", "the search dialog")
    term.send(b"salt")
    time.sleep(0.3)
    term.send(b"\r")
    term.wait_for(b"search: salt", "the search results")
    time.sleep(0.3)
    opened = len(term.output)
    term.send(b"\r")
    term.wait_for(b"Caption 0", "the article", start=opened)
    return opened


def env_for(tmp_path: Path, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_READER_")}
    for name in ("TMUX", "COLUMNS", "LINES", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
        env.pop(name, None)
    env.update(
        TERM="xterm-kitty",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TUI_READER_DATA_DIR=str(data),
        TUI_READER_CONFIG_DIR=str(tmp_path / "config"),
        TUI_READER_LOG_DIR=str(tmp_path / "log"),
    )
    env.update(extra)
    return env


@pytest.mark.parametrize("colorterm", ["truecolor", ""], ids=["truecolor", "256-colours"])
def test_kitty_terminal_gets_transmissions_and_placeholders(tmp_path: Path, colorterm: str) -> None:
    script = test_tmux.console_script()
    data = fetch_story(tmp_path, script)
    env = env_for(tmp_path, data, COLORTERM=colorterm)
    term = PtyTerminal([script, "--offline"], env)
    try:
        opened = open_article(term, kitty=True)
        # Both stored pictures are sent, then their cells drawn: wait for both (a busy
        # machine may take more than a moment between the two).
        end = time.monotonic() + 30
        while time.monotonic() < end and not _both_drawn(term.output[opened:], colorterm):
            term.read()
        while term.read():
            pass
        written = term.output[opened:]
    finally:
        status = term.close()
    assert status == 0

    commands = [(m.group(1).decode(), m.group(2) or b"") for m in _APC.finditer(written)]
    transmissions: dict[int, bytes] = {}
    placements: dict[int, tuple[int, int]] = {}
    current: int | None = None
    for control, payload in commands:
        keys = dict(part.split("=", 1) for part in control.split(","))
        assert keys.get("q") == "2", f"a command the terminal would answer: {control}"
        if keys.get("a") == "t":
            assert keys["f"] == "100" and keys["t"] == "d", control
            current = int(keys["i"])
            assert current not in transmissions, "a picture sent twice"
            transmissions[current] = payload
        elif "a" not in keys:  # a continuation chunk of the transmission under way
            assert current is not None, "a chunk without its transmission"
            transmissions[current] += payload
        elif keys["a"] == "p":
            assert keys["U"] == "1", control
            placements[int(keys["i"])] = (int(keys["c"]), int(keys["r"]))
        if keys.get("m") == "0":
            current = None
    assert len(transmissions) == 2, commands
    assert set(placements) == set(transmissions)

    screen = written.decode("utf-8", "replace")
    for image_id, payload in transmissions.items():
        png = base64.standard_b64decode(payload)
        assert png.startswith(b"\x89PNG")
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            columns, rows = placements[image_id]
            # Scaled to the cells it covers, at the cell size the terminal gave.
            assert image.size == (columns * 10, rows * 20)
        # The placeholder cells carry the image id in their foreground colour: 24 bits of RGB,
        # or in a 256-colour session an index of the palette (which it sends unchanged).
        if colorterm:
            red, green, blue = (image_id >> 16) & 255, (image_id >> 8) & 255, image_id & 255
            colour = f"38;2;{red};{green};{blue}"
        else:
            assert 16 <= image_id < 256
            colour = f"38;5;{image_id}"
        coloured = re.findall(rf"\x1b\[{colour}(?:;[0-9;]*)?m((?:{PLACEHOLDER}..)+)", screen)
        assert coloured, f"no placeholder cells for image {image_id}"
        assert max(len(run) // 3 for run in coloured) == columns
    assert "[image: A red salt heap]" not in screen


def _both_drawn(written: bytes, colorterm: str) -> bool:
    """Two pictures placed, and placeholder cells in each one's colour on screen."""
    placed = re.findall(rb"\x1b_Ga=p,U=1,i=(\d+)", written)
    if len(placed) < 2:
        return False
    screen = written.decode("utf-8", "replace")
    for image_id in (int(found) for found in placed):
        if colorterm:
            red, green, blue = (image_id >> 16) & 255, (image_id >> 8) & 255, image_id & 255
            colour = f"38;2;{red};{green};{blue}"
        else:
            colour = f"38;5;{image_id}"
        if not re.search(rf"\x1b\[{colour}(?:;[0-9;]*)?m{PLACEHOLDER}", screen):
            return False
    return True


def test_terminal_without_kitty_gets_no_graphics_commands(tmp_path: Path) -> None:
    script = test_tmux.console_script()
    data = fetch_story(tmp_path, script)
    term = PtyTerminal([script, "--offline"], env_for(tmp_path, data, TERM="xterm-256color"))
    try:
        opened = open_article(term, kitty=False)
        term.wait_for("▀".encode(), "the pictures drawn in cells", start=opened)
        time.sleep(1.0)
        while term.read():
            pass
    finally:
        status = term.close()
    assert status == 0
    # Only the start-up query; after it, no graphics command and no placeholder.
    after_query = term.output.split(KITTY_QUERY, 1)[1]
    assert b"\x1b_G" not in after_query
    assert PLACEHOLDER.encode() not in term.output
