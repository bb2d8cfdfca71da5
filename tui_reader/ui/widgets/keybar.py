"""The footer: one line of keys, the essential ones first, cut at a whole key to fit.

Help and quit come first so a newcomer on a small terminal always sees them, then the keys of
the focused pane, then the screen's. A key that does not fit is left out whole (never cut
into a stray letter at the right edge). Keys are shown as mapped, ``config.toml`` remaps
included, with their characters (``*``, not ``asterisk``). Clicking a key runs its action.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from tui_reader.ui.keys import key_name

# Binding ids shown first, in this order, wherever the focus is.
ESSENTIAL = ("help", "quit")
# After the focused pane's own keys, the screen's keys a newcomer needs most, in this order;
# any other shown key follows in the order it was declared.
PREFERRED = ("add_url", "search", "refresh", "cycle_filter", "switch_pane", "next_unread")


@dataclass(frozen=True, slots=True)
class KeyItem:
    """One key of the footer."""

    key: str
    description: str
    action: str
    namespace: DOMNode
    binding_id: str | None = None

    @property
    def width(self) -> int:
        return cell_len(self.key) + 1 + cell_len(self.description)


def footer_items(screen: Screen[object]) -> list[KeyItem]:
    """The shown keys of ``screen``'s active bindings, most needed first (see the module)."""
    found: dict[tuple[str, int], tuple[Binding, DOMNode, list[str]]] = {}
    for namespace, binding, enabled, _tooltip in screen.active_bindings.values():
        if not binding.show or not enabled:
            continue
        # One item per action; a binding of several keys ("space,pagedown") shows one.
        entry = found.setdefault((binding.action, id(namespace)), (binding, namespace, []))
        entry[2].append(binding.key)
    items = [
        KeyItem(
            key_name(_first_key(screen, namespace, binding, keys)),
            binding.description,
            binding.action,
            namespace,
            binding.id,
        )  # fmt: skip
        for binding, namespace, keys in found.values()
    ]
    focused = screen.focused

    def rank(item: KeyItem) -> tuple[int, int]:
        if item.binding_id in ESSENTIAL:
            return (0, ESSENTIAL.index(item.binding_id))
        if focused is not None and item.namespace is focused:
            return (1, 0)
        if item.binding_id in PREFERRED:
            return (2, PREFERRED.index(item.binding_id))
        return (3, 0)

    return sorted(items, key=rank)  # stable: declaration order within a rank


def _first_key(
    screen: Screen[object], namespace: DOMNode, binding: Binding, keys: list[str]
) -> str:
    """Of ``keys`` (all bound to one action), the one written first in the keymap or code.

    The active bindings come in the order of each key's first definition, so a "pagedown"
    inherited from Textual would come before our "space". A remapped binding keeps its old
    ``key_display``, so that is not used either.
    """
    keymap: dict[str, str] = getattr(screen.app, "_keymap", {}) or {}
    declared = keymap.get(binding.id) if binding.id else None
    for key in (declared or _declared_keys(namespace, binding)).split(","):
        if key.strip() in keys:
            return key.strip()
    return keys[0]


def _declared_keys(namespace: DOMNode, binding: Binding) -> str:
    """The keys of ``binding`` as written in the class that declares it."""
    for cls in type(namespace).__mro__:
        for declared in cls.__dict__.get("BINDINGS", ()):
            if (
                isinstance(declared, Binding)
                and declared.action == binding.action
                and declared.id == binding.id
            ):
                return declared.key
    return binding.key


def fit_items(items: list[KeyItem], width: int) -> list[KeyItem]:
    """The leading items that fit in ``width`` cells, one space apart (plus a leading space)."""
    shown: list[KeyItem] = []
    used = 0
    for item in items:
        needed = item.width + 1
        if used + needed > width:
            break
        shown.append(item)
        used += needed
    return shown


class KeyBar(Widget):
    """A footer that always fits its width."""

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        dock: bottom;
    }
    """

    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[tuple[int, int, KeyItem]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key", partial=True) + Style(bold=True)
        items = fit_items(footer_items(self.screen), self.size.width)
        text = Text(no_wrap=True, overflow="crop", end="")
        self._shown = []
        for item in items:
            text.append(" ")
            start = cell_len(text.plain)
            text.append(item.key, style=key_style)
            text.append(" ")
            text.append(item.description)
            self._shown.append((start, cell_len(text.plain), item))
        return text

    async def on_click(self, event: events.Click) -> None:
        for start, end, item in self._shown:
            if start <= event.x < end:
                event.stop()
                await self.app.run_action(item.action, item.namespace)
                return
