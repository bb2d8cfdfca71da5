"""The fast path of feed parsing: feedparser-rs, with the checks that decide when not to trust it.

:func:`parse_fast` runs the Rust parser on the bytes of an RSS/Atom document and returns its
result reshaped as plain dicts with the keys and meanings feedparser uses, so that
:mod:`tui_reader.core.feeds` normalizes both parsers' output with the same code. It returns
``None`` (with a reason, for the log and the tests) whenever feedparser should parse the
document instead:

- feedparser-rs is not installed (a platform without a wheel);
- it reports a problem (``bozo``): it gives up on a whole document for one unescaped ``<``,
  raw HTML, or junk before ``<?xml``, where feedparser's loose parser recovers. (HTML entity
  names and bare ``&``, the commonest faults, are mended in the bytes and the fast parser
  tried again first);
- it finds no entries;
- the bytes do not decode strictly in the encoding the document declares (BOM, then the HTTP
  charset, then the XML declaration, then UTF-8), or the parser read them in another one:
  it turns windows-1252 bytes in a "UTF-8" document into U+FFFD without saying so, and it
  never sees the HTTP charset;
- the document uses ``xml:base``: feedparser-rs applies it to links but not to the URLs
  inside HTML content, and feedparser applies it to both.

Only bytes are ever passed: given a ``str`` the Rust parser, like feedparser, may take it for
a URL to fetch. A document of more than 4,000 entries is read in pieces of 2,000, which
bounds the parser's memory (see ``_split``).
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, uses_relative

from tui_reader.core.feedparse_urls import resolver

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
# Entries per piece when a large document is read in pieces (see ``_split``).
_PIECE = 2_000

_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_XML_BASE = re.compile(rb"xml:base\s*=", re.IGNORECASE)
_SCRIPT_OR_STYLE = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
# Only values that may need resolving match: an absolute URL or a fragment is left as it is
# without a call back into Python (most links in feeds are absolute).
_URL_ATTRIBUTE = re.compile(
    r"""(\s(?:href|src|poster|cite|longdesc)\s*=\s*)"""
    r"""(?:"(?!\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|\#))([^"]*)"|'(?!\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|\#))([^']*)')""",
    re.IGNORECASE,
)
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_EXTRA_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)(/*)(.*?)")

# Atom text constructs without a type attribute are text, but the Rust parser reports them
# as HTML; the types are read from the document itself (unprefixed Atom elements only, so
# ``media:title`` and friends never count).
_ATOM_TAGS = re.compile(rb"<(/?entry|title|summary|content|updated|modified)(?=[\s>/])([^>]*)>")
_TYPE_ATTRIBUTE = re.compile(rb"""\stype\s*=\s*["']([^"']*)["']""")
_ATOM_TYPES = {"text": "text/plain", "html": "text/html", "xhtml": "application/xhtml+xml"}

# feedparser reads an Atom update date inside RSS items; the Rust parser does not.
_RSS_UPDATED = re.compile(rb"<[A-Za-z_][\w.-]*:updated[\s>]")
_DC_DATE = re.compile(rb"<[A-Za-z_][\w.-]*:date[\s>]")
_RSS_TAGS = re.compile(rb"<(item|guid)(?=[\s>/])([^>]*)>")
_PERMALINK_ATTRIBUTE = re.compile(rb"ispermalink\s*=", re.IGNORECASE)
_PERMALINK_VALUE = re.compile(rb"""ispermalink\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
# What an "&" can start, in the order tried: a section where it means nothing, a named
# entity, a character reference, else a bare ampersand.
_AMPERSAND = re.compile(
    rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&([A-Za-z][A-Za-z0-9]*);|&#(?:[0-9]+|[xX][0-9A-Fa-f]+);|&",
    re.DOTALL,
)
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_RSS_LINK = re.compile(
    rb"<link(?:\s[^>]*)?>\s*(?:<!\[CDATA\[(.*?)\]\]>|([^<]*?))\s*</link\s*>", re.DOTALL
)
_ATOM_LINK = re.compile(rb"<link(?=[\s/>])([^>]*)>")
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RDF_VERSIONS = frozenset({"rss090", "rss10"})

_CLOSING_TAG = re.compile(r"</(\w+)>")
_ENTITY = re.compile(r"&#?\w+;")
_ANY_TAG = re.compile(r"</?(\w+)")
_NAMED_ENTITY = re.compile(r"&(\w+);")
# The elements feedparser's sanitizer lets through: RSS text using others is not HTML to it.
_HTML_ELEMENTS = frozenset(
    """a abbr acronym address area article aside audio b bdi bdo big blink blockquote br
    button canvas caption center cite code col colgroup command datagrid datalist dd del
    details dfn dialog dir div dl dt em event-source fieldset figcaption figure font footer
    form h1 h2 h3 h4 h5 h6 header hr i img input ins keygen kbd label legend li m map menu
    meter multicol nav nextid noscript ol optgroup option output p pre progress q s samp
    section select small sound source spacer span strike strong sub sup table tbody td
    textarea tfoot th thead time tr tt u ul var video""".split()
)
# C1 controls read as the windows-1252 characters their bytes stand for there.
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}

# The WHATWG encoding standard, which the Rust parser follows, reads these labels as
# windows-1252; Python's codecs do not. They are the same encoding for our comparison.
_WINDOWS_1252_ALIASES = frozenset({"cp1252", "latin-1", "iso8859-1", "ascii"})

_Fix = Callable[[str], str]

FastFeed = tuple[dict[str, Any], Iterator[Mapping[str, Any]], str]
"""The feed's metadata, its entries (converted as they are consumed, once) and its version
name, shaped like feedparser's."""


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
    except UnicodeError:  # also "UTF-16 stream does not start with BOM"
        return False
    return True


SlowParser = Callable[[bytes], list[Mapping[str, Any]]]
"""feedparser's entries for a document (used for one broken piece of a large one)."""


def parse_fast(
    data: bytes,
    url: str,
    http_charset: str | None = None,
    *,
    in_pieces: bool = True,
    slow: SlowParser | None = None,
) -> tuple[FastFeed | None, str]:
    """Parse ``data`` with feedparser-rs, or say why feedparser should do it.

    Args:
        data: the document (already checked for entity declarations).
        url: the document's URL, the base for relative URLs inside HTML content.
        http_charset: the charset from the HTTP response, if any.
        in_pieces: read a large document in pieces (see ``_split``). Iterating over the
            entries then raises :class:`Abandoned` if a later piece cannot be read alike;
            reading the document whole is the next thing to try.
        slow: feedparser, for a piece of a large document that the fast parser cannot
            read: the rest of the document stays on the fast path. Its entries (plain
            mappings) are passed through as they are.

    Returns:
        ``(result, "")`` when the fast parser's result can be used, else ``(None, reason)``.
    """
    if _rs is None:
        return None, "feedparser-rs is not installed"
    if _uses_xml_base(data):
        return None, "the document uses xml:base"
    encoding = declared_encoding(data, http_charset)
    if not decodes_strictly(data, encoding):
        return None, f"the bytes are not valid {encoding}"
    mendable = _ascii_compatible(_codec_name(encoding))
    pieces = _split(data) if in_pieces else None
    first = data if pieces is None else pieces.piece(data, 0)
    parsed, problem = _run_mended(first, mendable)
    if pieces is not None and (problem or len(parsed.entries) != pieces.count(0)):
        # Cut in the wrong places (an "<item" inside a CDATA section, say): read it whole.
        return parse_fast(data, url, http_charset, in_pieces=False, slow=slow)
    if problem:
        return None, problem
    if not parsed.entries:
        return None, "fast parser found no entries"
    if _codec_name(str(parsed.encoding or "")) != _codec_name(encoding):
        return None, f"fast parser read {parsed.encoding}, the document declares {encoding}"
    version = str(parsed.version or "")
    if not version.startswith("atom") and _has(data, b":updated", _RSS_UPDATED):
        return None, "an Atom update date in an RSS document"
    fix_text = _text_fixer(_codec_name(encoding) == "utf-8")
    tidy = _html_tidier(url, fix_text)
    # The entries are copied out and the parser's own result let go, so that a large
    # document is not held in memory twice over while it is converted.
    meta, first_entries = parsed.feed, parsed.entries
    del parsed
    if pieces is None:
        total = len(first_entries)
        sources = _drain(first_entries)
    else:
        total = len(pieces.starts)
        sources = _pieces(data, pieces, first_entries, mendable, slow)
    links = _Links(data, version.startswith("atom"), encoding)
    if version.startswith("atom"):
        return _atom(data, url, meta, sources, total, version, fix_text, tidy, links)
    return _rss(data, url, meta, sources, total, version, fix_text, tidy, links)


def _has(data: bytes, literal: bytes, pattern: re.Pattern[bytes]) -> bool:
    """``pattern.search(data)``, looked for only where ``literal`` (which every match of it
    contains) occurs: a plain byte search is many times faster than the pattern's over a
    large document that has none."""
    return literal in data and pattern.search(data) is not None


def _uses_xml_base(data: bytes) -> bool:
    """Whether the document declares ``xml:base`` (in any letter case)."""
    # The pattern ignores case, so a plain search needs the folded document; folding
    # is cheaper than the pattern's own search.
    return _has(data.lower(), b"xml:base", _XML_BASE)


class _Links:
    """Links as the document writes them, for those the Rust parser blanked.

    It empties links to loopback, private and "internal" hosts (a guard for servers that
    fetch whatever a feed names). A reader's feeds may well live on such a host, and
    feedparser keeps them, so they are read back from the bytes: the entries pair up with
    their start tags in document order, as in :func:`_atom_tags`.
    """

    def __init__(self, data: bytes, atom: bool, encoding: str) -> None:
        self._data = data
        self._atom = atom
        self._encoding = encoding
        self._starts: list[int] | None = None

    def entry(self, index: int) -> str:
        if self._starts is None:
            name = b"entry" if self._atom else b"item"
            pattern = _ATOM_TAGS if self._atom else _RSS_TAGS
            found = pattern.finditer(self._data)
            self._starts = [match.start() for match in found if match.group(1) == name]
        if index >= len(self._starts):
            return ""
        end = self._starts[index + 1] if index + 1 < len(self._starts) else len(self._data)
        return self._first(self._starts[index], end)

    def feed(self) -> str:
        first = self._data.find(b"<entry" if self._atom else b"<item")
        return self._first(0, first if first >= 0 else len(self._data))

    def _first(self, start: int, end: int) -> str:
        if not _ascii_compatible(_codec_name(self._encoding)):
            return ""
        if not self._atom:
            match = _RSS_LINK.search(self._data, start, end)
            raw = b"" if match is None else (match.group(1) or match.group(2) or b"")
            return self._text(raw, unescape=match is not None and match.group(1) is None)
        for tag in _ATOM_LINK.finditer(self._data, start, end):
            attributes = {
                found.group(1).lower(): (
                    found.group(2) if found.group(2) is not None else found.group(3)
                )
                for found in _ATTRIBUTE.finditer(tag.group(1))
            }
            if attributes.get(b"rel", b"alternate").strip() == b"alternate":
                return self._text(attributes.get(b"href", b""), unescape=True)
        return ""

    def _text(self, raw: bytes, *, unescape: bool) -> str:
        text = raw.decode(self._encoding, "replace").strip()
        return html.unescape(text) if unescape else text


class Abandoned(Exception):
    """A piece of a large document failed after the first: the document is read whole."""


@dataclass(frozen=True, slots=True)
class _Pieces:
    """Where a large document's entries start, and what surrounds them."""

    starts: list[int]
    end: int

    def piece(self, data: bytes, index: int) -> bytes:
        """A whole document of the entries of piece ``index``: head, entries, tail."""
        first = index * _PIECE
        last = first + _PIECE
        stop = self.starts[last] if last < len(self.starts) else self.end
        return data[: self.starts[0]] + data[self.starts[first] : stop] + data[self.end :]

    def count(self, index: int) -> int:
        return min(_PIECE, len(self.starts) - index * _PIECE)


def _split(data: bytes) -> _Pieces | None:
    """Cut points for a document with many entries; ``None`` for one read in one go.

    The Rust parser holds about 7 KiB per entry while it works, so a document of 100,000
    entries would take most of a gigabyte; read in pieces of ``_PIECE`` entries (each a
    document of its own with the same head and tail) it takes about 15 MiB at a time. Small
    pieces also keep what a broken item costs small (see :func:`_pieces`).
    """
    items, entries = data.count(b"<item"), data.count(b"<entry")
    if max(items, entries) <= 2 * _PIECE:
        return None
    closer = b"</entry" if entries > items else b"</item"
    name = b"entry" if entries > items else b"item"
    starts = _start_tags(data, name)
    last = data.rfind(closer)
    end = data.find(b">", last) + 1
    if not starts or last < starts[-1] or end <= 0:
        return None
    # Each cut must fall right after the end tag of the entry before it: a start tag found
    # inside a CDATA section is no place to cut. (One inside a piece only miscounts that
    # piece's entries, which both parsers then disagree with; see _pieces.)
    between = re.compile(rb"</" + name + rb"\s*>\s*")
    for cut in starts[_PIECE::_PIECE]:
        if not between.fullmatch(data, data.rfind(b"<", 0, cut), cut):
            return None
    return _Pieces(starts, end)


def _start_tags(data: bytes, name: bytes) -> list[int]:
    """Where each ``<name`` start tag begins (as :data:`_RSS_TAGS` and :data:`_ATOM_TAGS`
    find them: the name followed by whitespace, ``>`` or ``/``).

    A pattern that starts with the literal tag is searched for far faster than those two,
    which try every ``<`` of a large document.
    """
    pattern = _START_TAG[name]
    return [match.start() for match in pattern.finditer(data)]


_START_TAG = {name: re.compile(rb"<" + name + rb"(?=[\s>/])") for name in (b"item", b"entry")}


def piece_size() -> int:
    """How many entries a piece of a large document holds (see :func:`piece_documents`)."""
    return _PIECE


def piece_documents(data: bytes) -> list[tuple[bytes, int]]:
    """A large document cut into complete documents of at most ``_PIECE`` entries each (the
    same head and tail around each piece's entries), with how many entries each holds; an
    empty list for a document that is not cut.

    Reading the pieces one by one, in any order and in separate processes, gives what
    :func:`parse_fast` gives for the whole (it reads a large document in these very pieces)
    as long as the fast parser reads every piece and finds the entries counted here:
    everything it derives from the whole document is either in the head that every piece
    repeats or belongs to one entry, and what would send the whole document to feedparser
    (``xml:base``, bytes that do not follow the declared encoding, an Atom update date in
    RSS) sends the piece that has it there too, which the caller then sees.
    """
    if _rs is None:
        return []
    pieces = _split(data)
    if pieces is None:
        return []
    count = (len(pieces.starts) + _PIECE - 1) // _PIECE
    return [(pieces.piece(data, index), pieces.count(index)) for index in range(count)]


def _drain(entries: list[Any]) -> Iterator[Any]:
    """The entries one by one, each let go of as soon as it is taken."""
    for index in range(len(entries)):
        entry, entries[index] = entries[index], None
        yield entry


def _pieces(
    data: bytes, pieces: _Pieces, first: list[Any], mendable: bool, slow: SlowParser | None
) -> Iterator[Any]:
    """The entries of every piece in turn, parsing the next piece only when it is needed.

    A piece the fast parser cannot read goes to ``slow`` alone, so that one broken item in
    100,000 costs feedparser's time for 2,000.
    """
    yield from _drain(first)
    index = 1
    while index * _PIECE < len(pieces.starts):
        piece = pieces.piece(data, index)
        expected = pieces.count(index)
        parsed, problem = _run_mended(piece, mendable)
        if not problem and len(parsed.entries) == expected:
            entries = parsed.entries
            del parsed
            yield from _drain(entries)
        else:
            del parsed
            slow_entries = _slow_piece(piece, slow)
            if len(slow_entries) != expected:
                raise Abandoned(problem or "a piece of the document did not parse alike")
            yield from _drain(slow_entries)
        index += 1


def _slow_piece(piece: bytes, slow: SlowParser | None) -> list[Any]:
    if slow is None:
        return []
    try:
        return slow(piece)
    except Exception:  # whatever it is, the whole document is read another way
        return []


def _run_mended(data: bytes, mendable: bool) -> tuple[Any, str]:
    parsed, problem = _run(data)
    if problem and mendable:
        # The two commonest faults, HTML entity names and bare "&", are mended in the bytes
        # and the fast parser tried once more: handing a large feed to feedparser for one
        # "&nbsp;" would cost seconds.
        mended = _mend(data)
        if mended != data:
            parsed, problem = _run(mended)
    return parsed, problem


def _run(data: bytes) -> tuple[Any, str]:
    """The Rust parser's result for ``data``, and what went wrong ("" if nothing)."""
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
    return parsed, ""


def _mend(data: bytes) -> bytes:
    """``data`` with HTML entity names as character references and bare ``&`` escaped.

    CDATA sections and comments are left as they are: no entity is read there.
    """

    def mend(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name is None:
            # A section or a character reference stays; a bare "&" is escaped.
            return b"&amp;" if match.group(0) == b"&" else match.group(0)
        if name in _XML_ENTITIES:
            return match.group(0)
        characters = html.entities.html5.get(name.decode("ascii") + ";")
        if characters is None:
            return b"&amp;" + name + b";"
        return "".join(f"&#{ord(c)};" for c in characters).encode("ascii")

    return _AMPERSAND.sub(mend, data)


def _rss(
    data: bytes,
    url: str,
    meta: Any,
    sources: Iterator[Any],
    total: int,
    version: str,
    fix_text: _Fix,
    tidy: _Fix,
    links: _Links,
) -> tuple[FastFeed | None, str]:
    feed = _feed(meta, fix_text)
    if feed["link"] == "":
        feed["link"] = links.feed()
    _guess_text_type(feed)
    # feedparser treats a guid as a URL (and resolves it against the document) unless it
    # says isPermaLink="false"; RSS 1.0 ids come from rdf:about and are left alone. Stored
    # articles are matched by guid, so ours must be the string feedparser made.
    if version in _RDF_VERSIONS:
        permalinks = [False] * total
    elif _PERMALINK_ATTRIBUTE.search(data):
        permalinks = _permalinks(data)
        if len(permalinks) != total:
            return None, "RSS items could not be matched with the document"
    else:
        permalinks = [True] * total
    dc_dates = _has(data, b":date", _DC_DATE)
    join = _id_joiner(url)

    def entries() -> Iterator[dict[str, Any]]:
        for index, (permalink, source) in enumerate(zip(permalinks, sources, strict=True)):
            if isinstance(source, dict):  # feedparser's entries are dicts (and ABCs are slow)
                yield dict(source)  # read by feedparser (see _pieces)
                continue
            entry = _entry(source, fix_text, tidy)
            if entry["link"] == "":
                # Blanked (see _Links); an item without a link of its own had its guid there.
                entry["link"] = links.entry(index) or (
                    join(entry["id"]) if source.guidislink and entry["id"] else ""
                )
            # RSS has no update date of its own; the Rust parser copies the publication date
            # there, feedparser does not. ``dc:date`` is an update date to both.
            if entry["updated_parsed"] == entry["published_parsed"]:
                if not (dc_dates and source.dc_date is not None):
                    entry["updated_parsed"] = None
            _guess_text_type(entry)
            if permalink and entry["id"]:
                entry["id"] = join(entry["id"])
            yield entry

    return (feed, entries(), version), ""


def _atom(
    data: bytes,
    url: str,
    meta: Any,
    sources: Iterator[Any],
    total: int,
    version: str,
    fix_text: _Fix,
    tidy: _Fix,
    links: _Links,
) -> tuple[FastFeed | None, str]:
    if data.find(b"<entry") < 0:
        # Prefixed Atom elements (``<atom:entry>``): rare enough to leave to feedparser.
        return None, "prefixed Atom elements"
    feed = _feed(meta, fix_text)
    if feed["link"] == "":
        feed["link"] = links.feed()
    feed_types, entry_tags = _atom_tags(data)
    _retype(feed, feed_types)
    if len(entry_tags) != total:
        return None, "Atom entries could not be matched with the document"
    join = _id_joiner(url)

    def entries() -> Iterator[dict[str, Any]]:
        for index, ((types, has_updated), source) in enumerate(
            zip(entry_tags, sources, strict=True)
        ):
            if isinstance(source, dict):  # feedparser's entries are dicts (and ABCs are slow)
                yield dict(source)  # read by feedparser (see _pieces)
                continue
            entry = _entry(source, fix_text, tidy)
            if entry["link"] == "":
                entry["link"] = links.entry(index)  # blanked: see _Links
            _retype(entry, types)
            # The Rust parser fills in what an entry lacks (an update date from the
            # publication date, the feed's author); feedparser reports the entry as written.
            if not has_updated:
                entry["updated_parsed"] = None
            if entry["author_detail"] is None:
                entry["author"] = None
            if entry["id"]:
                entry["id"] = join(entry["id"])  # feedparser resolves Atom ids too
            yield entry

    return (feed, entries(), version), ""


def _feed(meta: Any, fix_text: _Fix) -> dict[str, Any]:
    title = meta.title
    return {
        "title": fix_text(title) if title else title,
        "title_detail": _detail(meta.title_detail),
        "link": meta.link,
    }


def _entry(entry: Any, fix_text: _Fix, tidy: _Fix) -> dict[str, Any]:
    # Every nested value is a plain dict or list, never the binding's own objects, so the
    # result is cheap to keep and the normalizer reads it exactly like feedparser's.
    content = [
        {"type": item.type, "value": tidy(item.value)} for item in entry.content if item.value
    ]
    title = entry.title
    summary = entry.summary
    author = entry.author
    author_detail = entry.author_detail
    link = entry.link
    published = entry.published_parsed
    # Each attribute read builds new Python objects; what the normalizer only looks at when
    # something else is missing is read only then.
    links = (
        [{"href": item.href, "rel": item.rel or "alternate"} for item in entry.links]
        if not link
        else []
    )
    return {
        "id": entry.id,
        "title": fix_text(title) if title else title,
        "title_detail": _detail(entry.title_detail),
        "link": link,
        "links": links,
        "published_parsed": published,
        "updated_parsed": entry.updated_parsed,
        "created_parsed": entry.created_parsed if published is None else None,
        "summary": tidy(summary) if summary else summary,
        "summary_detail": _detail(entry.summary_detail),
        "content": content,
        "author": fix_text(author) if author else author,
        "author_detail": (
            {"name": fix_text(author_detail.name or "")} if author_detail is not None else None
        ),
    }


def _detail(detail: Any) -> dict[str, Any] | None:
    if detail is None:
        return None
    return {"type": detail.type}


def _atom_tags(data: bytes) -> tuple[dict[str, str], list[tuple[dict[str, str], bool]]]:
    """What the document itself says: the types the feed's and each entry's title, summary
    and content declare (the first of each), and whether each entry has an update date.

    One pass over the start tags, in document order, so entries pair up with the parser's.
    """
    feed_types: dict[str, str] = {}
    entries: list[tuple[dict[str, str], bool]] = []
    types: dict[str, str] | None = None
    updated = False
    for match in _ATOM_TAGS.finditer(data):
        name = match.group(1)
        if name == b"entry":
            types, updated = {}, False
        elif name == b"/entry":
            if types is not None:
                entries.append((types, updated))
            types = None
        elif name in (b"updated", b"modified"):
            updated = True
        else:
            target = feed_types if types is None and not entries else types
            key = name.decode("ascii")
            if target is None or key in target:
                continue
            declared = _TYPE_ATTRIBUTE.search(match.group(2))
            value = declared.group(1).decode("ascii", "replace").strip().lower() if declared else ""
            target[key] = _ATOM_TYPES.get(value or "text", value)
    return feed_types, entries


def _permalinks(data: bytes) -> list[bool]:
    """For each RSS item, whether feedparser takes its guid for a link (see :func:`_rss`)."""
    permalinks: list[bool] = []
    seen_guid = True
    for match in _RSS_TAGS.finditer(data):
        if match.group(1) == b"item":
            permalinks.append(True)
            seen_guid = False
        elif not seen_guid:
            seen_guid = True
            attribute = _PERMALINK_VALUE.search(match.group(2))
            # feedparser compares the value with "true" exactly.
            permalinks[-1] = attribute is None or attribute.group(1) == b"true"
    return permalinks


def _retype(target: dict[str, Any], types: dict[str, str]) -> None:
    # Only the default is corrected: an explicit type is reported faithfully already.
    for name, detail_key in (("title", "title_detail"), ("summary", "summary_detail")):
        detail = target.get(detail_key)
        if detail is not None and types.get(name) == "text/plain":
            detail["type"] = "text/plain"
    if types.get("content") == "text/plain":
        for content in target.get("content") or ():
            content["type"] = "text/plain"


def _guess_text_type(target: dict[str, Any]) -> None:
    """An RSS title is text unless it looks like HTML (the Rust parser always says HTML)."""
    title = target.get("title")
    detail = target.get("title_detail")
    if title and detail is not None and not _looks_like_html(title):
        detail["type"] = "text/plain"


def _looks_like_html(text: str) -> bool:
    """feedparser's test for HTML in RSS text: a closing tag or an entity, and nothing but
    ordinary HTML elements and known entities."""
    if "<" not in text and "&" not in text:
        return False
    if not (_CLOSING_TAG.search(text) or _ENTITY.search(text)):
        return False
    if any(tag.lower() not in _HTML_ELEMENTS for tag in _ANY_TAG.findall(text)):
        return False
    return all(name in html.entities.entitydefs for name in _NAMED_ENTITY.findall(text))


def _id_joiner(base: str) -> _Fix:
    """Resolve ids against ``base`` the way feedparser does (``""`` when that fails)."""
    relative = resolver(base)

    def join(reference: str) -> str:
        scheme = _HAS_SCHEME.match(reference)
        if scheme is None:
            return relative(reference)
        # urljoin returns a reference in a scheme it does not resolve ("urn:", "tag:") as it
        # is; feedparser first folds extra slashes after "scheme://".
        reference = _EXTRA_SLASHES.sub(r"\1\3", reference)
        if scheme.group(0)[:-1].lower() not in uses_relative:
            return reference
        try:
            return urljoin(base, reference)
        except ValueError:
            return ""

    return join


def _text_fixer(utf8: bool) -> _Fix:
    """feedparser's two repairs of every text value, so that both parsers give one text.

    It reads C1 control characters as the windows-1252 characters their bytes stand for, and
    in a UTF-8 document it undoes text that was UTF-8 read as Latin-1 and encoded again.
    """

    def fix(value: str) -> str:
        if value.isascii():
            return value
        if utf8:
            try:
                value = value.encode("iso-8859-1").decode("utf-8")
            except UnicodeError:
                pass
        return value.translate(_C1_AS_CP1252)

    return fix


def _html_tidier(base: str, fix_text: _Fix) -> _Fix:
    """What feedparser does to HTML that matters to us, for the fast parser's output.

    feedparser resolves relative URLs in HTML and drops scripts and style sheets. The
    extractor cleans every body before it is shown, so this is only about what is stored:
    absolute links, and no script text that a plain-text fallback could pick up.
    """

    relative = resolver(base)

    def resolve(match: re.Match[str]) -> str:
        value = match.group(2) if match.group(2) is not None else match.group(3)
        stripped = value.strip()
        if not stripped or _HAS_SCHEME.match(stripped) or stripped.startswith("#"):
            return match.group(0)
        absolute = relative(stripped)
        if not absolute:
            return match.group(0)
        return f'{match.group(1)}"{absolute.replace(chr(34), "%22")}"'

    def tidy(value: str) -> str:
        value = fix_text(value)
        if "<" not in value:
            return value
        lowered = value.lower()
        if "<script" in lowered or "<style" in lowered:
            value = _SCRIPT_OR_STYLE.sub("", value)
        return _URL_ATTRIBUTE.sub(resolve, value)

    return tidy


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
