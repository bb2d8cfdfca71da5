"""The Fever client against broken, hostile and by-the-book servers on 127.0.0.1.

coldsweat (``test_fever.py``) is one real server; these tests play the others: a login page
where JSON should be, server errors, bad JSON, ids in the wrong form, a list of 100,000 ids,
hostile titles, and a server that pages ``max_id`` newest first as the protocol describes.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import tui_reader.core.sync.fever as fever
from tests.httpserver import LocalServer, RecordedRequest, Response
from tests.sync.fakefever import KEY, PASSWORD, USER, ByTheBook, answer, arguments
from tui_reader.core.sync.base import (
    Mark,
    SyncAccount,
    SyncAuthError,
    SyncClient,
    SyncError,
    SyncUnreachable,
)
from tui_reader.core.sync.fever import make_client, parse_id_list


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def client(server: LocalServer, http: httpx.AsyncClient, path: str = "/fever/") -> SyncClient:
    account = SyncAccount(kind="fever", url=server.url(path), user=USER, password=PASSWORD)
    return make_client(account, http, None)


def fixed(body: object) -> Any:
    return lambda request: answer(body)


# --- what is sent ---------------------------------------------------------------------------


async def test_the_key_is_posted_and_api_is_in_the_query(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    http_server.route("/fever/", fixed({"api_version": 3, "auth": 1}))
    await client(http_server, http).login()
    (request,) = http_server.requests
    query, form = arguments(request)
    assert request.method == "POST"
    assert "api" in query
    assert form == {"api_key": KEY}
    assert request.path.startswith("/fever/?api")


async def test_a_url_with_its_own_query_keeps_it(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    http_server.route("/api/fever.php", fixed({"api_version": 3, "auth": 1}))
    await client(http_server, http, "/api/fever.php?lang=en").login()
    query, _ = arguments(http_server.requests[-1])
    assert query == {"lang": "en", "api": ""}


async def test_marks_are_one_form_each_with_bounded_concurrency(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    def slow(request: RecordedRequest) -> Response:
        response = answer({"api_version": 3, "auth": 1})
        response.delay = 0.05
        return response

    http_server.route("/fever/", slow)
    marks = [Mark(str(n), "read", n % 2 == 0) for n in range(1, 21)]
    marks += [Mark("7", "starred", True), Mark("8", "starred", False)]
    fever_client = client(http_server, http)
    await fever_client.send_marks(marks)
    assert fever_client.requests == 22
    forms = sorted((arguments(r)[1] for r in http_server.requests), key=lambda f: f["id"])
    sent = {(f["id"], f["as"]) for f in forms}
    assert ("1", "unread") in sent and ("2", "read") in sent
    assert ("7", "saved") in sent and ("8", "unsaved") in sent
    assert all(f["mark"] == "item" and f["api_key"] == KEY for f in forms)
    assert 1 < http_server.max_active <= fever.MARK_CONCURRENCY


async def test_a_mark_with_a_bad_id_is_refused_before_anything_is_sent(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    http_server.route("/fever/", fixed({"auth": 1}))
    with pytest.raises(SyncError):
        await client(http_server, http).send_marks(
            [Mark("1", "read", True), Mark("1&as=x", "read", True)]
        )
    assert http_server.requests == []


# --- what comes back ------------------------------------------------------------------------


async def test_a_login_page_instead_of_json_is_one_line(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    page = "<!DOCTYPE html>\n<html><body><form>Password: <input></form>\x1b[2J</body></html>"
    http_server.add("/fever/", page, content_type="text/html")
    with pytest.raises(SyncError) as raised:
        await client(http_server, http).login()
    message = str(raised.value)
    assert type(raised.value) is SyncError
    assert "web page" in message and "\n" not in message
    assert "<" not in message and "\x1b" not in message


async def test_a_redirect_to_a_login_page_is_one_line(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    http_server.redirect("/fever/", "/login?next=/fever/", status=302)
    with pytest.raises(SyncError, match="redirected") as raised:
        await client(http_server, http).login()
    assert type(raised.value) is SyncError


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_unreachable(
    http_server: LocalServer, http: httpx.AsyncClient, status: int
) -> None:
    http_server.add("/fever/", "<h1>oops</h1>\nTraceback ...", status=status)
    with pytest.raises(SyncUnreachable, match=f"HTTP {status}") as raised:
        await client(http_server, http).unread_ids()
    assert "Traceback" not in str(raised.value)


@pytest.mark.parametrize(
    "body",
    [b'{"auth": 1, "unread_item_ids": "1,2', b"", b"\xff\xfe garbage", b"[1, 2]", b"null"],
)
async def test_bad_json_is_a_one_line_error(
    http_server: LocalServer, http: httpx.AsyncClient, body: bytes
) -> None:
    http_server.add("/fever/", body, content_type="application/json")
    with pytest.raises(SyncError) as raised:
        await client(http_server, http).unread_ids()
    assert type(raised.value) is SyncError
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("body", "status"),
    [({"api_version": 3, "auth": 0}, 200), ({"api_version": 3, "auth": 0}, 401), ({}, 403)],
)
async def test_a_refused_key_is_an_auth_error(
    http_server: LocalServer, http: httpx.AsyncClient, body: object, status: int
) -> None:
    http_server.route("/fever/", lambda request: answer(body, status))
    with pytest.raises(SyncAuthError):
        await client(http_server, http).login()


async def test_json_without_auth_is_not_fever(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    http_server.route("/fever/", fixed({"status": "ok"}))
    with pytest.raises(SyncError, match="auth"):
        await client(http_server, http).login()


async def test_a_refused_connection_and_a_timeout_are_unreachable(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    http_server.route("/slow/", lambda request: Response(200, b"{}", delay=2.0))
    async with httpx.AsyncClient(timeout=0.3) as impatient:
        with pytest.raises(SyncUnreachable, match="timed out"):
            await client(http_server, impatient, "/slow/").login()
    closed = LocalServer().start()
    port = closed.port
    closed.stop()
    account = SyncAccount("fever", f"http://127.0.0.1:{port}/fever/", USER, PASSWORD)
    with pytest.raises(SyncUnreachable, match="cannot reach"):
        await make_client(account, http, None).login()


async def test_a_url_that_is_not_http_is_refused_without_a_request(
    http: httpx.AsyncClient,
) -> None:
    account = SyncAccount("fever", "file:///etc/passwd", USER, PASSWORD)
    fever_client = make_client(account, http, None)
    with pytest.raises(SyncError, match="http"):
        await fever_client.login()
    assert fever_client.requests == 0


async def test_an_answer_over_the_size_cap_is_refused(
    http_server: LocalServer, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fever, "MAX_BODY", 1000)
    ids = ",".join(str(n) for n in range(1, 1000))
    http_server.route("/fever/", fixed({"auth": 1, "unread_item_ids": ids}))
    with pytest.raises(SyncError, match="over 1000 bytes"):
        await client(http_server, http).unread_ids()


@pytest.mark.parametrize(
    "ids",
    ["1,2,abc", "1,,2", "0x1f", "1;2", "-5", "１２", "1" * 21, 3.5, {"a": 1}, True],
)
async def test_ids_in_the_wrong_form_are_refused(
    http_server: LocalServer, http: httpx.AsyncClient, ids: object
) -> None:
    http_server.route("/fever/", fixed({"auth": 1, "unread_item_ids": ids}))
    with pytest.raises(SyncError, match="ids"):
        await client(http_server, http).unread_ids()


def test_id_lists_in_the_forms_servers_send() -> None:
    assert parse_id_list("", "ids") == set()
    assert parse_id_list(None, "ids") == set()
    assert parse_id_list("3,1,2", "ids") == {"1", "2", "3"}
    assert parse_id_list("007,8", "ids") == {"7", "8"}
    assert parse_id_list("1, 2,3,", "ids") == {"1", "2", "3"}
    assert parse_id_list([1, "2", 3], "ids") == {"1", "2", "3"}
    assert parse_id_list(42, "ids") == {"42"}


async def test_a_list_of_a_hundred_thousand_unread_ids(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    first = 1_700_000_000_000_000
    ids = [str(first + n * 7) for n in range(100_000)]
    http_server.route("/fever/", fixed({"auth": 1, "unread_item_ids": ",".join(ids)}))
    fever_client = client(http_server, http)
    got = await fever_client.unread_ids()
    assert len(got) == 100_000
    assert got == set(ids)
    assert fever_client.requests == 1


@pytest.mark.parametrize(
    "item",
    [
        {"id": "x1", "feed_id": 1},
        {"id": 1, "feed_id": "1e3"},
        {"id": None, "feed_id": 1},
        "just a string",
    ],
)
async def test_items_with_bad_ids_are_refused(
    http_server: LocalServer, http: httpx.AsyncClient, item: object
) -> None:
    http_server.route("/fever/", fixed({"auth": 1, "items": [item]}))
    with pytest.raises(SyncError):
        [batch async for batch in client(http_server, http).items(["1"])]


async def test_hostile_text_comes_through_as_data(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    title = "\x1b]8;;http://evil/\x07click\x1b]8;;\x07 \x1b[2J[bold red]boom[/] <script>x</script>"
    items = [
        {"id": 1, "feed_id": 1, "title": title, "author": "[link=x]me[/link]",
         "html": "<p>\x1b[31m</p>", "url": "javascript:alert(1)", "created_on_time": 1700000000},
        {"id": "2", "feed_id": "1", "title": None, "author": 5, "html": None, "url": None,
         "created_on_time": "1700000001"},
        {"id": 3, "feed_id": 1, "title": 12345, "created_on_time": 10**30},
    ]  # fmt: skip
    http_server.route("/fever/", fixed({"auth": 1, "items": items}))
    batches = [batch async for batch in client(http_server, http).items(["1", "2", "3"])]
    got = {item.id: item for batch in batches for item in batch}
    assert got["1"].title == title
    assert got["1"].author == "[link=x]me[/link]"
    # The URL is passed on as given: the caller refuses what is not http(s).
    assert got["1"].url == "javascript:alert(1)"
    assert got["1"].published == datetime.fromtimestamp(1700000000, UTC)
    assert got["2"].title == "" and got["2"].html == "" and got["2"].url is None
    assert got["2"].published == datetime.fromtimestamp(1700000001, UTC)
    assert got["3"].title == "12345" and got["3"].published is None


async def test_items_the_server_added_unasked_are_dropped(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    items = [{"id": n, "feed_id": 1, "title": f"t{n}"} for n in (1, 2, 99)]
    http_server.route("/fever/", fixed({"auth": 1, "items": items}))
    batches = [batch async for batch in client(http_server, http).items(["1", "2"])]
    assert sorted(item.id for batch in batches for item in batch) == ["1", "2"]


async def test_feeds_without_urls_or_with_bad_groups_are_errors(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    def handler(request: RecordedRequest) -> Response:
        query, _ = arguments(request)
        if "groups" in query:
            return answer({"auth": 1, "groups": [{"id": 1, "title": "G"}],
                           "feeds_groups": [{"group_id": 1, "feed_ids": "1,x"}]})  # fmt: skip
        return answer({"auth": 1, "feeds": [{"id": 1, "url": "http://127.0.0.1/f"}]})

    http_server.route("/fever/", handler)
    with pytest.raises(SyncError, match="ids"):
        await client(http_server, http).feeds()


# --- a server that pages as the protocol describes ------------------------------------------


async def test_a_first_sync_pages_back_only_as_far_as_the_window(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    server = ByTheBook(10_000)
    http_server.route("/fever/", server)
    fever_client = client(http_server, http)
    since = server.now - timedelta(days=14) + timedelta(minutes=30)
    ids, cursor = await fever_client.recent_ids(since, None)
    # 14 days of one item an hour: the newest 336 items.
    assert ids == {str(n) for n in range(10_000 - 335, 10_001)}
    assert cursor == "10000"
    # One page from the top, one forward probe, and backwards until a page is all older.
    assert fever_client.requests == 2 + 7
    assert server.asked[0] == {"api": "", "items": "", "max_id": str(2**63 - 1)}
    before = fever_client.requests
    assert sum([len(b) async for b in fever_client.items(ids)]) == 336
    assert fever_client.requests == before


async def test_items_not_kept_are_fetched_fifty_at_a_time(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    server = ByTheBook(10_000)
    http_server.route("/fever/", server)
    fever_client = client(http_server, http)
    wanted = [str(n) for n in range(1, 10_001, 2)]
    sizes = [len(batch) async for batch in fever_client.items(wanted)]
    assert sum(sizes) == 5_000 and max(sizes) == 50
    assert fever_client.requests == 100
    asked = [q["with_ids"].split(",") for q in server.asked]
    assert all(len(chunk) <= 50 for chunk in asked)


async def test_paging_stops_on_a_server_that_ignores_since_id(
    http_server: LocalServer, http: httpx.AsyncClient
) -> None:
    # Every request gets the same page: the cursor never moves, so paging must stop.
    page = {"auth": 1, "items": [{"id": n, "feed_id": 1} for n in range(1, 51)]}
    http_server.route("/fever/", fixed(page))
    fever_client = client(http_server, http)
    ids, cursor = await fever_client.recent_ids(datetime.now(UTC), "10")
    assert ids == {str(n) for n in range(11, 51)}
    assert cursor == "50"
    assert fever_client.requests == 2


async def test_the_module_is_found_by_its_kind(http: httpx.AsyncClient) -> None:
    account = SyncAccount(kind="fever", url="http://127.0.0.1:1/fever/", user=USER, password="x")
    module = importlib.import_module(f"tui_reader.core.sync.{account.kind}")
    made = module.make_client(account, http, None)
    assert made.kind == "fever" and made.can_subscribe is False and made.requests == 0
