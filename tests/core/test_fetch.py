"""The fetcher: unit tests over httpx.MockTransport, integration tests over a local server."""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

import tui_reader
from tests.httpserver import LocalServer, Response
from tui_reader.core import fetch as fetch_module
from tui_reader.core.errors import (
    ContentTypeError,
    DeferredError,
    FetchError,
    HTTPStatusError,
    TooLargeError,
    UnsafeURLError,
)
from tui_reader.core.fetch import USER_AGENT, FetchConfig, Fetcher, _retry_after

FAST = FetchConfig(backoff=0.01, connect_timeout=2.0, read_timeout=5.0, deadline=10.0)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record backoff waits instead of sleeping them."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(fetch_module, "_sleep", fake_sleep)
    return waits


class Stream(httpx.AsyncByteStream):
    """A response body httpx has not read yet, as from a real connection."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self):
        yield self.data


def mock_fetcher(handler, config: FetchConfig = FAST) -> Fetcher:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return Fetcher(config, client=client)


def assert_one_line(error: Exception, url: str) -> None:
    message = str(error)
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith(f"{url}: ")


# --- unit tests (MockTransport) --------------------------------------------------------------


async def test_user_agent_names_app_and_version() -> None:
    assert USER_AGENT.startswith(f"tui-reader/{tui_reader.__version__} ")


async def test_non_http_initial_urls_are_refused_without_a_request() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    async with mock_fetcher(handler) as fetcher:
        for url in ("file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", ""):
            with pytest.raises(UnsafeURLError) as info:
                await fetcher.fetch(url)
            assert "only http(s) URLs can be fetched" in str(info.value)
    assert calls == []


async def test_error_messages_strip_escape_sequences_from_the_url() -> None:
    async with mock_fetcher(lambda r: httpx.Response(200)) as fetcher:
        with pytest.raises(UnsafeURLError) as info:
            await fetcher.fetch("ftp://x/\x1b]0;owned\x07a\nb")
    assert "\x1b" not in str(info.value) and "\n" not in str(info.value)


async def test_connection_errors_are_retried(sleeps: list[float]) -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return httpx.Response(200, content=b"ok")

    async with mock_fetcher(handler) as fetcher:
        result = await fetcher.fetch("https://example.org/")
    assert result.content == b"ok"
    assert attempts == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff


async def test_retries_give_up_with_the_last_reason(sleeps: list[float]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with mock_fetcher(handler) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch("https://example.org/")
    assert str(info.value) == "https://example.org/: connection refused"
    assert len(sleeps) == FAST.retries


async def test_raw_and_zlib_deflate_bodies_are_decoded() -> None:
    text = b"<rss>" + b"deflated " * 500 + b"</rss>"
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw_body = raw.compress(text) + raw.flush()
    bodies = {"/zlib": zlib.compress(text), "/raw": raw_body}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, stream=Stream(bodies[request.url.path]), headers={"Content-Encoding": "deflate"}
        )

    async with mock_fetcher(handler) as fetcher:
        assert (await fetcher.fetch("https://example.org/zlib")).content == text
        assert (await fetcher.fetch("https://example.org/raw")).content == text


async def test_corrupt_gzip_and_unknown_encodings_are_fetch_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        encoding = "gzip" if request.url.path == "/gz" else "br"
        return httpx.Response(
            200, stream=Stream(b"not compressed"), headers={"Content-Encoding": encoding}
        )

    async with mock_fetcher(handler) as fetcher:
        with pytest.raises(FetchError, match="corrupt gzip body"):
            await fetcher.fetch("https://example.org/gz")
        with pytest.raises(FetchError, match="unsupported content encoding"):
            await fetcher.fetch("https://example.org/br")


async def test_accept_and_accept_encoding_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with mock_fetcher(handler) as fetcher:
        await fetcher.fetch("https://example.org/", accept="application/rss+xml")
    assert seen[0].headers["accept"] == "application/rss+xml"
    assert seen[0].headers["user-agent"] == USER_AGENT  # even with an injected client
    # Only encodings the bounded decoder handles are offered.
    assert seen[0].headers["accept-encoding"] == "gzip, deflate"


async def test_remote_header_values_are_cleaned() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"ETag": '"a\x1b[2Jb"', "Content-Type": 'Text/HTML; Charset="UTF-8"'},
        )

    async with mock_fetcher(handler) as fetcher:
        result = await fetcher.fetch("https://example.org/")
    assert result.etag == '"ab"'
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"


async def test_unsendable_validators_are_dropped_not_fatal() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"fresh")

    async with mock_fetcher(handler) as fetcher:
        result = await fetcher.fetch(
            "https://example.org/", etag='"caf\u00e9"', last_modified="Mon,\n 01 Jan 2024"
        )
    assert result.content == b"fresh"
    assert "if-none-match" not in seen[0].headers
    assert seen[0].headers["if-modified-since"] == "Mon, 01 Jan 2024"


def test_retry_after_parsing() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    future = datetime.now(UTC) + timedelta(seconds=120)
    waited = _retry_after(format_datetime(future, usegmt=True))
    assert waited is not None and 100 < waited <= 120
    past = datetime.now(UTC) - timedelta(days=1)
    assert _retry_after(format_datetime(past, usegmt=True)) == 0.0


# --- integration tests (real server on 127.0.0.1) ---------------------------------------------


async def test_200_with_charset_and_user_agent(http_server) -> None:
    http_server.add(
        "/feed", b"<rss/>", headers={"Content-Type": "application/RSS+xml; charset=ISO-8859-1"}
    )
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(http_server.url("/feed"))
    assert result.status == 200
    assert result.content == b"<rss/>"
    assert result.url == http_server.url("/feed")
    assert result.content_type == "application/rss+xml"
    assert result.charset == "iso-8859-1"
    assert not result.not_modified
    assert http_server.requests[0].header("user-agent") == USER_AGENT


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirects_are_followed(http_server, status: int) -> None:
    http_server.redirect("/old", "/middle", status=status)
    http_server.redirect("/middle", http_server.url("/new"), status=status)
    http_server.add("/new", b"moved here", content_type="text/plain")
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(http_server.url("/old"))
    assert result.content == b"moved here"
    assert result.url == http_server.url("/new")


async def test_redirect_loop_is_detected(http_server) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(http_server.url("/a"))
    assert str(info.value) == f"{http_server.url('/a')}: redirect loop"
    assert len(http_server.requests) == 2


async def test_too_many_redirects(http_server) -> None:
    for hop in range(20):
        http_server.redirect(f"/hop{hop}", f"/hop{hop + 1}", status=302)
    async with Fetcher(FetchConfig(max_redirects=3)) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(http_server.url("/hop0"))
    assert str(info.value).endswith(": too many redirects")
    assert len(http_server.requests) == 4


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://example.org/feed", "javascript:alert(1)"]
)
async def test_redirect_to_other_schemes_is_refused(http_server, location: str) -> None:
    http_server.redirect("/r", location)
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(UnsafeURLError) as info:
            await fetcher.fetch(http_server.url("/r"))
    assert str(info.value) == f"{http_server.url('/r')}: redirect to a non-http(s) URL refused"


@pytest.mark.parametrize("status", [404, 410, 403])
async def test_client_errors_are_final(http_server, status: int, sleeps) -> None:
    http_server.add("/gone", b"nope", status=status)
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(HTTPStatusError) as info:
            await fetcher.fetch(http_server.url("/gone"))
    assert info.value.status_code == status
    assert str(info.value) == f"{http_server.url('/gone')}: HTTP {status}"
    assert len(http_server.requests) == 1
    assert sleeps == []


async def test_500_then_success_is_retried(http_server, sleeps) -> None:
    http_server.add_sequence("/flaky", [{"status": 500}, {"status": 503}, {"body": b"finally"}])
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(http_server.url("/flaky"))
    assert result.content == b"finally"
    assert len(http_server.requests) == 3
    assert sleeps == [0.01, 0.02]


async def test_persistent_500_fails_after_the_retries(http_server, sleeps) -> None:
    http_server.add("/down", b"", status=500)
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(HTTPStatusError) as info:
            await fetcher.fetch(http_server.url("/down"))
    assert info.value.status_code == 500
    assert len(http_server.requests) == 1 + FAST.retries


async def test_429_honours_retry_after(http_server, sleeps) -> None:
    http_server.add_sequence(
        "/busy", [{"status": 429, "headers": {"Retry-After": "3"}}, {"body": b"served"}]
    )
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(http_server.url("/busy"))
    assert result.content == b"served"
    assert sleeps == [3.0]


async def test_429_with_an_http_date_retry_after(http_server, sleeps) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    http_server.add_sequence(
        "/busy", [{"status": 429, "headers": {"Retry-After": when}}, {"body": b"served"}]
    )
    async with Fetcher(FAST) as fetcher:
        assert (await fetcher.fetch(http_server.url("/busy"))).content == b"served"
    assert len(sleeps) == 1 and 15 < sleeps[0] <= 20


async def test_retry_after_beyond_the_cap_defers_at_once(http_server, sleeps) -> None:
    http_server.add_sequence(
        "/busy", [{"status": 429, "headers": {"Retry-After": "3600"}}, {"body": b"served"}]
    )
    async with Fetcher(FAST) as fetcher:
        before = time.time()
        with pytest.raises(DeferredError) as info:
            await fetcher.fetch(http_server.url("/busy"))
    # Not waited for, not retried: the caller is told when to come back.
    assert before + 3590 < info.value.until < time.time() + 3610
    assert "60 min" in str(info.value)
    assert sleeps == []
    assert len(http_server.requests) == 1


async def test_conditional_get_round_trip(http_server) -> None:
    etag = '"v1"'
    modified = "Wed, 21 Oct 2015 07:28:00 GMT"
    http_server.add_conditional("/feed", b"<rss/>", etag=etag, last_modified=modified)
    async with Fetcher(FAST) as fetcher:
        first = await fetcher.fetch(http_server.url("/feed"))
        assert (first.status, first.etag, first.last_modified) == (200, etag, modified)
        second = await fetcher.fetch(
            http_server.url("/feed"), etag=first.etag, last_modified=first.last_modified
        )
        assert second.not_modified and second.status == 304
        assert second.content == b""
        assert second.etag == etag
        # Last-Modified alone works too.
        third = await fetcher.fetch(http_server.url("/feed"), last_modified=modified)
        assert third.not_modified
        # A stale validator gets the full body.
        fourth = await fetcher.fetch(http_server.url("/feed"), etag='"v0"')
        assert not fourth.not_modified and fourth.content == b"<rss/>"
    first_req, second_req, third_req, _ = http_server.requests
    assert first_req.header("if-none-match") is None
    assert second_req.header("if-none-match") == etag
    assert second_req.header("if-modified-since") == modified
    assert third_req.header("if-modified-since") == modified


async def test_read_timeout(http_server) -> None:
    http_server.add("/slow-start", b"late", delay=1.5)
    config = FetchConfig(read_timeout=0.2, retries=0)
    async with Fetcher(config) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(http_server.url("/slow-start"))
    assert str(info.value) == f"{http_server.url('/slow-start')}: timed out after 0.2 s"


async def test_read_timeout_is_retried_like_a_connection_error(http_server, sleeps) -> None:
    http_server.add_sequence("/late-once", [{"body": b"late", "delay": 1.5}, {"body": b"fresh"}])
    config = FetchConfig(read_timeout=0.2, retries=1, backoff=0.01)
    async with Fetcher(config) as fetcher:
        result = await fetcher.fetch(http_server.url("/late-once"))
    assert result.content == b"fresh"
    assert len(http_server.requests_for("/late-once")) == 2
    assert sleeps == [0.01]


async def test_permanent_redirects_report_the_new_url(http_server) -> None:
    http_server.add("/final", b"<rss/>", content_type="application/rss+xml")
    http_server.redirect("/moved-301", "/final", status=301)
    http_server.redirect("/moved-308", "/moved-301", status=308)
    http_server.redirect("/temporary", "/final", status=302)
    http_server.redirect("/perm-then-temp", "/temporary", status=301)
    async with Fetcher(FAST) as fetcher:
        chained = await fetcher.fetch(http_server.url("/moved-308"))
        temporary = await fetcher.fetch(http_server.url("/temporary"))
        mixed = await fetcher.fetch(http_server.url("/perm-then-temp"))
        direct = await fetcher.fetch(http_server.url("/final"))
    assert chained.permanent_url == http_server.url("/final")
    assert temporary.permanent_url is None and temporary.url == http_server.url("/final")
    # Moved for good to /temporary, which itself only stands in for /final for now.
    assert mixed.permanent_url == http_server.url("/temporary")
    assert direct.permanent_url is None


async def test_binary_body_is_not_downloaded(http_server) -> None:
    sent = [0]
    chunk = b"\0" * (64 * 1024)

    def video():
        for _ in range(800):
            sent[0] += len(chunk)
            yield chunk

    http_server.route(
        "/video", lambda request: Response(body=video, headers={"Content-Type": "video/mp4"})
    )
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(ContentTypeError) as info:
            await fetcher.fetch(http_server.url("/video"), documents_only=True)
        await asyncio.sleep(0.3)
        refused_after = sent[0]
        # Without the check the same body is read, up to the size cap.
        with pytest.raises(TooLargeError):
            await fetcher.fetch(http_server.url("/video"))
    assert str(info.value) == (
        f"{http_server.url('/video')}: not a feed or a page (video/mp4); not downloaded"
    )
    # Only what the socket buffers took before the connection was dropped.
    assert refused_after < 8 * 1024 * 1024
    assert sent[0] - refused_after > 20 * 1024 * 1024


async def test_trickling_body_hits_the_deadline(http_server) -> None:
    # Each piece arrives well within the read timeout; only the deadline stops it.
    http_server.add_slow("/trickle", b"x" * 400, bytes_per_second=40)
    config = FetchConfig(read_timeout=5.0, deadline=0.5, retries=0)
    async with Fetcher(config) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(http_server.url("/trickle"))
    assert str(info.value) == f"{http_server.url('/trickle')}: timed out after 0.5 s"


async def test_large_declared_body_is_refused_early(http_server) -> None:
    http_server.add_huge("/huge", 50 * 1024 * 1024)
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(TooLargeError) as info:
            await fetcher.fetch(http_server.url("/huge"))
    assert str(info.value) == f"{http_server.url('/huge')}: body larger than 20 MB"


async def test_large_undeclared_body_is_cut_off(http_server) -> None:
    http_server.add_huge("/huge", 50 * 1024 * 1024, announce_length=False)
    async with Fetcher(FetchConfig(max_bytes=2 * 1024 * 1024)) as fetcher:
        with pytest.raises(TooLargeError, match="body larger than 2 MB"):
            await fetcher.fetch(http_server.url("/huge"))


async def test_body_at_the_cap_is_accepted(http_server) -> None:
    http_server.add_huge("/exact", 1024 * 1024, announce_length=False)
    async with Fetcher(FetchConfig(max_bytes=1024 * 1024)) as fetcher:
        result = await fetcher.fetch(http_server.url("/exact"))
    assert len(result.content) == 1024 * 1024


async def test_gzip_body_is_decoded(http_server) -> None:
    text = b"<html>" + b"hello " * 10_000 + b"</html>"
    http_server.add_gzip("/gz", text)
    async with Fetcher(FAST) as fetcher:
        assert (await fetcher.fetch(http_server.url("/gz"))).content == text


async def test_gzip_bomb_is_refused_not_inflated(http_server) -> None:
    compressed = http_server.add_gzip_bomb("/bomb", 4 * 1024**3)
    assert compressed < 8 * 1024 * 1024  # small on the wire...
    tracemalloc.start()
    try:
        async with Fetcher(FAST) as fetcher:
            with pytest.raises(TooLargeError) as info:
                await fetcher.fetch(http_server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(info.value) == f"{http_server.url('/bomb')}: body larger than 20 MB"
    # ...and never inflated much beyond the 20 MB cap in memory.
    assert peak < 60 * 1024 * 1024


async def test_a_small_bomb_within_the_cap_inflates_correctly(http_server) -> None:
    """The bomb is a valid gzip stream (checksum included), not just garbage."""
    http_server.add_gzip_bomb("/small-bomb", 8 * 1024 * 1024)
    async with Fetcher(FetchConfig(max_bytes=16 * 1024 * 1024)) as fetcher:
        result = await fetcher.fetch(http_server.url("/small-bomb"))
    assert result.content == bytes(8 * 1024 * 1024)


async def test_connection_refused(sleeps) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    async with Fetcher(FAST) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(url)
    assert str(info.value) == f"{url}: connection refused"
    assert_one_line(info.value, url)
    assert len(sleeps) == FAST.retries


async def test_per_host_limit_is_enforced_at_the_server(http_server) -> None:
    http_server.add("/item", b"ok", delay=0.2)
    async with Fetcher(FetchConfig(per_host=2, concurrency=32)) as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(http_server.url(f"/item?n={n}")) for n in range(8))
        )
    assert all(r.content == b"ok" for r in results)
    assert http_server.max_active == 2


async def test_per_host_limit_is_per_host() -> None:
    with LocalServer(any_loopback=True) as server:
        server.add("/item", b"ok", delay=0.2)
        hosts = [f"127.0.0.{n}" for n in range(1, 5)]
        async with Fetcher(FetchConfig(per_host=1, concurrency=32)) as fetcher:
            results = await asyncio.gather(
                *(fetcher.fetch(server.url(f"/item?n={n}", host=h)) for h in hosts for n in (1, 2))
            )
        assert [r.content for r in results] == [b"ok"] * 8
        # One at a time per host, four hosts at once.
        assert server.max_active == 4
        assert {r.header("host").split(":")[0] for r in server.requests} == set(hosts)


async def test_global_limit_is_enforced_at_the_server(http_server) -> None:
    http_server.add("/item", b"ok", delay=0.2)
    async with Fetcher(FetchConfig(per_host=20, concurrency=3)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(http_server.url(f"/item?n={n}")) for n in range(9)))
    assert http_server.max_active == 3


async def test_many_concurrent_fetches(http_server) -> None:
    for n in range(60):
        http_server.add(f"/feed{n}", f"feed {n}".encode(), delay=0.05)
    async with Fetcher(FetchConfig(per_host=60, concurrency=60)) as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(http_server.url(f"/feed{n}")) for n in range(60))
        )
    assert [r.content for r in results] == [f"feed {n}".encode() for n in range(60)]
    assert http_server.max_active > 4


async def test_injected_client_is_not_closed(http_server) -> None:
    http_server.add("/a", b"a")
    async with httpx.AsyncClient() as client:
        async with Fetcher(FAST, client=client) as fetcher:
            await fetcher.fetch(http_server.url("/a"))
        assert not client.is_closed


def test_a_fetcher_can_serve_successive_event_loops(http_server) -> None:
    http_server.add("/a", b"ok", delay=0.05)
    fetcher = Fetcher(FetchConfig(per_host=1))

    async def run() -> list[bytes]:
        try:
            results = await asyncio.gather(
                *(fetcher.fetch(http_server.url("/a")) for _ in range(3))
            )
        finally:
            await fetcher.aclose()
        return [r.content for r in results]

    assert asyncio.run(run()) == [b"ok"] * 3
    assert asyncio.run(run()) == [b"ok"] * 3
    assert http_server.max_active == 1


async def test_a_large_body_is_announced_once_before_it_is_all_read(http_server) -> None:
    """``large=(size, start)``: ``start`` runs once, while the body is still arriving, for a
    body of ``size`` bytes or more, whether its length is declared or not; never for a
    smaller one."""
    sent = [0]

    def body() -> Iterator[bytes]:
        for _ in range(20):  # 200,000 bytes
            sent[0] += 10_000
            yield b"x" * 10_000

    # Trickled (in 40,000-byte pieces), so that what the server has sent when ``start`` runs
    # says whether it ran early.
    http_server.route("/declared", lambda r: Response(body=body, length=200_000, rate=4e5))
    http_server.route("/undeclared", lambda r: Response(body=body, rate=4e5))
    http_server.add("/small", b"y" * 1000)
    calls: list[tuple[str, int]] = []

    async with Fetcher(FetchConfig(retries=0)) as fetcher:
        for path in ("/declared", "/undeclared", "/small"):
            sent[0] = 0
            result = await fetcher.fetch(
                http_server.url(path),
                large=(50_000, lambda path=path: calls.append((path, sent[0]))),
            )
            calls.append((f"{path} read", len(result.content)))
    assert [call[0] for call in calls] == [
        "/declared",
        "/declared read",
        "/undeclared",
        "/undeclared read",
        "/small read",
    ]
    announced = dict(call for call in calls if "read" not in call[0])
    # From the headers; else once 50,000 bytes are in: well before the last piece was sent.
    assert announced["/declared"] < 200_000
    assert 50_000 <= announced["/undeclared"] < 200_000
    assert [size for path, size in calls if "read" in path] == [200_000, 200_000, 1000]
