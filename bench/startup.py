"""Startup benchmark: time to the first article title in a real terminal, and peak memory.

For stores of 0, 10,000 and 100,000 articles (filled through the storage layer), launches
``tui-reader --data-dir D --offline`` in a tmux session and polls ``capture-pane`` until the
newest article's title is on screen (for the empty store: the "No articles" line). Each
launch is paired with a bare Textual app that paints one label, measured alternately in the
same run, so the figure reported is a ratio that does not depend on the machine. Peak memory
is the child's maximum RSS, read with ``resource.getrusage(RUSAGE_CHILDREN)`` by a small
wrapper process.

    python bench/startup.py [--sizes 0,10000,100000] [--rounds 5] [--keep DIR]

Targets: at most 1.5x the bare app at 10,000 articles, 2x at 100,000, and a peak RSS of at
most 200 MB at 100,000. On a loaded machine single launches vary a lot; use more
``--rounds`` and look at the median ratio, the ratio of the fastest launches and the median
of the ratios within each round.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui_reader.core.models import Article, Block, Span  # noqa: E402
from tui_reader.core.storage import ArticleRecord, Store  # noqa: E402

BARE_APP = """
from textual.app import App
from textual.widgets import Label

class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]
    def compose(self):
        yield Label("BARE-APP-READY")

Bare().run()
"""

# Runs a command, then writes its peak RSS (KiB on Linux) to a file.
WRAPPER = """
import resource, subprocess, sys
subprocess.run(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
"""

NOW = datetime(2026, 3, 1, tzinfo=UTC)
FEEDS = 50


def fill(data_dir: Path, count: int) -> str:
    """A store with ``count`` articles over :data:`FEEDS` feeds; returns the text to wait for."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(data_dir / "tui-reader.sqlite3")
    try:
        feed_ids = [
            store.add_feed(f"https://feed{n}.example/rss", title=f"Feed {n}")[0]
            for n in range(FEEDS)
        ]
        batch: dict[int, list[ArticleRecord]] = {}
        text = "A paragraph of ordinary words to give the row a body to store. " * 8
        for number in range(count):
            feed_id = feed_ids[number % FEEDS]
            title = f"Bench article {number}"
            article = Article(title=title, blocks=(Block("paragraph", spans=(Span(text),)),))
            batch.setdefault(feed_id, []).append(
                ArticleRecord(
                    guid=f"g{number}",
                    url=f"https://feed.example/{number}",
                    title=title,
                    article=article,
                    published=NOW - timedelta(minutes=number),
                )
            )
            if (number + 1) % 5000 == 0:
                for fid, records in batch.items():
                    store.upsert_articles(fid, records)
                batch.clear()
        for fid, records in batch.items():
            store.upsert_articles(fid, records)
    finally:
        store.close()
    return "Bench article 0" if count else "No articles here"


class Terminal:
    def __init__(self) -> None:
        self.socket = f"tui-reader-bench-{uuid.uuid4().hex[:8]}"

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True
        ).stdout

    def launch(self, command: list[str], marker: str, rss_file: Path) -> float:
        """Seconds from launching ``command`` until ``marker`` is on screen."""
        # A fresh tmux server per launch: reusing a socket races with the last kill-server.
        self.socket = f"tui-reader-bench-{uuid.uuid4().hex[:8]}"
        rss_file.unlink(missing_ok=True)
        wrapped = [sys.executable, "-c", WRAPPER, str(rss_file), *command]
        start = time.perf_counter()
        self.tmux("new-session", "-d", "-s", "bench", "-x", "120", "-y", "40", shlex.join(wrapped))
        deadline = start + 60
        while time.perf_counter() < deadline:
            if marker in self.tmux("capture-pane", "-p", "-t", "bench"):
                elapsed = time.perf_counter() - start
                break
            time.sleep(0.005)
        else:
            screen = self.tmux("capture-pane", "-p", "-t", "bench")
            self.tmux("kill-server")
            raise SystemExit(f"timed out waiting for {marker!r}; the screen was:\n{screen}")
        self.tmux("send-keys", "-t", "bench", "q")
        while not rss_file.exists() and time.perf_counter() < deadline + 10:
            time.sleep(0.02)
        self.tmux("kill-server")
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="reuse/keep stores in this directory")
    parser.add_argument("--each", action="store_true", help="also print every launch's time")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is required", file=sys.stderr)
        return 1
    script = shutil.which("tui-reader") or str(Path(sys.executable).parent / "tui-reader")
    work = args.keep or Path(tempfile.mkdtemp(prefix="tui-reader-startup-"))
    bare = work / "bare_app.py"
    bare.write_text(BARE_APP, encoding="utf-8")
    env_dirs = work / "env"
    env_dirs.mkdir(parents=True, exist_ok=True)
    terminal = Terminal()
    print(f"{'articles':>9} {'bare ms':>9} {'app ms':>9} {'ratio':>6} {'best':>6} "
          f"{'paired':>6} {'app MB':>7} {'bare MB':>8}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        data = work / f"store-{size}"
        marker_file = data / "marker.txt"
        if marker_file.exists():
            marker = marker_file.read_text(encoding="utf-8")
        else:
            started = time.perf_counter()
            marker = fill(data, size)
            marker_file.write_text(marker, encoding="utf-8")
            print(f"# filled {size} articles in {time.perf_counter() - started:.1f}s", flush=True)
        # Both programs run with bytecode caching on (as after a normal install), in a cache
        # of our own so the source tree is not written to; the warm-up launch fills it.
        cache = ["-u", "PYTHONDONTWRITEBYTECODE", f"PYTHONPYCACHEPREFIX={work / 'pycache'}"]
        app_cmd = ["env", *cache, f"TUI_READER_CONFIG_DIR={env_dirs}",
                   f"TUI_READER_LOG_DIR={env_dirs}", script, "--data-dir", str(data),
                   "--offline"]  # fmt: skip
        bare_cmd = ["env", *cache, sys.executable, str(bare)]
        bare_times, app_times, app_rss, bare_rss = [], [], [], []
        rss_file = work / "rss.txt"
        # One unmeasured launch of each warms the page cache.
        terminal.launch(bare_cmd, "BARE-APP-READY", rss_file)
        terminal.launch(app_cmd, marker, rss_file)
        for _ in range(args.rounds):
            bare_times.append(terminal.launch(bare_cmd, "BARE-APP-READY", rss_file))
            bare_rss.append(int(rss_file.read_text() or 0) / 1024)
            app_times.append(terminal.launch(app_cmd, marker, rss_file))
            app_rss.append(int(rss_file.read_text() or 0) / 1024)
            if args.each:
                print(f"# bare {bare_times[-1] * 1000:.0f} ms, app {app_times[-1] * 1000:.0f} ms",
                      flush=True)  # fmt: skip
        bare_ms = statistics.median(bare_times) * 1000
        app_ms = statistics.median(app_times) * 1000
        # "ratio" compares medians; "best" compares the fastest launch of each, which is
        # the steadier figure on a busy machine.
        best = min(app_times) / min(bare_times)
        # "paired" is the median of each round's own ratio: the two launches of a round run
        # seconds apart, so a load that comes and goes on a shared machine mostly cancels.
        paired = statistics.median(a / b for a, b in zip(app_times, bare_times, strict=True))
        print(
            f"{size:>9} {bare_ms:>9.0f} {app_ms:>9.0f} {app_ms / bare_ms:>6.2f} {best:>6.2f} "
            f"{paired:>6.2f} {max(app_rss):>7.0f} {max(bare_rss):>8.0f}",
            flush=True,
        )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
