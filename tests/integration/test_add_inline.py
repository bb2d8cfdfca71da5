"""Where ``add`` parses: in its own process on the command line (one feed: a worker would
only add its start and the hand-over), in a worker process under the app."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.httpserver import LocalServer
from tests.integration.site import BASE_DATE, Item, serve_feed
from tui_reader.core.config import Config
from tui_reader.core.errors import FeedError
from tui_reader.core.library import Library
from tui_reader.core.parsework import PreparedFeed, prepare_feed


def items(count: int) -> list[Item]:
    return [
        Item(guid=f"i{n}", title=f"Item {n}", link=f"https://example.org/i/{n}",
             summary=f"Summary <b>{n}</b>", date=BASE_DATE + timedelta(minutes=n))
        for n in range(count)
    ]  # fmt: skip


def open_library(tmp_path: Path, interactive: bool) -> Library:
    config = Config(retries=0, fetch_pages=False)
    return Library.open(tmp_path / "data", config=config, interactive=interactive)


async def test_the_command_line_add_parses_here_and_starts_no_worker(
    http_server: LocalServer, tmp_path: Path
) -> None:
    # More entries than one worker task cleans with its parse: every body is still made.
    url = serve_feed(http_server, "/f.xml", "rss", "Inline", items(2500))
    library = open_library(tmp_path, interactive=False)
    try:
        result = await library.add(url)
        assert library._pool is not None and library._pool._pool is None  # never started
        articles = library.articles(feed_id=result.feed_id, limit=5000)
        assert len(articles) == 2500
        newest = library.article(articles[0].id)
        assert newest.article.text == "Summary 2499"
    finally:
        await library.aclose()
        library.close()
    assert result.message.endswith("2500 articles")


async def test_the_app_add_parses_in_a_worker(
    http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui_reader.core.feeds as feeds

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed in the app's own process")

    monkeypatch.setattr(feeds, "parse_feed", refuse)
    url = serve_feed(http_server, "/f.xml", "rss", "In a worker", items(3))
    library = open_library(tmp_path, interactive=True)
    try:
        result = await library.add(url)
    finally:
        await library.aclose()
        library.close()
    assert result.message.endswith("3 articles")


class NativePanic(BaseException):
    """What a Rust extension raises when it panics: not an ``Exception``."""


def prepare_or_panic(data: bytes, url: str, *args: Any) -> PreparedFeed:
    if b"<title>Panic</title>" in data:
        raise NativePanic("index out of bounds")
    return prepare_feed(data, url, *args)


async def test_a_parser_crash_in_the_command_line_add_is_one_line_and_leaves_nothing(
    http_server: LocalServer, tmp_path: Path
) -> None:
    url = serve_feed(http_server, "/p.xml", "rss", "Panic", items(3))
    library = open_library(tmp_path, interactive=False)
    try:
        library._refresher().prepare_task = prepare_or_panic
        with pytest.raises(FeedError) as info:
            await library.add(url)
        assert library.store.feed_id_by_url(url) is None
    finally:
        await library.aclose()
        library.close()
    message = str(info.value)
    assert "\n" not in message and "NativePanic" in message and "index out of bounds" in message


async def test_the_command_line_add_keeps_the_collector_off_from_parse_to_write(
    http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A collection between the parse and the write walks every object the parse made.
    import gc

    from tui_reader.core.storage.sqlite import Store

    url = serve_feed(http_server, "/gc.xml", "rss", "Collector", items(30))
    seen: dict[str, bool] = {}
    known, write = Store.known_articles, Store.write_feed

    def known_articles(self: Store, *args: Any, **kwargs: Any) -> Any:
        seen["known"] = gc.isenabled()
        return known(self, *args, **kwargs)

    def write_feed(self: Store, *args: Any, **kwargs: Any) -> Any:
        seen["write"] = gc.isenabled()
        return write(self, *args, **kwargs)

    monkeypatch.setattr(Store, "known_articles", known_articles)
    monkeypatch.setattr(Store, "write_feed", write_feed)
    library = open_library(tmp_path, interactive=False)
    assert gc.isenabled()
    try:
        result = await library.add(url)
    finally:
        await library.aclose()
        library.close()
    assert seen == {"known": False, "write": False}
    assert gc.isenabled()  # back on once the feed is stored
    assert result.message.endswith("30 articles")
