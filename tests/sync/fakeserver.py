"""An in-memory feed server that speaks the :class:`SyncClient` interface faithfully.

It keeps subscriptions, items, the unread and starred sets and an insertion order (the
cursor of incremental pulls), pages its answers like a real server (``page`` items per
request), counts every request, and can be made to fail: ``server.down = True`` makes every
call raise :class:`SyncUnreachable`; a wrong password makes ``login`` raise
:class:`SyncAuthError`. Several clients (several stores) can talk to one server.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_reader.core.sync.base import (
    Mark,
    RemoteFeed,
    RemoteItem,
    SyncAccount,
    SyncAuthError,
    SyncError,
    SyncKind,
    SyncUnreachable,
    SyncUnsupported,
)


@dataclass
class FakeServer:
    """The server's state (shared by every client made with :meth:`client`)."""

    password: str = "secret"
    page: int = 50
    can_subscribe: bool = True
    feeds: dict[str, RemoteFeed] = field(default_factory=dict)
    items: dict[str, RemoteItem] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)
    starred: set[str] = field(default_factory=set)
    down: bool = False
    requests: int = 0
    calls: list[str] = field(default_factory=list)
    item_requests: int = 0
    marks_received: list[Mark] = field(default_factory=list)
    on_send: Callable[[Sequence[Mark]], None] | None = None
    """Called while a batch of marks is being delivered (before the server applies it)."""
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- setting the server up --------------------------------------------------------
    def add_feed(self, feed_id: str, url: str, title: str, folders: tuple[str, ...] = ()) -> None:
        self.feeds[feed_id] = RemoteFeed(feed_id, url, title, folders=folders)

    def add_item(
        self,
        item_id: str,
        feed_id: str,
        *,
        title: str = "",
        url: str | None = None,
        guid: str | None = None,
        published: datetime | None = None,
        html: str = "<p>text</p>",
        unread: bool = True,
        starred: bool = False,
    ) -> None:
        self.items[item_id] = RemoteItem(
            item_id,
            feed_id,
            title or f"Item {item_id}",
            url=url,
            guid=guid,
            published=published or datetime.now(UTC),
            html=html,
        )
        self.order[item_id] = next(self._seq)
        if unread:
            self.unread.add(item_id)
        if starred:
            self.starred.add(item_id)

    def client(
        self, account: SyncAccount, http: Any = None, session_path: Path | None = None
    ) -> FakeClient:
        """A client, as a protocol module's ``make_client`` makes one."""
        return FakeClient(self, account)

    # --- what a request does ----------------------------------------------------------
    def request(self, name: str) -> None:
        if self.down:
            raise SyncUnreachable("rss.example: cannot connect (connection refused)")
        self.requests += 1
        self.calls.append(name)


class FakeClient:
    """One logged-in conversation with a :class:`FakeServer`."""

    kind: SyncKind = "greader"

    def __init__(self, server: FakeServer, account: SyncAccount) -> None:
        self.server = server
        self.account = account
        self.can_subscribe = server.can_subscribe
        self.requests = 0
        self.logged_in = False

    def _request(self, name: str) -> None:
        self.server.request(name)
        self.requests += 1

    def _check(self) -> None:
        if not self.logged_in:
            raise SyncError("not logged in")

    async def login(self) -> None:
        self._request("login")
        if self.account.password != self.server.password:
            raise SyncAuthError("rss.example: the server refused the user name or password")
        self.logged_in = True

    async def feeds(self) -> list[RemoteFeed]:
        self._check()
        self._request("feeds")
        return list(self.server.feeds.values())

    async def unread_ids(self) -> set[str]:
        self._check()
        self._request("unread")
        return set(self.server.unread)

    async def starred_ids(self) -> set[str]:
        self._check()
        self._request("starred")
        return set(self.server.starred)

    async def recent_ids(self, since: datetime, cursor: str | None) -> tuple[set[str], str]:
        self._check()
        self._request("recent")
        order = self.server.order
        if cursor is None:
            ids = {
                i
                for i, item in self.server.items.items()
                if item.published is not None and item.published >= since
            }
        else:
            ids = {i for i, seq in order.items() if seq > int(cursor)}
        return ids, str(max(order.values(), default=0))

    async def items(self, ids: Collection[str]) -> AsyncIterator[list[RemoteItem]]:
        self._check()
        wanted = sorted(ids)
        for start in range(0, len(wanted), self.server.page):
            self._request("items")
            self.server.item_requests += 1
            chunk = wanted[start : start + self.server.page]
            yield [self.server.items[i] for i in chunk if i in self.server.items]

    async def send_marks(self, marks: Sequence[Mark]) -> None:
        self._check()
        for start in range(0, len(marks), self.server.page):
            self._request("marks")
            batch = marks[start : start + self.server.page]
            if self.server.on_send is not None:
                self.server.on_send(batch)
            for mark in batch:
                target = self.server.unread if mark.flag == "read" else self.server.starred
                # read=True removes from unread; starred=True adds to starred.
                present = (not mark.value) if mark.flag == "read" else mark.value
                if present:
                    target.add(mark.item_id)
                else:
                    target.discard(mark.item_id)
                self.server.marks_received.append(mark)

    async def subscribe(self, url: str, folder: str | None = None) -> RemoteFeed:
        self._check()
        if not self.can_subscribe:
            raise SyncUnsupported("the Fever API cannot subscribe")
        self._request("subscribe")
        feed_id = f"feed/{len(self.server.feeds) + 1}"
        feed = RemoteFeed(feed_id, url, "", folders=(folder,) if folder else ())
        self.server.feeds[feed_id] = feed
        return feed

    async def unsubscribe(self, feed_id: str) -> None:
        self._check()
        if not self.can_subscribe:
            raise SyncUnsupported("the Fever API cannot unsubscribe")
        self._request("unsubscribe")
        self.server.feeds.pop(feed_id, None)

    async def aclose(self) -> None:
        return None


def retitle(server: FakeServer, item_id: str, title: str) -> None:
    """Change an item's title on the server (as a feed update would)."""
    server.items[item_id] = replace(server.items[item_id], title=title)
