"""The engine finds a protocol module by the account's kind, never by a static import."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tests.sync.fakeserver import FakeServer
from tui_reader.core.sync.base import SyncAccount, SyncError
from tui_reader.core.sync.connect import make_client


def test_the_module_of_the_kind_makes_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = FakeServer()
    seen: list[Any] = []

    def factory(account: SyncAccount, http: Any, session_path: Path | None) -> Any:
        seen.append((account.kind, http, session_path))
        return server.client(account)

    module = types.ModuleType("tui_reader.core.sync.fever")
    module.make_client = factory  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui_reader.core.sync.fever", module)
    account = SyncAccount("fever", "https://rss.example/fever/", "me", "pw")
    client = make_client(account, "http-client", tmp_path / "session")  # type: ignore[arg-type]
    assert client.requests == 0
    assert seen == [("fever", "http-client", tmp_path / "session")]


def test_an_unknown_kind_is_one_line() -> None:
    account = SyncAccount("nntp", "https://x.example/", "me", "pw")  # type: ignore[arg-type]
    with pytest.raises(SyncError, match="unknown sync kind 'nntp'"):
        make_client(account, None, None)  # type: ignore[arg-type]
