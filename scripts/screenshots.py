"""Make the README's screenshots (SVG) of the real app over the bundled Welcome feed.

    python scripts/screenshots.py [--out screenshots] [--pictures]

``--pictures`` makes only ``pictures.svg``: a story with a photo-like scene and a chart, drawn
at 120x40 in half-block cells (an SVG cannot hold a terminal's graphics protocol), from
pictures the script draws with Pillow.

Each screenshot runs the app headless at a fixed size in a fresh temporary store, with a fixed
clock so the ages in the list do not change from one run to the next.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)

# (file name, terminal size, keys to press, text to type after the keys, theme)
SHOTS: tuple[tuple[str, tuple[int, int], Sequence[str], str, str], ...] = (
    ("wide.svg", (150, 40), ("j", "enter"), "", "dark"),
    ("medium.svg", (120, 32), ("j", "enter"), "", "dark"),
    ("narrow-list.svg", (80, 24), (), "", "dark"),
    ("narrow.svg", (80, 24), ("enter",), "", "dark"),
    ("light.svg", (120, 32), ("j", "enter"), "", "light"),
    ("light-list.svg", (80, 24), ("j",), "", "light"),
    ("help.svg", (100, 34), ("question_mark",), "", "dark"),
    ("search.svg", (120, 30), ("slash",), "offline", "dark"),
)


PICTURE_SHOT = ("pictures.svg", (120, 40), ("enter",), "", "dark")
HARBOUR = "https://pictures.example/harbour.png"
CHART = "https://pictures.example/rainfall.png"


def draw_pictures(folder: Path) -> dict[str, object]:
    """A sunset over water and a bar chart as PNG files, and their StoredPicture records."""
    from PIL import Image, ImageDraw

    from tui_reader.core.models import StoredPicture

    scene = Image.new("RGB", (640, 360))
    paint = ImageDraw.Draw(scene)
    for y in range(200):  # the sky, from deep blue to orange at the horizon
        t = y / 200
        paint.line(
            [(0, y), (640, y)], fill=(int(30 + 220 * t), int(40 + 110 * t), int(120 - 60 * t))
        )
    paint.ellipse((270, 140, 370, 240), fill=(255, 210, 90))
    for y in range(200, 360):  # the sea, darker further down
        t = (y - 200) / 160
        paint.line(
            [(0, y), (640, y)],
            fill=(int(20 + 40 * (1 - t)), int(60 + 50 * (1 - t)), int(110 - 30 * t)),
        )
    paint.polygon([(60, 300), (200, 300), (180, 330), (80, 330)], fill=(60, 30, 20))
    paint.line([(130, 300), (130, 200)], fill=(230, 230, 230), width=4)
    paint.polygon([(134, 205), (134, 290), (190, 290)], fill=(240, 240, 240))
    chart = Image.new("RGB", (480, 240), (250, 250, 245))
    paint = ImageDraw.Draw(chart)
    rain = (42, 35, 50, 61, 74, 88, 96, 80, 66, 52, 45, 40)
    for month, mm in enumerate(rain):
        left = 20 + month * 38
        paint.rectangle((left, 220 - mm * 2, left + 28, 220), fill=(40, 110, 190))
    paint.line([(10, 220), (470, 220)], fill=(30, 30, 30), width=2)
    found: dict[str, object] = {}
    for src, image, name in ((HARBOUR, scene, "harbour.png"), (CHART, chart, "rainfall.png")):
        path = folder / name
        image.save(path)
        found[src] = StoredPicture(path=path, width=image.width, height=image.height)
    return found


def picture_story(now: datetime) -> object:
    """The article the pictures screenshot opens."""
    from tui_reader.core.models import Article, Block, Span
    from tui_reader.core.storage.sqlite import ArticleRecord

    def para(text: str) -> Block:
        return Block(kind="paragraph", spans=(Span(text),))

    blocks = (
        para("The harbour stayed busy well past sunset on Friday, as the last of the summer "
             "ferries came in under a sky the colour of apricots."),
        Block(kind="figure", src=HARBOUR, alt="A sailing boat at sunset",
              spans=(Span("The evening ferry rounds the breakwater."),)),
        para("Rainfall this year followed the usual curve, with a wetter July than most."),
        Block(kind="figure", src=CHART, alt="Monthly rainfall chart",
              spans=(Span("Rainfall by month, in millimetres."),)),
        para("The harbour master expects the winter timetable to start in October."),
    )  # fmt: skip
    article = Article(title="A summer evening at the harbour", blocks=blocks)
    return ArticleRecord(
        guid="pictures-1",
        url="https://news.example/harbour",
        title=article.title,
        article=article,
        published=now - timedelta(hours=1),
    )


async def shoot(
    out: Path,
    name: str,
    size: tuple[int, int],
    keys: Sequence[str],
    text: str,
    theme: str,
    *,
    with_pictures: bool = False,
) -> None:
    from tui_reader.core import paths
    from tui_reader.core.library import WELCOME_SETTING, Library, add_welcome_feed
    from tui_reader.core.storage import Store
    from tui_reader.ui.app import ReaderApp

    with tempfile.TemporaryDirectory() as tmp:
        for sub in ("data", "config", "log"):
            os.environ[f"TUI_READER_{sub.upper()}_DIR"] = str(Path(tmp) / sub)
        # The Welcome feed is dated when a store is created; date it against the fixed clock
        # so the screenshots come out the same on every run.
        store = Store.open(paths.db_path(Path(tmp) / "data"))
        add_welcome_feed(store, now=NOW - timedelta(hours=2))
        found: dict[str, object] = {}
        if with_pictures:
            feed_id, _ = store.add_feed("https://news.example/feed", title="Harbour News")
            store.upsert_articles(feed_id, [picture_story(NOW)])  # type: ignore[list-item]
            found = draw_pictures(Path(tmp))
        store.set_setting(WELCOME_SETTING, "1")
        store.close()
        library = Library.open(Path(tmp) / "data", offline=True)
        if with_pictures:
            # A truecolor terminal, whatever the one running this script says of itself.
            os.environ["COLORTERM"] = "truecolor"
        try:
            app = ReaderApp(library, clock=lambda: NOW, theme=theme)
            if with_pictures:
                # The drawn pictures stand in for the store's; cells, since an SVG cannot
                # show a graphics protocol.
                app.picture_mode = "cells"
                app.picture_callables = lambda article_id: (found.get, lambda src: None)  # type: ignore[method-assign,assignment]
            async with app.run_test(size=size) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause()
                    await app.workers.wait_for_complete()
                if text:
                    await pilot.press(*text, "enter")
                    await pilot.pause()
                    await app.workers.wait_for_complete()
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                app.save_screenshot(filename=name, path=str(out))
        finally:
            library.close()
    print(f"wrote {out / name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--pictures", action="store_true", help="only the pictures story")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.pictures:
        name, size, keys, text, theme = PICTURE_SHOT
        asyncio.run(shoot(args.out, name, size, keys, text, theme, with_pictures=True))
        return 0
    for name, size, keys, text, theme in SHOTS:
        asyncio.run(shoot(args.out, name, size, keys, text, theme))
    return 0


if __name__ == "__main__":
    sys.exit(main())
