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
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_reader.ui.keys import KEY_NAMES, key_display

__all__ = ["KEY_NAMES", "HelpScreen", "key_display"]


class HelpScreen(ModalScreen[None]):
    """A table of ``(keys, what they do, where, binding id)``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help_close",
                tooltip="Close the help"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help_down", tooltip="Scroll"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help_up", tooltip="Scroll"),
        Binding("space,pagedown", "page(1)", "Page", show=False, id="help_page_down",
                tooltip="Page down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="help_page_up",
                tooltip="Page up"),
        Binding("g,home", "top", "Top", show=False, id="help_top", tooltip="Top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="help_bottom", tooltip="Bottom"),
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

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll(self, step: int) -> None:
        self.body.scroll_relative(y=step, animate=False)

    def action_page(self, step: int) -> None:
        page = max(1, self.body.scrollable_content_region.height - 1)
        self.body.scroll_relative(y=step * page, animate=False)

    def action_top(self) -> None:
        self.body.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.body.scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
