"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.httpserver import LocalServer


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A real HTTP/1.1 server on 127.0.0.1 (random port), stopped after the test."""
    with LocalServer() as server:
        yield server
