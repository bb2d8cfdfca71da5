"""A first sync of many unread items, against the in-memory fake server, as ratios.

Sets up a server (the fake of ``tests/sync/fakeserver.py``: it speaks the client interface
and pages its answers 50 items a request, as Fever and Google Reader servers do) with
``--items`` unread items in ``--feeds`` feeds, then times in the same process:

- the first sync into a new store (pages off: only the sync itself), and how many requests
  it made, against storing the same entries straight into a store as a refresh would
  (bodies cleaned from the same HTML, one ``write_feed`` per feed): the ratio is what the
  sync's bookkeeping (matching, linking, flags, the queue) costs on top;
- a second sync with nothing new (the incremental path), and its requests;
- marking every item read here, then the sync that delivers the marks;
- the whole first sync again with the real Google Reader client over HTTP, against the test
  server of ``tests/sync/greader_server.py`` in each dialect (FreshRSS, Miniflux), the server
  in a process of its own: requests, time, and the ratio to the in-memory first sync above
  (what the protocol, HTTP and JSON add to the same engine and store work).

    python bench/sync.py [--items 10000] [--feeds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sync.fakeserver import FakeServer  # noqa: E402
from tests.sync.greader_server import Dialect, GReaderServer  # noqa: E402
from tui_reader.core import parsework  # noqa: E402
from tui_reader.core.config import Config  # noqa: E402
from tui_reader.core.library import Library  # noqa: E402
from tui_reader.core.models import Article  # noqa: E402
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store  # noqa: E402
from tui_reader.core.sync.engine import SyncReport  # noqa: E402

BODY = "<p>A paragraph of the item's text, as a server keeps it.</p><p>And a second one.</p>"


def _sync(library: Library) -> tuple[SyncReport, float]:
    async def run() -> SyncReport:
        try:
            return await library.sync()
        finally:
            await library.aclose()

    start = time.perf_counter()
    report = asyncio.run(run())
    return report, time.perf_counter() - start


def serve(dialect: Dialect, items: int, feeds: int, conn: Connection) -> None:
    """The Google Reader test server, in a process of its own (it must not share our GIL)."""
    with GReaderServer(dialect) as server:
        ids = [
            server.add_feed(f"https://site{f}.example/feed.xml", f"Site {f}") for f in range(feeds)
        ]
        for n, feed in enumerate(ids):
            count = items // feeds + (1 if n < items % feeds else 0)
            server.add_items(feed, count, content=BODY)
        conn.send((server.api_url, server.user, server.password))
        conn.recv()  # until told to stop
        conn.send((len(server.unread()), server.requests["total"]))


def greader_first_sync(dialect: Dialect, items: int, feeds: int) -> tuple[SyncReport, float]:
    """The whole first sync (engine, real client, HTTP) against the server in ``dialect``."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(dialect, items, feeds, child), daemon=True)
    process.start()
    try:
        url, user, password = parent.recv()
        os.environ["TUI_READER_SYNC_PASSWORD"] = password
        config = Config(sync_kind="greader", sync_url=url, sync_user=user, fetch_pages=False)
        with tempfile.TemporaryDirectory() as tmp:
            library = Library.open(Path(tmp) / "data", config=config)
            try:
                report, seconds = _sync(library)
            finally:
                library.close()
        parent.send("stop")
        unread, served = parent.recv()
    finally:
        process.join(10)
    assert report.new_articles == items == unread, (report, unread)
    assert served == report.requests, (served, report.requests)
    return report, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=50)
    args = parser.parse_args()
    os.environ["TUI_READER_SYNC_PASSWORD"] = "bench"
    server = FakeServer(password="bench")
    for f in range(args.feeds):
        server.add_feed(f"feed/{f}", f"https://site{f}.example/feed.xml", f"Site {f}")
    for n in range(args.items):
        f = n % args.feeds
        server.add_item(str(n), f"feed/{f}", url=f"https://site{f}.example/{n}", html=BODY)
    config = Config(
        sync_kind="fever", sync_url="https://rss.example/fever/", sync_user="me", fetch_pages=False
    )
    with tempfile.TemporaryDirectory() as tmp:
        # The reference: the same entries stored as a refresh stores a feed's.
        store = Store.open(Path(tmp) / "reference.sqlite3")
        start = time.perf_counter()
        for f in range(args.feeds):
            feed_id, _ = store.add_feed(f"https://site{f}.example/feed.xml", title=f"Site {f}")
            records = [
                ArticleRecord(
                    guid=item.url or item.id, url=item.url, title=item.title,
                    article=Article(title=item.title), summary_only=True,
                    feed_summary_html=item.html, published=item.published,
                )
                for item in server.items.values()
                if item.feed_id == f"feed/{f}"
            ]  # fmt: skip
            store.write_feed(feed_id, FeedUpdate(records=parsework.feed_bodies(records)))
        reference = time.perf_counter() - start
        store.close()

        library = Library.open(Path(tmp) / "data", config=config, sync_factory=server.client)
        try:
            requests = server.requests
            first, first_time = _sync(library)
            first_requests = server.requests - requests
            requests = server.requests
            again, again_time = _sync(library)
            again_requests = server.requests - requests
            start = time.perf_counter()
            library.mark_read_where()
            mark_time = time.perf_counter() - start
            requests = server.requests
            push, push_time = _sync(library)
            push_requests = server.requests - requests
        finally:
            library.close()
    assert first.new_articles == args.items, first
    assert push.marks_sent >= args.items and not server.unread, push
    print(f"items: {args.items:,} unread in {args.feeds} feeds (server pages of {server.page})")
    print(
        f"first sync: {first_requests} requests, {first_time:.2f} s; storing the same "
        f"entries directly: {reference:.2f} s; ratio {first_time / reference:.2f}"
    )
    print(
        f"second sync (nothing new): {again_requests} requests, {again_time:.2f} s "
        f"({again_time / first_time:.3f} of the first)"
    )
    print(
        f"mark all read here: {mark_time:.2f} s; delivering {push.marks_sent:,} marks: "
        f"{push_requests} requests, {push_time:.2f} s"
    )
    for dialect in ("freshrss", "miniflux"):
        report, seconds = greader_first_sync(dialect, args.items, args.feeds)
        print(
            f"first sync, Google Reader over HTTP ({dialect}): {report.requests} requests, "
            f"{seconds:.2f} s; ratio to the in-memory first sync {seconds / first_time:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
