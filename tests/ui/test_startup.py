"""Startup: the first page in one query, and nothing imported that the first screen does not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui_reader.core.library import Library


def test_first_page_matches_count_and_articles(library: Library) -> None:
    for view in ("all", "unread", "starred"):
        count, rows = library.first_page(view=view, limit=5)  # type: ignore[arg-type]
        assert count == library.count_articles(view=view)  # type: ignore[arg-type]
        assert rows == library.articles(view=view, limit=5)  # type: ignore[arg-type]
    first = library.articles(limit=1)[0]
    library.set_starred(first.id, True)
    assert library.first_page(view="starred") == (1, [library.articles(view="starred")[0]])


def test_first_page_is_one_statement(library: Library) -> None:
    statements: list[str] = []
    conn = library.store._connection()
    conn.set_trace_callback(statements.append)
    try:
        library.first_page(view="all", limit=100)
    finally:
        conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, statements


LAUNCH = """
import asyncio, sys
from tui_reader.core.library import Library
from tui_reader.ui.app import ReaderApp, preload

library = Library.open(sys.argv[1], offline=True)
app = ReaderApp(library, offline=True, startup=preload(library))

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Rust 2.0" in "".join(
            segment.text for strip in app.screen._compositor.render_strips() for segment in strip
        )

asyncio.run(main())
library.close()
heavy = ("httpx", "httpcore", "feedparser", "selectolax", "tui_reader.core.extract",
         "tui_reader.core.fetch", "tui_reader.core.feeds")
print(",".join(sorted(m for m in sys.modules if m.startswith(heavy))))
"""


def test_launching_the_app_imports_no_network_parser_or_extractor(
    library: Library, data_dir: Path
) -> None:
    library.close()
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "", result.stdout
