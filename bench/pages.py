"""The reader's safety net, measured: what keeping pages costs, and what the whole view covers.

Over a set of real pages with their expected article text, prints:

- cost: the median time of cleaning a page with and without keeping it (compression), and of
  making its whole-page view, as ratios to the plain cleaning of the same pages in the same
  run (interleaved, so a busy machine slows both alike);
- size: the stored page, compressed, against the raw HTML (total, median and largest);
- the store: writing the same articles with and without their pages (time and file size), and
  listing the newest 100 (which must not read the pages) in both;
- coverage: the share of the expected article's words present in the cleaned text and in the
  whole-page view, and how many pages the cleaner misses (recall under 0.2) that the whole
  view still holds (recall of 0.9 or more).

Two layouts are understood: the article-extraction-benchmark data set (``html/*.html.gz`` and
``ground-truth.json``) and Readability's test pages (``*/source.html`` with
``*/expected.html``)::

    python bench/pages.py ../shared/aeb
    python bench/pages.py ../shared/readability-test-pages
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from tui_reader.core.extract import extract  # noqa: E402
from tui_reader.core.extract.whole import whole_page  # noqa: E402
from tui_reader.core.pages import clean_page  # noqa: E402
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store  # noqa: E402

_WORD = re.compile(r"\w+")


def load(path: Path) -> list[tuple[str, str, str | None, str]]:
    """``(name, html, url, expected text)`` for every page of the data set at ``path``."""
    pages = []
    truth_file = path / "ground-truth.json"
    if truth_file.exists():
        truth = json.loads(truth_file.read_text("utf-8"))
        for key in sorted(truth):
            source = path / "html" / f"{key}.html.gz"
            if not source.exists():
                continue
            html = gzip.decompress(source.read_bytes()).decode("utf-8", "replace")
            pages.append((key[:12], html, truth[key].get("url"), truth[key]["articleBody"]))
        return pages
    for folder in sorted(p for p in path.iterdir() if (p / "source.html").exists()):
        expected = folder / "expected.html"
        if not expected.exists():
            continue
        body = LexborHTMLParser(expected.read_text("utf-8", "replace")).body
        text = body.text(separator=" ") if body is not None else ""
        pages.append((folder.name, (folder / "source.html").read_text("utf-8", "replace"),
                      "http://fakehost/test/page.html", text))  # fmt: skip
    return pages


def recall(expected: str, got: str) -> float:
    """The share of the expected words (with their counts) found in ``got``."""
    want = Counter(w.lower() for w in _WORD.findall(expected))
    if not want:
        return 1.0
    have = Counter(w.lower() for w in _WORD.findall(got))
    return sum(min(n, have[w]) for w, n in want.items()) / sum(want.values())


def timed(func: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = func(*args)  # type: ignore[operator]
    return time.perf_counter() - start, result


def store_figures(records: list[ArticleRecord], rounds: int) -> dict[str, float]:
    """Write ``records`` ``rounds`` times into two stores, with and without their pages.

    The two stores are written and queried in alternation, so that whatever else the machine
    does slows both alike; the figures are medians.
    """
    batches = {
        "without": [replace(r, article=replace(r.article, source=None)) for r in records],
        "with": records,
    }
    writes: dict[str, list[float]] = {name: [] for name in batches}
    lists: dict[str, list[float]] = {name: [] for name in batches}
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stores = {name: Store.open(Path(tmp) / f"{name}.sqlite3") for name in batches}
        try:
            for n in range(rounds):
                for name, batch in batches.items():
                    store = stores[name]
                    feed = store.add_feed(f"https://bench.example/{n}.xml")[0]
                    copies = [replace(r, guid=f"{n}-{r.guid}") for r in batch]
                    start = time.perf_counter()
                    store.write_feed(feed, FeedUpdate(records=copies))
                    writes[name].append(time.perf_counter() - start)
            for _ in range(100):
                for name, store in stores.items():
                    start = time.perf_counter()
                    store.list_articles(view="unread", limit=100)
                    lists[name].append(time.perf_counter() - start)
            for store in stores.values():
                store._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            for store in stores.values():
                store.close()
        for name in batches:
            out[f"write_{name}"] = statistics.median(writes[name])
            out[f"list_{name}"] = statistics.median(lists[name])
            out[f"size_{name}"] = (Path(tmp) / f"{name}.sqlite3").stat().st_size
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="aeb checkout or readability-test-pages")
    parser.add_argument("--store-rounds", type=int, default=9, help="copies written per store")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data}: not a directory", file=sys.stderr)
        return 1
    pages = load(args.data)
    if not pages:
        print(f"{args.data}: no pages with expected text found", file=sys.stderr)
        return 1

    plain: list[float] = []
    kept: list[float] = []
    whole_times: list[float] = []
    raw = packed = 0
    sizes: list[int] = []
    cleaned_recall: list[float] = []
    whole_recall: list[float] = []
    rescued: list[str] = []
    missed_by_both: list[str] = []
    records = []
    for name, html, url, expected in pages:
        # Interleaved: each page is cleaned plainly, cleaned and kept, and made whole in turn.
        t_plain, article = timed(extract, html, url)
        t_kept, kept_article = timed(clean_page, html, url)
        t_whole, whole = timed(whole_page, html, url)
        plain.append(t_plain)
        kept.append(t_kept)
        whole_times.append(t_whole)
        source = kept_article.source  # type: ignore[attr-defined]
        raw += len(html.encode("utf-8"))
        packed += len(source.html_z)
        sizes.append(len(source.html_z))
        r_clean = recall(expected, article.text)  # type: ignore[attr-defined]
        r_whole = recall(expected, whole.text)  # type: ignore[attr-defined]
        cleaned_recall.append(r_clean)
        whole_recall.append(r_whole)
        if r_clean < 0.2:
            (rescued if r_whole >= 0.9 else missed_by_both).append(f"{name} ({r_whole:.2f})")
        records.append(
            ArticleRecord(guid=name, url=url, title=name, article=kept_article)  # type: ignore[arg-type]
        )

    median_plain = statistics.median(plain)
    print(f"pages: {len(pages)} from {args.data}")
    print(
        f"clean, median ms/page: {median_plain * 1000:.1f}; clean and keep the page: "
        f"{statistics.median(kept) * 1000:.1f} ({statistics.median(kept) / median_plain:.2f}x); "
        f"whole view: {statistics.median(whole_times) * 1000:.1f} "
        f"({statistics.median(whole_times) / median_plain:.2f}x)"
    )
    print(
        f"stored pages: {packed / 1e6:.2f} MB for {raw / 1e6:.2f} MB of HTML "
        f"({packed / raw:.3f}); median {statistics.median(sizes) / 1024:.1f} KB, "
        f"largest {max(sizes) / 1024:.1f} KB"
    )
    figures = store_figures(records, args.store_rounds)
    print(
        f"store, {len(records) * args.store_rounds} articles: a feed's write with pages "
        f"{figures['write_with'] / figures['write_without']:.2f}x the time without; file "
        f"{figures['size_with'] / 1e6:.1f} MB vs {figures['size_without'] / 1e6:.1f} MB; "
        f"newest-100 list {figures['list_with'] / figures['list_without']:.2f}x"
    )
    print(
        f"recall of the expected text, mean: cleaned {statistics.fmean(cleaned_recall):.3f}, "
        f"whole view {statistics.fmean(whole_recall):.3f}; whole view min "
        f"{min(whole_recall):.3f}, pages under 0.9: {sum(r < 0.9 for r in whole_recall)}"
    )
    print(
        f"cleaner misses (recall < 0.2): {len(rescued) + len(missed_by_both)}; whole view holds "
        f"the story (>= 0.9) on {len(rescued)}: {', '.join(rescued) or '-'}"
    )
    if missed_by_both:
        print(f"missed by both: {', '.join(missed_by_both)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
