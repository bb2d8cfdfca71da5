"""Entry point of the ``tui-reader`` console script (and ``python -m tui_reader``)."""

from __future__ import annotations

import sys

from tui_reader.cli import main as _cli_main


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    return _cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
