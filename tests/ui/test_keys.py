"""Key names and the checks on ``[keys]`` remaps, without running the app."""

from __future__ import annotations

from textual.binding import Binding

from tui_reader.ui.app import ReaderApp
from tui_reader.ui.keys import find_conflicts, key_display, key_name, resolve_keymap


def test_keys_are_shown_as_characters() -> None:
    assert key_name("asterisk") == "*"
    assert key_name("question_mark") == "?"
    assert key_name("plus") == "+"
    assert key_name("ctrl+p") == "Ctrl+P"
    assert key_name("f5") == "F5"
    assert key_name("G") == "G"
    assert key_display("j,down") == "j ↓"
    assert key_display("space,pagedown") == "Space PgDn"


def test_the_default_keys_do_not_conflict() -> None:
    places = ReaderApp._binding_places()
    everything = {
        binding.id: binding.key
        for _, bindings in places
        for binding in bindings
        if isinstance(binding, Binding) and binding.id
    }
    # Every id "remapped" to its own default: any clash among the defaults would show.
    assert find_conflicts(places, everything) == []


def test_a_key_given_to_a_second_action_is_a_conflict_naming_both() -> None:
    places = ReaderApp._binding_places()
    conflicts = find_conflicts(places, {"toggle_star": "s,m"})
    assert [(c.key, c.first, c.second) for c in conflicts] == [("m", "toggle_star", "toggle_read")]
    line = conflicts[0].describe()
    assert "toggle_star" in line and "toggle_read" in line and "\n" not in line


def test_keys_of_panes_never_shown_together_may_be_shared() -> None:
    places = ReaderApp._binding_places()
    # "J" is the reader's next article; the list and the reader are never focused at once,
    # so the list may use J too.
    assert find_conflicts(places, {"open": "enter,l,J"}) == []
    # The main screen's keys are active with every pane: those clash.
    assert find_conflicts(places, {"open": "enter,l,m"})


def test_conflicting_remaps_are_dropped_and_the_rest_kept() -> None:
    places = ReaderApp._binding_places()
    kept, conflicts = resolve_keymap(
        places, {"toggle_star": "s,m", "refresh": "x,f5", "search": "slash,y"}
    )
    assert kept == {"refresh": "x,f5"}
    names = {(c.first, c.second) for c in conflicts}
    assert names == {("toggle_star", "toggle_read"), ("search", "copy_url")}


def test_a_default_key_coming_back_can_clash_with_another_remap() -> None:
    places = ReaderApp._binding_places()
    # toggle_star loses its remap (it clashes with toggle_read on m), so it is back on "s",
    # which copy_url was remapped to.
    kept, conflicts = resolve_keymap(places, {"toggle_star": "m", "copy_url": "s"})
    assert kept == {}
    assert len(conflicts) >= 1


def _welcome_text() -> str:
    from tui_reader.core.library import welcome_articles

    _, records = welcome_articles()
    lines = []
    for record in records:
        for block in record.article.blocks:
            for part in (block, *block.children):
                lines.append("".join(span.text for span in part.spans))
    return "\n".join(lines)


def test_the_welcome_text_names_the_keys_that_are_bound() -> None:
    import re

    text = _welcome_text()
    places = ReaderApp._binding_places()
    keys_of = {
        binding.id: binding.key.split(",")
        for _, bindings in places
        for binding in bindings
        if isinstance(binding, Binding) and binding.id
    }
    # "A refresh (`r` in the app, ...) downloads every feed": the key of refresh-all.
    said = re.findall(r"A refresh \((\S+) in the app[^)]*\) downloads every feed", text)
    assert said and all(key in keys_of["refresh"] for key in said), said
    line = next(line for line in text.splitlines() if "refresh all feeds" in line)
    assert line.startswith(keys_of["refresh"][0] + ":"), line
