"""Fixtures for the app tests: isolated directories and a real, deterministic store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui_reader.core.library import Library
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.storage.sqlite import ArticleRecord, Store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data, config and logs of every test live in its tmp_path."""
    for name in ("DATA", "CONFIG", "LOG"):
        path = tmp_path / name.lower()
        path.mkdir()
        monkeypatch.setenv(f"TUI_READER_{name}_DIR", str(path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def paragraph(text: str, href: str | None = None, link_text: str = "") -> Block:
    spans = [Span(text)]
    if href:
        spans += [Span(" see "), Span(link_text or "this link", href=href), Span(".")]
    return Block("paragraph", spans=tuple(spans))


def body(title: str, paragraphs: int = 3, links: tuple[str, ...] = ()) -> tuple[Block, ...]:
    blocks: list[Block] = [Block("heading", spans=(Span(f"About {title}"),), level=2)]
    for number in range(paragraphs):
        href = links[number] if number < len(links) else None
        blocks.append(
            paragraph(
                f"Paragraph {number + 1} of {title}. "
                + "Plain words follow to give the reader something to scroll through. " * 3,
                href,
                f"link {number + 1}",
            )
        )
    return tuple(blocks)


def record(
    number: int,
    title: str,
    *,
    url: str | None = None,
    paragraphs: int = 3,
    links: tuple[str, ...] = (),
    blocks: tuple[Block, ...] | None = None,
    summary_only: bool = False,
    published: datetime | None = None,
) -> ArticleRecord:
    published = published or NOW - timedelta(hours=number + 1)
    url = url if url is not None else f"https://news.example/{number}"
    article = Article(
        title=title,
        byline="A. Writer",
        published=published,
        site_name="News Example",
        url=url,
        blocks=blocks if blocks is not None else body(title, paragraphs, links),
    )
    return ArticleRecord(
        guid=f"guid-{number}",
        url=url,
        title=title,
        article=article,
        author="A. Writer",
        published=published,
        summary_only=summary_only,
    )


@dataclass
class StoreSpec:
    """Feeds to create: ``(url, title, tags, records)``."""

    feeds: list[tuple[str, str, tuple[str, ...], list[ArticleRecord]]]


def fill_store(data_dir: Path, spec: StoreSpec) -> None:
    """Create the store with exactly these feeds (no Welcome feed)."""
    store = Store.open(data_dir / "tui-reader.sqlite3")
    try:
        for url, title, tags, records in spec.feeds:
            feed_id, _ = store.add_feed(url, title=title, tags=tags)
            store.upsert_articles(feed_id, records)
    finally:
        store.close()


def standard_spec(link_base: str = "https://links.example") -> StoreSpec:
    """Two tagged feeds and one untagged; every date fixed relative to ``NOW``."""
    tech = [
        record(0, "Rust 2.0 released with a new borrow checker",
               links=(f"{link_base}/a", "javascript:alert(1)", f"{link_base}/b")),
        record(2, "東京の新しい図書館 🏯 opens its doors", paragraphs=40),
        record(4, "A summary only article", summary_only=True),
        record(6, "Kernel notes: schedulers and you"),
    ]  # fmt: skip
    world = [
        record(1, "Elections: the results are in"),
        record(3, "[@click=app.quit]x[/] and [bold red]not bold[/]"),
        record(5, "Weather: a mild week ahead 🌤"),
    ]
    misc = [record(7 + n, f"Miscellany number {n}") for n in range(5)]
    return StoreSpec(
        feeds=[
            ("https://tech.example/feed", "Tech Daily", ("tech",), tech),
            ("https://world.example/feed", "World News", ("news",), world),
            ("https://misc.example/feed", "Miscellany", (), misc),
        ]
    )


@pytest.fixture
def data_dir(isolated_dirs: Path) -> Path:
    return isolated_dirs / "data"


@pytest.fixture
def library(data_dir: Path) -> Iterator[Library]:
    """A real library over a store filled with :func:`standard_spec`."""
    fill_store(data_dir, standard_spec())
    lib = Library.open(data_dir)
    yield lib
    lib.close()


def open_with_config(data_dir: Path, isolated_dirs: Path, config_toml: str) -> Library:
    """A library over the standard store, opened after writing ``config.toml``."""
    (isolated_dirs / "config" / "config.toml").write_text(config_toml, encoding="utf-8")
    fill_store(data_dir, standard_spec())
    return Library.open(data_dir)
