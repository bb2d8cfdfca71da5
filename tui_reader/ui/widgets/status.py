"""The status line: online/offline, what the list shows, and refresh progress."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui_reader.core.sanitize import clean_line


class StatusLine(Static):
    """One line of state. Everything is set as ``Text``: feed titles are web text."""

    def __init__(self, *, offline: bool, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.offline = offline
        self.view_label = ""
        self.count: int | None = None
        self.noun = "article"
        self.activity = ""
        self.marks_waiting = 0

    def set_view(self, label: str, count: int, noun: str = "article") -> None:
        """Show what the list holds: ``label · count noun(s)`` (search says "results")."""
        self.view_label = clean_line(label)
        self.count = count
        self.noun = noun
        self._redraw()

    def set_activity(self, activity: str) -> None:
        self.activity = clean_line(activity)
        self._redraw()

    def set_marks_waiting(self, count: int) -> None:
        """Show how many read/starred changes wait for the sync server (none: nothing)."""
        if count != self.marks_waiting:
            self.marks_waiting = count
            self._redraw()

    def _redraw(self) -> None:
        text = Text()
        if self.offline:
            text.append(" offline ", style="reverse bold")
        else:
            text.append(" online ", style="reverse")
        if self.view_label:
            text.append(f" {self.view_label}")
        if self.count is not None:
            text.append(f" · {self.count} {self.noun}{'s' if self.count != 1 else ''}")
        if self.marks_waiting:
            waiting = self.marks_waiting
            text.append(f" · sync: {waiting} mark{'s' if waiting != 1 else ''} waiting")
        if self.activity:
            text.append(f" · {self.activity}", style="italic")
        self.update(text)

    def on_mount(self) -> None:
        self._redraw()
