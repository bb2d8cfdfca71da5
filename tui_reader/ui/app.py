"""The reader app: owns the :class:`Library`, the theme, the keymap and error reporting.

Started by ``tui-reader`` with no command (see :func:`run_app`). Everything the first screen
does not need (the extractor, httpx, dialogs) is imported later, when it is used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui_reader.core import paths
from tui_reader.core.errors import TuiReaderError
from tui_reader.core.sanitize import clean_line
from tui_reader.ui import host
from tui_reader.ui.commands import ReaderCommands
from tui_reader.ui.host import Preload
from tui_reader.ui.keys import key_display, resolve_keymap
from tui_reader.ui.render import Clock, utc_now

if TYPE_CHECKING:
    from tui_reader.core.library import Library
    from tui_reader.core.models import StoredPicture
    from tui_reader.ui.pictures import Mode

logger = logging.getLogger("tui_reader.ui")

DARK = "textual-dark"
LIGHT = "textual-light"


def preload(library: Library) -> Preload | None:
    """Read the first screen's data; ``None`` if that fails (the screen then retries in workers)."""
    from tui_reader.ui.widgets.article_list import PAGE_SIZE

    return host.preload(library, PAGE_SIZE)


class ReaderApp(App[None]):
    """tui-reader's terminal UI."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit tui-reader"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show every key"),
        Binding("t", "toggle_theme", "Theme", id="toggle_theme",
                tooltip="Switch between the light and the dark theme"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="command_palette",
                tooltip="Open the command palette"),
    ]  # fmt: skip

    def __init__(
        self,
        library: Library,
        *,
        offline: bool | None = None,
        clock: Clock = utc_now,
        theme: str | None = None,
        log_file: Path | None = None,
        startup: Preload | None = None,
        graphics: tuple[bool, bool] = (False, False),
        cell_pixels: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.startup = startup
        """Data for the first frame; consumed by the main screen when it mounts."""
        self.offline = bool(library.offline if offline is None else offline)
        self.clock = clock
        self.error_lines: list[str] = []
        self.log_file = log_file
        config = getattr(library, "config", None)
        self.mark_read_on_open: bool = getattr(config, "mark_read_on_open", True)
        self.keymap_overrides: dict[str, str] = dict(getattr(config, "keymap", None) or {})
        from tui_reader.ui.pictures import choose_mode

        kitty, sixel = graphics
        self.picture_mode: Mode = choose_mode(
            getattr(config, "images", "auto"), kitty=kitty, sixel=sixel
        )
        """How the reader draws pictures: ``[reader] images`` and what the terminal answered
        (``graphics`` = it answered the Kitty, the Sixel query)."""
        self.cell_pixels = cell_pixels
        """A terminal cell's size in pixels, when the terminal told."""
        chosen = theme or getattr(config, "theme", None)
        if chosen in ("light", LIGHT):
            self.theme = LIGHT
        elif chosen and chosen != "dark" and chosen in self.available_themes:
            self.theme = chosen  # any Textual theme named in config.toml
        else:
            self.theme = DARK

    def on_mount(self) -> None:
        config = getattr(self.library, "config", None)
        for line in getattr(config, "rule_errors", ()):
            # A site rule that cannot be used is left out; the reader still starts.
            self.record_error(clean_line(line))
            self.notify(clean_line(line), severity="error", markup=False, timeout=10)
        if self.keymap_overrides:
            places = self._binding_places()
            # A key given to two actions would silently move to the second one: keep the
            # defaults of both and say so.
            self.keymap_overrides, conflicts = resolve_keymap(places, self.keymap_overrides)
            for conflict in conflicts:
                self.notify(conflict.describe(), severity="error", markup=False, timeout=12)
            self.set_keymap(self.keymap_overrides)
            known = {
                binding.id
                for _, bindings in places
                for binding in bindings
                if isinstance(binding, Binding) and binding.id
            }
            unknown = sorted(set(self.keymap_overrides) - known)
            if unknown:
                # A typo in [keys] would otherwise be silently ignored.
                self.notify(
                    f"config.toml [keys]: no action named {', '.join(unknown)} (see ?)",
                    severity="warning",
                    markup=False,
                    timeout=8,
                )

    def get_default_screen(self) -> Screen[Any]:
        from tui_reader.ui.screens.main import MainScreen

        return MainScreen()

    def picture_callables(
        self, article_id: int
    ) -> tuple[Callable[[str], StoredPicture | None], Callable[[str], str | None]]:
        """Where the reader gets an article's pictures and the reasons it has none."""
        library = self.library

        def picture_for(src: str) -> StoredPicture | None:
            return library.picture(article_id, src)

        def problem_for(src: str) -> str | None:
            return library.picture_problem(article_id, src)

        return picture_for, problem_for

    # --- errors ----------------------------------------------------------------------
    def record_error(self, line: str) -> None:
        """Keep one line for the log screen and write it to the log file."""
        self.error_lines.append(line)
        logger.error("%s", line)

    def report_error(self, what: str, exc: BaseException | None) -> None:
        """Tell the user in one line (a notification) and log the details. Thread-safe."""
        reason = ""
        if exc is not None:
            reason = clean_line(str(exc)) or type(exc).__name__
            if not isinstance(exc, TuiReaderError | OSError):
                logger.error("%s", what, exc_info=exc)
        line = f"{what}: {reason}" if reason else what
        self.error_lines.append(line)
        logger.error("%s", line)
        self.notify(line[:300], severity="error", markup=False, timeout=8)

    # --- actions ---------------------------------------------------------------------
    def action_toggle_theme(self) -> None:
        self.theme = DARK if self.theme == LIGHT else LIGHT
        name = "light" if self.theme == LIGHT else "dark"
        try:
            self.library.set_setting("theme", name)
        except Exception as exc:  # noqa: BLE001 - the theme still changes for this session
            self.report_error("Could not save the theme", exc)

    @staticmethod
    def _binding_places() -> list[tuple[str, list[BindingType]]]:
        from tui_reader.ui.screens.dialogs import InputDialog
        from tui_reader.ui.screens.help import HelpScreen
        from tui_reader.ui.screens.links import LinksScreen
        from tui_reader.ui.screens.log import LogScreen
        from tui_reader.ui.screens.main import MainScreen
        from tui_reader.ui.widgets.article_list import ArticleList
        from tui_reader.ui.widgets.feed_tree import FeedTree
        from tui_reader.ui.widgets.reader_pane import ReaderPane

        return [
            ("anywhere", ReaderApp.BINDINGS),
            ("main screen", MainScreen.BINDINGS),
            ("article list", ArticleList.BINDINGS),
            ("reader", ReaderPane.BINDINGS),
            ("feeds", FeedTree.BINDINGS),
            ("help", HelpScreen.BINDINGS),
            ("log", LogScreen.BINDINGS),
            ("links", LinksScreen.BINDINGS),
            ("dialogs", InputDialog.BINDINGS),
        ]

    def binding_rows(self) -> list[tuple[str, str, str, str]]:
        """``(keys, description, where, binding id)`` of every binding, as currently mapped."""
        rows: list[tuple[str, str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for where, bindings in self._binding_places():
            for binding in bindings:
                if not isinstance(binding, Binding) or binding.id is None:
                    continue
                key = (binding.id, where)
                if key in seen:
                    continue
                seen.add(key)
                keys = self.keymap_overrides.get(binding.id, binding.key)
                description = binding.tooltip or binding.description
                rows.append((key_display(keys), description, where, binding.id))
        return rows

    def action_help(self) -> None:
        from tui_reader.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.binding_rows()))

    def action_show_log(self) -> None:
        from tui_reader.ui.screens.log import LogScreen

        self.push_screen(LogScreen(list(self.error_lines), str(self.log_file or "the log file")))

    async def action_quit(self) -> None:
        from tui_reader.ui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                stored = screen.reader.stored
                if stored is not None and screen.reader.laid_out:
                    try:
                        self.library.save_position(stored.summary.id, screen.reader.position)
                    except Exception as exc:  # noqa: BLE001
                        logger.error("could not save the position: %s", exc)
        self.exit()

    async def on_unmount(self) -> None:
        try:
            await self.library.aclose()
        except Exception as exc:  # noqa: BLE001 - closing must not hide the exit
            logger.error("closing the library failed: %s", exc)


def setup_logging(log_file: Path) -> None:
    """Send the package's log records to ``log_file`` (nothing goes to the screen)."""
    root = logging.getLogger("tui_reader")
    if any(getattr(h, "baseFilename", None) == str(log_file) for h in root.handlers):
        return
    handler = logging.FileHandler(log_file, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def terminal_graphics(setting: str) -> tuple[tuple[bool, bool], tuple[int, int] | None]:
    """What the terminal draws (Kitty, Sixel) and its cell size, for ``[reader] images``."""
    import sys

    from tui_reader.ui.termprobe import probe

    if setting in ("off", "cells"):
        return (False, False), None
    if os.environ.get("TMUX"):
        # tmux keeps the outer terminal's answers to itself and drops the protocols unless
        # told to pass them through: "auto" draws cells there, and a protocol named in
        # config.toml is taken at its word.
        return (setting == "kitty", setting == "sixel"), None
    try:
        found = probe(sys.stdin.fileno(), sys.stdout.fileno())
    except (OSError, ValueError):  # no usable stdin/stdout: nothing to ask
        return (False, False), None
    return (found.kitty, found.sixel), found.cell


def run_app(*, data_dir: str | Path | None = None, offline: bool = False) -> int:
    """Open the store, run the app until the user quits, close the store."""
    from tui_reader.core.library import Library

    library = Library.open(data_dir, offline=offline, interactive=True)
    # The log sits beside its store: errors of one store never mix with another's.
    log_file = library.store.path.parent / paths.LOG_FILENAME
    if os.access(log_file.parent, os.W_OK):  # a read-only store is still read, unlogged
        try:
            setup_logging(log_file)
        except OSError:  # an unwritable log dir must not stop reading
            pass
    try:
        theme = library.get_setting("theme")
        # Reading the first page here, before the event loop starts, puts the titles in the
        # very first frame instead of one worker round trip later.
        startup = preload(library)
        graphics, cell = terminal_graphics(getattr(library.config, "images", "auto"))
        app = ReaderApp(
            library,
            offline=offline,
            theme=theme,
            log_file=log_file,
            startup=startup,
            graphics=graphics,
            cell_pixels=cell,
        )
        app.run()
    finally:
        library.close()
    return app.return_code or 0
