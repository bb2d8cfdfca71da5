"""The UI modules import each other one way: no cycles, lazy and type-only imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import tui_reader.ui

UI = Path(tui_reader.ui.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(UI.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in UI.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                # "from package import module" imports the module; "from module import name"
                # the module.
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    targets.append(child if child in modules else node.module)
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                found.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return found


def test_the_graph_sees_the_imports() -> None:
    graph = _graph()
    assert "tui_reader.ui.commands" in graph["tui_reader.ui.app"]
    assert "tui_reader.ui.screens.main" in graph["tui_reader.ui.commands"]


def test_no_import_cycles_in_the_ui() -> None:
    assert _cycles(_graph()) == []
