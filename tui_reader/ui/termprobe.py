"""Asking the terminal, before the app starts, whether it draws pictures (Kitty, Sixel).

One round trip: a Kitty graphics query, the cell size query (``CSI 16 t``) and Primary Device
Attributes (``CSI c``) are written together. Every terminal answers the last one, in order, so
its answer ends the wait: a terminal without the Kitty protocol costs no timeout. Its list of
attributes names Sixel (``4``). Only a terminal that does not answer at all (a dumb serial
line) costs the timeout, a fraction of a second.

This runs before Textual takes over the terminal, which then owns the input; keys typed in
that instant are dropped with the answers.
"""

from __future__ import annotations

import os
import re
import select
import termios
import time
from dataclasses import dataclass

KITTY_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
CELL_QUERY = "\x1b[16t"
DEVICE_QUERY = "\x1b[c"

_KITTY_OK = re.compile(rb"\x1b_Gi=31;OK\x1b\\")
_DEVICE = re.compile(rb"\x1b\[\?([0-9;]*)c")
_CELL = re.compile(rb"\x1b\[6;(\d+);(\d+)t")


@dataclass(frozen=True, slots=True)
class Graphics:
    """What the terminal said it can do."""

    kitty: bool = False
    sixel: bool = False
    cell: tuple[int, int] | None = None
    """A cell's width and height in pixels, when the terminal told."""
    answered: bool = False
    """The terminal answered the device query (so its silence on the others means no)."""


def parse(answers: bytes) -> Graphics:
    """What ``answers`` (the terminal's replies, in any order) say."""
    device = _DEVICE.search(answers)
    sixel = bool(device) and b"4" in device.group(1).split(b";")  # type: ignore[union-attr]
    cell = None
    if found := _CELL.search(answers):
        height, width = int(found.group(1)), int(found.group(2))
        if 0 < width < 1000 and 0 < height < 1000:
            cell = (width, height)
    return Graphics(
        kitty=bool(_KITTY_OK.search(answers)), sixel=sixel, cell=cell, answered=bool(device)
    )


def probe(fd_in: int, fd_out: int, timeout: float = 0.5) -> Graphics:
    """Ask the terminal on ``fd_in``/``fd_out``; nothing is asked of a non-terminal."""
    if not (os.isatty(fd_in) and os.isatty(fd_out)):
        return Graphics()
    try:
        saved = termios.tcgetattr(fd_in)
    except termios.error:
        return Graphics()
    quiet = list(saved)
    # No echo of the answers, and bytes as they come rather than lines.
    quiet[3] = quiet[3] & ~(termios.ECHO | termios.ICANON)
    quiet[6] = list(quiet[6])
    quiet[6][termios.VMIN] = 0
    quiet[6][termios.VTIME] = 0
    answers = b""
    try:
        termios.tcsetattr(fd_in, termios.TCSANOW, quiet)
        os.write(fd_out, (KITTY_QUERY + CELL_QUERY + DEVICE_QUERY).encode("ascii"))
        deadline = time.monotonic() + timeout
        while not _DEVICE.search(answers):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd_in], [], [], left)
            if not ready:
                break
            chunk = os.read(fd_in, 4096)
            if not chunk:
                break
            answers += chunk
            if len(answers) > 65536:
                break  # not a terminal answering queries
    except OSError:
        return Graphics()
    finally:
        try:
            termios.tcsetattr(fd_in, termios.TCSAFLUSH, saved)
        except termios.error:
            pass
    return parse(answers)
