"""The sanitizing boundary: escape sequences, controls, bidi, link schemes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_reader.core.sanitize import clean_line, clean_text, safe_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("a\x1b]52;c;ZXZpbA==\x07b", "ab"),  # OSC 52 clipboard write
        ("a\x1b]0;owned\x1b\\b", "ab"),  # OSC 0 window title, ST-terminated
        ("\x1b[31mred\x1b[0m", "red"),  # CSI colours
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x9d0;t\x07b", "ab"),  # 8-bit OSC
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("cr\r\nlf", "cr\nlf"),
        ("nul\x00del\x7fbell\x07", "nuldelbell"),
        ("evil\u202egnp.exe", "evilgnp.exe"),  # right-to-left override
        ("iso\u2066late\u2069", "isolate"),
        ("lone escape \x1b", "lone escape "),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_line_folds_whitespace() -> None:
    assert clean_line("  a\n\tb   c \x1b[2J ") == "a b c"


@given(st.text())
def test_clean_text_leaves_no_controls(text: str) -> None:
    cleaned = clean_text(text)
    for char in cleaned:
        code = ord(char)
        assert char in "\n\t" or not (code < 0x20 or 0x7F <= code <= 0x9F)
        assert not (0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069)
    assert clean_text(cleaned) == cleaned


@pytest.mark.parametrize(
    ("url", "base", "fetchable", "expected"),
    [
        ("https://a.example/x", None, False, "https://a.example/x"),
        ("/x?y=1", "https://a.example/dir/page", False, "https://a.example/x?y=1"),
        ("mailto:me@a.example", None, False, "mailto:me@a.example"),
        ("mailto:me@a.example", None, True, None),
        ("javascript:alert(1)", None, False, None),
        ("JaVaScRiPt:alert(1)", "https://a.example/", False, None),
        ("java\nscript:alert(1)", None, False, None),
        ("data:text/html,<b>x</b>", None, False, None),
        ("file:///etc/passwd", None, True, None),
        ("http:///nohost", None, True, None),
        ("", None, False, None),
    ],
)
def test_safe_url(url: str, base: str | None, fetchable: bool, expected: str | None) -> None:
    assert safe_url(url, base, fetchable=fetchable) == expected


def test_clean_line_shortcut_gives_what_the_full_cleaning_gives() -> None:
    """A line that is clean already is returned as it is; every other string goes through the
    full cleaning: generated strings of spaces, other whitespace, controls and bidi marks."""
    import random

    alphabet = [" ", "a", "é", "\t", "\n", "\r", "\xa0", "\u2003", "\u3000", "\x85", "\x1b",
                "[", "m", "\u202e", "\u200b", "\ufeff", "\u2028"]  # fmt: skip
    generator = random.Random(7)
    for _ in range(50_000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 8)))
        assert clean_line(text) == " ".join(clean_text(text).split()), repr(text)
