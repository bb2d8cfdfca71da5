"""The numbered list of an article's links (``L``); choosing one opens it in the reader."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.core.sanitize import clean_line


class LinksScreen(ModalScreen[str | None]):
    """Lists ``(text, url)`` pairs; Enter or the link's number follows it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "cancel", "Close", id="links_close", tooltip="Close the link list"),
        Binding("question_mark,f1", "app.help", "Help", id="links_help", tooltip="Show every key"),
        Binding("j", "cursor(1)", "Down", show=False, id="links_down", tooltip="Next link"),
        Binding("k", "cursor(-1)", "Up", show=False, id="links_up", tooltip="Previous link"),
    ]

    def __init__(self, links: list[tuple[str, str]]) -> None:
        super().__init__()
        self.links = links
        self._typed = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="links-dialog"):
            yield Static(
                Text(f"Links ({len(self.links)}) — Enter or a number follows one, Esc closes"),
                id="links-title",
            )
            options = []
            for number, (text, url) in enumerate(self.links, start=1):
                prompt = Text(f"{number:>3}  ", style="bold")
                prompt.append(clean_line(text)[:200])
                prompt.append("\n     ")
                prompt.append(clean_line(url)[:300], style="italic")
                options.append(Option(prompt, id=str(number - 1)))
            if not options:
                # Enabled (a disabled option is drawn faded), with no link to follow.
                options.append(Option(Text("This article has no links.")))
            yield OptionList(*options, id="links-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(self.links[int(event.option.id)][1])

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self._typed += event.character
            number = int(self._typed)
            if number > len(self.links) or number * 10 > len(self.links):
                # No longer number can start with these digits: follow it now.
                self._typed = ""
                if 1 <= number <= len(self.links):
                    self.dismiss(self.links[number - 1][1])
            else:
                self.query_one(OptionList).highlighted = number - 1

    def action_cursor(self, step: int) -> None:
        option_list = self.query_one(OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
