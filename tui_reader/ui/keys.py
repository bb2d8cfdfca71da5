"""Key names as the user reads them, and the checks on ``config.toml``'s ``[keys]`` remaps.

Textual names keys after their Unicode names (``asterisk``, ``question_mark``); the footer and
the help screen show the character instead. A remap that gives a key to a second action would
make Textual quietly take it from the first, so :func:`find_conflicts` reports such remaps and
the app keeps the default keys of both actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.keys import format_key

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
    "backspace": "Backspace",
    "delete": "Del",
    "insert": "Ins",
}

# Where bindings apply (the places of ``ReaderApp._binding_places``). On the main screen the
# app's and the screen's keys are active whichever pane has the focus, together with that
# pane's; the panes are never focused together, so they may share keys. A dialog or other
# modal screen has only its own keys.
EVERYWHERE = frozenset({"anywhere", "main screen"})
PANES = frozenset({"article list", "reader", "feeds"})


def key_name(key: str) -> str:
    """One Textual key name as shown: ``asterisk`` → ``*``, ``ctrl+p`` → ``Ctrl+P``."""
    key = key.strip()
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if "+" in key and len(key) > 1:
        modifiers, _, base = key.rpartition("+")
        shown = "+".join(part.capitalize() for part in modifiers.split("+"))
        return f"{shown}+{key_name(base).upper() if len(base) == 1 else key_name(base)}"
    if len(key) == 1:
        return key
    formatted = format_key(key)
    if len(formatted) == 1:
        return formatted
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    return key.capitalize()


def key_display(keys: str) -> str:
    """``"j,down"`` → ``"j ↓"``."""
    return " ".join(key_name(key) for key in keys.split(",") if key.strip())


@dataclass(frozen=True, slots=True)
class Conflict:
    """``key`` is given to both ``first`` and ``second`` (binding ids)."""

    key: str
    first: str
    second: str

    def describe(self) -> str:
        return (
            f"config.toml [keys]: {key_name(self.key)} is given to both {self.first} and "
            f"{self.second}; both keep their default keys"
        )


def _keys_by_place(
    places: Iterable[tuple[str, list[BindingType]]], keymap: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """``(place, binding id, key)`` of every key, once ``keymap`` is applied."""
    found: list[tuple[str, str, str]] = []
    for place, bindings in places:
        for binding in bindings:
            if not isinstance(binding, Binding) or binding.id is None:
                continue
            keys = keymap.get(binding.id, binding.key)
            for key in keys.split(","):
                if key.strip():
                    found.append((place, binding.id, key.strip()))
    return found


def find_conflicts(
    places: Iterable[tuple[str, list[BindingType]]], keymap: Mapping[str, str]
) -> list[Conflict]:
    """Keys that ``keymap`` gives to two actions active at the same time.

    Only conflicts that involve a remapped action are reported: the defaults are checked by
    the test suite.
    """
    places = list(places)
    keys = _keys_by_place(places, keymap)
    conflicts: dict[tuple[str, frozenset[str]], Conflict] = {}
    for index, (place_a, id_a, key_a) in enumerate(keys):
        for place_b, id_b, key_b in keys[index + 1 :]:
            if key_a != key_b or id_a == id_b:
                continue
            together = place_a == place_b or (
                {place_a, place_b} <= EVERYWHERE | PANES
                and (place_a in EVERYWHERE or place_b in EVERYWHERE)
            )
            if not together or (id_a not in keymap and id_b not in keymap):
                continue
            first, second = (id_a, id_b) if id_a in keymap else (id_b, id_a)
            conflicts.setdefault(
                (key_a, frozenset((first, second))), Conflict(key_a, first, second)
            )
    return list(conflicts.values())


def resolve_keymap(
    places: Iterable[tuple[str, list[BindingType]]], keymap: Mapping[str, str]
) -> tuple[dict[str, str], list[Conflict]]:
    """``keymap`` without the remaps that conflict, and the conflicts found.

    Both actions of a conflict keep their default keys, so the remaps of both are dropped.
    A default key coming back can clash with another remap in turn, hence the loop.
    """
    places = list(places)
    kept = dict(keymap)
    found: list[Conflict] = []
    while conflicts := find_conflicts(places, kept):
        found.extend(conflicts)
        dropped = {name for conflict in conflicts for name in (conflict.first, conflict.second)}
        kept = {name: keys for name, keys in kept.items() if name not in dropped}
    return kept, found
