"""The Fever client against a real coldsweat server (see :mod:`tests.sync.coldsweat`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.sync import coldsweat as coldsweat_fixtures
from tests.sync.coldsweat import ColdsweatServer
from tui_reader.core.sync.base import (
    Mark,
    SyncAccount,
    SyncAuthError,
    SyncClient,
    SyncUnreachable,
    SyncUnsupported,
)
from tui_reader.core.sync.fever import PAGE_SIZE, make_client


def top_id(server: ColdsweatServer) -> str:
    return max((entry[0] for entry in server.entries()), key=int)


# The fixtures live with the server they run; binding them here makes pytest find them.
coldsweat = coldsweat_fixtures.coldsweat
fever_server = coldsweat_fixtures.fever_server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def client_for(server: ColdsweatServer, http: httpx.AsyncClient, **changes: str) -> SyncClient:
    fields = {"url": server.url, "user": server.user, "password": server.password, **changes}
    return make_client(SyncAccount(kind="fever", **fields), http, None)


async def test_login_accepts_the_right_password(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    await client.login()
    assert client.requests == 1
    assert client.can_subscribe is False


async def test_login_refuses_a_wrong_password(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http, password="not the password at all")
    with pytest.raises(SyncAuthError) as raised:
        await client.login()
    assert "\n" not in str(raised.value)
    with pytest.raises(SyncAuthError):
        await client_for(fever_server, http, user="someone@example.com").unread_ids()


async def test_feeds_come_with_their_folders(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    feeds = {feed.title: feed for feed in await client_for(fever_server, http).feeds()}
    assert set(feeds) == {"Old news", "Alpha", "Hostile"}
    assert feeds["Alpha"].folders == ("News",)
    assert feeds["Hostile"].folders == ("News",)
    # coldsweat files a feed imported outside any folder under its "Default" group.
    assert feeds["Old news"].folders == ("Default",)
    assert feeds["Alpha"].url == fever_server.feeds.url("/alpha.xml")
    assert feeds["Alpha"].site_url == fever_server.feeds.url("/alpha/")
    assert len({feed.id for feed in feeds.values()}) == 3


async def test_unread_and_saved_ids_follow_the_server(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    every = {entry[0] for entry in fever_server.entries()}
    assert len(every) >= 70
    assert await client.unread_ids() == every
    assert await client.starred_ids() == set()
    fever_server.set_read("3")
    fever_server.set_read("64")
    fever_server.set_saved("64")
    fever_server.set_saved("12")
    assert await client.unread_ids() == every - {"3", "64"}
    assert await client.starred_ids() == {"12", "64"}


async def test_a_first_sync_takes_the_days_window_and_keeps_the_items(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    since = datetime.now(UTC) - timedelta(days=14)
    ids, cursor = await client.recent_ids(since, None)
    recent = fever_server.ids_of("Alpha") | fever_server.ids_of("Hostile")
    assert len(recent) >= 62
    assert ids == recent
    assert not ids & fever_server.ids_of("Old news")
    assert cursor == top_id(fever_server)
    # The items were fetched while paging: asking for them costs nothing more.
    before = client.requests
    batches = [batch async for batch in client.items(ids)]
    assert client.requests == before
    assert {item.id for batch in batches for item in batch} == ids
    assert all(len(batch) <= PAGE_SIZE for batch in batches)


async def test_a_wider_window_reaches_the_old_items(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    since = datetime.now(UTC) - timedelta(days=365)
    ids, _ = await client_for(fever_server, http).recent_ids(since, None)
    assert ids == {entry[0] for entry in fever_server.entries()}


async def test_a_later_sync_asks_only_for_what_came_after_the_cursor(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    since = datetime.now(UTC) - timedelta(days=14)
    top = int(top_id(fever_server))
    ids, cursor = await client.recent_ids(since, str(top - 10))
    assert ids == {str(n) for n in range(top - 9, top + 1)}
    assert cursor == str(top)
    ids, cursor = await client.recent_ids(since, str(top))
    assert ids == set()
    assert cursor == str(top)
    # Forward paging crosses page boundaries, then one request finds nothing more.
    client = client_for(fever_server, http)
    ids, cursor = await client.recent_ids(since, "1")
    assert ids == {str(n) for n in range(2, top + 1)}
    assert client.requests == -(-(top - 1) // PAGE_SIZE) + 1


async def test_items_published_after_the_cursor_come_in_the_next_sync(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    since = datetime.now(UTC) - timedelta(days=14)
    _, cursor = await client.recent_ids(since, None)
    added = fever_server.publish("alpha", 3)
    assert len(added) == 3
    ids, next_cursor = await client.recent_ids(since, cursor)
    assert ids == set(added)
    assert next_cursor == max(added, key=int)
    items = [item async for batch in client.items(ids) for item in batch]
    titles = {item.title for item in items}
    assert len(titles) == 3
    assert all(t.startswith("Alpha story ") and int(t.split()[-1]) >= 60 for t in titles)


async def test_items_come_in_batches_of_fifty(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    entries = {entry[0]: entry for entry in fever_server.entries()}
    batches = [batch async for batch in client.items(list(entries))]
    full, rest = divmod(len(entries), PAGE_SIZE)
    assert [len(batch) for batch in batches] == [PAGE_SIZE] * full + ([rest] if rest else [])
    assert client.requests == len(batches)
    items = {item.id: item for batch in batches for item in batch}
    assert set(items) == set(entries)
    _, feed_title, title, published = entries["10"]
    item = items["10"]
    assert feed_title == "Alpha"
    assert item.title == title == "Alpha story 1"
    assert item.url == fever_server.feeds.url("/alpha/1.html")
    assert item.author == "Writer 1"
    assert "Body of Alpha story 1" in item.html
    assert item.published == published
    # Hostile text is data: it comes through as the server stored it, escapes and all.
    hostile = {item.title for item in items.values() if item.feed_id == items["69"].feed_id}
    assert "\x1b]0;pwned\x07\x1b[31mred [bold]markup[/bold]" in hostile


async def test_marks_reach_the_server(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    fever_server.set_read("5")
    fever_server.set_saved("6")
    client = client_for(fever_server, http)
    await client.send_marks(
        [
            Mark("1", "read", True),
            Mark("2", "starred", True),
            Mark("5", "read", False),
            Mark("6", "starred", False),
        ]
    )
    assert client.requests == 4
    assert fever_server.state("1") == (True, False)
    assert fever_server.state("2") == (False, True)
    assert fever_server.state("5") == (False, False)
    assert fever_server.state("6") == (False, False)
    # Sending the same marks again is harmless.
    await client.send_marks([Mark("1", "read", True), Mark("6", "starred", False)])
    assert fever_server.state("1") == (True, False)


async def test_a_mark_for_an_item_the_server_no_longer_has_does_not_block_the_rest(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    await client.send_marks([Mark("999999", "read", True), Mark("7", "read", True)])
    assert fever_server.state("7") == (True, False)


async def test_a_stopped_server_is_unreachable_and_nothing_raw_escapes(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    await client.login()
    fever_server.stop()
    try:
        since = datetime.now(UTC) - timedelta(days=14)
        calls = [
            client.login(),
            client.feeds(),
            client.unread_ids(),
            client.starred_ids(),
            client.recent_ids(since, None),
            client.send_marks([Mark("1", "read", True), Mark("2", "read", True)]),
        ]
        for call in calls:
            with pytest.raises(SyncUnreachable) as raised:
                await call
            message = str(raised.value)
            assert "\n" not in message and "127.0.0.1" in message
        with pytest.raises(SyncUnreachable):
            [batch async for batch in client.items(["1"])]
    finally:
        fever_server.start()
    # The same client works again once the server is back, and the mark then arrives.
    await client.send_marks([Mark("1", "read", True)])
    assert fever_server.state("1") == (True, False)


async def test_subscribing_is_not_part_of_fever(
    fever_server: ColdsweatServer, http: httpx.AsyncClient
) -> None:
    client = client_for(fever_server, http)
    with pytest.raises(SyncUnsupported, match="web interface"):
        await client.subscribe("http://127.0.0.1:1/feed.xml")
    with pytest.raises(SyncUnsupported, match="web interface"):
        await client.unsubscribe("1")
    assert client.requests == 0
