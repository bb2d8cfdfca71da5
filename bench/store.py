"""Store benchmark: 100,000 articles through the real insert path, then list and search.

Creates a fresh store in a temporary directory, writes ``--articles`` articles (about 150
words each) to ``--feeds`` feeds with :meth:`Store.write_feed`, one transaction per feed as a
refresh does, marks two thirds of them read, and prints the insert rate, the time to list the
newest 100 unread articles (all feeds, and one feed), the time of full-text queries and the
file size. Searches with many matches (newest first and by relevance, first and deep pages)
are also printed as ratios against the plain indexed list query (newest 100 of all). Every
fifth article has a captioned figure; the last line times the backfill that reindexes such
articles when an older store is opened.

    python bench/store.py [--articles 100000] [--feeds 500] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui_reader.core.models import Article, Block, Span  # noqa: E402
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store  # noqa: E402
from tui_reader.core.storage.sqlite import BACKFILL_BATCH  # noqa: E402

WORDS = (
    "the council said on tuesday that new figures show river levels rising across the region "
    "while engineers worked overnight to restore power to homes and businesses after storm "
    "winds brought down lines ministers promised an inquiry into the response and residents "
    "described scenes of flooding in low lying streets researchers published a study of "
    "volcano activity glacier retreat and ocean temperatures software developers released "
    "a version of the library with faster parsing better error messages and support for "
    "terminals readers wrote letters about transport budgets schools hospitals and housing"
).split()


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def timed(func, repeat: int = 7) -> float:  # type: ignore[no-untyped-def]
    """The median wall time of ``func()`` over ``repeat`` runs, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="write the store here and keep it")
    args = parser.parse_args()

    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / "bench.sqlite3"
        if path.exists():
            path.unlink()
        store = Store.open(path)
        feed_ids = [
            store.add_feed(f"https://site{n}.example/feed.xml", title=f"Site {n}")[0]
            for n in range(args.feeds)
        ]
        per_feed = args.articles // args.feeds
        base = datetime(2026, 1, 1, tzinfo=UTC)
        planted = "aardvark"  # a word only a few articles contain
        insert_seconds = 0.0
        count = 0
        for f, feed_id in enumerate(feed_ids):
            records = []
            for i in range(per_feed):
                n = f * per_feed + i
                paras = [paragraph(rng, 50) for _ in range(3)]
                if n % 997 == 0:
                    paras[1] += f" An {planted} appeared."
                title = paragraph(rng, 8)[:-1]
                blocks = [Block("paragraph", spans=(Span(p),)) for p in paras]
                if n % 5 == 0:
                    caption = Span(paragraph(rng, 12))
                    blocks.insert(1, Block("figure", spans=(caption,), src="/p.jpg", alt="a photo"))
                records.append(
                    ArticleRecord(
                        guid=f"{feed_id}-{i}",
                        url=f"https://site{f}.example/story/{i}",
                        title=title,
                        author="A. Writer",
                        published=base + timedelta(minutes=rng.randrange(0, 525_600)),
                        article=Article(
                            title=title,
                            blocks=tuple(blocks),
                        ),
                    )
                )
            start = time.perf_counter()
            store.write_feed(feed_id, FeedUpdate(records=records))
            insert_seconds += time.perf_counter() - start
            count += len(records)
        conn = store._connection()
        conn.execute("UPDATE articles SET read = 1 WHERE id % 3 != 0")

        newest_unread = timed(lambda: store.list_articles(view="unread", limit=100))
        newest_all = timed(lambda: store.list_articles(limit=100))
        one_feed = timed(lambda: store.list_articles(view="unread", feed_id=feed_ids[7], limit=100))
        deep_page = timed(lambda: store.list_articles(view="unread", limit=100, offset=5000))
        counting = timed(lambda: store.count_articles(view="unread"))
        feeds = timed(store.list_feeds)
        rare = timed(lambda: store.search(planted, limit=200))
        common = timed(lambda: store.search("river engineers", limit=200))
        rare_hits = len(store.search(planted, limit=1000))
        # A word in most articles: every search path at its costliest.
        many = "river"
        many_hits = store.count_search(many)
        many_newest = timed(lambda: store.search(many, limit=100))
        many_newest_deep = timed(lambda: store.search(many, limit=100, offset=5000))
        many_relevance = timed(lambda: store.search(many, limit=100, order="relevance"))
        many_relevance_deep = timed(
            lambda: store.search(many, limit=100, offset=5000, order="relevance")
        )
        many_count = timed(lambda: store.count_search(many))
        # The captions backfill as an older store gets it on its first open.
        store.set_setting("fts_captions_after", "0")
        start = time.perf_counter()
        store._backfill_captions()
        backfill = time.perf_counter() - start
        figures = conn.execute(
            "SELECT count(*) FROM articles WHERE instr(article_json, '\"figure\"') > 0"
        ).fetchone()[0]
        assert len(store.list_articles(view="unread", limit=100)) == 100
        store.close()
        wal = path.with_name(path.name + "-wal")
        size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    print(f"{count:,} articles in {args.feeds} feeds, one transaction per feed")
    print(
        f"insert:                     {count / insert_seconds:,.0f} articles/s "
        f"({insert_seconds:.1f} s)"
    )
    print(f"newest 100 unread (all):    {newest_unread:.2f} ms")
    print(f"newest 100 (all, any):      {newest_all:.2f} ms")
    print(f"newest 100 unread (1 feed): {one_feed:.2f} ms")
    print(f"unread page at offset 5000: {deep_page:.2f} ms")
    print(f"count unread:               {counting:.2f} ms")
    print(f"feeds with counts:          {feeds:.2f} ms")
    print(f"search rare word:           {rare:.2f} ms ({rare_hits} hits)")
    print(f"search two common words:    {common:.2f} ms (newest 200)")
    print(f"search with {many_hits:,} matches, 100 per page, as a ratio to newest 100 (all):")
    for label, value in (
        ("newest first, page 1", many_newest),
        ("newest first, offset 5000", many_newest_deep),
        ("relevance, page 1", many_relevance),
        ("relevance, offset 5000", many_relevance_deep),
        ("count of matches", many_count),
    ):
        print(f"  {label:<26}{value:8.2f} ms  {value / newest_all:7.1f}x")
    batches = max(1, -(-figures // BACKFILL_BATCH))
    print(
        f"captions backfill:          {backfill:.1f} s for {figures:,} articles with figures "
        f"({backfill / batches * 1000:.0f} ms per transaction of {BACKFILL_BATCH})"
    )
    print(
        f"file size:                  {size / 1024 / 1024:.1f} MiB "
        f"({size / count / 1024:.2f} KiB per article)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
