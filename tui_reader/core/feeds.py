"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom via feedparser-rs or feedparser, JSON Feed via ``json``.

:func:`parse_feed` turns the bytes of a feed into a :class:`ParsedFeed` of plain, cleaned
values: every line of text has been through ``clean_line``, every link is an absolute http(s)
URL (or ``None``), every date is timezone-aware. HTML bodies stay HTML; the extractor cleans
them when an article is shown.

XML documents go to the fast Rust parser first (:mod:`tui_reader.core.feedparse_fast`) and to
feedparser when that one reports a problem, finds nothing, or may have misread the encoding;
both results are normalized by the same code here, so an entry looks the same whichever
parser read it.

XML feeds are untrusted documents, so before any parser sees one we refuse any document that
declares entities (the "billion laughs" expansion and external-entity tricks both need a
declaration). feedparser itself is given the bytes wrapped in a stream, because given a bare
``bytes``/``str`` it would treat a body such as ``/etc/passwd`` or ``file:...`` as a path or
URL to open.

Nothing is dropped silently: a document with more than ``max_entries`` entries keeps the
newest of them by date, and :attr:`ParsedFeed.notice` says how many were kept of how many.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from tui_reader.core import feedparse_fast
from tui_reader.core.errors import FeedError
from tui_reader.core.feedparse_urls import entry_url
from tui_reader.core.sanitize import clean_line, clean_text, safe_url

FeedKind = Literal["rss", "atom", "json"]

_XML_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_JSON_FEED_TYPES = frozenset({"application/feed+json"})
_JSON_TYPES = frozenset({"application/feed+json", "application/json"})
_MAX_GUID = 2048
MAX_ENTRIES = 100_000
"""Entries kept from one document, far above any real feed; beyond it the newest are kept."""

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# The first start tag after the prolog (XML declaration, comments, processing instructions,
# DOCTYPE without an internal subset).
_PROLOG_ITEM = re.compile(
    rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\]\s*)?>)", re.DOTALL | re.IGNORECASE
)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w:.-]*)")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed."""

    guid: str
    """The entry's id, else its link, else a hash of title and date: stable across fetches."""
    url: str | None
    """Absolute http(s) link to the article, or ``None``."""
    title: str
    author: str | None
    published: datetime | None
    """When the entry was published; its update time when that is all it gives."""
    updated: datetime | None
    summary_html: str | None
    content_html: str | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its own metadata and its entries in document order."""

    title: str
    site_url: str | None
    entries: tuple[FeedEntry, ...]
    kind: FeedKind
    notice: str | None = None
    """Set when entries were left out (a limit applied): says how many were kept, of how many."""
    fast: bool = False
    """The fast parser read the whole document (an XML feed; see :mod:`feedparse_fast`)."""


def parse_feed(
    data: bytes,
    url: str,
    content_type: str | None = None,
    *,
    charset: str | None = None,
    max_entries: int = MAX_ENTRIES,
) -> ParsedFeed:
    """Parse an RSS, Atom or JSON feed, keeping at most ``max_entries`` entries (the newest).

    Args:
        data: the document as fetched.
        url: where it was fetched from (the base for relative links).
        content_type: the media type from the HTTP response, if any; a ``charset``
            parameter in it is honoured.
        charset: the HTTP charset, when the caller has it separately (``FetchResult.charset``).
        max_entries: how many entries to keep at most; when a document has more, the newest
            by date are kept (see :func:`keep_newest`) and ``notice`` says so.

    Raises:
        FeedError: the document is not a feed, is malformed beyond use, or declares entities.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        # Both parsers take a str for a URL or a path to open; only bytes may reach them.
        raise TypeError("parse_feed takes the document as bytes")
    data = bytes(data)
    shown = clean_line(url)
    media_type, header_charset = _split_content_type(content_type)
    charset = charset or header_charset
    if _is_json(data, media_type):
        feed = _parse_json_feed(data, url, shown)
    else:
        feed = _parse_xml_feed(data, url, shown, charset)
    entries, notice = keep_newest(feed.entries, max_entries)
    if notice is None:
        return feed
    return replace(feed, entries=entries, notice=notice)


def split_feed(
    data: bytes,
    url: str,
    content_type: str | None = None,
    *,
    max_entries: int = MAX_ENTRIES,
) -> list[tuple[bytes, int]]:
    """A large XML feed cut into complete documents of a few thousand entries, with how many
    entries each holds, to be parsed in parallel; an empty list when it is not cut (small,
    JSON, over ``max_entries``, or anything the fast parser would not read whole).

    Each piece parsed with :func:`parse_feed` gives what the whole would, provided the fast
    parser read it (``ParsedFeed.fast``) and found the count given here: a caller that sees
    anything else parses the whole document instead.

    Raises:
        FeedError: the document declares entities.
    """
    data = bytes(data)
    media_type, _ = _split_content_type(content_type)
    if _is_json(data, media_type):
        return []
    refuse_entity_declarations(data, clean_line(url))
    pieces = feedparse_fast.piece_documents(data)
    if sum(count for _, count in pieces) > max_entries:
        return []  # the newest are chosen from the whole document
    return pieces


def keep_newest(
    entries: Sequence[FeedEntry], limit: int
) -> tuple[tuple[FeedEntry, ...], str | None]:
    """The newest ``limit`` of ``entries`` by date, in document order, and a notice if any went.

    Feeds list their items in either order (archives, podcasts and some generators put the
    oldest first), so the document's order cannot decide what is newest; the dates do.

    An undated entry is ranked as if it had the date of the nearest dated entry on its older
    side in the document, and after it: an undated item in a feed written oldest first sits
    among the items of its time, and so it does in one written newest first. Which side is
    older comes from the dated entries themselves (the direction most neighbouring pairs
    go). A feed with no dates at all is taken to list its newest items first, as RSS and Atom
    readers have always assumed, so it keeps its first ``limit`` entries.
    """
    total = len(entries)
    if total <= limit:
        return tuple(entries), None
    limit = max(limit, 0)
    dates = [entry.published or entry.updated for entry in entries]
    rising = falling = 0
    previous: datetime | None = None
    for value in dates:
        if value is None:
            continue
        if previous is not None:
            if value > previous:
                rising += 1
            elif value < previous:
                falling += 1
        previous = value
    oldest_first = rising > falling
    # Walk from the oldest end of the document so each undated entry inherits the date of
    # its older neighbour; the position breaks ties, later in that walk meaning newer.
    order = range(total) if oldest_first else range(total - 1, -1, -1)
    keys: list[tuple[float, int]] = [(0.0, 0)] * total
    carried = float("-inf")
    for rank, index in enumerate(order):
        value = dates[index]
        if value is not None:
            carried = value.timestamp()
        keys[index] = (carried, rank)
    newest = sorted(range(total), key=keys.__getitem__, reverse=True)[:limit]
    kept = tuple(entries[index] for index in sorted(newest))
    return kept, f"kept the newest {limit:,} of {total:,} entries"


def looks_like_feed(data: bytes, content_type: str | None) -> bool:
    """A cheap guess whether ``data`` is a feed (used to decide between a feed and a page).

    True for feed media types, and for documents whose root element is ``rss``, ``feed`` or
    ``rdf:RDF`` or that are JSON naming a jsonfeed.org version.
    """
    media_type, _ = _split_content_type(content_type)
    if media_type in _XML_FEED_TYPES or media_type in _JSON_FEED_TYPES:
        return True
    head = _strip_bom(data[:8192])
    if head.lstrip()[:1] == b"{":
        return b"jsonfeed.org/version" in head
    root = _root_element(head)
    if root is None:
        return False
    local = root.rsplit(b":", 1)[-1].lower()
    return local in (b"rss", b"feed", b"rdf")


# --- XML feeds ---------------------------------------------------------------------------


def _parse_xml_feed(data: bytes, url: str, shown: str, charset: str | None) -> ParsedFeed:
    refuse_entity_declarations(data, shown)
    entries: tuple[FeedEntry, ...] | None = None
    # Whether every entry came from the fast parser (one slow piece makes it False).
    fast_only = True

    def slow(piece: bytes) -> list[Mapping[str, Any]]:
        nonlocal fast_only
        fast_only = False
        return _parse_with_feedparser(piece, url, shown, charset)[1]

    fast, _reason = feedparse_fast.parse_fast(data, url, charset, slow=slow)
    if fast is not None:
        feed, fast_entries, version = fast
        try:
            entries = tuple(_xml_entry(entry, url) for entry in fast_entries)
        except feedparse_fast.Abandoned:
            # A later piece of a large document failed: the fast parser reads it whole,
            # and feedparser if that fails too.
            fast, _reason = feedparse_fast.parse_fast(data, url, charset, in_pieces=False)
            if fast is not None:
                feed, fast_entries, version = fast
                entries = tuple(_xml_entry(entry, url) for entry in fast_entries)
    if entries is None:
        fast_only = False
        feed, slow_entries, version = _parse_with_feedparser(data, url, shown, charset)
        entries = tuple(_xml_entry(entry, url) for entry in slow_entries)
    kind: FeedKind = "atom" if version.startswith("atom") else "rss"
    title = _text_field(feed, "title")
    site_url = safe_url(feed.get("link"), url, fetchable=True)
    return ParsedFeed(title=title, site_url=site_url, entries=entries, kind=kind, fast=fast_only)


def _parse_with_feedparser(
    data: bytes, url: str, shown: str, charset: str | None
) -> tuple[dict[str, Any], list[Mapping[str, Any]], str]:
    """feedparser's reading of ``data``: the feed's metadata, its entries, its version."""
    # Imported here: most documents never need it, and importing it takes tens of
    # milliseconds of every short command.
    import feedparser

    # feedparser follows RFC 3023, under which text/xml without a charset means us-ascii;
    # declaring the document application/xml makes it use the HTTP charset if there is one,
    # else the XML declaration, else UTF-8 (with its own fallbacks after that).
    content_type = "application/xml"
    if charset:
        content_type += f"; charset={charset}"
    try:
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers={"content-type": content_type, "content-location": url},
            resolve_relative_uris=True,
            sanitize_html=True,
        )
    except Exception as exc:
        # feedparser has internal errors on some malformed input (e.g. a KeyError from its
        # loose parser); a hostile document must still end as one line, not a traceback.
        reason = clean_line(str(exc))[:200] or type(exc).__name__
        raise FeedError(f"{shown}: not a valid feed ({reason})") from None
    entries = list(parsed.get("entries") or [])
    version = str(parsed.get("version") or "")
    if not entries:
        problem = parsed.get("bozo_exception")
        # A wrong charset label is worth a warning, not a refusal.
        recoverable = isinstance(
            problem, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType
        )
        if parsed.get("bozo") and not (recoverable and version):
            # feedparser prepends an XML declaration line when the document has none.
            offset = 0 if data.lstrip()[:5] == b"<?xml" else 1
            reason = _bozo_reason(problem, offset)
            raise FeedError(f"{shown}: not a valid feed ({reason})")
        if not version:
            raise FeedError(f"{shown}: not an RSS, Atom or JSON feed")
    return dict(parsed.get("feed") or {}), entries, version


def _xml_entry(parsed_entry: Mapping[str, Any], base: str) -> FeedEntry:
    # A plain dict: feedparser's own mapping invents missing dates from other fields and
    # warns about it; we want exactly what the entry says. (The fast parser's are plain.)
    entry = parsed_entry if type(parsed_entry) is dict else dict(parsed_entry)
    get = entry.get
    title = _text(get("title"), get("title_detail"))
    link = entry_url(_first_link(entry), base)
    published = _struct_to_datetime(get("published_parsed"))
    updated = _struct_to_datetime(get("updated_parsed"))
    if published is None:
        published = _struct_to_datetime(get("created_parsed")) or updated
    contents = get("content") or ()
    raw_summary = get("summary")
    # feedparser copies the content into ``summary`` when an entry has no summary of its own.
    if raw_summary and contents and any(raw_summary == c.get("value") for c in contents):
        raw_summary = None
    summary = _html_field(raw_summary, get("summary_detail"))
    content_html = None
    for content in contents:
        content_html = _html_field(content.get("value"), content)
        if content_html and "html" in str(content.get("type", "")):
            break
    author = None
    detail = get("author_detail")
    if detail and detail.get("name"):
        author = clean_line(str(detail["name"])) or None
    if author is None and get("author"):
        author = clean_line(str(entry["author"])) or None
    guid = _guid(get("id"), link, title, published, content_html or summary)
    return FeedEntry(guid, link, title, author, published, updated, summary, content_html)


def _first_link(entry: Mapping[str, Any]) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links") or ():
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    return None


def refuse_entity_declarations(data: bytes, shown: str) -> None:
    """Raise :class:`FeedError` (``"<shown>: ..."``) if the XML in ``data`` declares entities.

    Used for every XML document from outside (feeds, OPML). Deliberately blunt: any DOCTYPE
    plus any ``<!ENTITY`` anywhere is refused, so no comment, quoting or encoding trick can
    hide a declaration from the check. (A feed with a DOCTYPE that merely quotes
    ``<!ENTITY`` in a CDATA section is refused too; such feeds are vanishingly rare.)
    """
    scanned = _as_utf8_for_scan(data)
    if _DOCTYPE.search(scanned) and _ENTITY_DECLARATION.search(scanned):
        raise FeedError(f"{shown}: entity declarations are not allowed")


def _as_utf8_for_scan(data: bytes) -> bytes:
    """The document re-encoded as UTF-8 when it is in a wide encoding, for byte searches."""
    head = data[:4]
    encoding = None
    if head.startswith((b"\x00\x00\xfe\xff", b"\x00\x00\x00<")):
        encoding = "utf-32-be"
    elif head.startswith((b"\xff\xfe\x00\x00", b"<\x00\x00\x00")):
        encoding = "utf-32-le"
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        encoding = "utf-16-be"
    elif head.startswith((b"\xff\xfe", b"<\x00")):
        encoding = "utf-16-le"
    if encoding is None:
        return data
    return data.decode(encoding, errors="replace").encode("utf-8")


def _bozo_reason(exc: object, line_offset: int = 0) -> str:
    if exc is None:
        return "malformed"
    getter = getattr(exc, "getMessage", None)
    message = str(getter() if callable(getter) else exc)
    line = getattr(exc, "getLineNumber", None)
    if callable(line):
        number = line()
        if isinstance(number, int) and number - line_offset > 0:
            message += f" at line {number - line_offset}"
    return clean_line(message)[:200] or "malformed"


def _text_field(container: Mapping[str, Any], name: str) -> str:
    """A one-line text field; HTML titles (Atom ``type="html"``) lose their tags."""
    return _text(container.get(name), container.get(f"{name}_detail"))


def _text(value: object, detail: Mapping[str, Any] | None) -> str:
    """:func:`_text_field` of a value and its ``_detail``."""
    if not value:
        return ""
    text = str(value)
    if "<" in text and detail and "html" in str(detail.get("type", "")):
        text = html.unescape(_TAG.sub(" ", text))
    return clean_line(text)


def _html_field(value: object, detail: Mapping[str, Any] | None) -> str | None:
    if not value:
        return None
    text = clean_text(str(value)).strip()
    if not text:
        return None
    if detail is not None and str(detail.get("type", "")) == "text/plain":
        return _text_to_html(text)
    return text


# --- JSON Feed ---------------------------------------------------------------------------


def _is_json(data: bytes, media_type: str | None) -> bool:
    # The first byte decides over the label: servers mislabel feeds both ways.
    first = _strip_bom(data[:64]).lstrip()[:1]
    if first in (b"{", b"<"):
        return first == b"{"
    return media_type in _JSON_TYPES


def _parse_json_feed(data: bytes, url: str, shown: str) -> ParsedFeed:
    try:
        document = json.loads(_strip_bom(data).decode("utf-8"))
    except UnicodeDecodeError:
        raise FeedError(f"{shown}: JSON feed is not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        reason = clean_line(str(exc))[:200] if isinstance(exc, ValueError) else "too deep"
        raise FeedError(f"{shown}: invalid JSON ({reason})") from None
    if not isinstance(document, dict):
        raise FeedError(f"{shown}: not a JSON feed")
    version = document.get("version")
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise FeedError(f"{shown}: not a JSON feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError(f"{shown}: JSON feed has no items list")
    feed_authors = _json_authors(document)
    entries = tuple(
        _json_entry(item, url, feed_authors) for item in items if isinstance(item, dict)
    )
    return ParsedFeed(
        title=_json_line(document.get("title")),
        site_url=safe_url(_json_str(document.get("home_page_url")), url, fetchable=True),
        entries=entries,
        kind="json",
    )


def _json_entry(item: Mapping[str, Any], base: str, feed_authors: str | None) -> FeedEntry:
    title = _json_line(item.get("title"))
    link = safe_url(_json_str(item.get("url")), base, fetchable=True) or safe_url(
        _json_str(item.get("external_url")), base, fetchable=True
    )
    published = _iso_to_datetime(item.get("date_published"))
    updated = _iso_to_datetime(item.get("date_modified"))
    if published is None:
        published = updated
    content_html = _json_str(item.get("content_html"))
    if content_html is not None:
        content_html = clean_text(content_html).strip() or None
    if content_html is None:
        text = _json_str(item.get("content_text"))
        if text and clean_text(text).strip():
            content_html = _text_to_html(clean_text(text).strip())
    summary = _json_str(item.get("summary"))
    summary_html = _text_to_html(clean_text(summary).strip()) if summary else None
    raw_id = item.get("id")
    item_id = (
        str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
    )
    return FeedEntry(
        guid=_guid(item_id, link, title, published, content_html or summary_html),
        url=link,
        title=title,
        author=_json_authors(item) or feed_authors,
        published=published,
        updated=updated,
        summary_html=summary_html or None,
        content_html=content_html,
    )


def _json_authors(container: Mapping[str, Any]) -> str | None:
    names: list[str] = []
    authors = container.get("authors")  # 1.1
    if not isinstance(authors, list):
        authors = [container.get("author")]  # 1.0
    for author in authors:
        if isinstance(author, dict):
            name = _json_line(author.get("name"))
            if name:
                names.append(name)
    return ", ".join(names) or None


def _json_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_line(value: object) -> str:
    return clean_line(value) if isinstance(value, str) else ""


def _iso_to_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- shared helpers ----------------------------------------------------------------------


def _guid(
    raw_id: object,
    link: str | None,
    title: str,
    published: datetime | None,
    body: str | None,
) -> str:
    if raw_id:
        guid = clean_line(str(raw_id))[:_MAX_GUID]
        if guid:
            return guid
    if link:
        return link[:_MAX_GUID]
    basis = f"{title}\n{published.isoformat() if published else ''}"
    if not title and published is None:
        basis += f"\n{body or ''}"
    return "hash:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:40]


def _struct_to_datetime(value: object) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def _split_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip("\"'") or None
    return media.strip().lower() or None, charset


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _root_element(head: bytes) -> bytes | None:
    position = 0
    while True:
        match = _PROLOG_ITEM.match(head, position)
        if match is None or match.end() == position:
            break
        position = match.end()
    root = _ROOT.match(head, position)
    return root.group(1) if root else None
