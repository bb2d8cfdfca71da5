"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.httpserver import LocalServer
from tui_reader.core import pictures
from tui_reader.core.storage.pictures import PictureWrite

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
NETGUARD = Path(__file__).resolve().parent / "netguard"


def pytest_configure(config: pytest.Config) -> None:
    """Every process of the session, this one and those it starts, reaches only the loopback
    (see ``tests/netguard/sitecustomize.py``); attempts elsewhere are logged for the check."""
    paths = [str(NETGUARD), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    if "NETGUARD_LOG" not in os.environ:
        import tempfile

        os.environ["NETGUARD_LOG"] = str(Path(tempfile.mkdtemp(prefix="netguard-")) / "log")
    import importlib.util

    spec = importlib.util.spec_from_file_location("netguard", NETGUARD / "sitecustomize.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def _attempts(since: int = 0) -> list[str]:
    log = Path(os.environ["NETGUARD_LOG"])
    if not log.exists():
        return []
    with log.open(encoding="utf-8") as read:
        read.seek(since)
        return read.read().splitlines()


_REFUSED_IN: list[str] = []


@pytest.fixture(autouse=True)
def _network_refused(request: pytest.FixtureRequest) -> Iterator[None]:
    """Notes the tests whose own process was refused the network (named at the end)."""
    log = Path(os.environ["NETGUARD_LOG"])
    before = log.stat().st_size if log.exists() else 0
    yield
    mine = [line for line in _attempts(before) if line.split(" ", 1)[0] == str(os.getpid())]
    if mine:
        hosts = sorted({line.split(" ", 2)[2] for line in mine})
        _REFUSED_IN.append(f"{request.node.nodeid} ({', '.join(hosts)})")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many attempts to leave the machine were refused, and where: each one is a test
    that would reach the network (or wait on a resolver) without the guard."""
    everything = _attempts()
    others = [line for line in everything if line.split(" ", 1)[0] != str(os.getpid())]
    if others:
        hosts = sorted({line.split(" ", 2)[2] for line in others})
        terminalreporter.write_line(
            f"netguard: {len(others)} network attempts by subprocesses were refused "
            f"(hosts: {', '.join(hosts[:8])})"
        )
    for test in _REFUSED_IN:
        terminalreporter.write_line(f"netguard: refused in {test}")


@pytest.fixture(autouse=True)
def _pictures_stay_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved test pages name their pictures on real-looking hosts (og:image): in tests only
    pictures served by the local test server are fetched, so no test reaches the internet."""
    fetch_one = pictures.PictureKeeper._one

    async def local_only(self, fetcher, src):  # type: ignore[no-untyped-def]
        if (urlsplit(src).hostname or "") not in LOCAL_HOSTS:
            return PictureWrite(src, problem="not fetched in tests (not the local server)")
        return await fetch_one(self, fetcher, src)

    monkeypatch.setattr(pictures.PictureKeeper, "_one", local_only)


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A real HTTP/1.1 server on 127.0.0.1 (random port), stopped after the test."""
    with LocalServer() as server:
        yield server
