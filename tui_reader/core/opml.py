"""OPML import and export of subscriptions.

Import reads any OPML 1.0/2.0 subscription list: feeds are outlines with an ``xmlUrl``;
outlines without one are folders. A feed's folder path becomes one tag that keeps the
nesting (``News`` > ``Tech`` gives ``News/Tech``), as does each entry of its ``category``
attribute (comma-separated, slash-delimited paths: ``/News/Tech`` gives ``News/Tech``).
Only http(s) feed URLs are kept. The file is untrusted XML, so entity declarations are
refused before ``xml.etree`` sees it.

Export writes OPML 2.0 with one folder per tag (nested for a path tag like ``News/Tech``):
each feed sits under its first tag and lists all its tags in ``category``, so a round trip
keeps every tag.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from tui_reader.core.errors import FeedError
from tui_reader.core.feeds import refuse_entity_declarations
from tui_reader.core.models import FeedInfo
from tui_reader.core.sanitize import clean_line, safe_url


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """A subscription read from an OPML file."""

    url: str
    title: str
    site_url: str | None
    tags: tuple[str, ...]


MAX_FOLDER_DEPTH = 16
"""Folders nested deeper than this add no more tags."""


def parse_opml(data: bytes) -> list[OpmlOutline]:
    """The feeds listed in an OPML document, in document order.

    A feed listed more than once (e.g. in two folders) is returned once, with the tags of
    all its appearances. Outlines without an ``xmlUrl``, or whose ``xmlUrl`` is not http(s),
    are skipped.

    Raises:
        FeedError: the document is not well-formed XML, not OPML, or declares entities.
    """
    refuse_entity_declarations(data, "OPML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FeedError(f"OPML: not well-formed XML ({clean_line(str(exc))[:200]})") from None
    except LookupError as exc:  # an encoding name Python does not know
        raise FeedError(f"OPML: {clean_line(str(exc))[:100]}") from None
    except (ValueError, RecursionError):
        raise FeedError("OPML: not a readable XML document") from None
    if _local(root.tag) != "opml":
        raise FeedError(f"OPML: not an OPML document (root element <{_local(root.tag)[:40]}>)")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise FeedError("OPML: no <body> element")

    found: dict[str, OpmlOutline] = {}
    # Depth-first, in document order, without recursion: a hostile file can nest outlines
    # deeper than Python's stack.
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [
        (child, ()) for child in reversed(_outlines(body))
    ]
    while stack:
        element, folders = stack.pop()
        # Folder paths deeper than a few levels are noise, and copying an ever longer path
        # at every level would make a hostile 100,000-deep file cost quadratic time.
        inner = folders + _folder_name(element) if len(folders) < MAX_FOLDER_DEPTH else folders
        stack.extend((child, inner) for child in reversed(_outlines(element)))
        attrs = _attributes(element)
        raw_url = attrs.get("xmlurl")
        if not raw_url:
            continue
        url = safe_url(raw_url.strip(), fetchable=True)
        if url is None:
            continue
        path = ("/".join(folders),) if folders else ()
        tags = _unique(path + _categories(attrs.get("category", "")))
        previous = found.get(url)
        if previous is not None:
            found[url] = OpmlOutline(
                previous.url,
                previous.title,
                previous.site_url,
                _unique(previous.tags + tags),
            )
            continue
        title = clean_line(attrs.get("title") or "") or clean_line(attrs.get("text") or "")
        found[url] = OpmlOutline(
            url=url,
            title=title or url,
            site_url=safe_url(attrs.get("htmlurl"), url, fetchable=True),
            tags=tags,
        )
    return list(found.values())


def write_opml(feeds: Iterable[FeedInfo], title: str = "tui-reader subscriptions") -> str:
    """An OPML 2.0 document listing ``feeds`` (saved-page pseudo-feeds are left out)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = clean_line(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")

    folders: dict[str, list[FeedInfo]] = {}
    loose: list[FeedInfo] = []
    for feed in feeds:
        if feed.kind != "feed":
            continue
        tags = [t for t in (clean_line(tag) for tag in feed.tags) if t]
        if tags:
            folders.setdefault(tags[0], []).append(feed)
        else:
            loose.append(feed)
    made: dict[tuple[str, ...], ET.Element] = {}
    for name in sorted(folders, key=str.casefold):
        # A path tag (News/Tech) is written as nested folders, as it was read.
        parent, path = body, tuple[str, ...]()
        for step in [part for part in name.split("/") if part.strip()] or [name]:
            path = (*path, step)
            if path not in made:
                made[path] = ET.SubElement(parent, "outline", text=step, title=step)
            parent = made[path]
        for feed in folders[name]:
            _feed_outline(parent, feed)
    for feed in loose:
        _feed_outline(body, feed)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _feed_outline(parent: ET.Element, feed: FeedInfo) -> None:
    title = clean_line(feed.title) or feed.url
    attrs = {"type": "rss", "text": title, "title": title, "xmlUrl": clean_line(feed.url)}
    if feed.site_url:
        attrs["htmlUrl"] = clean_line(feed.site_url)
    tags = [t for t in (clean_line(tag) for tag in feed.tags) if t]
    if tags:
        attrs["category"] = ",".join(tags)
    ET.SubElement(parent, "outline", attrs)


def _outlines(element: ET.Element) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == "outline"]


def _folder_name(element: ET.Element) -> tuple[str, ...]:
    """The path step an outline adds for its descendants: its name, if it is a folder."""
    attrs = _attributes(element)
    if attrs.get("xmlurl"):
        return ()
    name = clean_line(attrs.get("title") or "") or clean_line(attrs.get("text") or "")
    return (name,) if name else ()


def _categories(value: str) -> tuple[str, ...]:
    paths = (
        "/".join(p for p in (clean_line(s) for s in c.split("/")) if p) for c in value.split(",")
    )
    return tuple(p for p in paths if p)


def _attributes(element: ET.Element) -> Mapping[str, str]:
    # Real-world files spell xmlUrl/htmlUrl in every case.
    return {_local(key).lower(): value for key, value in element.attrib.items()}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _unique(tags: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            out.append(tag)
    return tuple(out)
