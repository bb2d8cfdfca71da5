"""Refresh benchmark: 200 slow feeds refreshed concurrently, then again with conditional GET.

Starts the test suite's local HTTP server(s), serves ``--feeds`` RSS feeds that each answer
after ``--delay`` seconds, subscribes a fresh store to them and refreshes them all with the
default limits (``concurrency`` 32, ``per_host`` 4). Prints the wall time as a ratio to the
time a one-at-a-time refresh would need (feeds x delay); the target is <= 0.15. Then it
refreshes again and checks that every feed was answered 304 Not Modified.

The servers run in a child process. Feeds are spread over ``--hosts`` servers (distinct
ports count as distinct hosts), as subscriptions are in real life; with ``--hosts 1`` the
per-host limit dominates instead.
Article pages are not fetched unless ``--pages`` is given, in which case each feed's items
link to pages served without delay.

    python bench/refresh.py [--feeds 200] [--delay 0.1] [--hosts 50] [--pages]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.httpserver import LocalServer  # noqa: E402
from tests.integration.site import PAGES, Item, rss  # noqa: E402
from tui_reader.core.config import Config  # noqa: E402
from tui_reader.core.library import Library  # noqa: E402

PAGE = (PAGES / "blog-personal.html").read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds before each answer")
    parser.add_argument("--hosts", type=int, default=50, help="servers the feeds are spread on")
    parser.add_argument("--items", type=int, default=3, help="items per feed")
    parser.add_argument("--pages", action="store_true", help="also fetch and clean pages")
    args = parser.parse_args()

    # The servers run in a child process, so that their CPU time does not count against
    # the refresh being measured (both would otherwise share one interpreter lock).
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(
        target=_serve, args=(child, args), daemon=True
    )
    process.start()
    urls: list[str] = parent.recv()
    # Load the parsers before the clock starts: a one-off import cost, not refresh work.
    import tui_reader.core.extract
    import tui_reader.core.feeds  # noqa: F401

    try:
        with tempfile.TemporaryDirectory() as tmp:
            library = Library.open(tmp, config=Config())
            try:
                for url in urls:
                    library.store.add_feed(url)
                first, elapsed = asyncio.run(_refresh(library, args.pages))
                parent.send("count")
                parent.recv()
                second, elapsed2 = asyncio.run(_refresh(library, args.pages))
                parent.send("count")
                conditional, answered_304 = parent.recv()
            finally:
                library.close()
    finally:
        parent.send("stop")
        process.join(timeout=10)

    sequential = args.feeds * args.delay
    ratio = elapsed / sequential
    print(
        f"{args.feeds} feeds on {args.hosts} host(s), {args.delay * 1000:.0f} ms each, "
        f"pages {'on' if args.pages else 'off'}, default limits (32 at once, 4 per host)"
    )
    print(
        f"first refresh:  {elapsed:.2f} s = {ratio:.3f} x sequential ({sequential:.1f} s) "
        f"[target <= 0.15: {'ok' if ratio <= 0.15 else 'MISSED'}]"
    )
    print(
        f"  feeds ok {first.feeds_ok}, new articles {first.new_articles}, "
        f"pages {first.pages_fetched}, failures {len(first.failures)}"
    )
    all_304 = (
        second.feeds_not_modified == args.feeds
        and second.feeds_ok == 0
        and answered_304 == args.feeds
    )
    print(
        f"second refresh: {elapsed2:.2f} s = {elapsed2 / sequential:.3f} x sequential; "
        f"server saw If-None-Match on {conditional}/{args.feeds} feed requests and answered "
        f"304 to {answered_304}; client counted {second.feeds_not_modified} not modified "
        f"[{'ok' if all_304 else 'NOT ALL 304'}]"
    )
    return 0 if ratio <= 0.15 and all_304 and not first.failures else 1


def _serve(conn, args) -> None:  # type: ignore[no-untyped-def]
    servers = [LocalServer().start() for _ in range(max(1, args.hosts))]
    answered = {"304": 0, "conditional": 0}
    urls = []
    for n in range(args.feeds):
        server = servers[n % len(servers)]
        items = [
            Item(guid=f"f{n}-{i}", title=f"Feed {n} item {i}", link=server.url(f"/p/{n}/{i}"))
            for i in range(args.items)
        ]
        if args.pages:
            for i in range(args.items):
                server.add(f"/p/{n}/{i}", PAGE, content_type="text/html")
        server.add_conditional(
            f"/feed/{n}",
            rss(f"Feed {n}", items),
            etag=f'"f{n}"',
            content_type="application/rss+xml",
        )
        # add_conditional has no delay of its own: wrap its handler in one.
        handler = server._routes[f"/feed/{n}"]
        server.route(f"/feed/{n}", _delayed(handler, args.delay, answered))
        urls.append(server.url(f"/feed/{n}"))
    conn.send(urls)
    while conn.recv() == "count":
        conn.send((answered["conditional"], answered["304"]))
        answered["304"] = answered["conditional"] = 0
    for server in servers:
        server.stop()


def _delayed(handler, delay, answered):  # type: ignore[no-untyped-def]
    lock = threading.Lock()

    def answer(request):  # type: ignore[no-untyped-def]
        time.sleep(delay)
        response = handler(request)
        with lock:
            answered["conditional"] += request.header("if-none-match") is not None
            answered["304"] += response.status == 304
        return response

    return answer


async def _refresh(library: Library, pages: bool):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    cpu = time.process_time()
    try:
        report = await library.refresh(pages=pages)
    finally:
        await library.aclose()
    elapsed = time.perf_counter() - start
    print(f"  (refresh used {time.process_time() - cpu:.2f} s of CPU in {elapsed:.2f} s)")
    return report, elapsed


if __name__ == "__main__":
    sys.exit(main())
