"""The fetcher against hostile servers: every failure is one clean line, within its limit."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import require
from tests.hostile.corpus import error_body
from tests.hostile.payloads import BAD_URLS, OSC0, OSC52, assert_clean
from tests.httpserver import LocalServer
from tui_reader.core.errors import FetchError, HTTPStatusError, TooLargeError, UnsafeURLError

MiB = 1024 * 1024


def fetch_module():  # noqa: ANN201 - the module, once it exists
    return require("tui_reader.core.fetch", "Fetcher", "FetchConfig")


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and "\r" not in message, message
    assert_clean(message, "error message")
    assert message.strip(), "empty error message"
    return message


async def fetch_error(url: str, **config: object) -> FetchError:
    fetch = fetch_module()
    async with fetch.Fetcher(fetch.FetchConfig(retries=0, backoff=0.01, **config)) as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(url)
    one_line(info.value)
    return info.value


async def test_error_body_and_status_never_reach_the_message(http_server: LocalServer) -> None:
    http_server.add("/boom", error_body(), status=500, content_type="text/html")
    error = await fetch_error(http_server.url("/boom"))
    assert isinstance(error, HTTPStatusError)
    assert "PWNED" not in str(error) and "Internal error" not in str(error)


async def test_hostile_reason_phrase_and_headers_are_cleaned(http_server: LocalServer) -> None:
    http_server.add(
        "/teapot",
        b"no",
        status=418,
        headers={"Content-Type": f"text/{OSC52}html", "Retry-After": f"{OSC0}"},
    )
    error = await fetch_error(http_server.url("/teapot"))
    assert isinstance(error, HTTPStatusError)


@pytest.mark.parametrize("name", list(BAD_URLS), ids=list(BAD_URLS))
async def test_bad_schemes_are_refused_before_any_request(
    http_server: LocalServer, name: str
) -> None:
    error = await fetch_error(BAD_URLS[name])
    assert isinstance(error, UnsafeURLError)
    assert http_server.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://127.0.0.1/x",
        f"http://127.0.0.1/{OSC52}",
    ],
)
async def test_redirect_to_other_schemes_is_refused(http_server: LocalServer, target: str) -> None:
    http_server.redirect("/go", target, status=302)
    error = await fetch_error(http_server.url("/go"))
    if target.lower().startswith("http"):
        # An escape in an http redirect is cleaned away, not followed into trouble.
        assert isinstance(error, FetchError)
    else:
        assert isinstance(error, UnsafeURLError), error
    assert "root:x:0" not in str(error)


async def test_redirect_loop_ends(http_server: LocalServer) -> None:
    http_server.redirect("/a", http_server.url("/b"))
    http_server.redirect("/b", http_server.url("/a"))
    await fetch_error(http_server.url("/a"))
    assert len(http_server.requests) <= 12


async def test_redirect_chain_is_capped(http_server: LocalServer) -> None:
    for n in range(30):
        http_server.redirect(f"/r{n}", http_server.url(f"/r{n + 1}"))
    http_server.add("/r30", b"end", content_type="text/plain")
    await fetch_error(http_server.url("/r0"), max_redirects=5)
    assert len(http_server.requests) <= 6


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "no-length"])
async def test_50_mb_body_is_refused_at_the_cap(http_server: LocalServer, announce: bool) -> None:
    http_server.add_huge("/huge", 50 * MiB, announce_length=announce)
    error = await fetch_error(http_server.url("/huge"), max_bytes=5 * MiB)
    assert isinstance(error, TooLargeError)


async def test_50_mb_body_is_refused_with_default_limits(http_server: LocalServer) -> None:
    http_server.add_huge("/huge", 50 * MiB, announce_length=False)
    error = await fetch_error(http_server.url("/huge"))
    assert isinstance(error, TooLargeError)


async def test_gzip_bomb_is_refused_without_inflating(http_server: LocalServer) -> None:
    compressed = http_server.add_gzip_bomb("/bomb", inflated=1024 * MiB)
    assert compressed < 2 * MiB
    error = await fetch_error(http_server.url("/bomb"), max_bytes=8 * MiB)
    assert isinstance(error, TooLargeError)


async def test_trickling_server_hits_the_deadline(http_server: LocalServer) -> None:
    # One byte a second: every read arrives within the read timeout, only a deadline helps.
    http_server.add_slow("/trickle", b"<rss>" + b" " * 600 + b"</rss>", 1.0)
    error = await fetch_error(http_server.url("/trickle"), deadline=1.5, read_timeout=1.0)
    assert "trickle" in str(error)


async def test_server_that_never_answers_hits_the_read_timeout(http_server: LocalServer) -> None:
    http_server.add("/silent", b"late", delay=3.0, content_type="text/plain")
    await fetch_error(http_server.url("/silent"), read_timeout=0.5, deadline=2.0)


def _zeros_compressed(size: int, wbits: int) -> bytes:
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("deflate", 15), ("deflate", -15), ("gzip", 31)],
    ids=["deflate-zlib", "deflate-raw", "gzip"],
)
async def test_other_compression_bombs_stop_at_the_cap(
    http_server: LocalServer, encoding: str, wbits: int
) -> None:
    body = _zeros_compressed(64 * MiB, wbits)
    http_server.add(
        "/bomb", body, headers={"Content-Encoding": encoding}, content_type="application/xml"
    )
    error = await fetch_error(http_server.url("/bomb"), max_bytes=4 * MiB)
    assert isinstance(error, TooLargeError)


async def test_stacked_gzip_bomb_stops_at_the_cap(http_server: LocalServer) -> None:
    import gzip

    inner = _zeros_compressed(128 * MiB, 31)  # about 130 KB
    http_server.add(
        "/bomb2",
        gzip.compress(inner),
        headers={"Content-Encoding": "gzip, gzip"},
        content_type="application/xml",
    )
    fetch = fetch_module()
    config = fetch.FetchConfig(retries=0, max_bytes=4 * MiB)
    async with fetch.Fetcher(config) as fetcher:
        try:
            result = await fetcher.fetch(http_server.url("/bomb2"))
        except FetchError as exc:
            one_line(exc)
        else:
            # Decoded once at most: what came back is within the cap.
            assert len(result.content) <= 4 * MiB


@pytest.mark.parametrize("encoding", ["br", "zstd", "x-evil\x1b]52;c;eA==\x07", "compress"])
async def test_unknown_content_encoding_is_one_clean_line(
    http_server: LocalServer, encoding: str
) -> None:
    http_server.add(
        "/enc", b"\x00\x01garbage", headers={"Content-Encoding": encoding}, content_type="text/html"
    )
    error = await fetch_error(http_server.url("/enc"))
    assert "encoding" in str(error)
