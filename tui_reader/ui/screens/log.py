"""The log screen: refresh failures and other errors of this session, newest last."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Log, Static


class LogScreen(ModalScreen[None]):
    """Shows the session's error lines (they are in the log file too)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,e", "close", "Close", id="log_close", tooltip="Close the log"),
    ]

    def __init__(self, lines: list[str], log_file: str) -> None:
        super().__init__()
        self.lines = lines
        self.log_file = log_file

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Errors of this session (also in {self.log_file})"), id="log-title")
        log = Log(id="log-lines", highlight=False)
        if self.lines:
            log.write_lines(self.lines)
        else:
            log.write_line("No errors so far.")
        yield log

    def action_close(self) -> None:
        self.dismiss(None)
