"""A small Fever server for tests and benchmarks that pages as the protocol describes.

Served through :class:`tests.httpserver.LocalServer`: ``server.route("/fever/", ByTheBook(n))``.
Its ``max_id`` pages go newest first (as Miniflux and FreshRSS do), unlike coldsweat's.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.httpserver import RecordedRequest, Response

USER, PASSWORD = "reader", "secret"
KEY = hashlib.md5(b"reader:secret").hexdigest()


def answer(body: object, status: int = 200) -> Response:
    data = json.dumps(body).encode()
    return Response(status, data, {"Content-Type": "application/json"})


def arguments(request: RecordedRequest) -> tuple[dict[str, str], dict[str, str]]:
    """The query and the form of a request, as single values."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query, True).items()}
    form = {k: v[0] for k, v in parse_qs(request.body.decode(), True).items()}
    return query, form


class ByTheBook:
    """A Fever server whose ``max_id`` pages go newest first (as Miniflux and FreshRSS do).

    Item ``n`` (1..count) was published ``count - n`` hours ago.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.now = datetime.now(UTC)
        self.asked: list[dict[str, str]] = []

    def item(self, n: int) -> dict[str, Any]:
        published = self.now - timedelta(hours=self.count - n)
        return {"id": n, "feed_id": 1, "title": f"item {n}", "url": f"http://127.0.0.1/{n}",
                "html": "", "created_on_time": int(published.timestamp())}  # fmt: skip

    def __call__(self, request: RecordedRequest) -> Response:
        query, form = arguments(request)
        if form.get("api_key") != KEY:
            return answer({"api_version": 3, "auth": 0})
        self.asked.append(query)
        ids = range(1, self.count + 1)
        if "max_id" in query:
            chosen = sorted((n for n in ids if n < int(query["max_id"])), reverse=True)[:50]
        elif "since_id" in query:
            chosen = [n for n in ids if n > int(query["since_id"])][:50]
        elif "with_ids" in query:
            chosen = [int(n) for n in query["with_ids"].split(",")][:50]
        elif "unread_item_ids" in query:
            return answer({"auth": 1, "unread_item_ids": ",".join(map(str, ids))})
        else:
            return answer({"api_version": 3, "auth": 1})
        return answer({"auth": 1, "items": [self.item(n) for n in chosen]})
