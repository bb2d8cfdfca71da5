"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.httpserver import LocalServer
from tui_reader.core import pictures
from tui_reader.core.storage.pictures import PictureWrite

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


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
