"""Entry point of the ``tui-reader`` console script (and ``python -m tui_reader``)."""

from __future__ import annotations

import sys
from typing import NoReturn

from tui_reader.cli import main as _cli_main


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    return _cli_main(sys.argv[1:] if argv is None else argv)


def run() -> NoReturn:
    """The console script: run the command line, then end the process."""
    leave(main())


def leave(status: int) -> NoReturn:
    """End the process with ``status``, skipping the interpreter's teardown when it is safe.

    When a command is done, everything it opened is closed (the store, the network, the
    worker processes) and its output is written. What remains of a normal exit is the
    interpreter freeing every module and object one by one: about 40 ms after a large
    ingest, a tenth of a short command, for memory the system takes back at once anyway.
    It is skipped only when nothing else runs here: another thread or a child process still
    alive gets the normal exit, which waits for them.
    """
    import os
    import threading

    multiprocessing = sys.modules.get("multiprocessing")
    if threading.active_count() > 1 or (
        multiprocessing is not None and multiprocessing.active_children()
    ):
        sys.exit(status)
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.shutdown()  # flushes and closes the log file
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more can be said there
    os._exit(status)


if __name__ == "__main__":
    run()
