"""Small modal dialogs: a choice among a few answers, and a one-line edit that may be empty."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_reader.core.sanitize import clean_line


class ChoiceDialog(ModalScreen[str | None]):
    """Dismisses with the chosen answer's key, or ``None`` on Escape.

    Answers are ``(key, label)``; each can also be chosen by its number (1, 2, …). Labels
    are plain text: a feed's title in a label is never read as markup.
    """

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > Vertical {
        width: 64; max-width: 90%; height: auto; border: round $accent;
        background: $surface; padding: 0 1;
    }
    ChoiceDialog OptionList { height: auto; max-height: 12; border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "cancel", "Cancel", id="choice_cancel", tooltip="Close, do nothing"),
        Binding("j", "cursor(1)", "Down", show=False, id="choice_down", tooltip="Next answer"),
        Binding("k", "cursor(-1)", "Up", show=False, id="choice_up", tooltip="Previous answer"),
    ]

    def __init__(self, question: str, answers: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.answers = answers

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(clean_line(self.question)), id="choice-question")
            yield OptionList(
                *(
                    Option(Text(f"{number}  {clean_line(label)}"), id=key)
                    for number, (key, label) in enumerate(self.answers, start=1)
                ),
                id="choice-answers",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if character and character.isdigit() and 1 <= int(character) <= len(self.answers):
            event.stop()
            self.dismiss(self.answers[int(character) - 1][0])

    def action_cursor(self, step: int) -> None:
        answers = self.query_one(OptionList)
        if step > 0:
            answers.action_cursor_down()
        else:
            answers.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditDialog(ModalScreen[str | None]):
    """Edit one line of text: dismisses with the text (possibly empty), ``None`` on Escape.

    Unlike the search dialog, an empty answer is an answer: it clears a title or the tags.
    """

    DEFAULT_CSS = """
    EditDialog { align: center middle; }
    EditDialog > Vertical {
        width: 64; max-width: 90%; height: auto; border: round $accent;
        background: $surface; padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="edit_cancel", tooltip="Close, change nothing"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(clean_line(self.title_text)), id="edit-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="edit-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
