"""Article-body extraction benchmark: our extractor against trafilatura.

Runs both extractors page by page (interleaved, so machine noise hits both alike) over the
article-extraction-benchmark data set, writes predictions in its JSON format and scores them
with the benchmark's own ``evaluate.py``::

    python bench/extraction.py PATH_TO_AEB [--out DIR] [--limit N] [--ours-only]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from tui_reader.core.extract import extract


def _load_evaluate(aeb: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("aeb_evaluate", aeb / "evaluate.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {aeb / 'evaluate.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ours(html: str, url: str | None) -> str:
    return extract(html, url).text


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


def _per_page(evaluate: ModuleType, truth: dict[str, Any], pred: dict[str, Any]) -> list:
    rows = []
    for key in truth:
        tp, fp, fn = evaluate.string_shingle_matching(
            true=truth[key].get("articleBody", ""), pred=pred[key].get("articleBody", "")
        )
        rows.append((key, evaluate.precision_score(tp, fp, fn), evaluate.recall_score(tp, fp, fn)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("aeb", type=Path, help="path to the article-extraction-benchmark")
    parser.add_argument("--out", type=Path, default=None, help="write predictions here")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--ours-only", action="store_true", help="skip trafilatura")
    parser.add_argument("--worst", type=int, default=10, help="list the N worst pages")
    parser.add_argument("--n-bootstrap", type=int, default=100)
    parser.add_argument("--key", default=None, help="only pages whose key starts with this")
    args = parser.parse_args(argv)

    evaluate = _load_evaluate(args.aeb)
    ground_truth: dict[str, Any] = json.loads((args.aeb / "ground-truth.json").read_text("utf8"))
    keys = sorted(ground_truth)
    if args.key:
        keys = [k for k in keys if k.startswith(args.key)]
    if args.limit:
        keys = keys[: args.limit]
    truth = {k: ground_truth[k] for k in keys}

    systems: dict[str, Callable[[str, str | None], str]] = {"ours": _ours}
    if not args.ours_only:
        systems["trafilatura"] = _trafilatura()
    predictions: dict[str, dict[str, Any]] = {name: {} for name in systems}
    timings: dict[str, list[float]] = {name: [] for name in systems}
    cpu_times: dict[str, list[float]] = {name: [] for name in systems}

    for key in keys:
        path = args.aeb / "html" / f"{key}.html.gz"
        with gzip.open(path, "rt", encoding="utf8") as handle:
            html = handle.read()
        url = ground_truth[key].get("url")
        for name, fn in systems.items():
            text, seconds, cpu_seconds = _timed(fn, html, url)
            predictions[name][key] = {"articleBody": text}
            timings[name].append(seconds)
            cpu_times[name].append(cpu_seconds)

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, pred in predictions.items():
            (args.out / f"{name}.json").write_text(
                json.dumps(pred, ensure_ascii=False, indent=1, sort_keys=True), "utf8"
            )

    medians: dict[str, float] = {}
    cpu_medians: dict[str, float] = {}
    print(f"{len(keys)} pages")
    print(
        f"{'':<12} {'F1':>6} {'prec':>6} {'recall':>6} {'median ms':>10} {'mean ms':>8} "
        f"{'median cpu ms':>14}"
    )
    for name, pred in predictions.items():
        metrics = evaluate.evaluate(truth, pred, args.n_bootstrap)
        medians[name] = statistics.median(timings[name]) * 1000
        cpu_medians[name] = statistics.median(cpu_times[name]) * 1000
        mean_ms = statistics.mean(timings[name]) * 1000
        print(
            f"{name:<12} {metrics['f1']:6.3f} {metrics['precision']:6.3f} "
            f"{metrics['recall']:6.3f} {medians[name]:10.2f} {mean_ms:8.2f} "
            f"{cpu_medians[name]:14.2f}"
        )
    if medians.get("trafilatura"):
        ratio = medians["ours"] / medians["trafilatura"]
        print(f"median time ratio ours/trafilatura: {ratio:.3f}")
        if cpu_medians.get("trafilatura"):
            cpu_ratio = cpu_medians["ours"] / cpu_medians["trafilatura"]
            print(f"median CPU time ratio ours/trafilatura: {cpu_ratio:.3f}")

    rows = _per_page(evaluate, truth, predictions["ours"])
    rows.sort(key=lambda r: 2 * r[1] * r[2] / (r[1] + r[2]) if r[1] + r[2] else 0.0)
    print(f"worst {args.worst} (ours): key P R")
    for key, p, r in rows[: args.worst]:
        print(f"  {key[:16]} {p:.3f} {r:.3f}  {truth[key].get('url', '')[:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
