"""A full-screen text view that scrolls with the reader's keys (the help and the log)."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen


def scroll_bindings(prefix: str, top: str = "Top", bottom: str = "Bottom") -> list[Binding]:
    """The scrolling keys, with binding ids ``<prefix>_down``, ``<prefix>_page_up`` and so on."""
    return [
        Binding("j,down", "scroll(1)", "Down", show=False, id=f"{prefix}_down", tooltip="Scroll"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id=f"{prefix}_up", tooltip="Scroll"),
        Binding("space,pagedown", "page(1)", "Page", show=False, id=f"{prefix}_page_down",
                tooltip="Page down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id=f"{prefix}_page_up",
                tooltip="Page up"),
        Binding("g,home", "top", "Top", show=False, id=f"{prefix}_top", tooltip=top),
        Binding("G,end", "bottom", "Bottom", show=False, id=f"{prefix}_bottom", tooltip=bottom),
    ]  # fmt: skip


class ScrollingScreen(ModalScreen[None]):
    """A modal screen whose content is one :class:`VerticalScroll`."""

    @property
    def body(self) -> VerticalScroll:
        return self.query_one(VerticalScroll)

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
