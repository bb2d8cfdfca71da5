"""The test session's network guard: only the loopback, in this process and its children."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.httpserver import LocalServer

PROBE = "import socket\nsocket.getaddrinfo({host!r}, 80)\nprint('resolved')"


def _log() -> Path:
    return Path(os.environ["NETGUARD_LOG"])


def _size() -> int:
    return _log().stat().st_size if _log().exists() else 0


@pytest.mark.parametrize("host", ["tui-reader-test.example", "93.184.216.34"])
def test_a_subprocess_cannot_look_up_or_reach_other_hosts(host: str) -> None:
    before = _size()
    code = PROBE.format(host=host)
    if host[0].isdigit():  # an address needs no lookup: the connection is what is refused
        code = f"import socket\nsocket.create_connection(({host!r}, 80), timeout=5)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode != 0 and "no network in tests" in done.stderr, done.stderr
    assert "resolved" not in done.stdout
    with _log().open(encoding="utf-8") as read:
        read.seek(before)
        assert host in read.read()


def test_this_process_cannot_either() -> None:
    with pytest.raises(socket.gaierror, match="no network in tests"):
        socket.getaddrinfo("tui-reader-test.example", 443)
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://tui-reader-test.example/", timeout=5)


def test_the_local_server_is_reached(http_server: LocalServer) -> None:
    http_server.add("/ok.txt", b"fine", content_type="text/plain")
    assert httpx.get(http_server.url("/ok.txt"), timeout=5).text == "fine"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import httpx; print(httpx.get({http_server.url('/ok.txt')!r}).text)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "fine", done.stderr
