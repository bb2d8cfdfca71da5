"""The sanitizer removes what a terminal would obey and nothing a reader would read."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.hostile.payloads import ALL_ESCAPES, ESCAPES, MARKUP, assert_clean
from tui_reader.core.sanitize import clean_line, clean_text, safe_url

# Printable text with none of the characters that end an escape string.
_PLAIN = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cs"),
        blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    max_size=80,
)


@pytest.mark.parametrize("name", list(ESCAPES))
def test_every_payload_is_removed_whole(name: str) -> None:
    cleaned = clean_text(f"before {ESCAPES[name]} after")
    assert_clean(cleaned, name)
    assert cleaned.startswith("before ") and cleaned.endswith(" after")
    # Terminated sequences leave none of their parameters behind.
    for junk in ("52;", "ZWNvYyBwd25lZA", "PWNED", "C1-TITLE", "2J", "5;5H"):
        assert junk not in cleaned, (name, cleaned)


@pytest.mark.parametrize("introducer", ["\x1b]", "\x1bP", "\x1b_", "\x9d", "\x90", "\x98", "\x9f"])
@given(before=_PLAIN, after=_PLAIN)
@example(before="Stra", after="e und viel mehr Text")  # UTF-8 "ß" read as Latin-1
def test_an_unterminated_string_introducer_loses_no_text(
    introducer: str, before: str, after: str
) -> None:
    # A stray introducer (from mojibake, or a truncated payload) must not eat the rest.
    assert clean_text(before + introducer + after) == clean_text(before) + clean_text(after)


def test_terminator_on_a_later_line_does_not_eat_the_lines_between() -> None:
    text = "first \x1b]0;title\nsecond line\nthird\x07 end"
    cleaned = clean_text(text)
    assert "second line" in cleaned and "third" in cleaned
    assert_clean(cleaned)


def test_markup_is_text_to_the_sanitizer() -> None:
    for markup in MARKUP.values():
        assert clean_text(markup) == markup
        assert clean_line(f"  {markup}\n") == markup


@given(st.text(alphabet=st.sampled_from(list(ALL_ESCAPES) + list("ab ;[]\\\n")), max_size=200))
@settings(max_examples=300)
def test_any_mix_of_escape_characters_comes_out_clean(text: str) -> None:
    cleaned = clean_text(text)
    assert_clean(cleaned)
    assert clean_text(cleaned) == cleaned
    assert_clean(clean_line(text))
    assert "\n" not in clean_line(text)


@given(
    st.text(
        alphabet=st.sampled_from(list(ALL_ESCAPES) + list("javscript:/\t\n &#x09;")), max_size=60
    )
)
@settings(max_examples=300)
def test_safe_url_never_returns_a_non_http_scheme(text: str) -> None:
    for url in (text, "java" + text + "script:alert(1)", text + "javascript:x"):
        result = safe_url(url, "https://good.example/dir/")
        if result is not None:
            assert_clean(result)
            assert result.split(":", 1)[0].lower() in ("http", "https", "mailto"), result
