"""Build small RSS, Atom and JSON feeds (and the pages they link to) for the test server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from tests.httpserver import LocalServer

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
# Named, not globbed: tests rely on which page comes first (and pages get added).
PAGE_FILES = (
    "blog-personal.html",
    "cjk-japanese.html",
    "data-tables.html",
    "docs-code.html",
    "figures-captions.html",
    "nested-lists-quotes.html",
    "news-live.html",
    "wiki-infobox.html",
)
BASE_DATE = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    link: str
    summary: str = "A short summary from the feed."
    date: datetime = BASE_DATE


def rss(title: str, items: list[Item], site: str = "https://example.org/") -> bytes:
    entries = "".join(
        f"<item><guid isPermaLink='false'>{escape(i.guid)}</guid><title>{escape(i.title)}</title>"
        f"<link>{escape(i.link)}</link><pubDate>{format_datetime(i.date)}</pubDate>"
        f"<description>{escape('<p>' + i.summary + '</p>')}</description></item>"
        for i in items
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(title)}</title><link>{escape(site)}</link>{entries}</channel></rss>"
    ).encode()


def atom(title: str, items: list[Item], site: str = "https://example.org/") -> bytes:
    entries = "".join(
        f"<entry><id>{escape(i.guid)}</id><title>{escape(i.title)}</title>"
        f"<link rel='alternate' href='{escape(i.link)}'/><updated>{i.date.isoformat()}</updated>"
        f"<summary type='html'>{escape('<p>' + i.summary + '</p>')}</summary></entry>"
        for i in items
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{escape(title)}</title><id>urn:{escape(title)}</id>"
        f"<link rel='alternate' href='{escape(site)}'/>"
        f"<updated>{BASE_DATE.isoformat()}</updated>{entries}</feed>"
    ).encode()


def json_feed(title: str, items: list[Item], site: str = "https://example.org/") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": site,
            "items": [
                {
                    "id": i.guid,
                    "title": i.title,
                    "url": i.link,
                    "content_html": f"<p>{i.summary}</p>",
                    "date_published": i.date.isoformat(),
                }
                for i in items
            ],
        }
    ).encode()


FORMATS = {
    "rss": (rss, "application/rss+xml"),
    "atom": (atom, "application/atom+xml"),
    "json": (json_feed, "application/feed+json"),
}


def serve_page(server: LocalServer, path: str, page: str) -> str:
    server.add_file(path, PAGES / page, content_type="text/html; charset=utf-8")
    return server.url(path)


def items_with_pages(server: LocalServer, prefix: str, count: int, *, start: int = 0) -> list[Item]:
    """``count`` items whose links are real article pages served by ``server``."""
    items = []
    for n in range(start, start + count):
        page = PAGE_FILES[n % len(PAGE_FILES)]
        link = serve_page(server, f"/{prefix}/story-{n}.html", page)
        items.append(
            Item(
                guid=f"{prefix}-{n}",
                title=f"{prefix} story {n}",
                link=link,
                summary=f"Summary of {prefix} story {n}.",
                date=BASE_DATE + timedelta(hours=n),
            )
        )
    return items


def serve_feed(
    server: LocalServer,
    path: str,
    kind: str,
    title: str,
    items: list[Item],
    *,
    etag: str | None = None,
) -> str:
    build, ctype = FORMATS[kind]
    body = build(title, items)
    if etag is None:
        server.add(path, body, content_type=ctype)
    else:
        server.add_conditional(path, body, etag=etag, content_type=ctype)
    return server.url(path)
