"""Snapshots of the app at 80x24 and 160x48 over a deterministic store and a frozen clock.

Update after an intended change with ``pytest tests/ui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from tui_reader.core.library import Library

from .helpers import make_app, press, settle


def run_keys(*keys: str):  # type: ignore[no-untyped-def]
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await press(pilot, *keys)
        await settle(pilot)

    return before


def test_wide_list(snap_compare, library: Library) -> None:
    assert snap_compare(make_app(library), terminal_size=(160, 48), run_before=run_keys())


def test_wide_reading(snap_compare, library: Library) -> None:
    app = make_app(library)
    assert snap_compare(app, terminal_size=(160, 48), run_before=run_keys("j", "enter"))


def test_narrow_list(snap_compare, library: Library) -> None:
    assert snap_compare(make_app(library), terminal_size=(80, 24), run_before=run_keys())


def test_narrow_reading(snap_compare, library: Library) -> None:
    app = make_app(library)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_keys("enter"))


def test_narrow_help(snap_compare, library: Library) -> None:
    app = make_app(library)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_keys("question_mark"))


def test_light_theme_starred_filter(snap_compare, library: Library) -> None:
    first = library.articles(limit=1)[0]
    library.set_starred(first.id, True)
    app = make_app(library, theme="light")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_keys("f", "f"))


def test_medium_reading(snap_compare, library: Library) -> None:
    app = make_app(library)
    assert snap_compare(app, terminal_size=(120, 32), run_before=run_keys("j", "enter"))


def test_light_theme_reading(snap_compare, library: Library) -> None:
    app = make_app(library, theme="light")
    assert snap_compare(app, terminal_size=(120, 32), run_before=run_keys("j", "s", "enter"))
