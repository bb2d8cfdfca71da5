"""Fever client benchmark: requests and time of a first sync, id-list parsing, mark delivery.

Runs the Fever client against the test suite's by-the-book Fever server (``tests/sync/
fakefever.py``) on 127.0.0.1, with ``--items`` items all unread, one published an hour:

* a first sync as the engine drives it: login, the unread ids, the recent ids of the
  ``--days`` window (kept while paging), then the items of every unread id (``with_ids``,
  50 a request). Prints the requests of each step and the time;
* parsing an ``unread_item_ids`` list of 100,000 ids, as a ratio to the plain
  ``{str(int(i)) for i in text.split(",")}`` in the same process;
* ``--marks`` marks sent with the client's bounded concurrency, as a ratio to the time of
  the same marks sent one at a time, with the server answering each after ``--delay`` seconds.

    python bench/fever.py [--items 10000] [--days 14] [--marks 200] [--delay 0.005]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.httpserver import LocalServer, RecordedRequest, Response  # noqa: E402
from tests.sync.fakefever import PASSWORD, USER, ByTheBook  # noqa: E402
from tui_reader.core.sync.base import Mark, SyncAccount  # noqa: E402
from tui_reader.core.sync.fever import FeverClient, parse_id_list  # noqa: E402


async def first_sync(url: str, days: int) -> None:
    account = SyncAccount("fever", url, USER, PASSWORD, days=days)
    async with httpx.AsyncClient(timeout=30) as http:
        client = FeverClient(account, http)
        started = time.perf_counter()
        steps: list[tuple[str, int]] = []
        await client.login()
        steps.append(("login", client.requests))
        unread = await client.unread_ids()
        steps.append((f"unread ids ({len(unread)})", client.requests))
        since = datetime.now(UTC) - timedelta(days=days)
        recent, cursor = await client.recent_ids(since, None)
        steps.append((f"recent ids ({len(recent)}, cursor {cursor})", client.requests))
        count = 0
        async for batch in client.items(unread | recent):
            count += len(batch)
        steps.append((f"items ({count})", client.requests))
        elapsed = time.perf_counter() - started
    previous = 0
    for name, total in steps:
        print(f"  {name:<40} {total - previous:>6} requests")
        previous = total
    print(f"  first sync: {previous} requests in {elapsed:.2f} s")


def id_parsing() -> None:
    text = ",".join(str(1_700_000_000_000_000 + 7 * n) for n in range(100_000))

    def best(function: object, rounds: int = 5) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            function()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return min(times)

    ours = best(lambda: parse_id_list(text, "ids"))
    plain = best(lambda: {str(int(i)) for i in text.split(",")})
    print(f"  100,000 ids: {ours * 1000:.1f} ms, {ours / plain:.2f}x the plain split-and-int")


async def marks(url: str, count: int) -> None:
    account = SyncAccount("fever", url, USER, PASSWORD)
    batch = [Mark(str(n), "read", True) for n in range(1, count + 1)]
    timings = {}
    async with httpx.AsyncClient(timeout=30) as http:
        for concurrency in (1, 4):
            client = FeverClient(account, http, mark_concurrency=concurrency)
            started = time.perf_counter()
            await client.send_marks(batch)
            timings[concurrency] = time.perf_counter() - started
    ratio = timings[4] / timings[1]
    print(f"  {count} marks: {timings[4]:.2f} s, {ratio:.2f}x the time of one at a time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--marks", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.005)
    args = parser.parse_args()
    with LocalServer() as server:
        server.route("/fever/", ByTheBook(args.items))
        print(f"first sync of {args.items} unread items, {args.days}-day window:")
        asyncio.run(first_sync(server.url("/fever/"), args.days))

        def slow(request: RecordedRequest) -> Response:
            time.sleep(args.delay)
            return Response(200, b'{"auth": 1}', {"Content-Type": "application/json"})

        server.route("/marks/", slow)
        print("marks:")
        asyncio.run(marks(server.url("/marks/"), args.marks))
    print("id lists:")
    id_parsing()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
