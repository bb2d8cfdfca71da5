"""End to end: search in the installed app in a real terminal (tmux), over many matches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.test_tmux import Tmux, console_script, terminal  # noqa: F401 - the fixture
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.storage import ArticleRecord, Store

pytestmark = pytest.mark.tmux

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MATCHES = 260


def seed(data: Path) -> None:
    store = Store.open(data / "tui-reader.sqlite3")
    try:
        feed_id, _ = store.add_feed("https://lamps.example/feed", title="Lamps")
        records = [
            ArticleRecord(
                guid=f"g{n}",
                url=f"https://lamps.example/{n}",
                title=f"Lantern story {n}",
                article=Article(blocks=(Block("paragraph", spans=(Span(f"a lantern, {n}"),)),)),
                published=NOW - timedelta(hours=n),
            )
            for n in range(MATCHES - 1)
        ]
        records.append(
            ArticleRecord(
                guid="old",
                url="https://lamps.example/old",
                title="The very first lantern",
                article=Article(
                    blocks=(Block("paragraph", spans=(Span("lantern lantern lantern"),)),)
                ),
                published=NOW - timedelta(days=400),
            )
        )
        store.upsert_articles(feed_id, records)
    finally:
        store.close()


def test_search_counts_scrolls_to_the_oldest_and_switches_order(
    tmp_path: Path,
    terminal: Callable[[], Tmux],  # noqa: F811 - the imported fixture
) -> None:
    script = console_script()
    data = tmp_path / "data"
    seed(data)
    term = terminal()
    term.start([script, "--data-dir", str(data), "--offline"])
    term.wait_for(lambda s: "Lantern story 0" in s, "the article list")
    term.keys("/")
    term.wait_for(lambda s: "Search articles" in s, "the search dialog")
    term.type("lantern")
    term.keys("Enter")
    term.wait_for(lambda s: f"{MATCHES} results" in s, "the count of results")
    # The oldest match is on the last page, which is read only when scrolled to.
    term.keys("G")
    term.wait_for(lambda s: "The very first lantern" in s, "the last result")
    term.keys("O")
    screen = term.wait_for(lambda s: "best first" in s, "results by relevance")
    assert f"{MATCHES} results" in screen

    def best_on_top(screen: str) -> bool:
        lines = screen.splitlines()
        first = next((i for i, line in enumerate(lines) if "The very first" in line), None)
        story = next((i for i, line in enumerate(lines) if "Lantern story" in line), None)
        return first is not None and story is not None and first < story

    term.wait_for(best_on_top, "the best match above the newer ones")
    term.keys("q")
    term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
