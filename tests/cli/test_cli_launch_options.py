"""The app's own options are read without the parser or the command modules, as the parser does."""

from __future__ import annotations

import pytest

from tui_reader.cli import _app_options, build_parser


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--offline"],
        ["--data-dir", "/tmp/store"],
        ["--data-dir=/tmp/store", "--offline"],
        ["--offline", "--data-dir", "fetch"],
        ["--data-dir", "a", "--data-dir", "b"],
        ["--data-dir="],
    ],
)
def test_app_options_parse_as_the_full_parser_does(argv: list[str]) -> None:
    quick = _app_options(argv)
    assert quick is not None
    full = build_parser().parse_args(argv)
    assert vars(quick) == vars(full)
    assert full.command is None


@pytest.mark.parametrize(
    "argv",
    [
        ["fetch"],
        ["--offline", "feeds"],
        ["--help"],
        ["-h"],
        ["--version"],
        ["--off"],  # an abbreviation: the full parser decides
        ["--data-dir"],
        ["--data-dir", "--offline"],
        ["--data-dir", "x", "read", "-"],
        ["--bogus"],
    ],
)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert _app_options(argv) is None
