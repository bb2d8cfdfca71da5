"""Find the protocol module of an account and make its client.

The engine never imports a protocol module by name: ``account.kind`` picks
``tui_reader.core.sync.<kind>``, whose ``make_client`` builds the client. A protocol this
build lacks is a one-line :class:`SyncError`, not an ``ImportError``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tui_reader.core.sync.base import SyncAccount, SyncClient, SyncError

if TYPE_CHECKING:
    import httpx

ClientFactory = Callable[[SyncAccount, "httpx.AsyncClient", "Path | None"], SyncClient]
"""``(account, shared HTTP client, session file) -> client``, as ``make_client`` is."""

KINDS = ("greader", "fever")


def make_client(
    account: SyncAccount, http: httpx.AsyncClient, session_path: Path | None
) -> SyncClient:
    """The client of ``account.kind`` (see the module's docstring)."""
    if account.kind not in KINDS:
        raise SyncError(f"unknown sync kind {account.kind!r} (known: {', '.join(KINDS)})")
    try:
        module = importlib.import_module(f"tui_reader.core.sync.{account.kind}")
    except ImportError:
        raise SyncError(f"this build of tui-reader cannot sync with {account.kind}") from None
    factory: ClientFactory = module.make_client
    return factory(account, http, session_path)
