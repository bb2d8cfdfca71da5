"""A Google Reader API server on 127.0.0.1 that speaks FreshRSS or Miniflux, for tests and benches.

It keeps real state (feeds, folders, items, read and starred flags), so a test can check that a
mark reached the server, and it follows the documented differences of the two servers:

======================  ==========================  ==============================
                        ``freshrss``                ``miniflux``
======================  ==========================  ==============================
API root                ``/api/greader.php``        ``/`` (the site root)
item ids                microsecond times (16       small serial numbers
                        decimal digits)
``T`` on POST           may be missing; a wrong     required; a missing or wrong
                        one is refused (401)        one is refused (401 with
                                                    ``X-Reader-Google-Bad-Token``)
continuation ``c``      the last item id sent       an offset into the list
``stream/contents``     served                      404
ids in ``i=``           contains "/" -> long hex,   long hex (16 digits) or
                        else decimal                decimal; anything else 400
======================  ==========================  ==============================

Both list ids in ``stream/items/ids`` as decimal and give long hex ids in contents, except that
every fifth item's id is written as bare short hex (as some servers do), so a client has to
understand all three spellings.

Failure modes a test can switch on: :attr:`refuse_password`, :attr:`html_login` (every answer is
a 200 HTML login page, as behind a misconfigured proxy), :attr:`fail_500` (that many 500s, or
``-1`` for all), :meth:`expire_sessions`, :meth:`rotate_token`, and :meth:`stop` /
:meth:`start` (the port is kept, so a client can come back after a restart).

    with GReaderServer("miniflux") as server:
        feed = server.add_feed("https://example.org/feed.xml", "Example", folders=["News"])
        server.add_items(feed, 10_000)
        print(server.api_url, server.user, server.password)
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

Dialect = Literal["freshrss", "miniflux"]

LONG_PREFIX = "tag:google.com,2005:reader/item/"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL = "user/-/label/"

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
    b"<form method=post action=/login><input name=username><input type=password name=password>"
    b"</form></body></html>"
)


@dataclass
class Feed:
    id: int
    url: str
    title: str
    html_url: str
    folders: list[str] = field(default_factory=list)


@dataclass
class Item:
    id: int
    feed_id: int
    title: str
    url: str
    published: int
    added: int
    content: str
    seq: int = 0
    author: str = ""
    read: bool = False
    starred: bool = False


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it (path relative to the API root)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]
    headers: dict[str, str]

    def values(self, name: str) -> list[str]:
        return [v for k, v in (*self.query, *self.form) if k == name]


class GReaderServer:
    """The server; state is guarded by one lock, requests are served by threads."""

    def __init__(
        self, dialect: Dialect = "freshrss", *, user: str = "reader", password: str = "s3cret"
    ) -> None:
        self.dialect: Dialect = dialect
        self.user = user
        self.password = password
        self.feeds: dict[int, Feed] = {}
        self.items: dict[int, Item] = {}
        self.requests: Counter[str] = Counter()
        self.log: list[Seen] = []
        self.refuse_password = False
        self.html_login = False
        self.fail_500 = 0
        #: Largest ``n`` honoured for id lists (servers cap it).
        self.max_page = 10_000
        self._sessions: set[str] = set()
        self._token = secrets.token_hex(16)
        self._lock = threading.RLock()
        self._next_feed = 1
        # FreshRSS ids are the microsecond time an item was added; Miniflux counts from 1.
        self._next_item = 1_700_000_000_000_000 if dialect == "freshrss" else 1
        self._httpd: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> GReaderServer:
        server = self

        class Handler(_Handler):
            owner = server

        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler, bind_and_activate=False)
        # Rebinding the same port right after stop() must not wait out TIME_WAIT.
        httpd.allow_reuse_address = True
        httpd.server_bind()
        httpd.server_activate()
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut open keep-alive connections, as a stopped server does."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> GReaderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def root(self) -> str:
        return "/api/greader.php" if self.dialect == "freshrss" else ""

    @property
    def api_url(self) -> str:
        """What a user puts in ``[sync] url``."""
        return self.base_url + (self.root or "/")

    # -- state --------------------------------------------------------------------------------

    def add_feed(
        self, url: str, title: str = "", *, folders: list[str] | None = None, html_url: str = ""
    ) -> int:
        with self._lock:
            feed_id = self._next_feed
            self._next_feed += 1
            self.feeds[feed_id] = Feed(
                feed_id, url, title or url, html_url or url.rsplit("/", 1)[0], list(folders or [])
            )
            return feed_id

    def add_items(
        self,
        feed_id: int,
        count: int,
        *,
        read: bool = False,
        starred: bool = False,
        title: str = "Story {n}",
        added: int | None = None,
        content: str = "<p>Body of story {n}.</p>",
        url: str = "https://example.org/{feed}/{n}",
    ) -> list[int]:
        """Add ``count`` items; ``{n}`` (a running number) and ``{feed}`` fill the templates.

        Point ``url`` at a local server when the code under test fetches the pages.
        """
        with self._lock:
            now = int(time.time()) if added is None else added
            ids = []
            for _ in range(count):
                item_id = self._next_item
                self._next_item += 1 if self.dialect == "miniflux" else 1_000
                n = len(self.items) + 1
                self.items[item_id] = Item(
                    id=item_id,
                    feed_id=feed_id,
                    title=title.format(n=n),
                    url=url.format(feed=feed_id, n=n),
                    published=now - 60,
                    added=now,
                    content=content.format(n=n),
                    seq=n,
                    author="Author",
                    read=read,
                    starred=starred,
                )
                ids.append(item_id)
            return ids

    def unread(self) -> set[int]:
        with self._lock:
            return {i.id for i in self.items.values() if not i.read}

    def starred(self) -> set[int]:
        with self._lock:
            return {i.id for i in self.items.values() if i.starred}

    def expire_sessions(self) -> None:
        """Forget every login, as a server restart or a password change does."""
        with self._lock:
            self._sessions.clear()

    def rotate_token(self) -> None:
        """Make the current action token stale."""
        with self._lock:
            self._token = secrets.token_hex(16)

    def count(self, endpoint: str) -> int:
        return self.requests[endpoint]

    @staticmethod
    def long_id(item_id: int) -> str:
        return f"{LONG_PREFIX}{item_id:016x}"

    # -- protocol -----------------------------------------------------------------------------

    def parse_item_id(self, raw: str) -> int | None:
        raw = raw.strip()
        if self.dialect == "miniflux":
            if raw.startswith(LONG_PREFIX):
                hex_part = raw[len(LONG_PREFIX) :]
                if len(hex_part) != 16:
                    return None
                try:
                    return int(hex_part, 16)
                except ValueError:
                    return None
            return int(raw) if raw.isdigit() else None
        if "/" in raw:
            try:
                return int(raw.rsplit("/", 1)[1], 16)
            except ValueError:
                return None
        # FreshRSS reads anything else as decimal: a bare short hex id names another item.
        return int(raw) if raw.isdigit() else None

    def content_id(self, item: Item) -> str:
        if item.seq % 5 == 0:
            return f"{item.id:016x}"
        return self.long_id(item.id)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        parts = urlsplit(target)
        query = parse_qsl(parts.query, keep_blank_values=True)
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) if body else []
        path = parts.path
        if self.root and path.startswith(self.root):
            path = path[len(self.root) :]
        seen = Seen(method, path, query, form, headers)
        with self._lock:
            self.log.append(seen)
            self.requests[path] += 1
            self.requests["total"] += 1
            if self.html_login:
                return _Reply(200, LOGIN_PAGE, "text/html; charset=utf-8")
            if self.fail_500:
                if self.fail_500 > 0:
                    self.fail_500 -= 1
                return _Reply(500, b"Internal Server Error")
            return self._route(seen)

    def _route(self, req: Seen) -> _Reply:
        path = req.path
        if path == "/accounts/ClientLogin":
            return self._login(req)
        if not path.startswith("/reader/api/0/"):
            return _Reply(404, b"Not Found")
        auth = req.headers.get("authorization", "")
        if not auth.startswith("GoogleLogin auth=") or auth[17:] not in self._sessions:
            return _Reply(401, b"Unauthorized", headers={"X-Reader-Google-Bad-Token": "true"})
        if req.method == "POST":
            t_values = req.values("T")
            t_ok = bool(t_values) and t_values[-1] == self._token
            lax = self.dialect == "freshrss" and not t_values
            if not (t_ok or lax):
                return _Reply(401, b"Unauthorized", headers={"X-Reader-Google-Bad-Token": "true"})
        name = path[len("/reader/api/0/") :]
        if name == "token":
            return _Reply(200, (self._token + "\n").encode())
        if name == "subscription/list":
            return self._json(self._subscriptions())
        if name == "tag/list":
            labels = sorted({f for feed in self.feeds.values() for f in feed.folders})
            tags = [{"id": STARRED}] + [{"id": LABEL + name, "type": "folder"} for name in labels]
            return self._json({"tags": tags})
        if name == "stream/items/ids":
            return self._ids(req)
        if name == "stream/items/contents":
            return self._contents(req)
        if name.startswith("stream/contents"):
            if self.dialect == "miniflux":
                return _Reply(404, b"404 page not found")
            return self._json({"items": [self._item_json(i) for i in self._select(req)[:20]]})
        if name == "edit-tag" and req.method == "POST":
            return self._edit_tag(req)
        if name == "subscription/quickadd" and req.method == "POST":
            return self._quickadd(req)
        if name == "subscription/edit" and req.method == "POST":
            return self._subscription_edit(req)
        return _Reply(404 if req.method == "GET" else 405, b"Not Found")

    def _login(self, req: Seen) -> _Reply:
        email = req.values("Email")
        passwd = req.values("Passwd")
        if self.refuse_password or email[-1:] != [self.user] or passwd[-1:] != [self.password]:
            return _Reply(401, b"Error=BadAuthentication\n")
        token = f"{self.user}/{secrets.token_hex(20)}"
        self._sessions.add(token)
        return _Reply(200, f"SID={token}\nLSID=null\nAuth={token}\n".encode())

    def _json(self, value: Any) -> _Reply:
        return _Reply(200, json.dumps(value).encode(), "application/json; charset=UTF-8")

    def _subscriptions(self) -> dict[str, Any]:
        subs = []
        for feed in self.feeds.values():
            subs.append(
                {
                    "id": f"feed/{feed.id}",
                    "title": feed.title,
                    "categories": [{"id": LABEL + f, "label": f} for f in feed.folders],
                    "url": feed.url,
                    "htmlUrl": feed.html_url,
                    "iconUrl": "",
                }
            )
        return {"subscriptions": subs}

    def _select(self, req: Seen) -> list[Item]:
        stream = (req.values("s") or [READING_LIST])[-1]
        exclude = req.values("xt")
        since = int((req.values("ot") or ["0"])[-1] or 0)
        if stream.startswith("user/-/state/com.google/reading-list"):
            items = list(self.items.values())
        elif stream == STARRED:
            items = [i for i in self.items.values() if i.starred]
        elif stream.startswith("feed/"):
            feed = stream[5:]
            items = [i for i in self.items.values() if str(i.feed_id) == feed]
        else:
            items = []
        if READ in exclude:
            items = [i for i in items if not i.read]
        if since:
            items = [i for i in items if i.added >= since]
        oldest_first = (req.values("r") or ["d"])[-1] == "o"
        return sorted(items, key=lambda i: i.id, reverse=not oldest_first)

    def _ids(self, req: Seen) -> _Reply:
        items = self._select(req)
        n = min(int((req.values("n") or ["20"])[-1]), self.max_page)
        c = (req.values("c") or [""])[-1]
        response: dict[str, Any] = {}
        if self.dialect == "miniflux":
            offset = int(c) if c.isdigit() else 0
            page = items[offset : offset + n]
            if offset + n < len(items):
                response["continuation"] = str(offset + n)
        else:
            if c.isdigit():
                # Descending order: the next page starts after the last id sent.
                items = [i for i in items if i.id < int(c)]
            page = items[:n]
            if len(page) >= n and page:
                response["continuation"] = str(page[-1].id)
        response["itemRefs"] = [{"id": str(i.id)} for i in page]
        return self._json(response)

    def _item_json(self, item: Item) -> dict[str, Any]:
        feed = self.feeds.get(item.feed_id)
        categories = [READING_LIST] + [LABEL + f for f in (feed.folders if feed else [])]
        if item.read:
            categories.append(READ)
        if item.starred:
            categories.append(STARRED)
        return {
            "id": self.content_id(item),
            "crawlTimeMsec": str(item.added * 1000),
            "timestampUsec": str(item.added * 1_000_000),
            "published": item.published,
            "title": item.title,
            "author": item.author,
            "canonical": [{"href": item.url}],
            "alternate": [{"href": item.url, "type": "text/html"}],
            "categories": categories,
            "origin": {
                "streamId": f"feed/{item.feed_id}",
                "title": feed.title if feed else "",
                "htmlUrl": feed.html_url if feed else "",
            },
            "summary": {"content": item.content},
        }

    def _item_ids(self, req: Seen) -> list[int] | None:
        ids = []
        for raw in req.values("i"):
            value = self.parse_item_id(raw)
            if value is None:
                if self.dialect == "miniflux":
                    return None
                continue
            ids.append(value)
        return ids

    def _contents(self, req: Seen) -> _Reply:
        ids = self._item_ids(req)
        if ids is None:
            return _Reply(400, b"Bad Request")
        items = [self.items[i] for i in ids if i in self.items]
        return self._json(
            {
                "id": READING_LIST,
                "updated": int(time.time()),
                "items": list(map(self._item_json, items)),
            }
        )

    def _edit_tag(self, req: Seen) -> _Reply:
        ids = self._item_ids(req)
        if ids is None:
            return _Reply(400, b"Bad Request")
        for tag, value in ((t, True) for t in req.values("a")):
            self._apply(ids, tag, value)
        for tag in req.values("r"):
            self._apply(ids, tag, False)
        return _Reply(200, b"OK")

    def _apply(self, ids: list[int], tag: str, value: bool) -> None:
        for item_id in ids:
            item = self.items.get(item_id)
            if item is None:
                continue
            if tag == READ:
                item.read = value
            elif tag == STARRED:
                item.starred = value

    def _quickadd(self, req: Seen) -> _Reply:
        url = (req.values("quickadd") or [""])[-1]
        if url.startswith("feed/"):
            url = url[5:]
        if not url.startswith(("http://", "https://")):
            return self._json({"numResults": 0, "query": url, "error": "not a feed URL"})
        for feed in self.feeds.values():
            if feed.url == url:
                break
        else:
            feed = self.feeds[self.add_feed(url, f"Feed at {url}")]
        return self._json(
            {"numResults": 1, "query": url, "streamId": f"feed/{feed.id}", "streamName": feed.title}
        )

    def _subscription_edit(self, req: Seen) -> _Reply:
        action = (req.values("ac") or [""])[-1]
        stream = (req.values("s") or [""])[-1]
        feed = None
        if stream.startswith("feed/"):
            key = stream[5:]
            feed = self.feeds.get(int(key)) if key.isdigit() else None
            if feed is None and action == "subscribe" and key.startswith(("http://", "https://")):
                feed = self.feeds[self.add_feed(key)]
        if feed is None:
            return _Reply(400, b"Bad Request")
        if action == "unsubscribe":
            del self.feeds[feed.id]
            for item_id in [i.id for i in self.items.values() if i.feed_id == feed.id]:
                del self.items[item_id]
            return _Reply(200, b"OK")
        for label in req.values("a"):
            if label.startswith(LABEL) and label[len(LABEL) :] not in feed.folders:
                feed.folders.append(label[len(LABEL) :])
        for label in req.values("r"):
            if label.startswith(LABEL) and label[len(LABEL) :] in feed.folders:
                feed.folders.remove(label[len(LABEL) :])
        for title in req.values("t"):
            feed.title = title
        return _Reply(200, b"OK")


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    owner: GReaderServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        with self.owner._lock:
            self.owner._connections.add(self.connection)

    def finish(self) -> None:
        with self.owner._lock:
            self.owner._connections.discard(self.connection)
        super().finish()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.owner.handle(self.command, self.path, headers, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = _serve
    do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass
