"""A real HTTP/1.1 server on 127.0.0.1 for integration tests and benchmarks.

The server listens on a random port in a background thread; the test fills a route table and
points real clients at :meth:`LocalServer.url`. Besides plain responses it can play the parts
a feed reader meets in the wild: redirects (including loops and redirects to other schemes),
answers that change from one request to the next (500 then 200, 429 with ``Retry-After``),
conditional GET (304), slow and trickling bodies, bodies far larger than memory, and a gzip
bomb. Every request is logged so tests can assert on headers (``User-Agent``,
``If-None-Match``) and on how many requests were in flight at once.

Use it as the ``http_server`` pytest fixture, or from a plain script::

    with LocalServer() as server:
        server.add("/feed.xml", body=b"<rss/>", headers={"Content-Type": "application/rss+xml"})
        print(server.url("/feed.xml"))
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DATA_DIR = Path(__file__).parent / "data"

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass
class Response:
    """One canned answer.

    ``body`` is bytes, or a zero-argument callable returning an iterable of chunks (for
    generated bodies that must not be held in memory). ``length`` is the Content-Length to
    announce for a generated body; ``None`` means "unknown": the body is sent until it ends and
    the connection is closed (HTTP/1.0 style framing), which is how a server that does not know
    its size behaves. ``delay`` is slept before the status line is sent; ``rate`` (bytes per
    second) trickles the body out in small pieces.
    """

    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: int | None = None
    rate: float | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it. Header names are lowercased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Handler = Callable[[RecordedRequest], Response]

_ZERO_CHUNK = bytes(1 << 20)


class _GzipBomb:
    """A gzip stream of zeros that inflates to ``inflated`` bytes, generated on the fly.

    The deflate data is one full-flushed block of compressed zeros repeated: a full flush
    resets the compressor, so every block compresses identically and can be emitted again and
    again. The whole thing is about a thousandth of its inflated size.
    """

    _block: bytes | None = None
    _tail: bytes | None = None

    def __init__(self, inflated: int) -> None:
        if inflated % len(_ZERO_CHUNK):
            raise ValueError("inflated size must be a multiple of 1 MiB")
        self.blocks = inflated // len(_ZERO_CHUNK)
        self.inflated = inflated
        cls = type(self)
        if cls._block is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            cls._block = compressor.compress(_ZERO_CHUNK) + compressor.flush(zlib.Z_FULL_FLUSH)
            cls._tail = compressor.flush()
        # gzip header: magic, deflate, no flags, no mtime, max compression, unknown OS.
        self.header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"

    @property
    def length(self) -> int:
        assert self._block is not None and self._tail is not None
        return len(self.header) + self.blocks * len(self._block) + len(self._tail) + 8

    def chunks(self) -> Iterator[bytes]:
        assert self._block is not None and self._tail is not None
        yield self.header
        for _ in range(self.blocks):
            yield self._block
        # The trailer's CRC is only computed if a client really reads everything.
        crc = 0
        for _ in range(self.blocks):
            crc = zlib.crc32(_ZERO_CHUNK, crc)
        yield (
            self._tail
            + crc.to_bytes(4, "little")
            + (self.inflated & 0xFFFFFFFF).to_bytes(4, "little")
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, owner: LocalServer, address: str) -> None:
        self.owner = owner
        super().__init__((address, 0), _RequestHandler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # With ``any_loopback`` the socket listens on all interfaces; only loopback peers
        # are ever answered.
        return str(client_address[0]).startswith("127.")

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-body (as they should on a bomb) are not errors.
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LocalTestServer/1.0"
    # Idle keep-alive connections give up after this, so no thread lingers for long.
    timeout = 30
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        self._serve()

    def _serve(self, head: bool = False) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        owner._enter(request)
        try:
            response = owner._respond(request)
            self._send(response, head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True
        finally:
            owner._leave()

    def _send(self, response: Response, head: bool) -> None:
        if response.delay:
            time.sleep(response.delay)
        body = response.body
        headers = dict(response.headers)
        lower = {k.lower() for k in headers}
        if isinstance(body, bytes):
            length: int | None = len(body)
        else:
            length = response.length
        if "content-length" not in lower and length is not None:
            headers["Content-Length"] = str(length)
        if length is None and "content-length" not in lower:
            headers["Connection"] = "close"
            self.close_connection = True
        self.send_response(response.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if head or response.status in (204, 304) or response.status < 200:
            return
        chunks: Iterable[bytes] = [body] if isinstance(body, bytes) else body()
        if response.rate:
            chunks = _trickle(chunks, response.rate)
        for chunk in chunks:
            if chunk:
                self.wfile.write(chunk)
        self.wfile.flush()


def _trickle(chunks: Iterable[bytes], rate: float) -> Iterator[bytes]:
    """Re-cut ``chunks`` into pieces sent about ten times a second at ``rate`` bytes/s."""
    piece = max(1, int(rate / 10))
    for chunk in chunks:
        for start in range(0, len(chunk), piece):
            yield chunk[start : start + piece]
            time.sleep(piece / rate)


class LocalServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with a route table filled by the test."""

    def __init__(self, *, any_loopback: bool = False) -> None:
        """Create a stopped server; :meth:`start` (or ``with``) starts it.

        With ``any_loopback`` it answers on every 127.x.y.z address, so a client can be
        shown many distinct hosts (``url(path, host="127.0.0.9")``); connections from
        anywhere else are dropped.
        """
        self._address = "0.0.0.0" if any_loopback else "127.0.0.1"
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[RecordedRequest] = []
        """Every request received, in order."""
        self.active = 0
        """Requests being answered right now."""
        self.max_active = 0
        """The most requests ever answered at the same time."""

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> LocalServer:
        self._server = _Server(self, self._address)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="local-http-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        # Wake handler threads blocked on idle keep-alive connections or long bodies.
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        """The absolute URL of ``path`` on this server (another ``host`` needs
        ``any_loopback``)."""
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{host}:{self.port}{path}"

    # --- routes -------------------------------------------------------------------------

    def route(self, path: str, handler: Handler) -> None:
        """Answer ``path`` with whatever ``handler(request)`` returns (the general form).

        A route path with a query string matches only that exact query; one without matches
        the path with any query.
        """
        with self._lock:
            self._routes[path] = handler

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        *,
        content_type: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """A fixed response."""
        response = _make_response(body, status, headers, content_type, delay)
        self.route(path, lambda request: response)

    def add_file(
        self,
        path: str,
        file: str | Path,
        content_type: str = "application/octet-stream",
        *,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Serve a file; a relative ``file`` is taken under ``tests/data/``."""
        file_path = Path(file)
        if not file_path.is_absolute():
            file_path = DATA_DIR / file_path
        body = file_path.read_bytes()
        self.add(path, body, headers=headers, content_type=content_type, delay=delay)

    def add_sequence(self, path: str, responses: Sequence[Response | Mapping[str, Any]]) -> None:
        """Answer successive requests with successive responses; the last one repeats.

        Items are :class:`Response` objects or dicts of its fields, e.g.
        ``[{"status": 500}, {"status": 429, "headers": {"Retry-After": "1"}}, {"body": b"ok"}]``.
        """
        items = [r if isinstance(r, Response) else Response(**r) for r in responses]
        if not items:
            raise ValueError("a sequence needs at least one response")
        counter = iter(range(len(items) - 1))

        def handler(request: RecordedRequest) -> Response:
            return items[next(counter, len(items) - 1)]

        self.route(path, handler)

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        """Redirect ``path`` to ``location`` (absolute, relative, or any scheme)."""
        self.add(path, b"", status=status, headers={"Location": location})

    def add_slow(
        self,
        path: str,
        body: bytes,
        bytes_per_second: float,
        *,
        content_type: str = "text/plain",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A body that trickles out at ``bytes_per_second`` (Content-Length announced)."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        response = Response(
            body=lambda: [body],
            headers=all_headers,
            length=len(body),
            rate=bytes_per_second,
        )
        self.route(path, lambda request: response)

    def add_huge(
        self,
        path: str,
        size: int = 50 * 1024 * 1024,
        *,
        content_type: str = "text/html",
        announce_length: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A ``size``-byte body generated on the fly, never held in memory.

        With ``announce_length=False`` no Content-Length is sent, so a client can only find
        out the size by reading.
        """
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"

        def generate() -> Iterator[bytes]:
            remaining = size
            while remaining > 0:
                piece = chunk[:remaining]
                remaining -= len(piece)
                yield piece

        response = Response(
            body=generate,
            headers={"Content-Type": content_type, **(headers or {})},
            length=size if announce_length else None,
        )
        self.route(path, lambda request: response)

    def add_gzip_bomb(
        self,
        path: str,
        inflated: int = 4 * 1024**3,
        *,
        content_type: str = "text/html",
    ) -> int:
        """A ``Content-Encoding: gzip`` body of zeros inflating to ``inflated`` bytes.

        Returns the compressed size (about ``inflated / 1000``).
        """
        bomb = _GzipBomb(inflated)
        response = Response(
            body=bomb.chunks,
            headers={"Content-Type": content_type, "Content-Encoding": "gzip"},
            length=bomb.length,
        )
        self.route(path, lambda request: response)
        return bomb.length

    def add_gzip(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "text/html",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """An honest gzip-encoded body."""
        self.add(
            path,
            gzip.compress(body),
            headers={"Content-Encoding": "gzip", **(headers or {})},
            content_type=content_type,
        )

    def add_conditional(
        self,
        path: str,
        body: bytes | str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        content_type: str = "application/xml",
    ) -> None:
        """A resource that answers 304 when the request's validators match.

        ``If-None-Match`` is compared with ``etag`` (a list of tags or ``*`` also matches);
        if absent, ``If-Modified-Since`` is compared with ``last_modified`` as a string, which
        is what a well-behaved client echoes back.
        """
        data = body.encode() if isinstance(body, str) else body
        headers = {"Content-Type": content_type}
        if etag is not None:
            headers["ETag"] = etag
        if last_modified is not None:
            headers["Last-Modified"] = last_modified

        def handler(request: RecordedRequest) -> Response:
            inm = request.header("if-none-match")
            ims = request.header("if-modified-since")
            if inm is not None and etag is not None:
                tags = {t.strip() for t in inm.split(",")}
                if "*" in tags or etag in tags:
                    return Response(status=304, headers=dict(headers))
            elif ims is not None and last_modified is not None and ims == last_modified:
                return Response(status=304, headers=dict(headers))
            return Response(body=data, headers=dict(headers))

        self.route(path, handler)

    # --- introspection ------------------------------------------------------------------

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """Requests whose path (without query) is ``path``."""
        return [r for r in list(self.requests) if urlsplit(r.path).path == path]

    # --- internals ----------------------------------------------------------------------

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _enter(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self.active += 1
            self.max_active = max(self.max_active, self.active)

    def _leave(self) -> None:
        with self._lock:
            self.active -= 1

    def _respond(self, request: RecordedRequest) -> Response:
        with self._lock:
            handler = self._routes.get(request.path)
            if handler is None:
                handler = self._routes.get(urlsplit(request.path).path)
        if handler is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        return handler(request)


def _make_response(
    body: bytes | str,
    status: int,
    headers: Mapping[str, str] | None,
    content_type: str | None,
    delay: float,
) -> Response:
    data = body.encode() if isinstance(body, str) else body
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    return Response(status=status, body=data, headers=all_headers, delay=delay)
