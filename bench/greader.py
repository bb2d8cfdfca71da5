"""A first sync of many unread items through the Google Reader client, in both server dialects.

For each dialect (FreshRSS, Miniflux) the local test server, in a process of its own, is filled
with ``--items`` unread items, then, alternating over ``--runs``:

- the client logs in, lists the unread ids (pages of 1,000) and downloads every item
  (``stream/items/contents``, 250 ids a request), turning the answers into records;
- the floor: a plain loop that sends exactly the requests the client sent (same URLs, forms
  and headers, built beforehand) and only reads the bytes, so the server's and the network's
  share is measured and the ratio is what the client itself adds (JSON decoding, id
  conversion, records).

Prints the requests, the median times over ``--runs`` and the ratio client / floor.

    python bench/greader.py [--items 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.sync.greader_server import Dialect, GReaderServer  # noqa: E402
from tui_reader.core.sync.base import SyncAccount  # noqa: E402
from tui_reader.core.sync.greader import GReaderClient  # noqa: E402

Request = tuple[str, str, dict[str, str], bytes | None]


def serve(dialect: Dialect, items: int, conn: Connection) -> None:
    """The server, in a process of its own so that it does not share the client's GIL."""
    with GReaderServer(dialect) as server:
        feed = server.add_feed("https://example.org/feed.xml", "Example", folders=["News"])
        server.add_items(feed, items)
        conn.send((server.api_url, server.user, server.password))
        conn.recv()  # until told to stop


async def client_run(account: SyncAccount) -> tuple[float, int, int, list[Request]]:
    """One first sync through the client: (seconds, requests, items, the requests sent)."""
    sent: list[Request] = []

    async def record(request: httpx.Request) -> None:
        headers = {
            k: v for k, v in request.headers.items() if k in ("authorization", "content-type")
        }
        sent.append((request.method, str(request.url), headers, request.content or None))

    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [record]}) as http:
        client = GReaderClient(account, http, None)
        start = time.perf_counter()
        await client.login()
        unread = await client.unread_ids()
        count = 0
        async for batch in client.items(unread):
            count += len(batch)
        elapsed = time.perf_counter() - start
    return elapsed, client.requests, count, sent


async def floor_run(requests: list[Request]) -> float:
    """The same requests, already built; the answers' bytes are read and thrown away."""
    async with httpx.AsyncClient(timeout=60) as http:
        start = time.perf_counter()
        for method, url, headers, content in requests:
            response = await http.request(method, url, headers=headers, content=content)
            response.read()
        return time.perf_counter() - start


async def measure(account: SyncAccount, items: int, runs: int) -> tuple[int, float, float]:
    client_times, floor_times = [], []
    requests = 0
    for _ in range(runs):
        seconds, requests, fetched, sent = await client_run(account)
        if fetched != items:
            raise SystemExit(f"fetched {fetched} items of {items}")
        client_times.append(seconds)
        floor_times.append(await floor_run(sent))
    return requests, statistics.median(client_times), statistics.median(floor_times)


def bench(dialect: Dialect, items: int, runs: int) -> None:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(dialect, items, child), daemon=True)
    process.start()
    try:
        url, user, password = parent.recv()
        account = SyncAccount("greader", url, user, password)
        requests, client_s, floor_s = asyncio.run(measure(account, items, runs))
    finally:
        parent.send("stop")
        process.join(10)
    print(
        f"{dialect:<9} {items:>7} {requests:>9} {client_s:>9.3f} {floor_s:>8.3f}"
        f" {client_s / floor_s:>6.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'dialect':<9} {'items':>7} {'requests':>9} {'client s':>9} {'floor s':>8} {'ratio':>6}"
    )
    for dialect in ("freshrss", "miniflux"):
        bench(dialect, args.items, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
