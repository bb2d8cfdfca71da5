"""Article-body extraction benchmark: our extractor against trafilatura.

Runs both extractors page by page (interleaved, so machine noise hits both alike) over either
data set, the article-extraction-benchmark or Readability's test pages (see
``bench/scoring.py``), and scores each page's text against the reference with the
benchmark's token-shingle F1::

    python bench/extraction.py ../shared/aeb [--out DIR] [--limit N] [--ours-only]
    python bench/extraction.py ../shared/readability-test-pages [--rounds 5]

It prints mean F1, precision and recall, the pages below F1 0.2, the pages that came back
empty, which path of the extractor produced the text, and the median time per page with its
ratio to trafilatura's. One pass's ratio moves by a few hundredths from run to run:
``--rounds N`` makes N interleaved passes over the pages and prints each pass's ratio and
their median.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import Score, load, score, summary  # noqa: E402
from tui_reader.core.extract import extract  # noqa: E402

MISS_F1 = 0.2
_paths: Counter[str] = Counter()


def _ours(html: str, url: str | None) -> str:
    article = extract(html, url)
    _paths[article.extraction] += 1
    return article.text


def _ratio(ours: list[float], theirs: list[float]) -> float:
    return statistics.median(ours) / statistics.median(theirs)


def _trafilatura() -> Callable[[str, str | None], str]:
    import trafilatura

    def run(html: str, url: str | None) -> str:
        # The benchmark's published trafilatura run: defaults, comments excluded.
        return trafilatura.extract(html, url=url, include_comments=False) or ""

    return run


def _timed(
    fn: Callable[[str, str | None], str], html: str, url: str | None
) -> tuple[str, float, float]:
    """Run ``fn``; return its text, wall-clock seconds and CPU seconds."""
    # Each system starts with no garbage left by the other one: collecting it is work that
    # belongs to whoever made it, and doing it here keeps it out of both timings.
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    try:
        text = fn(html, url)
    except Exception as exc:  # noqa: BLE001 - a crash is scored as an empty prediction
        print(f"  error: {type(exc).__name__}: {exc}", file=sys.stderr)
        text = ""
    return text, time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("data", type=Path, help="the benchmark's or Readability's pages")
    parser.add_argument("--out", type=Path, default=None, help="write predictions here")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--ours-only", action="store_true", help="skip trafilatura")
    parser.add_argument("--worst", type=int, default=10, help="list the N worst pages")
    parser.add_argument("--key", default=None, help="only pages whose key starts with this")
    parser.add_argument(
        "--rounds", type=int, default=1, help="interleaved passes over the pages (timing only)"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    pages = list(load(args.data, args.key))
    if args.limit:
        pages = pages[: args.limit]
    if not pages:
        print(f"no pages found in {args.data}", file=sys.stderr)
        return 1

    systems: dict[str, Callable[[str, str | None], str]] = {"ours": _ours}
    if not args.ours_only:
        systems["trafilatura"] = _trafilatura()
    texts: dict[str, dict[str, str]] = {name: {} for name in systems}
    # Per pass, per system: one time per page.
    timings: list[dict[str, list[float]]] = []
    cpu_times: list[dict[str, list[float]]] = []

    for _ in range(args.rounds):
        timings.append({name: [] for name in systems})
        cpu_times.append({name: [] for name in systems})
        for page in pages:
            for name, fn in systems.items():
                text, seconds, cpu_seconds = _timed(fn, page.html, page.url)
                texts[name][page.key] = text
                timings[-1][name].append(seconds)
                cpu_times[-1][name].append(cpu_seconds)

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, by_key in texts.items():
            pred = {key: {"articleBody": text} for key, text in by_key.items()}
            (args.out / f"{name}.json").write_text(
                json.dumps(pred, ensure_ascii=False, indent=1, sort_keys=True), "utf8"
            )

    scores: dict[str, dict[str, Score]] = {
        name: {page.key: score(page.truth, by_key[page.key]) for page in pages}
        for name, by_key in texts.items()
    }
    medians: dict[str, float] = {}
    cpu_medians: dict[str, float] = {}
    print(f"{len(pages)} pages from {args.data}")
    print(
        f"{'':<12} {'F1':>6} {'prec':>6} {'recall':>6} {'<0.2':>5} {'empty':>6} "
        f"{'median ms':>10} {'mean ms':>8} {'median cpu ms':>14}"
    )
    for name in systems:
        f1, precision, recall = summary(list(scores[name].values()))
        misses = sum(s.f1 < MISS_F1 for s in scores[name].values())
        empty = sum(not texts[name][page.key].strip() for page in pages)
        # With several passes, each page's time is its median over the passes.
        per_page = [
            statistics.median(times) for times in zip(*(r[name] for r in timings), strict=True)
        ]
        cpu_per_page = [
            statistics.median(times) for times in zip(*(r[name] for r in cpu_times), strict=True)
        ]
        medians[name] = statistics.median(per_page) * 1000
        cpu_medians[name] = statistics.median(cpu_per_page) * 1000
        mean_ms = statistics.mean(per_page) * 1000
        print(
            f"{name:<12} {f1:6.3f} {precision:6.3f} {recall:6.3f} {misses:5d} {empty:6d} "
            f"{medians[name]:10.2f} {mean_ms:8.2f} {cpu_medians[name]:14.2f}"
        )
    if medians.get("trafilatura"):
        print(f"median time ratio ours/trafilatura: {medians['ours'] / medians['trafilatura']:.3f}")
        if cpu_medians.get("trafilatura"):
            ratio = cpu_medians["ours"] / cpu_medians["trafilatura"]
            print(f"median CPU time ratio ours/trafilatura: {ratio:.3f}")
        if args.rounds > 1:
            ratios = [_ratio(r["ours"], r["trafilatura"]) for r in timings]
            print(
                f"time ratio of each pass: {', '.join(f'{x:.3f}' for x in ratios)}; "
                f"median {statistics.median(ratios):.3f}"
            )
    paths = ", ".join(f"{k} {v // args.rounds}" for k, v in _paths.most_common())
    print(f"extraction paths (ours): {paths}")

    ranked = sorted(scores["ours"].items(), key=lambda item: item[1].f1)
    low = [key for key, s in ranked if s.f1 < MISS_F1]
    print(f"pages below F1 {MISS_F1} (ours): {', '.join(low) if low else 'none'}")
    urls = {page.key: page.url or "" for page in pages}
    print(f"worst {args.worst} (ours): key F1 P R")
    for key, s in ranked[: args.worst]:
        print(f"  {key[:24]:<24} {s.f1:.3f} {s.precision:.3f} {s.recall:.3f}  {urls[key][:60]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
