"""The ``?`` screen: every key, as currently mapped (``config.toml`` remaps included)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "space": "Space",
    "escape": "Esc",
    "enter": "Enter",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "ctrl+p": "Ctrl+P",
    "exclamation_mark": "!",
}


def key_display(keys: str) -> str:
    """``"j,down"`` → ``"j ↓"``."""
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if not key:
            continue
        name = KEY_NAMES.get(key)
        if name is None:
            name = key if len(key) == 1 else "+".join(p.capitalize() for p in key.split("+"))
        shown.append(name)
    return " ".join(shown)


class HelpScreen(ModalScreen[None]):
    """A table of ``(keys, what they do, where)``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help_close",
                tooltip="Close the help"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help_down", tooltip="Scroll"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help_up", tooltip="Scroll"),
    ]  # fmt: skip

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(
            title=Text("Keys (remap them in config.toml under [keys])"),
            expand=True,
            show_edge=False,
            box=None,
            padding=(0, 1),
        )
        table.add_column("Keys", style="bold", no_wrap=True)
        table.add_column("Action")
        table.add_column("Where", style="italic", no_wrap=True)
        for keys, description, where in self.rows:
            table.add_row(Text(keys), Text(description), Text(where))
        with VerticalScroll(id="help-body"):
            yield Static(table, id="help-table")

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
