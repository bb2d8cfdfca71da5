"""What the screens need from the app, as a protocol, and the first screen's preloaded data.

The main screen talks to the app through :class:`ReaderHost` rather than importing the app
class, so that ``ui.app`` → ``ui.commands`` → ``ui.screens.main`` is a one-way chain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tui_reader.core.errors import TuiReaderError
from tui_reader.core.models import ArticleSummary
from tui_reader.ui.render import Clock

if TYPE_CHECKING:
    from tui_reader.core.library import Library

logger = logging.getLogger("tui_reader.ui")


@dataclass(frozen=True, slots=True)
class Preload:
    """What the first screen shows, read before the app starts (so the first frame has it)."""

    count: int
    first_page: list[ArticleSummary]


def preload(library: Library, page_size: int) -> Preload | None:
    """Read the first screen's data; ``None`` if that fails (the screen then retries in workers)."""
    try:
        # Only the list's first page: the tree's counts (a scan of the store) come from a
        # worker once the titles are on screen.
        count, first_page = library.first_page(view="all", limit=page_size)
    except TuiReaderError as exc:
        logger.error("could not read the store at startup: %s", exc)
        return None
    return Preload(count=count, first_page=first_page)


class ReaderHost(Protocol):
    """The app as the main screen sees it."""

    library: Library
    clock: Clock
    offline: bool
    mark_read_on_open: bool
    startup: Preload | None
    error_lines: list[str]
    """What the log screen lists: this session's errors and refresh notes."""

    def report_error(self, what: str, exc: BaseException | None) -> None: ...

    def record_error(self, line: str) -> None: ...

    def action_show_log(self) -> None: ...
