"""The log screen: refresh failures and other errors of this session, newest last.

Lines are wrapped to the screen's width rather than cut, so that the end of a long line (the
HTTP status, the reason) stays readable, and the screen scrolls with the usual keys.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_reader.core.sanitize import clean_line
from tui_reader.ui.screens.scrolling import ScrollingScreen, scroll_bindings


class LogScreen(ScrollingScreen):
    """Shows the session's error lines (they are in the log file too)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,e", "close", "Close", id="log_close", tooltip="Close the log"),
        Binding("question_mark,f1", "app.help", "Help", id="log_help", tooltip="Show every key"),
        *scroll_bindings("log", "Oldest line", "Newest line"),
    ]  # fmt: skip

    def __init__(self, lines: list[str], log_file: str) -> None:
        super().__init__()
        self.lines = lines
        self.log_file = log_file

    def compose(self) -> ComposeResult:
        yield Static(
            Text(f"Errors of this session (also in {self.log_file}) · Esc closes"),
            id="log-title",
        )
        body = Text()
        for number, line in enumerate(self.lines):
            if number:
                body.append("\n")
            # A bullet marks where each line starts once long ones wrap.
            body.append("• " + clean_line(line))
        if not self.lines:
            body.append("No errors so far.")
        with VerticalScroll(id="log-lines"):
            yield Static(body, id="log-text")

    def on_mount(self) -> None:
        # Newest last, like a log: start at the end.
        self.call_after_refresh(self.action_bottom)
