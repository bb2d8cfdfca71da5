"""Fixtures for the hostile-input tests."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest

from tests.hostile.corpus import CORPUS_DIR


def require(module: str, *names: str) -> ModuleType:
    """Import ``module`` and check it provides ``names``; skip the test if it does not yet."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        pytest.skip(f"{module} is not available: {exc}")
    missing = [name for name in names if not hasattr(mod, name)]
    if missing:
        pytest.skip(f"{module} does not provide {', '.join(missing)} yet")
    return mod


@pytest.fixture
def corpus() -> Path:
    return CORPUS_DIR


# Inputs that cost more than a minute of CPU until the findings about them are fixed run only
# when asked for: TUI_READER_HOSTILE_FULL=1 python -m pytest tests/hostile
heavy = pytest.mark.skipif(
    not os.environ.get("TUI_READER_HOSTILE_FULL"),
    reason="costly until fixed (see docs/reliability.md); set TUI_READER_HOSTILE_FULL=1",
)
