"""Drive a library's sync or refresh to its end from synchronous test code."""

from __future__ import annotations

import asyncio

from tui_reader.core.library import Library
from tui_reader.core.sync.engine import SyncReport


def sync(lib: Library) -> SyncReport:
    """One ``Library.sync`` in an event loop of its own (its network closed at the end)."""

    async def run() -> SyncReport:
        try:
            return await lib.sync()
        finally:
            await lib.aclose()

    return asyncio.run(run())
