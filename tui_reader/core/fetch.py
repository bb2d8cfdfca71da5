"""The network fetcher: one shared HTTP client, with the limits a feed reader needs.

Everything that goes over the network goes through :class:`Fetcher`. It wraps a single
``httpx.AsyncClient`` and adds what a client facing arbitrary servers must have:

- only http(s), for the first URL and for every redirect hop (redirects are followed here,
  not by httpx, so that each hop is checked, counted and loop-detected);
- a cap on the *decompressed* body. Content decoding is done here with a bounded
  ``zlib`` decompressor, so a gzip bomb is refused after ``max_bytes`` of output instead of
  being inflated;
- connect and read timeouts plus a deadline. The deadline bounds one attempt (all redirect
  hops and the body) and counts only time spent holding a connection slot, not time queued
  behind other fetches; retries get a fresh deadline each;
- retries with exponential backoff on connection errors, connect and read timeouts, 408, 429
  and 5xx (500/502/503/504), honouring ``Retry-After``; a ``Retry-After`` longer than we wait
  raises :class:`~tui_reader.core.errors.DeferredError`, which says until when;
- with ``documents_only``, a body whose Content-Type header names audio, video, an image or an
  archive is refused before it is read (a feed that points at a 50 MB video costs nothing);
- the URL a resource has moved to for good (a chain of 301/308 only) is reported as
  :attr:`FetchResult.permanent_url`, so the caller can update what it stores;
- a global concurrency limit and a per-host limit;
- conditional GET (``If-None-Match`` / ``If-Modified-Since`` → ``not_modified``);
- the trusted certificates are read when the first TLS connection is made, not when the
  client is made (:class:`TrustOnFirstUse`): reading the bundle costs a noticeable part of a
  short command's run, and a refresh answered from the store or over plain http needs none.

Every failure is a :class:`~tui_reader.core.errors.FetchError` whose message is one line,
``"<url>: <reason>"``; text that came from the server is passed through ``clean_line``.

Use a :class:`Fetcher` from one event loop at a time. When it is next used from another loop
(a second ``asyncio.run``), it starts over with fresh limits and, if it created its client, a
fresh client; call :meth:`Fetcher.aclose` before each loop ends to close connections.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import os
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx

from tui_reader import __version__
from tui_reader.core.errors import (
    ContentTypeError,
    DeferredError,
    FetchError,
    HTTPStatusError,
    TooLargeError,
    UnsafeURLError,
)
from tui_reader.core.sanitize import clean_line, safe_url

USER_AGENT = f"tui-reader/{__version__} (+https://github.com/tui-reader/tui-reader)"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_STATUSES = frozenset({301, 308})
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Only encodings we can decode with a bounded decompressor are offered.
_ACCEPT_ENCODING = "gzip, deflate"
_DEFAULT_ACCEPT = "*/*"
_LOCATION = "x-tui-reader-location"
# Indirection so tests can observe backoff waits without sleeping.
_sleep = asyncio.sleep

LargeBody = tuple[int, Callable[[], None]]
"""``(size, start)`` for :meth:`Fetcher.fetch`: ``start()`` as soon as the body reaches ``size``."""


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Limits and timeouts of a :class:`Fetcher` (seconds and bytes)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    """Cap on the decompressed body."""
    max_redirects: int = 10
    concurrency: int = 32
    per_host: int = 4
    retries: int = 2
    """Extra attempts after the first, for transient failures only."""
    backoff: float = 0.5
    """First retry waits this long, then twice as long each time."""
    max_retry_after: float = 30.0
    """A ``Retry-After`` longer than this is not waited for: :class:`DeferredError` at once."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch."""

    url: str
    """The final URL after redirects."""
    status: int
    """200 (or another 2xx), or 304 when ``not_modified``."""
    content: bytes
    content_type: str | None
    """Media type, lowercased, without parameters."""
    charset: str | None
    """The ``charset`` parameter of the Content-Type header, lowercased."""
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    permanent_url: str | None = None
    """Where the requested URL has moved for good: set when every redirect hop from it up to
    this URL was permanent (301/308) and it differs from the URL asked for."""


@dataclass(frozen=True, slots=True)
class _Redirect:
    status: int
    target: str


class _Retryable(Exception):
    """An attempt failed in a way worth retrying; carries the error to raise if not."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class Fetcher:
    """Fetches URLs over one shared ``httpx.AsyncClient``; an async context manager.

    Args:
        config: limits and timeouts; the defaults suit interactive use.
        client: an existing client to use (its transport, e.g. ``httpx.MockTransport`` in
            unit tests). It is not closed by :meth:`aclose`. Redirects are always followed by
            the fetcher, whatever the client's own setting.
    """

    def __init__(
        self, config: FetchConfig | None = None, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self.config = config = config or FetchConfig()
        self._timeout = httpx.Timeout(
            connect=config.connect_timeout,
            read=config.read_timeout,
            write=config.read_timeout,
            pool=config.connect_timeout,
        )
        self._owns_client = client is None
        self._client = client or self._new_client()
        self._global = asyncio.Semaphore(config.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _new_client(self) -> httpx.AsyncClient:
        config = self.config
        return httpx.AsyncClient(
            timeout=self._timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            transport=_LocationKeeper(
                httpx.AsyncHTTPTransport(
                    verify=TrustOnFirstUse(),
                    limits=httpx.Limits(
                        max_connections=config.concurrency,
                        max_keepalive_connections=config.concurrency,
                    ),
                )
            ),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client, if this fetcher created it."""
        if self._owns_client:
            await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        documents_only: bool = False,
        max_bytes: int | None = None,
        large: LargeBody | None = None,
    ) -> FetchResult:
        """GET ``url`` and return its body, following redirects.

        Args:
            url: an absolute http(s) URL.
            etag: the ETag from a previous fetch, sent as ``If-None-Match``.
            last_modified: the Last-Modified from a previous fetch (``If-Modified-Since``).
            accept: the ``Accept`` header (default ``*/*``).
            documents_only: refuse audio, video, images and archives from the Content-Type
                header, before reading the body.
            max_bytes: the largest body accepted for this request (default: the config's).
            large: ``(size, start)``: ``start()`` is called once, as soon as the body is known
                to reach ``size`` bytes (from its declared length, else as it arrives): what
                a large body will need can get going while the rest downloads.

        Raises:
            UnsafeURLError: the URL or a redirect target is not http(s).
            HTTPStatusError: the final answer was 4xx/5xx.
            TooLargeError: the body, decompressed, exceeds ``max_bytes``.
            ContentTypeError: with ``documents_only``, the body is not a document.
            DeferredError: the server asked to come back later than we are willing to wait.
            FetchError: anything else (timeouts, connection errors, redirect loops...).
        """
        shown = clean_line(url) or "(empty URL)"
        if safe_url(url, fetchable=True) is None:
            raise UnsafeURLError(f"{shown}: only http(s) URLs can be fetched")
        headers = {
            # Also set per request so that an injected client identifies us too.
            "User-Agent": USER_AGENT,
            "Accept": accept or _DEFAULT_ACCEPT,
            "Accept-Encoding": _ACCEPT_ENCODING,
        }
        # Validators were stored from an earlier response; one that cannot be sent back
        # as a plain ASCII header is dropped (the fetch just becomes unconditional).
        etag = _header_value(etag)
        last_modified = _header_value(last_modified)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # Semaphores and pooled connections belong to the loop they were made in; a new
            # loop (e.g. a second ``asyncio.run``) gets new ones.
            if self._loop is not None and self._owns_client:
                self._client = self._new_client()
            self._loop = loop
            self._global = asyncio.Semaphore(self.config.concurrency)
            self._hosts = {}
        config = self.config
        attempt = 0
        while True:
            try:
                return await self._attempt(
                    url, shown, headers, etag, last_modified, documents_only, max_bytes, large
                )
            except _Retryable as retry:
                if retry.wait is not None and retry.wait > config.max_retry_after:
                    # The server told us when to come back: that is not a failure of the
                    # feed, and asking again sooner would only be refused again.
                    raise DeferredError(
                        f"{shown}: the server asks to wait {_duration(retry.wait)}",
                        time.time() + retry.wait,
                    ) from None
                if attempt >= config.retries:
                    raise retry.error from None
                wait = retry.wait if retry.wait is not None else config.backoff * 2**attempt
                attempt += 1
                await _sleep(wait)

    # --- one attempt: the redirect chain and the body ---------------------------------------

    async def _attempt(
        self,
        url: str,
        shown: str,
        headers: dict[str, str],
        etag: str | None,
        last_modified: str | None,
        documents_only: bool,
        max_bytes: int | None = None,
        large: LargeBody | None = None,
    ) -> FetchResult:
        config = self.config
        budget = config.deadline
        seen: set[str] = set()
        current = url
        # The last URL reached through permanent redirects only, and whether the chain is
        # still unbroken by a temporary one.
        permanent = url
        unbroken = True
        for _hop in range(config.max_redirects + 1):
            seen.add(current)
            host = _host_key(current)
            async with self._host_semaphore(host), self._global:
                started = time.monotonic()
                try:
                    async with asyncio.timeout(budget):
                        outcome = await self._request(
                            current, shown, headers, documents_only, max_bytes, large
                        )
                except TimeoutError:
                    raise FetchError(
                        f"{shown}: timed out after {_seconds(config.deadline)}"
                    ) from None
                budget -= time.monotonic() - started
            if isinstance(outcome, _Redirect):
                status, target = outcome.status, outcome.target
                if target in seen:
                    raise FetchError(f"{shown}: redirect loop")
                unbroken = unbroken and status in _PERMANENT_STATUSES
                if unbroken:
                    permanent = target
                current = target
                continue
            response, content = outcome
            moved = permanent if permanent != url else None
            status = response.status_code
            content_type, charset = _parse_content_type(response.headers.get("content-type"))
            new_etag = _header_line(response, "etag")
            new_modified = _header_line(response, "last-modified")
            if status == 304:
                return FetchResult(
                    url=current,
                    status=304,
                    content=b"",
                    content_type=content_type,
                    charset=charset,
                    etag=new_etag or etag,
                    last_modified=new_modified or last_modified,
                    not_modified=True,
                    permanent_url=moved,
                )
            return FetchResult(
                url=current,
                status=status,
                content=content,
                content_type=content_type,
                charset=charset,
                etag=new_etag,
                last_modified=new_modified,
                permanent_url=moved,
            )
        raise FetchError(f"{shown}: too many redirects")

    async def _request(
        self,
        url: str,
        shown: str,
        headers: dict[str, str],
        documents_only: bool = False,
        max_bytes: int | None = None,
        large: LargeBody | None = None,
    ) -> _Redirect | tuple[httpx.Response, bytes]:
        """One HTTP exchange: where it redirects to, or the response and its decoded body."""
        max_bytes = max_bytes or self.config.max_bytes
        large_size, on_large = large if large is not None else (0, None)
        try:
            request = self._client.build_request("GET", url, headers=headers, timeout=self._timeout)
            response = await self._client.send(request, stream=True, follow_redirects=False)
            try:
                status = response.status_code
                location = response.headers.get(_LOCATION) or response.headers.get("location")
                if status in _REDIRECT_STATUSES and location is not None:
                    return _Redirect(status, self._redirect_target(location, url, shown))
                if status >= 400:
                    error = HTTPStatusError(f"{shown}: HTTP {status}", status)
                    if status in _RETRY_STATUSES:
                        raise _Retryable(error, _retry_after(response.headers.get("retry-after")))
                    raise error
                if status == 304:
                    return response, b""
                if documents_only:
                    media_type, _ = _parse_content_type(response.headers.get("content-type"))
                    if not is_document_type(media_type):
                        raise ContentTypeError(
                            f"{shown}: not a feed or a page ({media_type}); not downloaded"
                        )
                declared = response.headers.get("content-length")
                if declared is not None and declared.strip().isdigit():
                    if int(declared) > max_bytes:
                        raise TooLargeError(f"{shown}: body larger than {_megabytes(max_bytes)}")
                    # A compressed body's length says at least this much.
                    if on_large is not None and int(declared) >= large_size:
                        on_large()
                        on_large = None
                if response.is_stream_consumed:
                    # Only a transport that hands over a pre-read body (httpx.MockTransport)
                    # gets here; httpx has decoded it already.
                    if len(response.content) > max_bytes:
                        raise TooLargeError(f"{shown}: body larger than {_megabytes(max_bytes)}")
                    return response, response.content
                decoder = _Decoder(response.headers.get("content-encoding"), shown)
                body = bytearray()
                async for raw in response.aiter_raw():
                    for piece in decoder.decode(raw, max_bytes - len(body) + 1):
                        body += piece
                        if len(body) > max_bytes:
                            raise TooLargeError(
                                f"{shown}: body larger than {_megabytes(max_bytes)}"
                            )
                    if on_large is not None and len(body) >= large_size:
                        on_large()
                        on_large = None
                for piece in decoder.flush():
                    body += piece
                if len(body) > max_bytes:
                    raise TooLargeError(f"{shown}: body larger than {_megabytes(max_bytes)}")
                return response, bytes(body)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            # A server that did not answer in time may well answer the next time, as with a
            # refused connection.
            raise _Retryable(FetchError(f"{shown}: {self._timeout_reason(exc)}")) from None
        except httpx.UnsupportedProtocol:
            raise UnsafeURLError(f"{shown}: only http(s) URLs can be fetched") from None
        except httpx.TransportError as exc:
            raise _Retryable(FetchError(f"{shown}: {_transport_reason(exc)}")) from None
        except httpx.InvalidURL:
            # An injected client (without _LocationKeeper) may choke on a bad Location.
            raise FetchError(f"{shown}: invalid URL or redirect target") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{shown}: {clean_line(str(exc)) or type(exc).__name__}") from None

    def _redirect_target(self, location: str, url: str, shown: str) -> str:
        try:
            target = str(httpx.URL(url).join(location.strip()))
        except (httpx.InvalidURL, ValueError):
            raise FetchError(f"{shown}: redirect to an invalid URL") from None
        if safe_url(target, fetchable=True) is None:
            raise UnsafeURLError(f"{shown}: redirect to a non-http(s) URL refused")
        return target

    def _timeout_reason(self, exc: httpx.TimeoutException) -> str:
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return f"connection timed out after {_seconds(self.config.connect_timeout)}"
        return f"timed out after {_seconds(self.config.read_timeout)}"

    def _host_semaphore(self, host: str) -> asyncio.Semaphore:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self.config.per_host)
        return semaphore


class TrustOnFirstUse(ssl.SSLContext):
    """A TLS client context (verifying, as ``ssl.create_default_context``) that reads its
    trusted certificates just before its first connection.

    They come from where httpx takes them: ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` when set,
    else certifi's bundle.
    """

    def __new__(cls) -> TrustOnFirstUse:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)

    def __init__(self) -> None:
        # PROTOCOL_TLS_CLIENT already verifies certificates and host names.
        self._loaded = False
        self._lock = threading.Lock()

    def _trust(self) -> None:
        with self._lock:
            if self._loaded:
                return
            if os.environ.get("SSL_CERT_FILE"):
                self.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
            elif os.environ.get("SSL_CERT_DIR"):
                self.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
            else:
                import certifi

                self.load_verify_locations(cafile=certifi.where())
            self._loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._trust()
        return super().wrap_bio(*args, **kwargs)


class _LocationKeeper(httpx.AsyncBaseTransport):
    """Hides ``Location`` from httpx's client, which would otherwise parse it.

    httpx builds the next request for every redirect even when not following it, and raises
    on targets such as ``javascript:...``. Renaming the header lets the fetcher see the raw
    target and refuse it with a clear reason.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if "location" in response.headers:
            response.headers[_LOCATION] = response.headers["location"]
            del response.headers["location"]
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Decoder:
    """Undoes Content-Encoding with bounded output per call, so nothing inflates unchecked."""

    def __init__(self, encoding: str | None, shown: str) -> None:
        codings = [c.strip().lower() for c in (encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            raise FetchError(f"{shown}: unsupported content encoding")
        self.coding = codings[0] if codings else ""
        self.shown = shown
        self._zlib: zlib._Decompress | None = None
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.coding == "deflate":
            # "deflate" should be zlib-wrapped, but some servers send raw deflate; the first
            # byte tells which.
            self._zlib = None
        elif self.coding:
            raise FetchError(
                f"{shown}: unsupported content encoding {clean_line(self.coding)[:40]}"
            )

    def decode(self, data: bytes, limit: int) -> list[bytes]:
        """Decode ``data``, producing at most about ``limit`` bytes before the caller checks."""
        if not self.coding:
            return [data]
        if self._zlib is None:
            if not data:
                return []
            zlib_wrapped = (
                len(data) >= 2 and (data[0] & 0x0F) == 8 and (data[0] << 8 | data[1]) % 31 == 0
            )
            wbits = zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS
            self._zlib = zlib.decompressobj(wbits)
        out: list[bytes] = []
        produced = 0
        try:
            while data:
                piece = self._zlib.decompress(data, max(1, limit - produced))
                out.append(piece)
                produced += len(piece)
                if produced >= limit:
                    break
                data = self._zlib.unconsumed_tail
                if self._zlib.eof:
                    break
        except zlib.error:
            raise FetchError(f"{self.shown}: corrupt {self.coding} body") from None
        return out

    def flush(self) -> list[bytes]:
        if self._zlib is None:
            return []
        try:
            return [self._zlib.flush()]
        except zlib.error:
            raise FetchError(f"{self.shown}: corrupt {self.coding} body") from None


_BINARY_PREFIXES = ("audio/", "video/", "image/", "font/", "model/")
_BINARY_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-rar-compressed",
        "application/vnd.rar",
        "application/x-bzip2",
        "application/x-xz",
        "application/epub+zip",
        "application/vnd.apple.mpegurl",
        "application/x-mpegurl",
        "application/ogg",
        "application/wasm",
        "application/x-msdownload",
        "application/vnd.android.package-archive",
    }
)


def is_document_type(media_type: str | None) -> bool:
    """False for media types that are never a feed or a page (audio, video, archives...).

    A missing or generic type (``application/octet-stream``) is given the benefit of the
    doubt: misconfigured servers send feeds that way, and the body cap still applies.
    """
    if not media_type:
        return True
    return not media_type.startswith(_BINARY_PREFIXES) and media_type not in _BINARY_TYPES


def _host_key(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return ""
    return f"{parsed.host}:{parsed.port or ''}".lower()


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, _, params = value.partition(";")
    media_type = clean_line(media).lower() or None
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = clean_line(param_value.strip().strip("\"'")).lower() or None
    return media_type, charset


def _header_line(response: httpx.Response, name: str) -> str | None:
    value = response.headers.get(name)
    return clean_line(value) or None if value is not None else None


def _header_value(value: str | None) -> str | None:
    if not value:
        return None
    value = clean_line(value)
    return value if value and value.isascii() else None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _transport_reason(exc: httpx.TransportError) -> str:
    """A short human reason for a network failure."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    lowered = text.lower()
    if "connection refused" in lowered or "errno 111" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "host not found"
    if "temporary failure in name resolution" in lowered or "getaddrinfo" in lowered:
        return "host not found"
    if "certificate" in lowered or "ssl" in lowered:
        return f"TLS error: {clean_line(text)[:200]}"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "peer closed" in lowered or "incomplete" in lowered:
            return "connection closed before the response was complete"
        return "invalid HTTP response"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({clean_line(text)[:200] or 'unknown error'})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "connection lost"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "only http(s) URLs can be fetched"
    return clean_line(text)[:200] or type(exc).__name__


def _duration(seconds: float) -> str:
    """A wait as a person would say it: "90 s", "15 min", "3 h"."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _megabytes(value: int) -> str:
    if value >= 1024 * 1024 and value % (1024 * 1024) == 0:
        return f"{value // (1024 * 1024)} MB"
    return f"{value} bytes"
