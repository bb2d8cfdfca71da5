"""The command line: ``tui-reader`` launches the app, subcommands work headless.

Each subcommand lives in its own module exposing ``register(subparsers)``; the handler it sets
returns the exit status. Errors of the package (:class:`TuiReaderError`) become one line on
stderr and exit status 1, never a traceback. Textual is imported only when the app starts.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from tui_reader import __version__
from tui_reader.core.errors import TuiReaderError
from tui_reader.core.sanitize import clean_line

# argparse (and gettext, which it imports) is left out of the app's launch: its options are
# read by hand (see _app_options), and the parser is built only when it has work to do.
if TYPE_CHECKING:
    import argparse

    Handler = Callable[[argparse.Namespace], int]

PROG = "tui-reader"


def _common(parser: argparse.ArgumentParser) -> None:
    import argparse

    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="directory of the local store (default: $TUI_READER_DATA_DIR or the user data dir)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, subcommands included."""
    import argparse

    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "A terminal news reader. With no command, opens the reader app (it needs a "
            "terminal); the commands below work without it (from scripts or cron)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _common(parser)
    parser.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="never touch the network; read only what is stored",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    from tui_reader.cli import read

    read.register(subparsers, _common)
    try:
        from tui_reader.cli import library_commands
    except ImportError:  # pragma: no cover - during development only
        pass
    else:
        library_commands.register(subparsers, _common)
    from tui_reader.cli import manage

    manage.register(subparsers, _common)
    from tui_reader.cli import sync_commands

    sync_commands.register(subparsers, _common)
    return parser


def _app_options(argv: list[str]) -> SimpleNamespace | None:
    """The options of ``argv`` when it holds nothing but the app's own (``--data-dir``,
    ``--offline``, spelt out in full), as the full parser would give them; otherwise ``None``
    (a command, help, an abbreviation, a mistake: the full parser deals with those)."""
    options = SimpleNamespace(command=None)
    args = iter(argv)
    for arg in args:
        if arg == "--offline":
            options.offline = True
        elif arg.startswith("--data-dir="):
            options.data_dir = arg.removeprefix("--data-dir=")
        elif arg == "--data-dir":
            value = next(args, None)
            if value is None or value.startswith("-"):
                return None
            options.data_dir = value
        else:
            return None
    return options


def error(message: str) -> None:
    """Print one clean line on stderr."""
    print(f"{PROG}: error: {clean_line(message)}", file=sys.stderr)


class _LogFile(logging.Handler):
    """Appends records to the log file, which (with its directory) is only made when the
    first record comes: most commands log nothing."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self._file: logging.Handler | None = None
        self._failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None and not self._failed:
            from tui_reader.core import paths

            try:
                self._file = logging.FileHandler(paths.log_path(), encoding="utf-8")
            except OSError:
                self._failed = True  # an unwritable log directory must not stop a command
                return
            self._file.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
        if self._file is not None:
            self._file.emit(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def _log_to_file() -> None:
    """Send the package's log records (a site rule that matched nothing, ...) to the log file,
    as the app does; none of them goes to the terminal."""
    root = logging.getLogger("tui_reader")
    if not root.handlers:
        root.addHandler(_LogFile())
        root.setLevel(logging.INFO)


def _site_rule_errors() -> None:
    """One line on stderr per site rule of config.toml that cannot be used."""
    from tui_reader.core.config import load_config

    try:
        config = load_config()
    except TuiReaderError:
        return  # reported by the command itself when it reads the configuration
    for line in config.rule_errors:
        error(line)


def main(argv: list[str]) -> int:
    """Parse ``argv`` and run the chosen command (or the app)."""
    # Launching the app is the common case, and its start is timed by the user: neither the
    # parser nor the command modules (and what they import) are needed to read its options.
    args: argparse.Namespace | SimpleNamespace | None = _app_options(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        # The full-screen app needs a terminal; from cron or a pipe it would only write
        # escape codes and wait for keys that never come.
        error(
            "no terminal to run the reader app in; use a command such as "
            "`fetch`, `feeds`, `search` or `read` (see --help)"
        )
        return 2
    try:
        if handler is None:
            from tui_reader.ui import launch

            return launch(args)
        _log_to_file()
        _site_rule_errors()
        # Only the full parser sets a handler: these are its options.
        return handler(cast("argparse.Namespace", args))
    except TuiReaderError as exc:
        error(str(exc))
        return 1
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader of our stdout went away (e.g. `| head`); that is not an error.
        sys.stderr.close()
        return 0
