"""Fixtures for the hostile-input tests."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from tests.hostile.corpus import CORPUS_DIR


def require(module: str, *names: str) -> ModuleType:
    """Import ``module`` and check it provides ``names`` (a missing one fails the test)."""
    mod = importlib.import_module(module)
    missing = [name for name in names if not hasattr(mod, name)]
    assert not missing, f"{module} does not provide {', '.join(missing)}"
    return mod


@pytest.fixture
def corpus() -> Path:
    return CORPUS_DIR
