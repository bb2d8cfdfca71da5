"""The Google Reader API client (FreshRSS, Miniflux, The Old Reader, BazQux, ...).

The conversation, as the servers document it:

- ``accounts/ClientLogin`` with ``Email`` and ``Passwd`` answers ``Auth=<token>``; every later
  request carries ``Authorization: GoogleLogin auth=<token>``. The token is kept in a session
  file (mode 0600) and reused, so a sync does not log in each time; a 401 logs in again once.
- ``reader/api/0/token`` gives the action token ``T`` that every POST carries. FreshRSS lets a
  POST without it through; Miniflux refuses a missing or stale one with a 401, so a refused
  POST fetches a fresh ``T`` once and tries again.
- ``stream/items/ids`` lists ids a page at a time (``n``) with a continuation ``c``: FreshRSS
  hands back the last item id, Miniflux an offset, so it is passed back untouched.
- ``stream/items/contents`` is POSTed with many ``i=`` at once. ``stream/contents`` is never
  used: Miniflux does not have it.
- ``edit-tag`` adds (``a=``) or removes (``r=``) ``user/-/state/com.google/read`` or ``starred``
  for many ``i=`` at once.

Item ids come in three spellings: long hex (``tag:google.com,2005:reader/item/00000000000000ff``),
short hex (``00000000000000ff``) and decimal (``255``). Every id this client returns or accepts
is converted into the long form, and only the long form is sent: a server reads a bare number
as decimal, so bare short hex would name another item.

The read ids are never asked for (FreshRSS would send every item it has): an item is read when
it is not in the unread list.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import AsyncIterator, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote_plus, urlencode

import httpx

from tui_reader.core.sanitize import clean_line, safe_url
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
)
from tui_reader.core.sync.wire import read_capped, server_host

LONG_ID_PREFIX: Final = "tag:google.com,2005:reader/item/"
READING_LIST: Final = "user/-/state/com.google/reading-list"
READ: Final = "user/-/state/com.google/read"
STARRED: Final = "user/-/state/com.google/starred"
LABEL_PREFIX: Final = "user/-/label/"

#: Ids asked for per ``stream/items/ids`` page. Servers cap ``n`` differently; a larger page only
#: costs one bigger answer, and 10,000 unread ids stay ten requests.
ID_PAGE_SIZE: Final = 1000
#: Items per ``stream/items/contents`` or ``edit-tag`` request: large enough that 10,000 items
#: are forty requests, small enough that one answer with full bodies stays a few megabytes and
#: the form stays under common request-size limits of reverse proxies.
BATCH_SIZE: Final = 250
#: The largest answer read into memory; a server that sends more is broken or hostile.
MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
#: ``recent_ids`` cursors step back this far, so an item the server files with a time slightly
#: before the previous sync (clock skew, slow crawl) is still seen; duplicates are harmless.
RECENT_OVERLAP: Final = timedelta(hours=1)

_U64: Final = 1 << 64
_QUOTED_PREFIX: Final = quote_plus(LONG_ID_PREFIX)
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def _is_hex(text: str) -> bool:
    return bool(text) and _HEX.issuperset(text)


def canonical_item_id(raw: object, *, decimal: bool = False) -> str:
    """Return the long form of an item id given in any of the three spellings.

    Args:
        raw: the id as the server sent it (text, or a JSON number).
        decimal: the id comes from a place where the protocol uses decimal
            (``stream/items/ids``), so a bare run of digits is decimal even when it is sixteen
            characters long. Elsewhere a bare sixteen-character hex string is short hex.

    Raises:
        SyncError: the id is none of the three spellings or does not fit in 64 bits.
    """
    text = str(raw).strip()
    value: int | None = None
    try:
        if text[: len(LONG_ID_PREFIX)].lower() == LONG_ID_PREFIX:
            hex_part = text[len(LONG_ID_PREFIX) :]
            if hex_part and len(hex_part) <= 16:
                value = int(hex_part, 16)
        elif text.lstrip("-").isdigit() and (decimal or len(text) != 16):
            value = int(text, 10)
            if value < 0:
                # Google Reader printed ids as signed 64-bit numbers.
                value += _U64
        elif len(text) <= 16 and _is_hex(text):
            value = int(text, 16)
    except ValueError:
        value = None
    if value is None or not 0 <= value < _U64:
        raise SyncError(f"the server sent an item id that is not one: {clean_line(text)[:60]!r}")
    return f"{LONG_ID_PREFIX}{value:016x}"


def _form(pairs: Sequence[tuple[str, str]]) -> str:
    """``urlencode`` for a form, with a fast path for long item ids.

    A batch is hundreds of ids that share one prefix and end in hex digits, which need no
    quoting: quoting the prefix once instead of per id was most of the cost of a batch.
    """
    parts = []
    for key, value in pairs:
        if value.startswith(LONG_ID_PREFIX) and _is_hex(value[len(LONG_ID_PREFIX) :]):
            parts.append(f"{quote_plus(key)}={_QUOTED_PREFIX}{value[len(LONG_ID_PREFIX) :]}")
        else:
            parts.append(f"{quote_plus(key)}={quote_plus(value)}")
    return "&".join(parts)


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _label_name(category: object) -> str | None:
    """The folder name of a ``categories`` entry, or None when it is not a label."""
    if not isinstance(category, dict):
        return None
    cat_id = category.get("id")
    if not isinstance(cat_id, str):
        return None
    # Servers spell the user either "-" or by number ("user/1234/label/News").
    marker = "/label/"
    if not cat_id.startswith("user/") or marker not in cat_id:
        return None
    label = category.get("label")
    name = label if isinstance(label, str) and label else cat_id.split(marker, 1)[1]
    name = clean_line(name)
    return name or None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _first_href(value: object) -> str | None:
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict) and isinstance(entry.get("href"), str):
                return str(entry["href"])
    return None


def _published(item: dict[str, Any]) -> datetime | None:
    for key, scale in (("published", 1), ("timestampUsec", 1_000_000), ("crawlTimeMsec", 1000)):
        raw = item.get(key)
        try:
            seconds = int(raw) / scale if raw is not None and raw != "" else None
        except (TypeError, ValueError):
            seconds = None
        if seconds and seconds > 0:
            try:
                return datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return None


@dataclass(frozen=True, slots=True)
class _Answer:
    """A response with its body read, so nothing stays streaming past one request."""

    status: int
    body: bytes


class GReaderClient:
    """A :class:`~tui_reader.core.sync.base.SyncClient` for the Google Reader API.

    ``account.url`` is the API root: ``https://host/api/greader.php`` for FreshRSS, the site
    root for Miniflux. ``http`` is shared and not closed here.
    """

    kind: SyncKind = "greader"
    can_subscribe: bool = True

    def __init__(
        self,
        account: SyncAccount,
        http: httpx.AsyncClient,
        session_path: Path | None = None,
        *,
        page_size: int = ID_PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.account = account
        self.requests = 0
        #: ClientLogin requests sent (a reused session sends none).
        self.logins = 0
        self._http = http
        self._session_path = session_path
        self._root = account.url.rstrip("/")
        # Named in messages: the host and port only, never credentials written into the URL.
        self._host = server_host(account.url, "the server")
        self._page_size = max(1, page_size)
        self._batch_size = max(1, batch_size)
        self._auth: str | None = None
        self._token: str | None = None

    # -- session ----------------------------------------------------------------------------

    async def login(self) -> None:
        """Reuse the stored session token when it belongs to this account, else log in."""
        if self._auth is None:
            self._auth = self._load_session()
        if self._auth is None:
            await self._client_login()

    def _session_key(self) -> dict[str, str]:
        return {"url": self._root, "user": self.account.user}

    def _load_session(self) -> str | None:
        if self._session_path is None:
            return None
        try:
            data = json.loads(self._session_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or any(
            data.get(k) != v for k, v in self._session_key().items()
        ):
            # A token for another server or user must not be sent here.
            return None
        auth = data.get("auth")
        return auth if isinstance(auth, str) and self._valid_token(auth) else None

    def _save_session(self, auth: str) -> None:
        if self._session_path is None:
            return
        path = self._session_path
        data = json.dumps({**self._session_key(), "auth": auth}).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # mkstemp creates the file 0600 from the start, so the token is never readable by
            # others, not even between creating and renaming it.
            fd, tmp = tempfile.mkstemp(prefix=".session-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            # Not fatal: the next sync logs in again.
            return

    def _forget_session(self) -> None:
        self._auth = None
        self._token = None
        if self._session_path is not None:
            with contextlib.suppress(OSError):
                self._session_path.unlink()

    @staticmethod
    def _valid_token(token: str) -> bool:
        # It goes into a header: printable ASCII without spaces, and not absurdly long.
        return (
            0 < len(token) <= 4096 and token.isascii() and token.isprintable() and " " not in token
        )

    async def _client_login(self) -> None:
        self.logins += 1
        response = await self._send(
            "POST",
            "/accounts/ClientLogin",
            data=[("Email", self.account.user), ("Passwd", self.account.password)],
        )
        if response.status in (401, 403):
            raise SyncAuthError(f"{self._host} refused the user name or password")
        self._check_status(response, "/accounts/ClientLogin")
        text = self._decode(response)
        auth = None
        for line in text.splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "Auth":
                auth = value.strip()
        if not auth:
            raise SyncError(self._not_api(text, "the login"))
        if not self._valid_token(auth):
            raise SyncError(f"{self._host} sent a login token that cannot be used")
        self._auth = auth
        self._token = None
        self._save_session(auth)

    async def _fetch_token(self) -> str:
        response = await self._authorized("GET", "/reader/api/0/token")
        token = self._decode(response).strip()
        if not self._valid_token(token) or token.startswith("<"):
            raise SyncError(self._not_api(token, "the action token"))
        self._token = token
        return token

    # -- transport ----------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        data: list[tuple[str, str]] | None = None,
        auth: bool = False,
    ) -> _Answer:
        """One request, its body read (capped); transport failures become SyncUnreachable."""
        headers = {}
        if auth and self._auth:
            headers["Authorization"] = f"GoogleLogin auth={self._auth}"
        content = None
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            content = _form(data).encode()
        self.requests += 1
        try:
            url = self._root + path + (f"?{urlencode(params)}" if params else "")
            request = self._http.build_request(method, url, headers=headers, content=content)
            response = await self._http.send(request, stream=True)
            try:
                body = await read_capped(response, MAX_RESPONSE_BYTES)
                if body is None:
                    raise SyncError(f"{self._host} sent an answer too large to read")
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise SyncUnreachable(f"{self._host} did not answer in time") from None
        except (httpx.TransportError, httpx.StreamError) as error:
            reason = clean_line(str(error)) or type(error).__name__
            raise SyncUnreachable(f"cannot reach {self._host}: {reason[:120]}") from None
        except httpx.InvalidURL:
            raise SyncError(f"the sync URL is not usable: {clean_line(self._root)[:120]}") from None
        return _Answer(response.status_code, body)

    async def _authorized(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        data: list[tuple[str, str]] | None = None,
    ) -> _Answer:
        """A request that needs the session (and, for POST, the action token).

        A refused POST first gets a fresh ``T`` (Miniflux refuses a stale one with 401), then
        a refused request logs in once more (the session expired); a third refusal is final.
        """
        if self._auth is None:
            await self.login()
        refreshed_token = False
        logged_in_again = False
        while True:
            form = None
            if data is not None:
                token = self._token or await self._fetch_token()
                form = [*data, ("T", token)]
            response = await self._send(method, path, params=params, data=form, auth=True)
            if response.status not in (401, 403):
                self._check_status(response, path)
                return response
            if data is not None and not refreshed_token:
                refreshed_token = True
                self._token = None
                continue
            if not logged_in_again:
                logged_in_again = True
                self._forget_session()
                await self._client_login()
                continue
            raise SyncAuthError(f"{self._host} refused the stored session and a new login")

    def _check_status(self, response: _Answer, path: str) -> None:
        status = response.status
        if status >= 500:
            raise SyncUnreachable(f"{self._host} answered with server error {status}")
        if status == 404:
            raise SyncError(f"{self._host} has no {path} (is the URL the Google Reader API root?)")
        if status >= 400:
            raise SyncError(f"{self._host} refused {path} with status {status}")

    @staticmethod
    def _decode(answer: _Answer) -> str:
        # Both protocols answer in UTF-8 whatever the Content-Type says.
        return answer.body.decode("utf-8", errors="replace")

    def _not_api(self, text: str, what: str) -> str:
        if text.lstrip()[:1] == "<":
            return (
                f"{self._host} sent a web page instead of {what} "
                "(check that the URL is the Google Reader API root)"
            )
        return f"{self._host} sent something unexpected instead of {what}"

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        data: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        params = [*(params or []), ("output", "json")]
        response = await self._authorized(method, path, params=params, data=data)
        text = self._decode(response)
        try:
            value = json.loads(text)
        except ValueError:
            raise SyncError(self._not_api(text, f"JSON from {path}")) from None
        if not isinstance(value, dict):
            raise SyncError(f"{self._host} sent JSON of the wrong shape from {path}")
        return value

    async def _post_ok(self, path: str, data: list[tuple[str, str]]) -> None:
        response = await self._authorized("POST", path, data=data)
        text = self._decode(response).strip()
        if text[:1] == "<":
            raise SyncError(self._not_api(text, f"an answer to {path}"))

    # -- reading ------------------------------------------------------------------------------

    async def feeds(self) -> list[RemoteFeed]:
        """Every subscription, with its folders from ``user/-/label/NAME`` categories."""
        data = await self._json("GET", "/reader/api/0/subscription/list")
        subscriptions = data.get("subscriptions")
        if not isinstance(subscriptions, list):
            raise SyncError(f"{self._host} sent a subscription list without subscriptions")
        feeds = []
        for sub in subscriptions:
            if not isinstance(sub, dict) or not isinstance(sub.get("id"), str):
                continue
            feed_id = sub["id"]
            url = _text(sub.get("url"))
            if not url and feed_id.startswith("feed/") and "://" in feed_id:
                # Old Google Reader style: the feed id is "feed/<url>".
                url = feed_id[len("feed/") :]
            categories = sub.get("categories")
            folders = tuple(
                dict.fromkeys(
                    name
                    for name in map(_label_name, categories if isinstance(categories, list) else ())
                    if name
                )
            )
            feeds.append(
                RemoteFeed(
                    id=feed_id,
                    url=url,
                    title=_text(sub.get("title")),
                    site_url=safe_url(_text(sub.get("htmlUrl")), fetchable=True),
                    folders=folders,
                )
            )
        return feeds

    async def _stream_ids(
        self, stream: str, *, exclude: str | None = None, since: int | None = None
    ) -> set[str]:
        ids: set[str] = set()
        continuation: str | None = None
        seen: set[str] = set()
        while True:
            params = [("s", stream), ("n", str(self._page_size))]
            if exclude:
                params.append(("xt", exclude))
            if since is not None:
                params.append(("ot", str(since)))
            if continuation:
                params.append(("c", continuation))
            data = await self._json("GET", "/reader/api/0/stream/items/ids", params=params)
            refs = data.get("itemRefs") or []
            if not isinstance(refs, list):
                raise SyncError(f"{self._host} sent an id list of the wrong shape")
            before = len(ids)
            for ref in refs:
                if isinstance(ref, dict) and "id" in ref:
                    ids.add(canonical_item_id(ref["id"], decimal=True))
            raw = data.get("continuation")
            continuation = str(raw) if raw not in (None, "", 0) else None
            # A server that repeats a continuation or stops adding ids would loop forever.
            if not continuation or continuation in seen or len(ids) == before:
                return ids
            seen.add(continuation)

    async def unread_ids(self) -> set[str]:
        """Every unread id: the reading list without the read state (never the read ids)."""
        return await self._stream_ids(READING_LIST, exclude=READ)

    async def starred_ids(self) -> set[str]:
        """Every starred id."""
        return await self._stream_ids(STARRED)

    async def recent_ids(self, since: datetime, cursor: str | None) -> tuple[set[str], str]:
        """Ids of items the server added after ``since`` (or after the cursor's time).

        The cursor is a Unix time in seconds, taken before asking and stepped back by
        :data:`RECENT_OVERLAP`, so nothing added during or just before the call is missed.
        """
        started = datetime.now(UTC)
        start = since
        if cursor:
            try:
                start = datetime.fromtimestamp(int(cursor), UTC)
            except (ValueError, OverflowError, OSError):
                start = since
        ids = await self._stream_ids(READING_LIST, since=max(0, int(start.timestamp())))
        return ids, str(int((started - RECENT_OVERLAP).timestamp()))

    async def items(self, ids: Collection[str]) -> AsyncIterator[list[RemoteItem]]:
        """The items, :data:`BATCH_SIZE` ids per ``stream/items/contents`` POST."""
        wanted = sorted({canonical_item_id(i) for i in ids})
        for batch in _chunks(wanted, self._batch_size):
            data = await self._json(
                "POST",
                "/reader/api/0/stream/items/contents",
                data=[("i", item_id) for item_id in batch],
            )
            raw_items = data.get("items")
            if not isinstance(raw_items, list):
                raise SyncError(f"{self._host} sent item contents without items")
            yield [item for item in map(self._item, raw_items) if item is not None]

    def _item(self, raw: object) -> RemoteItem | None:
        if not isinstance(raw, dict) or "id" not in raw:
            return None
        try:
            item_id = canonical_item_id(raw["id"])
        except SyncError:
            # One unreadable item must not cost the whole batch.
            return None
        origin = raw.get("origin")
        feed_id = _text(origin.get("streamId")) if isinstance(origin, dict) else ""
        link = _first_href(raw.get("canonical")) or _first_href(raw.get("alternate"))
        body = raw.get("content") if isinstance(raw.get("content"), dict) else raw.get("summary")
        html = _text(body.get("content")) if isinstance(body, dict) else ""
        return RemoteItem(
            id=item_id,
            feed_id=feed_id,
            title=_text(raw.get("title")),
            url=safe_url(link, fetchable=True),
            author=_text(raw.get("author")) or None,
            published=_published(raw),
            html=html,
        )

    # -- writing ------------------------------------------------------------------------------

    async def send_marks(self, marks: Sequence[Mark]) -> None:
        """Deliver the marks, one ``edit-tag`` per (flag, value) and :data:`BATCH_SIZE` ids."""
        groups: dict[tuple[str, bool], dict[str, None]] = {}
        latest: dict[tuple[str, str], bool] = {}
        for mark in marks:
            # Within one call the last change of an (item, flag) is what the user meant.
            latest[(canonical_item_id(mark.item_id), mark.flag)] = mark.value
        for (item_id, flag), value in latest.items():
            groups.setdefault((flag, value), {})[item_id] = None
        for (flag, value), item_ids in groups.items():
            tag = READ if flag == "read" else STARRED
            for batch in _chunks(list(item_ids), self._batch_size):
                form = [("i", item_id) for item_id in batch]
                form.append(("a" if value else "r", tag))
                await self._post_ok("/reader/api/0/edit-tag", form)

    async def subscribe(self, url: str, folder: str | None = None) -> RemoteFeed:
        """``subscription/quickadd``, then file the feed under ``folder`` if one is given."""
        if safe_url(url, fetchable=True) is None:
            raise SyncError(f"not an http(s) feed URL: {clean_line(url)[:120]}")
        data = await self._json(
            "POST", "/reader/api/0/subscription/quickadd", data=[("quickadd", url)]
        )
        stream_id = data.get("streamId")
        if not isinstance(stream_id, str) or not stream_id or not data.get("numResults", 1):
            reason = clean_line(_text(data.get("error")))[:120]
            raise SyncError(
                f"{self._host} could not subscribe to {clean_line(url)[:120]}"
                + (f": {reason}" if reason else "")
            )
        if folder:
            await self._post_ok(
                "/reader/api/0/subscription/edit",
                [("ac", "edit"), ("s", stream_id), ("a", LABEL_PREFIX + folder)],
            )
        return RemoteFeed(
            id=stream_id,
            url=_text(data.get("query")) or url,
            title=_text(data.get("streamName")),
            folders=(folder,) if folder else (),
        )

    async def unsubscribe(self, feed_id: str) -> None:
        """``subscription/edit`` with ``ac=unsubscribe``."""
        await self._post_ok(
            "/reader/api/0/subscription/edit", [("ac", "unsubscribe"), ("s", feed_id)]
        )

    async def aclose(self) -> None:
        """Nothing to release: the ``httpx`` client belongs to the caller."""
        self._token = None


def make_client(
    account: SyncAccount, http: httpx.AsyncClient, session_path: Path | None
) -> SyncClient:
    """The entry point the sync engine looks up by ``account.kind``."""
    return GReaderClient(account, http, session_path)
