"""The ``?`` screen: every key, as currently mapped (``config.toml`` remaps included).

Each row names the binding id to use under ``[keys]`` in ``config.toml``. The screen scrolls
with the keys used everywhere else (j/k, Space/b, g/G and the arrows and page keys).
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_reader.ui.keys import KEY_NAMES, key_display
from tui_reader.ui.screens.scrolling import ScrollingScreen, scroll_bindings

__all__ = ["KEY_NAMES", "HelpScreen", "key_display"]


class HelpScreen(ScrollingScreen):
    """A table of ``(keys, what they do, where, binding id)``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help_close",
                tooltip="Close the help"),
        *scroll_bindings("help"),
    ]  # fmt: skip

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(
            title=Text("Keys  (Esc closes · j/k Space b g G scroll)"),
            caption=Text('Remap a key in config.toml: [keys] then  id = "key,other key"'),
            expand=True,
            show_edge=False,
            box=None,
            padding=(0, 1),
        )
        table.add_column("Keys", style="bold", no_wrap=True)
        table.add_column("Action")
        table.add_column("Where", style="italic", no_wrap=True)
        table.add_column("Id", no_wrap=True)
        for keys, description, where, binding_id in self.rows:
            table.add_row(Text(keys), Text(description), Text(where), Text(binding_id))
        with VerticalScroll(id="help-body"):
            yield Static(table, id="help-table")
