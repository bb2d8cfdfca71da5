"""The fast path of feed parsing: feedparser-rs, with the checks that decide when not to trust it.

:func:`parse_fast` runs the Rust parser on the bytes of an RSS/Atom document and returns its
result reshaped as plain dicts with the keys and meanings feedparser uses, so that
:mod:`tui_reader.core.feeds` normalizes both parsers' output with the same code. It returns
``None`` (with a reason, for the log and the tests) whenever feedparser should parse the
document instead:

- feedparser-rs is not installed (a platform without a wheel);
- it reports a problem (``bozo``): it gives up on a whole document for one unescaped ``&``
  or ``<``, raw HTML, or junk before ``<?xml``, where feedparser's loose parser recovers;
- it finds no entries;
- the bytes do not decode strictly in the encoding the document declares (BOM, then the HTTP
  charset, then the XML declaration, then UTF-8), or the parser read them in another one:
  it turns windows-1252 bytes in a "UTF-8" document into U+FFFD without saying so, and it
  never sees the HTTP charset;
- the document uses ``xml:base``: feedparser-rs applies it to links but not to the URLs
  inside HTML content, and feedparser applies it to both.

Only bytes are ever passed: given a ``str`` the Rust parser, like feedparser, may take it for
a URL to fetch.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin

_rs: Any
try:
    import feedparser_rs as _rs
except ImportError:  # no wheel for this platform: feedparser does all the work
    _rs = None

AVAILABLE = _rs is not None
"""Whether the fast parser can be used here."""

# Enough that no real document reaches it: entries above the caller's own limit are chosen
# by date after parsing, which needs all of them. The body size cap bounds the work anyway.
_RS_MAX_ENTRIES = 10_000_000

_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_XML_BASE = re.compile(rb"xml:base\s*=", re.IGNORECASE)
# Elements that say when an entry changed (as opposed to when it was published). The Rust
# parser copies the publication date into ``updated`` when there is none; feedparser leaves
# it empty, and so do we when the document has no such element at all.
_UPDATE_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:updated|modified|date)[\s>/]")
_SCRIPT_OR_STYLE = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_URL_ATTRIBUTE = re.compile(
    r"""(\s(?:href|src|poster|cite|longdesc)\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE
)
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Atom text constructs without a type attribute are text, but the Rust parser reports them
# as HTML; the types are read from the document itself (unprefixed Atom elements only, so
# ``media:title`` and friends never count).
_ATOM_ENTRY = re.compile(rb"<entry[\s>].*?</entry\s*>", re.DOTALL)
_ATOM_TEXT_TAG = re.compile(rb"<(title|summary|content)(\s[^>]*)?>")
_TYPE_ATTRIBUTE = re.compile(rb"""\stype\s*=\s*["']([^"']*)["']""")
_ATOM_TYPES = {"text": "text/plain", "html": "text/html", "xhtml": "application/xhtml+xml"}

# The WHATWG encoding standard, which the Rust parser follows, reads these labels as
# windows-1252; Python's codecs do not. They are the same encoding for our comparison.
_WINDOWS_1252_ALIASES = frozenset({"cp1252", "latin-1", "iso8859-1", "ascii"})

FastFeed = tuple[dict[str, Any], list[Mapping[str, Any]], str]
"""The feed's metadata, its entries and its version name, shaped like feedparser's."""


def declared_encoding(data: bytes, http_charset: str | None) -> str:
    """The encoding a document declares: BOM, else the HTTP charset, else the XML declaration.

    UTF-8 when none says anything (the XML default). Returned as the label found; it may not
    be a codec Python knows.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if http_charset:
        return http_charset
    match = _XML_ENCODING.match(data[:512])
    if match:
        return match.group(1).decode("ascii")
    return "utf-8"


def decodes_strictly(data: bytes, encoding: str) -> bool:
    """True when all of ``data`` is valid in ``encoding`` (a codec Python knows)."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return False
    if data.isascii() and _ascii_compatible(codec.name):
        return True
    # Piece by piece, so a large document is not held twice over as a str.
    decoder = codec.incrementaldecoder("strict")
    step = 1 << 20
    try:
        for start in range(0, len(data), step):
            decoder.decode(data[start : start + step])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def parse_fast(
    data: bytes, url: str, http_charset: str | None = None
) -> tuple[FastFeed | None, str]:
    """Parse ``data`` with feedparser-rs, or say why feedparser should do it.

    Args:
        data: the document (already checked for entity declarations).
        url: the document's URL, the base for relative URLs inside HTML content.
        http_charset: the charset from the HTTP response, if any.

    Returns:
        ``(result, "")`` when the fast parser's result can be used, else ``(None, reason)``.
    """
    if _rs is None:
        return None, "feedparser-rs is not installed"
    if _XML_BASE.search(data):
        return None, "the document uses xml:base"
    encoding = declared_encoding(data, http_charset)
    if not decodes_strictly(data, encoding):
        return None, f"the bytes are not valid {encoding}"
    limits = _rs.ParserLimits(
        max_entries=_RS_MAX_ENTRIES, max_feed_size_bytes=max(len(data) + 1, 100_000_000)
    )
    try:
        parsed = _rs.parse_with_limits(
            data, limits=limits, sanitize_html=False, resolve_relative_uris=True
        )
    except Exception as exc:  # the binding's own errors: feedparser gets a go
        return None, f"fast parser failed ({type(exc).__name__})"
    if parsed.bozo:
        return None, f"fast parser: {parsed.bozo_exception}"
    if not parsed.entries:
        return None, "fast parser found no entries"
    if _codec_name(str(parsed.encoding or "")) != _codec_name(encoding):
        return None, f"fast parser read {parsed.encoding}, the document declares {encoding}"
    version = str(parsed.version or "")
    keep_updated = _UPDATE_ELEMENT.search(data) is not None
    tidy = _html_tidier(url)
    entries = [_entry(entry, keep_updated, tidy) for entry in parsed.entries]
    feed = _feed(parsed.feed)
    if version.startswith("atom") and not _atom_types(data, feed, entries):
        return None, "Atom entries could not be matched with the document"
    return (feed, list[Mapping[str, Any]](entries), version), ""


def _atom_types(data: bytes, feed: dict[str, Any], entries: list[dict[str, Any]]) -> bool:
    """Give untyped Atom text constructs their default type, text; False if that failed."""
    if b"<entry" not in data:
        return False  # prefixed Atom elements (``<atom:entry>``): rare enough for feedparser
    chunks = _ATOM_ENTRY.finditer(data)
    first_entry = data.find(b"<entry")
    _retype(feed, _declared_types(data[:first_entry]))
    for entry in entries:
        chunk = next(chunks, None)
        if chunk is None:
            return False
        _retype(entry, _declared_types(chunk.group(0)))
    return next(chunks, None) is None


def _declared_types(fragment: bytes) -> dict[str, str]:
    """The media type each of title, summary and content declares (the first of each)."""
    found: dict[str, str] = {}
    for match in _ATOM_TEXT_TAG.finditer(fragment):
        name = match.group(1).decode("ascii")
        if name in found:
            continue
        attributes = match.group(2) or b""
        declared = _TYPE_ATTRIBUTE.search(attributes)
        value = declared.group(1).decode("ascii", "replace").strip().lower() if declared else ""
        found[name] = _ATOM_TYPES.get(value or "text", value)
    return found


def _retype(target: dict[str, Any], types: dict[str, str]) -> None:
    # Only the default is corrected: an explicit type is reported faithfully already.
    for name, detail_key in (("title", "title_detail"), ("summary", "summary_detail")):
        detail = target.get(detail_key)
        if detail is not None and types.get(name) == "text/plain":
            detail["type"] = "text/plain"
    if types.get("content") == "text/plain":
        for content in target.get("content") or ():
            content["type"] = "text/plain"


def _ascii_compatible(codec_name: str) -> bool:
    return not codec_name.startswith(("utf-16", "utf-32", "utf_16", "utf_32"))


def _codec_name(label: str) -> str:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return label.lower()
    if name in _WINDOWS_1252_ALIASES:
        return "cp1252"
    # The parser names the byte order it found ("utf-16le"); the declaration says "utf-16".
    for family in ("utf-16", "utf-32"):
        if name.startswith(family):
            return family
    return name


def _feed(meta: Any) -> dict[str, Any]:
    return {
        "title": meta.title,
        "title_detail": _detail(meta.title_detail),
        "link": meta.link,
    }


def _entry(entry: Any, keep_updated: bool, tidy: Callable[[str], str]) -> dict[str, Any]:
    # Every nested value is a plain dict or list, never the binding's own objects, so the
    # result is cheap to keep and the normalizer reads it exactly like feedparser's.
    published = entry.published_parsed
    updated = entry.updated_parsed
    if not keep_updated and entry.updated == entry.published:
        updated = None
    content = [
        {"type": item.type, "value": tidy(item.value)} for item in entry.content if item.value
    ]
    summary = entry.summary
    summary_detail = _detail(entry.summary_detail)
    author_detail = entry.author_detail
    return {
        "id": entry.id,
        "title": entry.title,
        "title_detail": _detail(entry.title_detail),
        "link": entry.link,
        "links": [{"href": link.href, "rel": link.rel or "alternate"} for link in entry.links],
        "published_parsed": published,
        "updated_parsed": updated,
        "created_parsed": entry.created_parsed,
        "summary": tidy(summary) if summary else summary,
        "summary_detail": summary_detail,
        "content": content,
        "author": entry.author,
        "author_detail": {"name": author_detail.name} if author_detail is not None else None,
    }


def _detail(detail: Any) -> dict[str, Any] | None:
    if detail is None:
        return None
    return {"type": detail.type}


def _html_tidier(base: str) -> Callable[[str], str]:
    """What feedparser does to HTML that matters to us, for the fast parser's output.

    feedparser resolves relative URLs in HTML and drops scripts and style sheets. The
    extractor cleans every body before it is shown, so this is only about what is stored:
    absolute links, and no script text that a plain-text fallback could pick up.
    """

    def resolve(match: re.Match[str]) -> str:
        value = match.group(2) if match.group(2) is not None else match.group(3)
        stripped = value.strip()
        if not stripped or _HAS_SCHEME.match(stripped) or stripped.startswith("#"):
            return match.group(0)
        try:
            absolute = urljoin(base, stripped)
        except ValueError:
            return match.group(0)
        return f'{match.group(1)}"{absolute.replace(chr(34), "%22")}"'

    def tidy(value: str) -> str:
        if "<" not in value:
            return value
        lowered = value.lower()
        if "<script" in lowered or "<style" in lowered:
            value = _SCRIPT_OR_STYLE.sub("", value)
        return _URL_ATTRIBUTE.sub(resolve, value)

    return tidy
