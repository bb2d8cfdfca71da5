"""The Textual app. Only this package imports Textual."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from types import SimpleNamespace


def launch(args: argparse.Namespace | SimpleNamespace) -> int:
    """Start the reader app with the CLI's options; returns the exit status."""
    from tui_reader.ui import gcpause

    # Resumed by the main screen once the first frame is drawn (or here, if it never is).
    gcpause.pause()
    try:
        from tui_reader.ui.app import run_app

        return run_app(
            data_dir=getattr(args, "data_dir", None), offline=getattr(args, "offline", False)
        )
    finally:
        gcpause.resume()
