"""tui-reader: a terminal news reader.

The package root exposes the pure extraction API without importing any UI code::

    from tui_reader import extract
    article = extract(html, url="https://example.org/story")

Names are resolved lazily (PEP 562) so that ``import tui_reader`` stays cheap and never
pulls in Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Article", "Block", "ExtractError", "TuiReaderError", "__version__", "extract"]

if TYPE_CHECKING:
    from tui_reader.core.errors import ExtractError, TuiReaderError
    from tui_reader.core.extract import extract
    from tui_reader.core.models import Article, Block

_LAZY = {
    "extract": "tui_reader.core.extract",
    "Article": "tui_reader.core.models",
    "Block": "tui_reader.core.models",
    "ExtractError": "tui_reader.core.errors",
    "TuiReaderError": "tui_reader.core.errors",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'tui_reader' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
