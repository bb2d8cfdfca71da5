"""The Fever API client: sync with FreshRSS, Miniflux, Tiny Tiny RSS or coldsweat.

Fever is one endpoint (``URL?api``) that takes a POSTed ``api_key`` (the md5 hex digest of
``user:password``) and answers a JSON object with ``auth`` set to 1 when the key is known.
What to return is chosen by bare query arguments (``groups``, ``feeds``, ``items``,
``unread_item_ids``, ``saved_item_ids``); a change is a POSTed ``mark=item&as=…&id=…``, one
item per request. Item ids are decimal integers that only grow, which makes the highest id seen
a good cursor for the next sync.

Servers differ in small ways this module absorbs:

* the item arguments (``since_id``, ``max_id``, ``with_ids``) are read from the query string
  by some servers and from either place by others, so they go in the query string; the key and
  the mark arguments go in the form body, where every server looks;
* ``max_id`` should give the 50 items just below it, but some servers give the 50 lowest ones,
  so a first sync also pages forward from what it saw (see :meth:`FeverClient.recent_ids`);
* an answer is sometimes a web page (a login form, a proxy's error page) and ids sometimes
  come as numbers, sometimes as text: both are checked, and anything else is a one-line error.

The protocol cannot subscribe or unsubscribe: those raise :class:`~.base.SyncUnsupported`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from tui_reader.core.sync.base import (
    Mark,
    RemoteFeed,
    RemoteItem,
    SyncAccount,
    SyncAuthError,
    SyncClient,
    SyncError,
    SyncKind,
    SyncUnreachable,
    SyncUnsupported,
)
from tui_reader.core.sync.wire import read_capped, server_host

#: The most items a Fever server returns for one ``items`` request (and takes in ``with_ids``).
PAGE_SIZE = 50
#: Marks in flight at once: Fever takes one item per request, and a small server should not
#: see hundreds of them at the same moment.
MARK_CONCURRENCY = 4
#: The largest answer read, so a hostile or broken server cannot fill memory. An unread list
#: of a million 16-digit ids is about 17 MB.
MAX_BODY = 64 * 1024 * 1024
#: Pages one paging run may take before it is judged endless (a million items).
MAX_PAGES = 20_000
#: "Before everything": the largest id a 64-bit signed column holds, since servers compare
#: ``max_id`` in SQL and a larger number fails there.
_TOP_ID = 2**63 - 1

# Ids are ASCII decimal; 20 digits bound them to what a 64-bit column can hold.
_ID = re.compile(r"[0-9]{1,20}", re.ASCII)
_ID_LIST = re.compile(r"[0-9]{1,20}(?:,[0-9]{1,20})*", re.ASCII)
_LEADING_ZERO = re.compile(r"(?:^|,)0[0-9]", re.ASCII)


class FeverClient:
    """A :class:`~.base.SyncClient` over the Fever API."""

    kind: SyncKind = "fever"
    can_subscribe = False

    def __init__(
        self,
        account: SyncAccount,
        http: httpx.AsyncClient,
        *,
        mark_concurrency: int = MARK_CONCURRENCY,
    ) -> None:
        self.requests = 0
        self._http = http
        self._host = server_host(account.url, "?")
        self._url, self._url_error = _endpoint(account.url)
        digest = hashlib.md5(f"{account.user}:{account.password}".encode(), usedforsecurity=False)
        self._api_key = digest.hexdigest()
        self._mark_concurrency = max(1, mark_concurrency)
        # Items already fetched while looking for recent ids, so items() need not ask again.
        self._cache: dict[str, RemoteItem] = {}

    # --- the SyncClient interface -------------------------------------------------------

    async def login(self) -> None:
        """Check the key: a bare ``?api`` answers ``auth`` 1 or 0 and nothing else."""
        await self._call([])

    async def feeds(self) -> list[RemoteFeed]:
        """Every feed with the titles of the groups it is filed under."""
        # Two requests: some servers answer only the first command of a request.
        groups_answer = await self._call([("groups", "")])
        feeds_answer = await self._call([("feeds", "")])
        titles: dict[str, str] = {}
        for group in _list_of(groups_answer, "groups"):
            group_id = parse_id(_field(group, "id"), "a group id")
            title = group.get("title")
            titles[group_id] = title if isinstance(title, str) and title else group_id
        links = groups_answer.get("feeds_groups")
        if links is None:
            links = feeds_answer.get("feeds_groups")
        folders: dict[str, list[str]] = {}
        for link in _list_of({"feeds_groups": links or []}, "feeds_groups"):
            group_id = parse_id(_field(link, "group_id"), "a group id")
            title = titles.get(group_id)
            if title is None:
                continue
            for feed_id in parse_id_list(link.get("feed_ids"), "the feeds of a group"):
                folders.setdefault(feed_id, []).append(title)
        feeds: list[RemoteFeed] = []
        for entry in _list_of(feeds_answer, "feeds"):
            feed_id = parse_id(_field(entry, "id"), "a feed id")
            url = entry.get("url")
            if not isinstance(url, str) or not url:
                raise SyncError(f"the Fever server at {self._host} sent a feed without a URL")
            title = entry.get("title")
            site_url = entry.get("site_url")
            feeds.append(
                RemoteFeed(
                    id=feed_id,
                    url=url,
                    title=title if isinstance(title, str) and title else url,
                    site_url=site_url if isinstance(site_url, str) and site_url else None,
                    folders=tuple(dict.fromkeys(folders.get(feed_id, ()))),
                )
            )
        return feeds

    async def unread_ids(self) -> set[str]:
        """The server's ``unread_item_ids`` (one request, however long the list)."""
        answer = await self._call([("unread_item_ids", "")])
        if "unread_item_ids" not in answer:
            raise SyncError(f"the Fever server at {self._host} did not list its unread items")
        return parse_id_list(answer["unread_item_ids"], "unread item ids")

    async def starred_ids(self) -> set[str]:
        """The server's ``saved_item_ids``."""
        answer = await self._call([("saved_item_ids", "")])
        if "saved_item_ids" not in answer:
            raise SyncError(f"the Fever server at {self._host} did not list its saved items")
        return parse_id_list(answer["saved_item_ids"], "saved item ids")

    async def recent_ids(self, since: datetime, cursor: str | None) -> tuple[set[str], str]:
        """New items since the last sync, or on a first sync those published after ``since``.

        With a cursor (the highest id seen last time) this pages forward with ``since_id``.
        Without one it pages backwards from the newest item with ``max_id`` until a whole page
        is older than ``since``; it also pages forward from the highest id of the first page,
        which costs one request on a server that pages backwards as the protocol says and
        covers the servers that answer ``max_id`` with their oldest items instead.
        """
        start = _cursor_value(cursor)
        if start is not None:
            found, top = await self._page_forward(start, None)
            return found, str(top)
        found = set[str]()
        first = await self._page([("max_id", str(_TOP_ID))])
        if not first:
            return found, "0"
        self._keep(first, since, found)
        top = max(int(item.id) for item in first)
        newer, top = await self._page_forward(top, since)
        found |= newer
        lowest = min(int(item.id) for item in first)
        if not all(_older(item, since) for item in first):
            found |= await self._page_backward(lowest, since)
        return found, str(top)

    async def items(self, ids: Collection[str]) -> AsyncIterator[list[RemoteItem]]:
        """The items, ``PAGE_SIZE`` at a time: those already fetched first, then ``with_ids``."""
        wanted = list(dict.fromkeys(parse_id(i, "an item id") for i in ids))
        known = [self._cache.pop(i) for i in wanted if i in self._cache]
        known_ids = {item.id for item in known}
        missing = [i for i in wanted if i not in known_ids]
        for start in range(0, len(known), PAGE_SIZE):
            yield known[start : start + PAGE_SIZE]
        for start in range(0, len(missing), PAGE_SIZE):
            chunk = missing[start : start + PAGE_SIZE]
            asked = set(chunk)
            page = await self._page([("with_ids", ",".join(chunk))])
            # A server may ignore with_ids and send its latest items: keep only those asked.
            batch = [item for item in page if item.id in asked]
            if batch:
                yield batch

    async def send_marks(self, marks: Sequence[Mark]) -> None:
        """Send each mark as its own request, a few at a time; raise after all were tried."""
        forms = [_mark_form(mark) for mark in marks]
        limit = asyncio.Semaphore(self._mark_concurrency)

        async def send(form: list[tuple[str, str]]) -> None:
            async with limit:
                await self._call([], form, missing_ok=True)

        outcomes = await asyncio.gather(*(send(form) for form in forms), return_exceptions=True)
        errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        for error in errors:
            if not isinstance(error, SyncError):
                raise error
        if errors:
            # The refusal or the outage says more than the errors it caused in other marks.
            for kind in (SyncAuthError, SyncUnreachable):
                for error in errors:
                    if isinstance(error, kind):
                        raise error
            raise errors[0]

    async def subscribe(self, url: str, folder: str | None = None) -> RemoteFeed:
        """Fever has no way to subscribe."""
        raise SyncUnsupported(_NO_SUBSCRIPTIONS)

    async def unsubscribe(self, feed_id: str) -> None:
        """Fever has no way to unsubscribe."""
        raise SyncUnsupported(_NO_SUBSCRIPTIONS)

    async def aclose(self) -> None:
        """Forget the items kept from paging (the ``httpx`` client belongs to the caller)."""
        self._cache.clear()

    # --- paging -------------------------------------------------------------------------

    def _keep(self, page: Iterable[RemoteItem], since: datetime | None, found: set[str]) -> None:
        for item in page:
            if since is None or not _older(item, since):
                found.add(item.id)
                self._cache[item.id] = item

    async def _page_forward(self, after: int, since: datetime | None) -> tuple[set[str], int]:
        found = set[str]()
        for _ in range(MAX_PAGES):
            page = [i for i in await self._page([("since_id", str(after))]) if int(i.id) > after]
            if not page:
                return found, after
            self._keep(page, since, found)
            after = max(int(item.id) for item in page)
        raise SyncError(f"the Fever server at {self._host} kept sending new pages of items")

    async def _page_backward(self, before: int, since: datetime) -> set[str]:
        found = set[str]()
        for _ in range(MAX_PAGES):
            page = [i for i in await self._page([("max_id", str(before))]) if int(i.id) < before]
            if not page:
                return found
            self._keep(page, since, found)
            if all(_older(item, since) for item in page):
                return found
            before = min(int(item.id) for item in page)
        raise SyncError(f"the Fever server at {self._host} kept sending older pages of items")

    async def _page(self, arguments: list[tuple[str, str]]) -> list[RemoteItem]:
        answer = await self._call([("items", ""), *arguments])
        # A server with nothing to send may leave the list out altogether.
        return [_item(entry) for entry in _list_of(answer, "items", required=False)]

    # --- one request --------------------------------------------------------------------

    async def _call(
        self,
        query: list[tuple[str, str]],
        form: list[tuple[str, str]] | None = None,
        *,
        missing_ok: bool = False,
    ) -> dict[str, Any]:
        """POST to the endpoint; return the JSON object of an authorised answer.

        ``missing_ok``: a 404 is taken as done (a mark for an item the server has deleted
        can never be delivered, and must not block the marks after it).
        """
        if self._url_error is not None:
            raise SyncError(self._url_error)
        self.requests += 1
        url = self._url + ("&" + urlencode(query) if query else "")
        data = [("api_key", self._api_key), *(form or [])]
        try:
            async with self._http.stream(
                "POST", url, data=dict(data), headers={"Accept": "application/json"}
            ) as response:
                status = response.status_code
                body = await read_capped(response, MAX_BODY)
                if body is None:
                    raise SyncError(
                        f"the Fever server at {self._host} sent an answer over {MAX_BODY} bytes"
                    )
        except httpx.TimeoutException:
            raise SyncUnreachable(f"the Fever server at {self._host} timed out") from None
        except (httpx.TransportError, OSError) as error:
            reason = _one_line(str(error))[:200] or type(error).__name__
            raise SyncUnreachable(
                f"cannot reach the Fever server at {self._host}: {reason}"
            ) from None
        except httpx.HTTPError as error:
            raise SyncError(f"the Fever server at {self._host}: {type(error).__name__}") from None
        if status >= 500:
            raise SyncUnreachable(f"the Fever server at {self._host} answered HTTP {status}")
        if status == 404 and missing_ok:
            return {}
        if status in (401, 403):
            raise SyncAuthError(f"the Fever server at {self._host} refused the user or password")
        if status >= 400:
            raise SyncError(f"the Fever server at {self._host} answered HTTP {status}")
        if 300 <= status < 400:
            # Usually a login page or http -> https; the API itself never redirects.
            raise SyncError(
                f"the Fever server at {self._host} redirected the request (HTTP {status}): "
                "check the URL"
            )
        answer = _decode(body, self._host)
        auth = answer.get("auth")
        if auth in (0, "0") or auth is False:
            raise SyncAuthError(f"the Fever server at {self._host} refused the user or password")
        if auth not in (1, "1") and auth is not True:
            raise SyncError(f"the Fever server at {self._host} sent no Fever 'auth' field")
        return answer


_NO_SUBSCRIPTIONS = "the Fever API cannot add or remove feeds: use the server's own web interface"


def make_client(
    account: SyncAccount, http: httpx.AsyncClient, session_path: Path | None
) -> SyncClient:
    """The client for ``account`` (Fever keeps no session, so ``session_path`` is unused)."""
    return FeverClient(account, http)


# --- parsing ---------------------------------------------------------------------------


def parse_id(value: object, what: str) -> str:
    """One id in canonical form (decimal text, no leading zeros); SyncError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**20:
        return str(value)
    if isinstance(value, str) and _ID.fullmatch(value):
        return str(int(value)) if value[0] == "0" and len(value) > 1 else value
    raise SyncError(f"the Fever server sent {what} that is not a decimal id")


def parse_id_list(value: object, what: str) -> set[str]:
    """A comma-separated id list (or a JSON list of ids) as a set of canonical ids.

    The list may hold hundreds of thousands of ids, so the common case is one regular
    expression check and one split, with no per-id Python work.
    """
    if value is None or value == "":
        return set()
    if isinstance(value, list):
        return {parse_id(one, what) for one in value}
    if isinstance(value, int) and not isinstance(value, bool):
        return {parse_id(value, what)}
    if not isinstance(value, str):
        raise SyncError(f"the Fever server sent {what} that are not a list of ids")
    text = value
    if " " in text or text.endswith(","):
        text = text.replace(" ", "").strip(",")
        if not text:
            return set()
    if not _ID_LIST.fullmatch(text):
        raise SyncError(f"the Fever server sent {what} that are not decimal ids")
    ids = text.split(",")
    if _LEADING_ZERO.search(text):
        return {str(int(one)) for one in ids}
    return set(ids)


def _item(entry: object) -> RemoteItem:
    if not isinstance(entry, dict):
        raise SyncError("the Fever server sent an item that is not a JSON object")
    return RemoteItem(
        id=parse_id(entry.get("id"), "an item id"),
        feed_id=parse_id(entry.get("feed_id"), "an item's feed id"),
        title=_text(entry.get("title")) or "",
        url=_text(entry.get("url")) or None,
        guid=None,
        author=_text(entry.get("author")) or None,
        published=_time(entry.get("created_on_time")),
        html=_text(entry.get("html")) or "",
    )


def _text(value: object) -> str | None:
    # Some servers send numbers for titles made of digits; anything else is dropped.
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _time(value: object) -> datetime | None:
    if isinstance(value, str) and _ID.fullmatch(value):
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _older(item: RemoteItem, since: datetime) -> bool:
    # An item without a date counts as recent: dropping it would hide it for good.
    return item.published is not None and item.published < since


def _field(entry: object, name: str) -> object:
    if not isinstance(entry, dict):
        raise SyncError("the Fever server sent a list entry that is not a JSON object")
    return entry.get(name)


def _list_of(answer: dict[str, Any], key: str, *, required: bool = True) -> list[Any]:
    value = answer.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise SyncError(f"the Fever server's answer has no list of {key}")
    return value


def _mark_form(mark: Mark) -> list[tuple[str, str]]:
    item_id = parse_id(mark.item_id, "an item id")
    if mark.flag == "read":
        state = "read" if mark.value else "unread"
    else:
        state = "saved" if mark.value else "unsaved"
    return [("mark", "item"), ("as", state), ("id", item_id)]


def _cursor_value(cursor: str | None) -> int | None:
    # A cursor this module did not write (or "0" from an empty server) means a first sync.
    if cursor is None or not _ID.fullmatch(cursor) or int(cursor) == 0:
        return None
    return int(cursor)


# --- transport -------------------------------------------------------------------------


def _endpoint(url: str) -> tuple[str, str | None]:
    """The URL with the ``api`` argument the protocol needs, or an error for a bad URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "", f"the Fever URL must start with http:// or https://: {_one_line(url)[:200]}"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name == "api" for name, _ in query):
        query.append(("api", ""))
    # Bare names ("api", not "api=") are what the protocol's own examples send.
    text = "&".join(urlencode([pair]) if pair[1] else pair[0] for pair in query)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", text, "")), None


def _decode(body: bytes, host: str) -> dict[str, Any]:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")):
        raise SyncError(
            f"the Fever server at {host} answered with a web page, not Fever JSON "
            "(check the URL: it usually ends in /fever/ or /api/fever.php)"
        )
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        raise SyncError(f"the Fever server at {host} did not answer with valid JSON") from None
    if not isinstance(answer, dict):
        raise SyncError(f"the Fever server at {host} answered JSON that is not an object")
    return answer


def _one_line(text: str) -> str:
    return " ".join(text.split())
