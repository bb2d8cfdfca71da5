"""Asking a terminal whether it draws pictures (ui/termprobe.py), over a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import threading
import time

import pytest

from tui_reader.ui import termprobe
from tui_reader.ui.app import terminal_graphics

KITTY_OK = b"\x1b_Gi=31;OK\x1b\\"
CELL = b"\x1b[6;20;9t"
DA1_SIXEL = b"\x1b[?62;4;22c"
DA1_PLAIN = b"\x1b[?62;22c"


def test_parse_answers() -> None:
    both = termprobe.parse(KITTY_OK + CELL + DA1_SIXEL)
    assert (both.kitty, both.sixel, both.cell, both.answered) == (True, True, (9, 20), True)
    plain = termprobe.parse(DA1_PLAIN)
    assert (plain.kitty, plain.sixel, plain.cell, plain.answered) == (False, False, None, True)
    # "4" must be an attribute of its own, not a digit of another one.
    assert not termprobe.parse(b"\x1b[?64;42c").sixel
    assert not termprobe.parse(b"\x1b_Gi=31;ENOTSUPPORTED\x1b\\" + DA1_PLAIN).kitty
    assert termprobe.parse(b"").answered is False


def fake_terminal(answer: bytes | None) -> tuple[int, threading.Thread, list[bytes]]:
    """A pseudo-terminal whose other end answers the queries like a terminal would."""
    master, slave = pty.openpty()
    asked: list[bytes] = []

    def answer_queries() -> None:
        received = b""
        deadline = time.monotonic() + 5
        while termprobe.DEVICE_QUERY.encode() not in received and time.monotonic() < deadline:
            received += os.read(master, 1024)
        asked.append(received)
        if answer is not None:
            os.write(master, answer)

    thread = threading.Thread(target=answer_queries, daemon=True)
    thread.start()
    return slave, thread, asked


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (KITTY_OK + CELL + DA1_PLAIN, (True, False, (9, 20))),
        (DA1_SIXEL, (False, True, None)),
        (DA1_PLAIN, (False, False, None)),
    ],
)
def test_probe_reads_the_answers_of_a_terminal(
    answer: bytes, expected: tuple[bool, bool, tuple[int, int] | None]
) -> None:
    slave, thread, asked = fake_terminal(answer)
    try:
        found = termprobe.probe(slave, slave, timeout=5)
    finally:
        thread.join(5)
        os.close(slave)
    assert (found.kitty, found.sixel, found.cell) == expected
    assert asked and termprobe.KITTY_QUERY.encode() in asked[0]


def test_a_silent_terminal_means_no_pictures_protocol() -> None:
    slave, thread, asked = fake_terminal(None)
    try:
        found = termprobe.probe(slave, slave, timeout=0.2)
    finally:
        thread.join(5)
        os.close(slave)
    assert asked  # it was asked, gave no answer, and the probe gave up
    assert found == termprobe.Graphics()


def test_no_terminal_is_not_asked(tmp_path) -> None:
    with open(tmp_path / "file", "w+b") as handle:
        assert termprobe.probe(handle.fileno(), handle.fileno()) == termprobe.Graphics()
        assert handle.read() == b""


def test_tmux_takes_the_setting_at_its_word(monkeypatch) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    assert terminal_graphics("auto") == ((False, False), None)
    assert terminal_graphics("kitty") == ((True, False), None)
    assert terminal_graphics("sixel") == ((False, True), None)
    assert terminal_graphics("off") == ((False, False), None)
