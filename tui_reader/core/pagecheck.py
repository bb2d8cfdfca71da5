"""Refuse what is not a web page before it reaches the extractor (a feed, a PDF, binary data)."""

from __future__ import annotations

from tui_reader.core.errors import ContentTypeError
from tui_reader.core.sanitize import clean_line

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_MAGIC = (
    b"%PDF-", b"\x7fELF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b",
)  # fmt: skip


def ensure_page(data: bytes, content_type: str | None, shown: str) -> None:
    """Refuse what is not a web page: another media type, a feed, or binary data.

    Raises:
        ContentTypeError: with a one-line reason naming ``shown``.
    """
    from tui_reader.core.feeds import looks_like_feed

    if content_type and "html" not in content_type and "xml" not in content_type:
        raise ContentTypeError(f"{shown}: not an HTML page ({clean_line(content_type)})")
    if looks_like_feed(data, content_type):
        raise ContentTypeError(
            f"{shown}: this is a feed, not a page (subscribe with `tui-reader add`)"
        )
    if content_type and "html" not in content_type:
        raise ContentTypeError(f"{shown}: not an HTML page ({clean_line(content_type)})")
    head = data[:4096]
    if head.startswith(_UTF16_BOMS):
        return
    # A page may carry a stray control byte; a binary file is full of them, or says what it
    # is in its first bytes.
    controls = sum(1 for byte in head if byte < 0x09 or 0x0E <= byte < 0x20)
    if head.startswith(_BINARY_MAGIC) or controls > len(head) // 10:
        raise ContentTypeError(f"{shown}: not an HTML page (binary data)")
