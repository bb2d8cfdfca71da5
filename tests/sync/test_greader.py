"""The Google Reader API client against a local server in the FreshRSS and Miniflux dialects.

Every test talks real HTTP to :class:`tests.sync.greader_server.GReaderServer` on 127.0.0.1 (or to
the generic test server for malformed answers). The last test runs against a real server when
``TUI_READER_TEST_GREADER_URL``, ``_USER`` and ``_PASSWORD`` are set, and restores every mark
it makes.
"""

from __future__ import annotations

import importlib
import os
import stat
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.httpserver import LocalServer
from tests.sync.greader_server import LONG_PREFIX, GReaderServer
from tui_reader.core.sync.base import (
    Mark,
    SyncAccount,
    SyncAuthError,
    SyncError,
    SyncUnreachable,
)
from tui_reader.core.sync.greader import GReaderClient, canonical_item_id

DIALECTS = ["freshrss", "miniflux"]


@pytest.fixture(params=DIALECTS)
def server(request: pytest.FixtureRequest) -> Iterator[GReaderServer]:
    with GReaderServer(request.param) as srv:
        yield srv


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def account(server: GReaderServer, password: str | None = None) -> SyncAccount:
    return SyncAccount(
        kind="greader",
        url=server.api_url,
        user=server.user,
        password=server.password if password is None else password,
    )


def client_for(
    server: GReaderServer, http: httpx.AsyncClient, session: Path | None = None, **kw: int
) -> GReaderClient:
    return GReaderClient(account(server), http, session, **kw)


def ids(server: GReaderServer, values: set[int] | list[int]) -> set[str]:
    return {server.long_id(v) for v in values}


# -- ids ----------------------------------------------------------------------------------------


def test_canonical_item_id_spellings() -> None:
    long = f"{LONG_PREFIX}00000000000000ff"
    assert canonical_item_id(long) == long
    assert canonical_item_id(long.upper().replace("TAG:GOOGLE.COM", "tag:google.com")) == long
    assert canonical_item_id("255", decimal=True) == long
    assert canonical_item_id(255) == long
    assert canonical_item_id("00000000000000ff") == long
    assert canonical_item_id("ff") == long
    # Sixteen digits: short hex where the protocol uses hex, decimal in id lists.
    assert canonical_item_id("0000000000000255") == f"{LONG_PREFIX}0000000000000255"
    assert canonical_item_id("1700000000001000", decimal=True) == (
        f"{LONG_PREFIX}{1700000000001000:016x}"
    )
    # Google Reader printed ids as signed 64-bit numbers.
    assert canonical_item_id("-1", decimal=True) == f"{LONG_PREFIX}ffffffffffffffff"
    for bad in ["", "xyz", f"{LONG_PREFIX}", f"{LONG_PREFIX}1{'0' * 16}", str(1 << 64), "1.5"]:
        with pytest.raises(SyncError):
            canonical_item_id(bad, decimal=True)


def test_make_client_is_found_by_kind(tmp_path: Path) -> None:
    module = importlib.import_module("tui_reader.core.sync.greader")
    acct = SyncAccount(kind="greader", url="http://127.0.0.1:9/", user="u", password="p")
    client = module.make_client(acct, httpx.AsyncClient(), tmp_path / "session")
    assert client.kind == "greader" and client.can_subscribe and client.requests == 0


# -- login and session --------------------------------------------------------------------------


async def test_login_stores_session_and_a_second_client_reuses_it(
    server: GReaderServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    session = tmp_path / "data" / "greader-session"
    server.add_feed("https://example.org/feed.xml", "Example")
    first = client_for(server, http, session)
    await first.login()
    assert len(await first.feeds()) == 1
    assert server.count("/accounts/ClientLogin") == 1
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert server.password not in session.read_text()

    second = client_for(server, http, session)
    await second.login()
    assert len(await second.feeds()) == 1
    assert second.logins == 0
    assert server.count("/accounts/ClientLogin") == 1


async def test_expired_session_logs_in_again_once(
    server: GReaderServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    session = tmp_path / "session"
    server.add_feed("https://example.org/feed.xml")
    await client_for(server, http, session).login()
    server.expire_sessions()
    client = client_for(server, http, session)
    await client.login()
    assert len(await client.feeds()) == 1
    assert client.logins == 1
    assert server.count("/accounts/ClientLogin") == 2
    # The new token replaced the dead one on disk: a third client needs no login.
    third = client_for(server, http, session)
    await third.feeds()
    assert server.count("/accounts/ClientLogin") == 2


async def test_session_of_another_user_is_not_sent(
    server: GReaderServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    session = tmp_path / "session"
    await client_for(server, http, session).login()
    other = GReaderClient(
        SyncAccount(kind="greader", url=server.api_url, user="someone", password="x"),
        http,
        session,
    )
    with pytest.raises(SyncAuthError):
        await other.login()
    assert all("authorization" not in seen.headers for seen in server.log[1:])


async def test_messages_never_repeat_credentials_from_the_url(http: httpx.AsyncClient) -> None:
    acct = SyncAccount(kind="greader", url="http://me:pw@127.0.0.1:9/", user="u", password="p")
    with pytest.raises(SyncUnreachable) as caught:
        await GReaderClient(acct, http, None).login()
    assert "127.0.0.1:9" in str(caught.value) and "pw" not in str(caught.value)


async def test_wrong_password_is_one_line_auth_error(
    server: GReaderServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    session = tmp_path / "session"
    client = GReaderClient(account(server, password="wrong"), http, session)
    with pytest.raises(SyncAuthError) as caught:
        await client.login()
    message = str(caught.value)
    assert "\n" not in message and "refused" in message
    assert not session.exists()
    assert client.requests == 1


async def test_session_stops_working_and_password_changed(
    server: GReaderServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    session = tmp_path / "session"
    client = client_for(server, http, session)
    await client.login()
    server.expire_sessions()
    server.refuse_password = True
    with pytest.raises(SyncAuthError):
        await client.feeds()
    # One retry of the login, no more.
    assert server.count("/accounts/ClientLogin") == 2


# -- reading ------------------------------------------------------------------------------------


async def test_subscriptions_with_folders(server: GReaderServer, http: httpx.AsyncClient) -> None:
    a = server.add_feed("https://a.example/feed", "A", folders=["News", "Tech"])
    b = server.add_feed("https://b.example/rss", "B", html_url="javascript:alert(1)")
    feeds = {f.id: f for f in await client_for(server, http).feeds()}
    assert set(feeds) == {f"feed/{a}", f"feed/{b}"}
    assert feeds[f"feed/{a}"].folders == ("News", "Tech")
    assert feeds[f"feed/{a}"].url == "https://a.example/feed"
    assert feeds[f"feed/{a}"].site_url == "https://a.example"
    assert feeds[f"feed/{b}"].folders == ()
    assert feeds[f"feed/{b}"].site_url is None  # not http(s): dropped


async def test_unread_and_starred_ids_through_continuation(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    feed = server.add_feed("https://a.example/feed")
    unread = server.add_items(feed, 33)
    read = server.add_items(feed, 20, read=True)
    starred = server.add_items(feed, 4, read=True, starred=True)
    client = client_for(server, http, page_size=7)
    assert await client.unread_ids() == ids(server, unread)
    assert server.count("/reader/api/0/stream/items/ids") == 5  # ceil(33 / 7)
    assert await client.starred_ids() == ids(server, starred)
    assert not (await client.unread_ids()) & ids(server, read)
    # Never the read ids: no request lists the read state as the stream.
    for seen in server.log:
        assert "user/-/state/com.google/read" not in seen.values("s")
        assert "user/-/state/com.google/read" not in seen.values("it")
    continuations = [s.values("c") for s in server.log if s.path.endswith("items/ids")]
    assert [c for c in continuations if c]  # pages were chained


async def test_recent_ids_with_ot_and_cursor(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    feed = server.add_feed("https://a.example/feed")
    now = int(time.time())
    server.add_items(feed, 5, read=True, added=now - 40 * 86400)
    fresh = server.add_items(feed, 6, read=True, added=now - 86400)
    client = client_for(server, http, page_size=4)
    got, cursor = await client.recent_ids(datetime.now(UTC) - timedelta(days=14), None)
    assert got == ids(server, fresh)
    ot = [s.values("ot") for s in server.log if s.path.endswith("items/ids")]
    assert ot and all(v and int(v[0]) <= now - 14 * 86400 + 5 for v in ot)
    later = server.add_items(feed, 2, added=now + 10)
    again, _ = await client.recent_ids(datetime.now(UTC) - timedelta(days=14), cursor)
    assert ids(server, later) <= again
    assert not again & ids(server, fresh)


async def test_ten_thousand_items_cost_tens_of_requests(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    feed = server.add_feed("https://a.example/feed", "A")
    expected = server.add_items(feed, 10_000)
    client = client_for(server, http)
    unread = await client.unread_ids()
    assert len(unread) == 10_000
    got: dict[str, str] = {}
    async for batch in client.items(unread):
        assert len(batch) <= 250
        got.update((item.id, item.title) for item in batch)
    assert set(got) == ids(server, expected)
    assert got[server.long_id(expected[4])] == "Story 5"  # sent as short hex, read as long
    # 1 login + 10 id pages + 1 token + 40 content batches.
    assert client.requests == server.count("total") <= 60
    for seen in server.log:
        if seen.path.endswith("items/contents"):
            assert seen.method == "POST" and len(seen.values("i")) <= 250
    assert server.count("/reader/api/0/stream/contents") == 0


async def test_items_parse_fields_and_send_only_long_ids(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    feed = server.add_feed("https://a.example/feed", "A")
    made = server.add_items(feed, 6, content="<p>Hello {n}</p>")
    client = client_for(server, http)
    # The canonical long form and short hex are both accepted; only long hex goes out (a bare
    # sixteen-digit decimal would be ambiguous here, so decimal is only read from id lists).
    asked = [server.long_id(made[0]), f"{made[1]:016x}", server.long_id(made[2])]
    items = [item async for batch in client.items(asked) for item in batch]
    by_id = {item.id: item for item in items}
    assert set(by_id) == ids(server, made[:3])
    first = by_id[server.long_id(made[0])]
    assert first.feed_id == f"feed/{feed}"
    assert first.url == "https://example.org/1/1"
    assert first.html == "<p>Hello 1</p>"
    assert first.author == "Author"
    assert first.published is not None and first.published.tzinfo is not None
    sent = [v for s in server.log for v in s.values("i")]
    assert sent and all(v.startswith(LONG_PREFIX) for v in sent)


# -- writing ------------------------------------------------------------------------------------


async def test_marks_reach_the_server(server: GReaderServer, http: httpx.AsyncClient) -> None:
    feed = server.add_feed("https://a.example/feed")
    items = server.add_items(feed, 600)
    already_read = server.add_items(feed, 3, read=True, starred=True)
    client = client_for(server, http)
    marks = [Mark(server.long_id(i), "read", True) for i in items[:520]]
    marks += [Mark(server.long_id(i), "read", False) for i in already_read]
    marks += [Mark(server.long_id(items[0]), "starred", True)]
    marks += [Mark(server.long_id(i), "starred", False) for i in already_read[:2]]
    # The last change of an item's flag in one delivery wins.
    marks += [
        Mark(server.long_id(items[1]), "read", True),
        Mark(server.long_id(items[1]), "read", False),
    ]
    await client.send_marks(marks)
    assert server.unread() == set(items[520:]) | set(already_read) | {items[1]}
    assert server.starred() == {items[0], already_read[2]}
    edit_tags = [s for s in server.log if s.path.endswith("edit-tag")]
    # read+ in 3 batches of <=250, read- once, starred+ once, starred- once.
    assert len(edit_tags) == 6
    assert all(len(s.values("i")) <= 250 for s in edit_tags)


async def test_subscribe_with_folder_and_unsubscribe(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    client = client_for(server, http)
    feed = await client.subscribe("https://new.example/feed.xml", folder="Tech")
    assert feed.id.startswith("feed/") and feed.folders == ("Tech",)
    assert feed.url == "https://new.example/feed.xml"
    listed = {f.id: f for f in await client.feeds()}
    assert listed[feed.id].folders == ("Tech",)
    await client.unsubscribe(feed.id)
    assert feed.id not in {f.id for f in await client.feeds()}
    before = client.requests
    with pytest.raises(SyncError, match="not an http"):
        await client.subscribe("file:///etc/passwd")
    assert client.requests == before


async def test_stale_action_token_is_refreshed_once(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    feed = server.add_feed("https://a.example/feed")
    items = server.add_items(feed, 4)
    client = client_for(server, http)
    await client.send_marks([Mark(server.long_id(items[0]), "read", True)])
    assert server.count("/reader/api/0/token") == 1
    server.rotate_token()
    await client.send_marks([Mark(server.long_id(items[1]), "read", True)])
    assert server.unread() == set(items[2:])
    assert server.count("/reader/api/0/token") == 2
    assert server.count("/accounts/ClientLogin") == 1
    assert server.count("/reader/api/0/edit-tag") == 3  # one refused, then delivered


async def test_server_dialects_differ_as_documented(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    client = client_for(server, http)
    await client.login()
    auth = {"Authorization": f"GoogleLogin auth={client._auth}"}
    base = server.base_url + server.root
    feed = server.add_feed("https://a.example/feed")
    item = server.add_items(feed, 1)[0]
    no_t = await http.post(
        f"{base}/reader/api/0/edit-tag",
        data={"i": server.long_id(item), "a": "user/-/state/com.google/read"},
        headers=auth,
    )
    contents = await http.get(f"{base}/reader/api/0/stream/contents/reading-list", headers=auth)
    if server.dialect == "miniflux":
        assert no_t.status_code == 401 and no_t.headers["X-Reader-Google-Bad-Token"] == "true"
        assert contents.status_code == 404
        assert server.unread() == {item}
    else:
        assert no_t.status_code == 200 and contents.status_code == 200
        assert server.unread() == set()


# -- bad servers --------------------------------------------------------------------------------


async def test_html_login_page_is_one_line_error(
    server: GReaderServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    server.html_login = True
    client = client_for(server, http, tmp_path / "session")
    with pytest.raises(SyncError) as caught:
        await client.login()
    assert not isinstance(caught.value, SyncAuthError | SyncUnreachable)
    assert "web page" in str(caught.value) and "\n" not in str(caught.value)
    # Logged in, then the proxy starts answering with its login page.
    server.html_login = False
    await client.login()
    server.html_login = True
    with pytest.raises(SyncError, match="web page"):
        await client.feeds()


async def test_server_errors_and_a_stopped_server_are_unreachable(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    server.add_feed("https://a.example/feed")
    client = client_for(server, http)
    server.fail_500 = -1
    with pytest.raises(SyncUnreachable, match="500"):
        await client.login()
    server.fail_500 = 0
    await client.login()
    server.fail_500 = 1
    with pytest.raises(SyncUnreachable):
        await client.feeds()
    assert len(await client.feeds()) == 1  # the next attempt works
    server.stop()
    with pytest.raises(SyncUnreachable) as caught:
        await client.feeds()
    assert "\n" not in str(caught.value)
    server.start()  # same port, same state, the session still valid
    assert len(await client.feeds()) == 1


async def test_hostile_titles_arrive_as_data(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    hostile = "\x1b]52;c;cm0gLXJmIH4=\x07[bold red]boom[/] \x1b[2J<script>x</script> \u202e"
    feed = server.add_feed("https://a.example/feed", hostile, folders=["[red]x[/]"])
    made = server.add_items(feed, 3, title=hostile + "{n}")
    client = client_for(server, http)
    feeds = await client.feeds()
    assert feeds[0].title == hostile
    assert feeds[0].folders == ("[red]x[/]",)
    items = [item async for batch in client.items(ids(server, made)) for item in batch]
    assert sorted(item.title for item in items) == [hostile + str(n) for n in (1, 2, 3)]


@pytest.fixture
def bad_server(http_server: LocalServer) -> LocalServer:
    http_server.add("/accounts/ClientLogin", body=b"SID=x\nLSID=null\nAuth=u/abc\n")
    http_server.add("/reader/api/0/token", body=b"tok\n")
    return http_server


async def test_malformed_answers_are_one_line_errors(
    bad_server: LocalServer, http: httpx.AsyncClient
) -> None:
    acct = SyncAccount(kind="greader", url=bad_server.url("/"), user="u", password="p")
    client = GReaderClient(acct, http, None)
    bad_server.add("/reader/api/0/subscription/list", body=b'{"subscriptions": [tru')
    with pytest.raises(SyncError, match="JSON") as caught:
        await client.feeds()
    assert "\n" not in str(caught.value)
    bad_server.add("/reader/api/0/subscription/list", body=b'["a list"]')
    with pytest.raises(SyncError, match="wrong shape"):
        await client.feeds()
    evil_id = '{"itemRefs": [{"id": "\\u001b]0;owned\\u0007zz"}]}'
    bad_server.add("/reader/api/0/stream/items/ids", body=evil_id.encode())
    with pytest.raises(SyncError) as caught:
        await client.unread_ids()
    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)
    # A continuation that never ends does not loop forever.
    loop = '{"itemRefs": [{"id": "1"}], "continuation": "same"}'
    bad_server.add("/reader/api/0/stream/items/ids", body=loop.encode())
    assert await client.unread_ids() == {f"{LONG_PREFIX}{1:016x}"}


async def test_login_token_with_header_breaking_characters_is_refused(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    http_server.add("/accounts/ClientLogin", body=b"Auth=abc def\x7f\n")
    acct = SyncAccount(kind="greader", url=http_server.url("/"), user="u", password="p")
    with pytest.raises(SyncError, match="cannot be used"):
        await GReaderClient(acct, http, None).login()


async def test_server_capping_the_page_size_is_followed(
    server: GReaderServer, http: httpx.AsyncClient
) -> None:
    server.max_page = 100  # smaller than the client's pages of 1,000
    feed = server.add_feed("https://a.example/feed")
    made = server.add_items(feed, 250)
    assert await client_for(server, http).unread_ids() == ids(server, made)
    assert server.count("/reader/api/0/stream/items/ids") == 3


async def test_a_silent_server_times_out_as_unreachable(http_server: LocalServer) -> None:
    http_server.add("/accounts/ClientLogin", body=b"Auth=u/abc\n", delay=2.0)
    acct = SyncAccount(kind="greader", url=http_server.url("/"), user="u", password="p")
    async with httpx.AsyncClient(timeout=0.2) as http:
        with pytest.raises(SyncUnreachable, match="in time"):
            await GReaderClient(acct, http, None).login()


async def test_an_endless_answer_is_cut_off(
    bad_server: LocalServer, http: httpx.AsyncClient
) -> None:
    acct = SyncAccount(kind="greader", url=bad_server.url("/"), user="u", password="p")
    for announce in (True, False):
        bad_server.add_huge(
            "/reader/api/0/subscription/list", size=65 * 1024 * 1024, announce_length=announce
        )
        with pytest.raises(SyncError, match="too large"):
            await GReaderClient(acct, http, None).feeds()


# -- a real server ------------------------------------------------------------------------------

REAL = {
    name: os.environ.get(f"TUI_READER_TEST_GREADER_{name}") for name in ("URL", "USER", "PASSWORD")
}


@pytest.mark.skipif(
    not all(REAL.values()),
    reason="set TUI_READER_TEST_GREADER_URL, _USER and _PASSWORD to test against a real server",
)
async def test_real_server(tmp_path: Path) -> None:
    acct = SyncAccount(
        kind="greader", url=str(REAL["URL"]), user=str(REAL["USER"]), password=str(REAL["PASSWORD"])
    )
    async with httpx.AsyncClient(timeout=30) as http:
        client = GReaderClient(acct, http, tmp_path / "session")
        await client.login()
        await client.feeds()
        unread = await client.unread_ids()
        starred = await client.starred_ids()
        recent, cursor = await client.recent_ids(datetime.now(UTC) - timedelta(days=3), None)
        assert cursor
        sample = sorted(unread | recent)[:5]
        fetched = [item async for batch in client.items(sample) for item in batch]
        assert {item.id for item in fetched} <= set(sample)
        if unread:
            target = sorted(unread)[0]
            try:
                await client.send_marks([Mark(target, "read", True)])
                assert target not in await client.unread_ids()
            finally:
                await client.send_marks([Mark(target, "read", False)])
            assert target in await client.unread_ids()
        if fetched and fetched[0].id not in starred:
            target = fetched[0].id
            try:
                await client.send_marks([Mark(target, "starred", True)])
                assert target in await client.starred_ids()
            finally:
                await client.send_marks([Mark(target, "starred", False)])
        # A second client reuses the stored session.
        again = GReaderClient(acct, http, tmp_path / "session")
        await again.feeds()
        assert again.logins == 0
