"""Mark-all-read and the app's store watch, on a big store, as ratios to a reference.

Creates a store of ``--articles`` articles in ``--feeds`` feeds (short bodies: only the rows
matter here), then times, in the same process:

- ``Store.mark_read_where`` over every article (what ``A`` and ``mark-read --all`` do),
  against marking the same articles read one ``UPDATE`` each inside one transaction
  (``set_read_many``, what undo uses);
- one feed's mark-all-read, against listing that feed's first page;
- ``Store.change_marker`` (what the app runs every few seconds to see a cron ``fetch``),
  against counting the articles (the cheapest thing the list itself does).

    python bench/mark_read.py [--articles 100000] [--feeds 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.store import timed  # noqa: E402
from tui_reader.core.models import Article  # noqa: E402
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite3")
        per_feed = max(1, args.articles // args.feeds)
        base = datetime(2026, 1, 1, tzinfo=UTC)
        feed_ids = []
        for f in range(args.feeds):
            feed_id, _ = store.add_feed(f"https://site{f}.example/feed.xml", title=f"Site {f}")
            feed_ids.append(feed_id)
            records = [
                ArticleRecord(
                    guid=f"{f}-{i}", url=f"https://site{f}.example/{i}", title=f"Story {f}/{i}",
                    article=Article(title=f"Story {f}/{i}"),
                    published=base + timedelta(minutes=f * per_feed + i),
                )
                for i in range(per_feed)
            ]  # fmt: skip
            store.write_feed(feed_id, FeedUpdate(records=records))
        total = store.count_articles()

        state: dict[str, list[int]] = {"ids": []}

        def mark_all() -> None:
            state["ids"] = store.mark_read_where()

        def reset() -> None:
            store._connection().execute("UPDATE articles SET read = 0")

        samples_all, samples_each = [], []
        for _ in range(3):
            reset()
            samples_all.append(timed(mark_all, repeat=1))
            ids = state["ids"]
            reset()
            samples_each.append(timed(lambda ids=ids: store.set_read_many(ids, True), repeat=1))
        all_ms, each_ms = statistics.median(samples_all), statistics.median(samples_each)
        assert len(state["ids"]) == total

        reset()
        one = feed_ids[len(feed_ids) // 2]
        one_samples = []
        for _ in range(7):
            store._connection().execute("UPDATE articles SET read = 0 WHERE feed_id = ?", (one,))
            one_samples.append(timed(lambda: store.mark_read_where(feed_id=one), repeat=1))
        one_ms = statistics.median(one_samples)
        page_ms = timed(lambda: store.list_articles(feed_id=one, limit=100))
        marker_ms = timed(store.change_marker, repeat=21)
        count_ms = timed(store.count_articles, repeat=21)
        store.close()

    print(f"{total:,} articles in {args.feeds} feeds")
    print(
        f"mark all read, one statement:   {all_ms:8.1f} ms  "
        f"(x{all_ms / each_ms:.2f} of one UPDATE per article: {each_ms:.1f} ms)"
    )
    print(
        f"mark one feed read:             {one_ms:8.2f} ms  "
        f"(x{one_ms / page_ms:.2f} of listing its first page: {page_ms:.2f} ms)"
    )
    print(
        f"store watch (change marker):    {marker_ms:8.3f} ms  "
        f"(x{marker_ms / count_ms:.3f} of counting the articles: {count_ms:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
