"""The app's log file lives beside the store it belongs to: two stores, two logs."""

from __future__ import annotations

import logging
from pathlib import Path

from tui_reader.core import paths
from tui_reader.ui import app as app_module


def _our_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger("tui_reader").handlers if hasattr(h, "baseFilename")]


def test_each_data_dir_gets_its_own_log(tmp_path: Path, monkeypatch, isolated_dirs) -> None:
    monkeypatch.setattr(app_module.ReaderApp, "run", lambda self, **kwargs: None)
    before = set(_our_handlers())
    try:
        for name in ("one", "two"):
            assert app_module.run_app(data_dir=tmp_path / name) == 0
        files = {Path(h.baseFilename) for h in _our_handlers() if h not in before}  # type: ignore[attr-defined]
        assert files == {tmp_path / n / paths.LOG_FILENAME for n in ("one", "two")}
        # Not in the directory that the environment names for logs.
        assert not any(str(f).startswith(str(isolated_dirs / "log")) for f in files)
    finally:
        root = logging.getLogger("tui_reader")
        for handler in _our_handlers():
            if handler not in before:
                handler.close()
                root.removeHandler(handler)
