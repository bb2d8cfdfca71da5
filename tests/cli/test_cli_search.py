"""``tui-reader search``: order, paging with --limit/--offset, their validation, the total."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.hostile.clirun import run_cli, run_cli_tty, strip_sgr
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.storage import ArticleRecord, Store

BASE = datetime(2026, 2, 1, tzinfo=UTC)
STORIES = 25


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A store of 25 lighthouse stories a day apart, stored oldest last, and one best match."""
    store = Store.open(tmp_path / "data" / "tui-reader.sqlite3")
    try:
        feed_id, _ = store.add_feed("https://coast.example/feed", title="Coast")
        records = [
            ArticleRecord(
                guid=f"s{n}",
                url=f"https://coast.example/{n}",
                title=f"Story {n}",
                article=Article(blocks=(Block("paragraph", spans=(Span(f"lighthouse {n}"),)),)),
                published=BASE + timedelta(days=n),
            )
            for n in range(STORIES)
        ]
        # The best match is the oldest: newest first puts it last, relevance first.
        records.append(
            ArticleRecord(
                guid="best",
                url="https://coast.example/best",
                title="Lighthouse lighthouse",
                article=Article(
                    blocks=(Block("paragraph", spans=(Span("lighthouse lighthouse"),)),)
                ),
                published=BASE - timedelta(days=1),
            )
        )
        store.upsert_articles(feed_id, list(reversed(records)))
    finally:
        store.close()
    return tmp_path


def titles(stdout: bytes) -> list[str]:
    return [line.split("\t")[3] for line in stdout.decode().splitlines()]


def test_newest_first_by_default_and_limit_takes_the_newest(home: Path) -> None:
    result = run_cli("search", "lighthouse", "--limit", "5", home=home)
    assert result.returncode == 0, result.stderr
    assert titles(result.stdout) == [f"Story {n}" for n in (24, 23, 22, 21, 20)]


def test_sort_relevance_puts_the_best_match_first(home: Path) -> None:
    result = run_cli("search", "lighthouse", "--sort", "relevance", "-n", "3", home=home)
    assert result.returncode == 0, result.stderr
    assert titles(result.stdout)[0] == "Lighthouse lighthouse"


@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_limit_and_offset_page_through_every_match_once(home: Path, order: str) -> None:
    seen: list[str] = []
    for offset in range(0, 40, 7):
        result = run_cli(
            "search", "lighthouse", "--sort", order, "-n", "7", "--offset", str(offset), home=home
        )
        assert result.returncode == 0, result.stderr
        seen += titles(result.stdout)
    assert len(seen) == STORIES + 1 and len(set(seen)) == STORIES + 1
    if order == "newest":
        assert seen[-1] == "Lighthouse lighthouse"


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("--limit", "0"), "--limit"),
        (("-n", "-3"), "--limit"),
        (("--offset", "-1"), "--offset"),
    ],
    ids=["limit-zero", "limit-negative", "offset-negative"],
)
def test_bad_limit_or_offset_is_one_line_and_status_2(
    home: Path, args: tuple[str, ...], word: str
) -> None:
    result = run_cli("search", "lighthouse", *args, home=home)
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tui-reader: error: "), lines
    assert word in lines[0]
    assert result.stdout == b""


def test_unknown_sort_is_a_usage_error(home: Path) -> None:
    result = run_cli("search", "lighthouse", "--sort", "oldest", home=home)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr and b"newest" in result.stderr


def test_terminal_output_ends_with_the_total_and_the_next_offset(home: Path) -> None:
    result = run_cli_tty("search", "lighthouse", "-n", "10", "--offset", "10", home=home)
    assert result.returncode == 0, result.stderr
    text = strip_sgr(result.stdout.decode())
    assert "11-20 of 26 matches; next: --offset 20" in text
    last = run_cli_tty("search", "lighthouse", "-n", "10", "--offset", "20", home=home)
    assert "21-26 of 26 matches" in strip_sgr(last.stdout.decode())
    assert "next" not in strip_sgr(last.stdout.decode())


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "-", '"lighthouse', "lighthouse* OR"])
def test_search_syntax_never_fails_in_either_order(home: Path, query: str) -> None:
    for order in ("newest", "relevance"):
        result = run_cli("search", "--sort", order, "--offset", "1", "--", query, home=home)
        assert result.returncode == 0, result.stderr
        assert b"Traceback" not in result.stderr and result.stderr == b""
        if "lighthouse" in query and "OR" not in query:
            assert len(titles(result.stdout)) == 20  # 26 matches, the first skipped, 20 shown
