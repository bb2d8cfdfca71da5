"""Reader benchmark: the time from opening an article to its text, with 20 pictures and without.

A reader pane (headless Textual, 120x40) opens the same article of 20 figures and 60
paragraphs two ways, alternately in the same run: with no stored pictures (the figures show
their alt text) and with a stored 1200x800 photo-like PNG for each figure. It reports

- text: from ``show()`` to the laid-out text, with pictures / without (the text must not
  wait for the pictures: near 1);
- all pictures: from ``show()`` to the last picture drawn, against the text without pictures;
- drawn again: opening the article a second time (the drawn pictures are kept per width).

    python bench/reader_pictures.py [--rounds 5] [--mode cells|kitty|sixel]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402

from tui_reader.core.models import (  # noqa: E402
    Article,
    ArticleSummary,
    Block,
    Span,
    StoredArticle,
    StoredPicture,
)
from tui_reader.ui.widgets.reader_pane import ReaderPane  # noqa: E402

FIGURES = 20


def make_picture(path: Path, seed: int) -> StoredPicture:
    image = Image.effect_noise((1200, 800), 40 + seed).convert("RGB")
    paint = ImageDraw.Draw(image)
    for band in range(0, 800, 40):
        paint.rectangle((0, band, 1200, band + 20), fill=(band % 255, 80, 200 - band % 200))
    image.save(path)
    return StoredPicture(path=path, width=1200, height=800)


def story() -> StoredArticle:
    blocks: list[Block] = []
    for number in range(FIGURES):
        for line in range(3):
            text = f"Paragraph {number}.{line}: " + "words of the story " * 12
            blocks.append(Block(kind="paragraph", spans=(Span(text),)))
        blocks.append(
            Block(
                kind="figure",
                src=f"https://pictures.example/{number}.png",
                alt=f"picture {number}",
                spans=(Span(f"Caption {number}."),),
            )
        )
    summary = ArticleSummary(1, 1, "Bench", "Twenty pictures", None, None)
    return StoredArticle(summary, Article(title="Twenty pictures", blocks=tuple(blocks)))


class PaneApp(App[None]):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.picture_mode = mode

    def compose(self) -> ComposeResult:
        yield ReaderPane()


async def measure(
    rounds: int, mode: str, found: dict[str, StoredPicture]
) -> dict[str, list[float]]:
    article = story()
    results: dict[str, list[float]] = {"none": [], "text": [], "all": [], "again": []}
    app = PaneApp(mode)
    drawn: list[float] = []

    def hook(message: object) -> None:
        if isinstance(message, ReaderPane.PictureDrawn):
            drawn.append(time.perf_counter())

    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        pane = app.query_one(ReaderPane)
        pane.color_depth = "truecolor"

        async def open_article(pictures: bool) -> tuple[float, float]:
            drawn.clear()
            picture_for = found.get if pictures else (lambda src: None)
            start = time.perf_counter()
            pane.show(article, picture_for=picture_for, problem_for=lambda src: None)
            text = None
            while time.perf_counter() - start < 120:
                await pilot.pause(0.001)
                if text is None and pane.laid_out:
                    text = time.perf_counter() - start
                if text is not None and (not pictures or len(drawn) >= FIGURES):
                    break
            assert text is not None, "the text never appeared"
            return text, (drawn[-1] - start if drawn else text)

        for _ in range(rounds):
            pane._drawn.clear()  # a cold open: every picture decoded and scaled
            results["none"].append((await open_article(False))[0])
            text, last = await open_article(True)
            results["text"].append(text)
            results["all"].append(last)
            results["again"].append((await open_article(True))[1])
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mode", default="cells", choices=("cells", "kitty", "sixel"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        found = {
            f"https://pictures.example/{n}.png": make_picture(Path(tmp) / f"{n}.png", n)
            for n in range(FIGURES)
        }
        results = asyncio.run(measure(args.rounds, args.mode, found))
    none = statistics.median(results["none"])
    for name, label in (
        ("text", "text, 20 pictures / none"),
        ("all", "all 20 pictures drawn / text without"),
        ("again", "opened again, all drawn / text without"),
    ):
        value = statistics.median(results[name])
        print(f"{label:42} {value / none:6.2f}x  ({value * 1000:.0f} ms vs {none * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
