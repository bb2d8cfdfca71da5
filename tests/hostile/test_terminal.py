"""The real ``tui-reader`` app on a pseudo-terminal, on a store filled from the hostile corpus.

Textual writes plenty of escape sequences of its own; what must never reach the terminal is
any part of the corpus' payloads: the clipboard write, the window title, their parameters.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.hostile.clirun import cli_env
from tests.hostile.corpus import FEED_FILES
from tests.hostile.test_store import open_library, serve_corpus_feed, serve_hostile_pages
from tests.httpserver import LocalServer

# Pieces of the payloads that only an escaped (or half-removed) sequence would show. (The 8-bit
# title's text may show: feedparser turns its terminator into "œ", so only the introducer is
# removed and the rest is harmless text.)
LEAKS = [
    b"\x1b]52;c;ZWNv",  # the corpus' clipboard write
    b"ZWNobyBwd25lZA",  # its base64 payload
    b"PWNED-TITLE",  # the window title payload
    b"\xc2\x9b",  # U+009B (8-bit CSI) encoded in UTF-8
    b"\xc2\x9d",  # U+009D (8-bit OSC)
    b"\xe2\x80\xae",  # U+202E right-to-left override
]


def _read(master: int, seconds: float) -> bytes:
    chunks: list[bytes] = []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([master], [], [], min(left, 0.2))
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


@pytest.mark.slow
async def test_the_app_writes_no_payload_to_the_terminal(
    http_server: LocalServer, tmp_path: Path
) -> None:
    serve_hostile_pages(http_server)
    data = tmp_path / "data"
    library = open_library(data)
    try:
        for name in FEED_FILES:
            library.store.add_feed(serve_corpus_feed(http_server, name))
        await library.refresh(pages=True)
    finally:
        await library.aclose()
        library.close()

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    env = cli_env(tmp_path)
    env.update({"TERM": "xterm-256color", "TUI_READER_DATA_DIR": str(data)})
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", "--offline"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    output = b""
    try:
        # Wait for the first full screen (the list shows the markup-like title), at most 20 s.
        deadline = time.monotonic() + 20
        while b"click=app.quit" not in output and time.monotonic() < deadline:
            output += _read(master, 0.3)
        assert b"\x1b[" in output, "the app drew nothing"
        for keys in (b"\r", b" ", b"\x1b", b"j", b"\r", b"L", b"\x1b", b"\x1b", b"j", b"\r"):
            os.write(master, keys)
            output += _read(master, 0.5)
        os.write(master, b"\x1b")
        output += _read(master, 0.5)
        os.write(master, b"q")
        output += _read(master, 3.0)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert proc.returncode == 0, output[-2000:]
    for leak in LEAKS:
        assert leak not in output, f"{leak!r} reached the terminal"
    assert b"Traceback" not in output
    # The markup-like title was drawn as text (Textual may split a row into several writes).
    assert b"click=app.quit" in output
