"""Tests for choosing and applying the character encoding of an HTML page."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.core.extract.encoding import decode_html, normalize_charset

TEXT = "Café – “naïve” résumé €5"


def page(body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"
    )


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_wins_over_everything(bom: bytes, codec: str) -> None:
    html = page(TEXT, '<meta charset="windows-1252">')
    decoded = decode_html(bom + html.encode(codec), declared="iso-8859-1")
    assert decoded == html  # BOM removed, text intact


def test_declared_header_charset_beats_meta() -> None:
    html = page(TEXT, '<meta charset="utf-8">')
    assert decode_html(html.encode("cp1252"), declared="windows-1252") == html


def test_meta_charset() -> None:
    html = page(TEXT, '<meta charset="windows-1252">')
    assert decode_html(html.encode("cp1252")) == html


def test_meta_http_equiv() -> None:
    html = page(
        "Привет, мир", '<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R">'
    )
    assert decode_html(html.encode("koi8-r")) == html


def test_meta_after_long_head_preamble_within_prescan() -> None:
    html = page(TEXT, "<style>" + "a{}" * 600 + '</style><meta charset="windows-1252">')
    assert decode_html(html.encode("cp1252")) == html


def test_meta_in_comment_is_ignored() -> None:
    html = page(TEXT, '<!-- <meta charset="koi8-r"> -->')
    assert decode_html(html.encode("utf-8")) == html


def test_unknown_or_bogus_labels_fall_through() -> None:
    html = page(TEXT, '<meta charset="no-such-charset"><meta charset="rot13">')
    assert decode_html(html.encode("utf-8"), declared="x-bogus") == html
    assert decode_html(html.encode("cp1252"), declared="base64") == html


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO-8859-1", "latin1", "ascii", "US-ASCII"])
def test_latin1_and_ascii_mean_windows_1252(label: str) -> None:
    # 0x93/0x94 are curly quotes and 0x80 the euro sign in windows-1252, C1 controls in latin-1.
    data = page(TEXT, f'<meta charset="{label}">').encode("cp1252")
    decoded = decode_html(data)
    assert "“naïve”" in decoded and "€5" in decoded
    assert decode_html(page(TEXT).encode("cp1252"), declared=label) == page(TEXT)


def test_utf16_in_meta_means_utf8() -> None:
    html = page(TEXT, '<meta charset="utf-16">')
    assert decode_html(html.encode("utf-8")) == html


def test_utf7_is_refused() -> None:
    html = page("+ADw-script+AD4-", '<meta charset="utf-7">')
    assert "<script>" not in decode_html(html.encode("ascii"))
    assert normalize_charset("utf-7") is None


def test_legacy_cjk_labels_map_like_browsers() -> None:
    assert normalize_charset("gb2312") == "gb18030"
    assert normalize_charset("Shift_JIS") == "cp932"
    html = page("日本語のページ", '<meta charset="shift_jis">')
    assert decode_html(html.encode("cp932")) == html


def test_valid_utf8_without_declaration() -> None:
    html = page("日本語 and Ελληνικά")
    assert decode_html(html.encode("utf-8")) == html


def test_undeclared_non_utf8_falls_back_to_windows_1252() -> None:
    html = page(TEXT)
    assert decode_html(html.encode("cp1252")) == html


def test_truncated_utf8_stays_utf8() -> None:
    html = page("Ελληνικά " * 20)
    data = html.encode("utf-8")[: -len(" </p></body></html>") - 1]  # cut inside the last "ά"
    decoded = decode_html(data)
    assert decoded.startswith(html[:200])
    assert decoded.endswith("\ufffd")


def test_mostly_utf8_with_a_stray_byte_stays_utf8() -> None:
    html = page("Ελληνικά γράμματα " * 10)
    data = html.encode("utf-8")
    cut = data.index(b" ", 100)  # between two characters, not inside one
    data = data[:cut] + b"\xff" + data[cut:]
    decoded = decode_html(data)
    assert "Ελληνικά γράμματα" in decoded
    assert decoded.count("\ufffd") == 1


def test_undefined_windows_1252_bytes_become_c1_controls_not_replacement() -> None:
    decoded = decode_html(b"<p>a\x81b\x8dc</p>", declared="windows-1252")
    assert decoded == "<p>a\x81b\x8dc</p>"


def test_empty_input() -> None:
    assert decode_html(b"") == ""
    assert decode_html(b"", declared="utf-8") == ""


def test_undecodable_bytes_under_declared_charset_are_replaced() -> None:
    assert decode_html(b"ok \xff\xfe\xfd", declared="utf-8") == "ok \ufffd\ufffd\ufffd"


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048), declared=st.none() | st.text(max_size=20))
def test_never_raises(data: bytes, declared: str | None) -> None:
    assert isinstance(decode_html(data, declared), str)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_utf8_round_trip(text: str) -> None:
    text = text.replace("\ufeff", "")
    surrogate_free = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert decode_html(surrogate_free.encode("utf-8")) == surrogate_free
