"""The one small interface every sync protocol implements, and the records it passes.

A protocol module turns a server's dialect into these plain records. Item and feed ids are
the server's, kept as opaque text in one canonical form per protocol (a client both produces
and accepts that form), so storage never has to know whether a server counts in decimal,
short hex or long hex.

Everything a server sends is untrusted: titles and bodies are cleaned by the caller exactly as
feed text is, and URLs are checked for http(s) before use.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from tui_reader.core.errors import TuiReaderError

SyncKind = Literal["greader", "fever"]
MarkFlag = Literal["read", "starred"]


class SyncError(TuiReaderError):
    """A sync step failed; ``str(error)`` is one line fit for the status bar or stderr."""


class SyncAuthError(SyncError):
    """The server refused the user name or password (or the stored session expired)."""


class SyncUnreachable(SyncError):
    """The server could not be reached, timed out, or answered with a server error."""


class SyncUnsupported(SyncError):
    """The protocol cannot do this (Fever cannot subscribe or unsubscribe)."""


@dataclass(frozen=True, slots=True)
class SyncAccount:
    """Where and as whom to sync; the password is resolved by the caller, never stored."""

    kind: SyncKind
    url: str
    user: str
    password: str
    days: int = 14


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """One subscription on the server."""

    id: str
    url: str
    title: str
    site_url: str | None = None
    folders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """One article as the server has it (``html`` is the body the server stored)."""

    id: str
    feed_id: str
    title: str
    url: str | None = None
    guid: str | None = None
    author: str | None = None
    published: datetime | None = None
    html: str = ""


@dataclass(frozen=True, slots=True)
class Mark:
    """A change of one flag of one item, to be delivered to the server."""

    item_id: str
    flag: MarkFlag
    value: bool


class SyncClient(Protocol):
    """A logged-in conversation with one server.

    Every method raises :class:`SyncAuthError`, :class:`SyncUnreachable` or another
    :class:`SyncError` with a one-line message; none lets an ``httpx`` or parsing error out.
    Methods batch their requests (the server's page size) so that ten thousand ids cost tens
    of requests, not thousands.
    """

    kind: SyncKind
    #: Whether :meth:`subscribe` and :meth:`unsubscribe` work (Google Reader: yes; Fever: no).
    can_subscribe: bool
    #: Requests sent so far, for progress lines and benchmarks.
    requests: int

    async def login(self) -> None:
        """Authenticate (or reuse a stored session); raise :class:`SyncAuthError` if refused."""
        ...

    async def feeds(self) -> list[RemoteFeed]:
        """Every subscription, with the folders it is filed under."""
        ...

    async def unread_ids(self) -> set[str]:
        """The ids of every unread item (read is derived: an item not listed here is read)."""
        ...

    async def starred_ids(self) -> set[str]:
        """The ids of every starred (saved) item."""
        ...

    async def recent_ids(self, since: datetime, cursor: str | None) -> tuple[set[str], str]:
        """Ids of items newer than ``since`` or, when ``cursor`` is given, added after it.

        Returns the ids and the cursor to pass next time (opaque text the caller stores).
        """
        ...

    def items(self, ids: Collection[str]) -> AsyncIterator[list[RemoteItem]]:
        """The items with these ids, a batch at a time, in no particular order."""
        ...

    async def send_marks(self, marks: Sequence[Mark]) -> None:
        """Deliver these changes; on return the server has them all (else it raised)."""
        ...

    async def subscribe(self, url: str, folder: str | None = None) -> RemoteFeed:
        """Subscribe to a feed URL; raise :class:`SyncUnsupported` where the protocol cannot."""
        ...

    async def unsubscribe(self, feed_id: str) -> None:
        """Drop a subscription; raise :class:`SyncUnsupported` where the protocol cannot."""
        ...

    async def aclose(self) -> None:
        """Release what the client holds (not the shared ``httpx`` client it was given)."""
        ...
