"""Turn the bytes of an HTML page into text, choosing the character encoding as browsers do.

The order of evidence follows the HTML standard's sniffing algorithm, simplified: a byte order
mark wins; then the charset of the HTTP ``Content-Type`` header; then a ``<meta charset>`` or
``<meta http-equiv=Content-Type>`` near the top of the document; then UTF-8 when the bytes are
valid UTF-8; and windows-1252 as the last resort. Labels are mapped the way browsers map them
(``iso-8859-1`` and ``ascii`` mean windows-1252, ``gb2312`` means GB18030, ...), and labels
that name no text encoding (or a dangerous one, such as UTF-7) are ignored rather than trusted.
Decoding never fails: bytes that do not fit the chosen encoding become U+FFFD.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "normalize_charset"]

# How much of the document is searched for a <meta> declaration. The standard says 1024
# bytes, but pages with long <head> preambles (inline styles, consent scripts) put it later.
_PRESCAN_BYTES = 4096

# Byte order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels whose browser meaning differs from Python's codec of the same name.
_BROWSER_ALIASES: dict[str, str] = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "iso-ir-100": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "ibm819": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254",
    "iso8859-9": "cp1254",
    "latin5": "cp1254",
    "l5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "ms_kanji": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "x-user-defined": "cp1252",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
}

# Python codecs that are not encodings of web text, or that browsers refuse for safety.
_REFUSED_CODECS = frozenset(
    {
        "undefined",
        "unicode_escape",
        "raw_unicode_escape",
        "unicode_internal",
        "idna",
        "punycode",
        "utf_7",
        "mbcs",
        "oem",
    }
)

_META = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
# A well-formed multi-byte UTF-8 sequence (no overlongs, no surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _c1_passthrough(error: UnicodeError) -> tuple[str, int]:
    # windows-1252 leaves five bytes undefined; browsers map them to the C1 control with the
    # same number. The sanitizer strips those later, whereas U+FFFD would stay visible.
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return "".join(chr(b) for b in chunk), error.end


codecs.register_error("tui_reader.c1", _c1_passthrough)


def normalize_charset(label: str | None) -> str | None:
    """The Python codec name for a charset label as a browser reads it, or None if unusable."""
    if not label:
        return None
    name = label.strip().strip("\"'").strip().lower()
    if not name or len(name) > 40:
        return None
    name = _BROWSER_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    if info.name.replace("-", "_") in _REFUSED_CODECS:
        return None
    return info.name


def _decode(data: bytes, codec: str) -> str:
    if codec == "cp1252":
        return data.decode("cp1252", errors="tui_reader.c1")
    try:
        return data.decode(codec, errors="replace")
    except (LookupError, UnicodeError, ValueError):  # pragma: no cover - defensive
        return data.decode("cp1252", errors="tui_reader.c1")


def _meta_charset(data: bytes) -> str | None:
    head = _COMMENT.sub(b"", data[:_PRESCAN_BYTES])
    for match in _META.finditer(head):
        codec = normalize_charset(match.group(1).decode("ascii", "replace"))
        if codec is None:
            continue
        # A document that could be read to find this <meta> is ASCII-compatible, so a
        # UTF-16/32 declaration there is a mistake; browsers read it as UTF-8.
        if codec.startswith(("utf-16", "utf-32")):
            return "utf-8"
        return codec
    xml = _XML_DECL.match(head)
    if xml:
        codec = normalize_charset(xml.group(1).decode("ascii", "replace"))
        if codec and not codec.startswith(("utf-16", "utf-32")):
            return codec
    return None


def _looks_like_utf8(data: bytes) -> bool:
    """True when ``data`` is UTF-8, perhaps damaged a little (truncated, a stray byte)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A download cut off inside a multi-byte character is still UTF-8.
        # (Only when the rest shows UTF-8: a lone high byte at the end is as likely cp1252.)
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return not data[: exc.start].isascii()
    else:
        return True
    sequences = _UTF8_MULTIBYTE.findall(data)
    if not sequences:
        return False
    # Every byte above 0x7f outside a valid sequence is an error; a few errors among many
    # good sequences is damaged UTF-8, not a legacy encoding.
    bad = _count_high(data) - sum(len(seq) for seq in sequences)
    return len(sequences) >= 4 * bad


def _count_high(data: bytes) -> int:
    return len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode the bytes of an HTML document to text.

    Args:
        data: the document as received.
        declared: the charset parameter of the HTTP ``Content-Type`` header, if any.

    Returns:
        The document text, without a byte order mark. Never raises for any input bytes.
    """
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], bom_codec)
    codec = normalize_charset(declared) or _meta_charset(data)
    if codec is None:
        codec = "utf-8" if _looks_like_utf8(data) else "cp1252"
    return _decode(data, codec)
