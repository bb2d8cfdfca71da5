"""Which web browser ``o`` starts, and whether it needs the terminal.

A terminal browser (``BROWSER=w3m``, ``lynx``… the usual case over ssh) must get the terminal
to itself: the app suspends while it runs and redraws when it exits. A graphical browser is
started in the background, as :mod:`webbrowser` does, and the app keeps running.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys

CONSOLE_BROWSERS = frozenset(
    {"w3m", "lynx", "elinks", "links", "links2", "www-browser", "browsh", "carbonyl", "chawan",
     "cha", "amfora", "edbrowse", "netrik", "retawq", "felinks"}
)  # fmt: skip
"""Programs that draw in the terminal they are started from."""

# What Python's webbrowser module falls back to without a display, in its order.
_FALLBACK_ORDER = ("www-browser", "links", "elinks", "lynx", "w3m")


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _command(entry: str, url: str) -> list[str] | None:
    try:
        words = shlex.split(entry)
    except ValueError:
        return None
    if not words:
        return None
    if any("%s" in word for word in words):
        return [word.replace("%s", url) for word in words]
    return [*words, url]


def console_browser_command(url: str) -> list[str] | None:
    """The command line of a terminal browser for ``url``, or ``None`` to use a GUI one.

    ``$BROWSER`` (a list separated like ``$PATH``, ``%s`` standing for the URL) decides
    when it is set; without it, and without a display, the first terminal browser found on
    ``$PATH`` is used, as Python's :mod:`webbrowser` would.
    """
    chosen = os.environ.get("BROWSER", "")
    for entry in (e for e in chosen.split(os.pathsep) if e.strip()):
        command = _command(entry, url)
        if command is None:
            continue
        name = os.path.basename(command[0])
        if name in CONSOLE_BROWSERS:
            return command
        if shutil.which(command[0]) is not None:
            return None  # a browser of another kind that exists: webbrowser will use it
    if chosen.strip() or _has_display() or not os.environ.get("TERM"):
        return None
    for name in _FALLBACK_ORDER:
        if shutil.which(name) is not None:
            return [name, url]
    return None
