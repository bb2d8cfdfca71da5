"""Feed parsing benchmark: the parser chain against feedparser alone, time and peak memory.

Writes RSS 2.0 and Atom feeds of ``--sizes`` items, listed oldest first (as archives and
podcasts do), and an RSS feed with one broken item in the middle (a bare ``<``, which sends
that part of it to feedparser), and parses each with :func:`parse_feed` in a fresh
subprocess per run, so that the peak resident memory of one parse can be read from the
kernel. Two ways are compared in the same run, interleaved so machine noise hits both alike:

- ``chain``: ``parse_feed`` as shipped (feedparser-rs first, feedparser as the fallback);
- ``feedparser``: the same ``parse_feed`` with the fast path switched off, i.e. feedparser
  plus the same normalization, as before the fast parser.

``--raw`` adds the candidates' bare parse calls (feedparser-rs, and fastfeedparser when it is
installed), without our checks and normalization. Times exclude interpreter start-up and
imports (wall and CPU time are both shown: on a busy machine the CPU time is the steadier);
memory is the peak RSS of the worker, and how far the parse raised it over the peak
before (imports and reading the file; a small parse may not raise it at all).

    python bench/feedparse.py [--sizes 10000,100000] [--kinds rss,atom,rss-broken]
                              [--rounds 1] [--raw] [--dir DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URL = "https://bench.example.org/feed"
START = datetime(2015, 1, 1, tzinfo=UTC)


def rss_document(items: int) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>'
        "<title>Bench &amp; feed</title><link>https://bench.example.org/</link>"
        "<description>Oldest first</description>\n"
    ]
    for n in range(items):
        date = format_datetime(START + timedelta(minutes=17 * n))
        parts.append(
            f"<item><title>Item {n}: rivers rise &amp; power returns</title>"
            f"<link>https://bench.example.org/posts/{n}</link>"
            f'<guid isPermaLink="false">urn:bench:{n}</guid><pubDate>{date}</pubDate>'
            f"<description>Summary of item {n} with &lt;b&gt;bold&lt;/b&gt; words.</description>"
            f'<content:encoded><![CDATA[<p>Body of item {n}. <a href="/rel/{n}">More</a> '
            "about the council, the engineers and the storm.</p>]]></content:encoded></item>\n"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


def atom_document(items: int) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>Bench feed</title><link href="https://bench.example.org/"/>'
        "<id>urn:bench</id><updated>2025-01-01T00:00:00Z</updated>\n"
    ]
    for n in range(items):
        date = (START + timedelta(minutes=17 * n)).isoformat()
        parts.append(
            f"<entry><title>Entry {n}: rivers rise</title><id>urn:bench:{n}</id>"
            f'<link rel="alternate" href="https://bench.example.org/entries/{n}"/>'
            f"<published>{date}</published><updated>{date}</updated>"
            f"<author><name>Writer {n % 7}</name></author>"
            f"<summary>Summary of entry {n}.</summary>"
            f'<content type="html">&lt;p&gt;Body of entry {n}. &lt;a href="/rel/{n}"&gt;More'
            "&lt;/a&gt; about the council and the storm.&lt;/p&gt;</content></entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode()


def broken_rss_document(items: int) -> bytes:
    """The RSS feed with one bare "<" in the middle item: the fast parser refuses that part."""
    middle = f"<title>Item {items // 2}: ".encode()
    return rss_document(items).replace(middle, middle + b"1 < 2, ", 1)


KINDS = {"rss": rss_document, "atom": atom_document, "rss-broken": broken_rss_document}


# --- the worker: one parse in a fresh process ----------------------------------------------


def worker(mode: str, path: Path) -> None:
    data = path.read_bytes()
    run = _runner(mode)
    baseline = _peak_kib()
    cpu = time.process_time()
    start = time.perf_counter()
    entries, newest = run(data)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "entries": entries,
                "newest": newest,
                "peak_mib": _peak_kib() / 1024,
                "growth_mib": (_peak_kib() - baseline) / 1024,
            }
        )
    )


def _runner(mode: str):  # type: ignore[no-untyped-def]
    if mode in ("chain", "feedparser"):
        from tui_reader.core import feedparse_fast
        from tui_reader.core.feeds import parse_feed

        if mode == "feedparser":
            feedparse_fast.parse_fast = lambda *args, **kwargs: (None, "switched off")  # type: ignore[assignment]

        def ours(data: bytes) -> tuple[int, str]:
            feed = parse_feed(data, URL)
            return len(feed.entries), feed.entries[-1].title if feed.entries else ""

        return ours
    if mode == "rs-raw":
        import feedparser_rs

        def rs(data: bytes) -> tuple[int, str]:
            limits = feedparser_rs.ParserLimits(max_entries=10_000_000)
            parsed = feedparser_rs.parse_with_limits(data, limits=limits, sanitize_html=False)
            return len(parsed.entries), parsed.entries[-1].title if parsed.entries else ""

        return rs
    if mode == "fastfeedparser-raw":
        import fastfeedparser

        def fast(data: bytes) -> tuple[int, str]:
            parsed = fastfeedparser.parse(data)
            return len(parsed.entries), parsed.entries[-1].get("title", "")

        return fast
    if mode == "feedparser-raw":
        import feedparser

        def plain(data: bytes) -> tuple[int, str]:
            parsed = feedparser.parse(io.BytesIO(data))
            return len(parsed.entries), parsed.entries[-1].get("title", "")

        return plain
    raise SystemExit(f"unknown mode {mode}")


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- the driver ----------------------------------------------------------------------------


def measure(mode: str, path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", mode, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{mode} on {path.name} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--kinds", default=",".join(KINDS), help="of " + ", ".join(KINDS))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--raw", action="store_true", help="also time the bare candidates")
    parser.add_argument("--dir", type=Path, help="write the feeds here and keep them")
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return 0

    modes = ["chain", "feedparser"]
    if args.raw:
        modes[1:1] = ["rs-raw", "fastfeedparser-raw"]
        try:
            import fastfeedparser  # noqa: F401
        except ImportError:
            modes.remove("fastfeedparser-raw")
    sizes = [int(size) for size in args.sizes.split(",") if size]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        header = f"{'feed':<17} {'MB':>6} {'mode':<19} {'entries':>8} {'s':>7} {'cpu s':>7}"
        print(header + f" {'peak MiB':>9} {'growth':>7}  vs feedparser (time, cpu, growth)")
        for size in sizes:
            for kind in args.kinds.split(","):
                build = KINDS[kind]
                path = folder / f"{kind}-{size}.xml"
                path.write_bytes(build(size))
                megabytes = path.stat().st_size / 1e6
                runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
                for _ in range(args.rounds):
                    for mode in modes:
                        runs[mode].append(measure(mode, path))
                reference = _median(runs["feedparser"])
                for mode in modes:
                    result = _median(runs[mode])
                    ratio = result["seconds"] / reference["seconds"]
                    cpu_ratio = result["cpu"] / reference["cpu"]
                    memory = result["growth_mib"] / max(reference["growth_mib"], 1)
                    print(
                        f"{kind + '-' + str(size):<17} {megabytes:6.1f} {mode:<19}"
                        f" {int(result['entries']):>8}"
                        f" {result['seconds']:7.2f} {result['cpu']:7.2f} {result['peak_mib']:9.0f}"
                        f" {result['growth_mib']:7.0f}  {ratio:5.3f}x, {cpu_ratio:5.3f}x,"
                        f" {memory:5.2f}x",
                        flush=True,
                    )
    return 0


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = ("seconds", "cpu", "peak_mib", "growth_mib", "entries")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


if __name__ == "__main__":
    sys.exit(main())
