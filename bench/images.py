"""Pictures benchmark: a refresh of pages with pictures against the same pages without.

Starts the test suite's local HTTP server in a child process, serving one feed of ``--pages``
articles whose pages each hold ``--pictures`` figures (JPEG photos of ``--size`` pixels wide,
generated with Pillow; all different, or ``--distinct`` different ones shared across the
pages, as a site's recurring pictures are: those are fetched once). Each run refreshes a
fresh store with the same limits:

- ``off``: ``[fetch] images = false`` (the pages only: the reference);
- ``threads``: pictures decoded and scaled in the keeper's thread pool (the default);
- ``processes``: the same work handed to the refresh's worker processes instead.

For each it prints the wall time as a ratio to ``off``, the CPU time of this process, and
when the article count was known (the feed's entries stored, reported by the progress
callback) as a ratio to the same moment in ``off``: pictures must not delay it. Last, what
the reader pays per figure to find its stored picture (:meth:`Library.picture`) against
loading the article itself.

Then the reader's side (:mod:`reader_pictures`, a headless reader pane at 120x40): the time
from opening an article (what Enter does) to its laid-out text with 20 stored pictures against
none, and to the last picture drawn.

    python bench/images.py [--pages 20] [--pictures 8] [--size 2400] [--distinct 0]
                           [--reader-rounds 5] [--mode cells|kitty|sixel]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import reader_pictures  # noqa: E402 - the reader's half of this benchmark

from tests.httpserver import LocalServer  # noqa: E402
from tests.integration.site import Item, rss  # noqa: E402
from tests.picturemaker import story_page  # noqa: E402
from tui_reader.core.config import Config  # noqa: E402
from tui_reader.core.library import Library  # noqa: E402
from tui_reader.core.pictures import PictureError, PictureKeeper, prepare_picture  # noqa: E402
from tui_reader.core.refresh import PAGE  # noqa: E402


def photo(n: int, width: int) -> bytes:
    """A photo-like JPEG (gradients and noise, so it does not compress to nothing)."""
    from PIL import Image

    height = width * 2 // 3
    # Soft shapes from coarse noise, a gradient, and a little grain: about what a
    # photograph costs to decode and compresses to.
    coarse = Image.effect_noise((width // 40, height // 40), 60 + n).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    grain = Image.effect_noise((width, height), 8)
    tint = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (coarse, tint, grain))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _serve(conn, args) -> None:  # type: ignore[no-untyped-def]
    server = LocalServer().start()
    for n in range(args.distinct):
        server.add(f"/pics/{n}.jpg", photo(n, args.size), content_type="image/jpeg")
    items = []
    for p in range(args.pages):
        figures = [
            (f"/pics/{(p * args.pictures + f) % args.distinct}.jpg", f"Picture {f}")
            for f in range(args.pictures)
        ]
        server.add(f"/story/{p}.html", story_page(f"Story {p}", figures), content_type="text/html")
        items.append(Item(guid=f"s{p}", title=f"Story {p}", link=server.url(f"/story/{p}.html")))
    server.add("/feed.xml", rss("Pictures", items), content_type="application/rss+xml")
    conn.send(server.url("/feed.xml"))
    conn.recv()
    server.stop()


async def _run(library: Library, mode: str) -> tuple[float, float, float, int]:
    if mode == "processes":
        refresher = library._refresher()
        pool = refresher.pool

        async def in_workers(data: bytes, content_type: str | None):  # type: ignore[no-untyped-def]
            return await pool.run(PAGE, PictureError, prepare_picture, data, content_type)

        refresher.pictures = PictureKeeper(
            library.store, library.config, library._db, decode=in_workers
        )
    counted: list[float] = []
    start = time.perf_counter()
    cpu = time.process_time()
    try:
        report = await library.refresh(
            progress=lambda p: counted.append(time.perf_counter() - start)
        )
    finally:
        await library.aclose()
    elapsed = time.perf_counter() - start
    assert report.new_articles > 0 and not report.failures, report
    kept = library.store._connection().execute(
        "SELECT count(*) FROM article_pictures WHERE hash IS NOT NULL"
    )
    return elapsed, time.process_time() - cpu, counted[-1], int(kept.fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--pictures", type=int, default=8, help="figures per page")
    parser.add_argument("--size", type=int, default=2400, help="width of the photos served")
    parser.add_argument(
        "--distinct", type=int, default=0, help="different photos served (0: all different)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode (best kept)")
    parser.add_argument("--reader-rounds", type=int, default=5, help="openings of the article")
    parser.add_argument("--mode", default="cells", choices=("cells", "kitty", "sixel"))
    args = parser.parse_args()
    args.distinct = args.distinct or args.pages * args.pictures
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, args), daemon=True)
    process.start()
    feed = parent.recv()
    import tui_reader.core.extract  # noqa: F401 - a one-off import, not refresh work

    results: dict[str, tuple[float, float, float, int]] = {}
    try:
        for _ in range(args.rounds):
            for mode in ("off", "threads", "processes"):
                with tempfile.TemporaryDirectory() as tmp:
                    config = Config(fetch_images=mode != "off")
                    library = Library.open(tmp, config=config)
                    try:
                        library.store.add_feed(feed)
                        run = asyncio.run(_run(library, mode))
                        if mode == "threads":
                            lookups = _lookups(library)
                    finally:
                        library.close()
                if mode not in results or run[0] < results[mode][0]:
                    results[mode] = run
    finally:
        parent.send("stop")
        process.join(timeout=10)
    base_wall, _, base_count, _ = results["off"]
    print(
        f"{args.pages} pages x {args.pictures} pictures ({args.distinct} distinct JPEGs, "
        f"{args.size} px wide), best of {args.rounds}"
    )
    for mode, (wall, cpu, count, kept) in results.items():
        print(
            f"{mode:>9}: refresh {wall:.2f} s = {wall / base_wall:.2f} x off; "
            f"articles counted at {count:.2f} s = {count / base_count:.2f} x off; "
            f"CPU here {cpu:.2f} s; pictures kept {kept}"
        )
    per_picture, per_article = lookups
    print(
        f"opening an article: Library.picture {per_picture * 1e6:.0f} us per figure = "
        f"{per_picture / per_article:.2f} x Library.article ({per_article * 1e6:.0f} us)"
    )
    opening(args.reader_rounds, args.mode)
    return 0


def opening(rounds: int, mode: str) -> None:
    """The reader's side: Enter to the text with 20 stored pictures against none."""
    count = reader_pictures.FIGURES
    with tempfile.TemporaryDirectory() as tmp:
        found = {
            f"https://pictures.example/{n}.png": reader_pictures.make_picture(
                Path(tmp) / f"{n}.png", n
            )
            for n in range(count)
        }
        results = asyncio.run(reader_pictures.measure(rounds, mode, found))
    none = statistics.median(results["none"])
    print(f"opening an article of {count} figures ({mode}), median of {rounds}:")
    for name, label in (
        ("text", f"Enter to the text, {count} pictures / none"),
        ("all", f"Enter to the last of {count} pictures / text without"),
        ("again", "opened again, all drawn / text without"),
    ):
        value = statistics.median(results[name])
        print(f"  {label:48} {value / none:6.2f} x  ({value * 1e3:.0f} ms vs {none * 1e3:.0f} ms)")


def _lookups(library: Library) -> tuple[float, float]:
    """What the reader pays per figure to find its picture, against loading the article."""
    figures: list[tuple[int, str]] = []
    ids = [summary.id for summary in library.articles(limit=1000) if summary.url]
    for article_id in ids:
        article = library.article(article_id).article
        figures += [(article_id, b.src) for b in article.blocks if b.kind == "figure" and b.src]
    start = time.perf_counter()
    for _ in range(5):
        for article_id, src in figures:
            assert library.picture(article_id, src) is not None
    per_picture = (time.perf_counter() - start) / (5 * len(figures))
    start = time.perf_counter()
    for _ in range(5):
        for article_id in ids:
            library.article(article_id)
    per_article = (time.perf_counter() - start) / (5 * len(ids))
    return per_picture, per_article


if __name__ == "__main__":
    sys.exit(main())
