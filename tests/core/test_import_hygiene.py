"""The core never imports Textual: proven in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tui_reader.core


def _core_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(tui_reader.core.__path__, prefix="tui_reader.core.")
    )


def test_core_modules_do_not_import_textual() -> None:
    modules = _core_modules()
    assert "tui_reader.core.models" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import tui_reader\n"
        "tui_reader.extract\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui_reader.ui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
