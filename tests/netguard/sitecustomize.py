"""Loopback only: what every Python process started by the tests may reach on the network.

The test session puts this directory first on ``PYTHONPATH``, so Python imports this module at
start-up in every subprocess (the console script in tmux or on a pseudo-terminal, ``python -m
tui_reader``) as well as in the test process itself. Saved pages name pictures and links on
real-looking hosts; here a name other than the local server's is never looked up and an
address off the loopback is never connected to: the attempt fails as it would offline, and is
written (one line: process, host) to the file ``NETGUARD_LOG`` names, which the test session
checks.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_local(host: object) -> bool:
    """Whether ``host`` (a name, an address, ``None``) stays on this machine."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower().rstrip(".") in LOCAL_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _record(what: str, host: object) -> None:
    log = os.environ.get("NETGUARD_LOG")
    if not log:
        return
    try:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {what} {host!r}\n")
    except OSError:
        pass


def install() -> None:
    """Replace the resolver and ``connect`` with loopback-only versions (once)."""
    if getattr(socket, "_netguard", False):
        return
    resolve = socket.getaddrinfo
    connect = socket.socket.connect
    connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local(host):
            _record("lookup", host)
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: no network in tests")
        return resolve(host, *args, **kwargs)

    def guarded(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            _record("connect", address[0])
            raise ConnectionRefusedError(f"{address[0]}: no network in tests")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        guarded(self, address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        guarded(self, address)
        return connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket._netguard = True  # type: ignore[attr-defined]


install()
