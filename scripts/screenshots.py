"""Make the README's screenshots (SVG) of the real app over the bundled Welcome feed.

    python scripts/screenshots.py [--out screenshots]

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


async def shoot(
    out: Path, name: str, size: tuple[int, int], keys: Sequence[str], text: str, theme: str
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
        store.set_setting(WELCOME_SETTING, "1")
        store.close()
        library = Library.open(Path(tmp) / "data", offline=True)
        try:
            app = ReaderApp(library, clock=lambda: NOW, theme=theme)
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
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, size, keys, text, theme in SHOTS:
        asyncio.run(shoot(args.out, name, size, keys, text, theme))
    return 0


if __name__ == "__main__":
    sys.exit(main())
