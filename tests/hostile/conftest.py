"""Fixtures for the hostile-input tests."""

from __future__ import annotations

import importlib
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
