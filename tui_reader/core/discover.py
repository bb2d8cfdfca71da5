"""Feed discovery: the feeds a web page advertises with ``<link rel="alternate">``.

``add URL`` with a page rather than a feed looks here for a feed to subscribe to. The page is
untrusted: only absolute http(s) URLs come out, titles are cleaned, duplicates are dropped.
The best candidate comes first: Atom, then RSS, then JSON Feed (each in document order),
and comment feeds only when the page offers nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from tui_reader.core.extract.encoding import decode_html
from tui_reader.core.sanitize import clean_line, safe_url

# Lower is better.
_TYPE_RANK = {
    "application/atom+xml": 0,
    "application/rss+xml": 1,
    "application/rdf+xml": 1,
    "application/feed+json": 2,
    "application/json": 3,
}


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    """A feed advertised by a page."""

    url: str
    """Absolute http(s) URL."""
    title: str
    """The link's title (may be empty)."""
    type: str
    """The media type as advertised, lowercased (e.g. ``application/atom+xml``)."""


def discover_feeds(html: str | bytes, base_url: str) -> list[DiscoveredFeed]:
    """The feeds ``html`` links to, best first.

    Args:
        html: the page (bytes are decoded like any fetched page).
        base_url: the page's URL, for relative links (a ``<base href>`` overrides it).
    """
    text = decode_html(html) if isinstance(html, bytes) else html
    tree = LexborHTMLParser(text)
    base = base_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = safe_url(base_node.attributes.get("href"), base_url, fetchable=True) or base_url

    found: list[tuple[bool, int, int, DiscoveredFeed]] = []
    seen: set[str] = set()
    for index, node in enumerate(tree.css("link[rel][href]")):
        attrs = node.attributes
        rel_tokens = (attrs.get("rel") or "").lower().split()
        if "alternate" not in rel_tokens:
            continue
        media_type = (attrs.get("type") or "").split(";")[0].strip().lower()
        rank = _TYPE_RANK.get(media_type)
        if rank is None:
            continue
        url = safe_url(attrs.get("href"), base, fetchable=True)
        if url is None or url in seen:
            continue
        if media_type == "application/json" and "/wp-json/" in url:
            # WordPress advertises its REST API this way; that is not a feed.
            continue
        seen.add(url)
        title = clean_line(attrs.get("title") or "")
        is_comments = "comment" in title.lower() or "comment" in url.lower()
        found.append((is_comments, rank, index, DiscoveredFeed(url, title, media_type)))

    if any(not is_comments for is_comments, *_ in found):
        found = [item for item in found if not item[0]]
    found.sort(key=lambda item: (item[0], item[1], item[2]))
    return [item[3] for item in found]
