"""Page metadata: title, byline, date, site, language, canonical URL, lead image, description.

Sources, most trusted first: JSON-LD (schema.org ``Article`` and friends, inside ``@graph``
or lists), OpenGraph / Twitter / Dublin Core ``<meta>`` tags, then the visible page (the
``<h1>``, ``<time datetime>``, author links and byline boxes). Publishers disagree with
themselves often enough that no single source is used blindly: a ``<title>`` usually ends in
" | Site Name", and the visible headline is preferred when it matches a declared title.

Everything here only reads the parsed tree; the body extractor mutates it afterwards.
Every string is passed through :func:`clean_line` and every URL through :func:`safe_url`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tui_reader.core.extract.blocks import joined_url
from tui_reader.core.extract.headline import find_headline, page_headings
from tui_reader.core.models import Article, Block
from tui_reader.core.sanitize import clean_line

__all__ = ["PageMetadata", "extract_metadata", "parse_date"]


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about itself (see :func:`extract_metadata`)."""

    title: str = ""
    byline: str | None = None
    published: datetime | None = None
    """Always timezone-aware (UTC when the page gives no zone)."""
    site_name: str | None = None
    language: str | None = None
    url: str | None = None
    """The canonical URL when the page declares one, else the URL it was read from."""
    lead_image: str | None = None
    description: str | None = None

    def article(self, blocks: Iterable[Block], url: str | None, extraction: str = "") -> Article:
        """An :class:`Article` of these metadata and ``blocks`` (``url`` when the page names
        no canonical one)."""
        return Article(
            title=self.title,
            byline=self.byline,
            published=self.published,
            site_name=self.site_name,
            language=self.language,
            url=self.url or url,
            lead_image=self.lead_image,
            description=self.description,
            blocks=tuple(blocks),
            extraction=extraction,
        )


# --- small helpers ----------------------------------------------------------------------

_MAX_FIELD = 300  # longer "titles" or "bylines" are page text caught by a loose selector
_MAX_NODE_TEXT = 2000

_SKIP_TEXT_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "button", "time", "img", "select"}
)


_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "ol", "p", "section",
        "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip


def _node_text(node: LexborNode, limit: int = _MAX_NODE_TEXT) -> str:
    """Visible text of ``node``: line breaks become spaces, scripts and dates are skipped."""
    parts: list[str] = []
    size = 0
    # Strings on the stack are separators to emit once an element's children are done:
    # "<div>A</div><div>B</div>" reads "A B", not "AB".
    stack: list[LexborNode | str] = [node]
    while stack and size < limit:
        current = stack.pop()
        if isinstance(current, str):
            parts.append(current)
            continue
        tag = current.tag
        if tag == "-text":
            text = current.text_content or ""
            parts.append(text)
            size += len(text)
            continue
        if tag in _SKIP_TEXT_TAGS or tag in ("-comment", "-doctype"):
            continue
        if tag == "br":
            parts.append(" ")
            continue
        children: list[LexborNode] = []
        child = current.child
        while child is not None:
            children.append(child)
            child = child.next
        if tag in _BLOCK_TAGS:
            parts.append(" ")
            stack.append(" ")
        stack.extend(reversed(children))
    return clean_line("".join(parts))[:limit]


def _attr(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attributes.get(name)
    return value if value else None


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value
    return None


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.IGNORECASE)


def _line(value: str) -> str:
    """One clean line; entities left over from double escaping (``&amp;#039;``) decoded."""
    if "&" in value and _ENTITY.search(value):
        value = html.unescape(value)
    return clean_line(value)


_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1024)
def _norm(text: str) -> str:
    """Comparison form of a title: case-folded, punctuation-insensitive."""
    # Titles are compared pairwise against every heading, so each is normalised many times.
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


# --- meta tags ----------------------------------------------------------------------------


# The elements the metadata reader looks at everywhere in the page. Each selector pass walks
# the whole document and tests every part of its selector on every element; finding the
# elements of one tag by name (``tags``) costs less than a third of a one-part pass, and
# gives them in document order. (The root element and the title are found at once by
# ``css_first``.)
_LD_JSON = "application/ld+json"


@dataclass(slots=True)
class _Scan:
    metas: list[LexborNode]
    scripts: list[LexborNode]
    h1s: list[LexborNode]
    links: list[LexborNode]


def _is_ld_json(node: LexborNode) -> bool:
    # The values of ``type`` compare without regard to ASCII case in HTML (as the selector
    # ``script[type="application/ld+json"]`` does); no other letter lower-cases to ASCII
    # without changing the length, bar the Kelvin sign, which this type does not hold.
    kind = node.attributes.get("type")
    return kind is not None and len(kind) == len(_LD_JSON) and kind.lower() == _LD_JSON


def _scan(tree: LexborHTMLParser) -> _Scan:
    return _Scan(
        tree.tags("meta"),
        [node for node in tree.tags("script") if _is_ld_json(node)],
        tree.tags("h1"),
        [node for node in tree.tags("link") if "rel" in node.attributes],
    )


_META_KEY_ATTRS = frozenset({"property", "name", "itemprop", "http-equiv"})


def _meta_tags(metas: list[LexborNode]) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-cased ``property``/``name``/``itemprop``/http-equiv."""
    found: dict[str, list[str]] = {}
    for node in metas:
        attrs = node.attributes
        content = attrs.get("content")
        if content is None:
            continue
        content = content.strip()
        if not content:
            continue
        # Every key of one tag gets the same content, so the order its attributes are
        # read in does not matter: in the order the tag has them, skipping the others.
        for key_attr, key in attrs.items():
            if key and key_attr in _META_KEY_ATTRS:
                for part in key.lower().split():
                    found.setdefault(part, []).append(content)
    return found


def _meta(tags: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in tags.get(key, ()):
            cleaned = _line(value)
            if cleaned:
                return cleaned
    return None


# --- JSON-LD ------------------------------------------------------------------------------

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "liveblogposting",
        "techarticle",
        "scholarlyarticle",
        "socialmediaposting",
        "discussionforumposting",
        "report",
        "satiricalarticle",
        "advertisercontentarticle",
        "medicalscholarlyarticle",
        "apireference",
        "recipe",
        "howto",
        "review",
        "creativework",
    }
)
_PAGE_TYPES = frozenset(
    {"webpage", "itempage", "aboutpage", "faqpage", "qapage", "profilepage", "collectionpage"}
)
_SITE_TYPES = frozenset({"website", "organization", "newsmediaorganization", "corporation"})
_JSON_LD_LIMIT = 1_000_000  # characters of one script; bigger blobs are not metadata


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _walk_json(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD document, outermost first (bounded depth)."""
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value[:200]:
            yield from _walk_json(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                yield from _walk_json(value[key], depth + 1)


_LD_OPENER = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)")
_LD_CLOSER = re.compile(r"(?:-->|//\s*\]\]>|\]\]>)\s*$")


def _json_ld(scripts: list[LexborNode]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in scripts:
        raw = script.text(deep=True)
        if not raw or len(raw) > _JSON_LD_LIMIT:
            continue
        raw = raw.strip()
        # CMSes wrap the JSON in comments or CDATA, or leave a trailing semicolon.
        raw = _LD_OPENER.sub("", raw)
        raw = _LD_CLOSER.sub("", raw).strip().rstrip(";")
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        objects.extend(_walk_json(data))
    return objects


def _ld_string(value: Any, depth: int = 0) -> str | None:
    """A string from a JSON-LD value that may be a string, a list, or a ``@value`` object."""
    if depth > 4:
        return None
    if isinstance(value, str):
        # JSON-LD is JSON, not HTML: publishers often leave entities in it.
        cleaned = _line(value)
        return cleaned or None
    if isinstance(value, list):
        for item in value[:20]:
            found = _ld_string(item, depth + 1)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return _ld_string(value.get("@value"), depth + 1)
    return None


def _resolve(value: Any, index: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
        return index.get(str(value["@id"]), value)
    return value


def _ld_names(value: Any, index: dict[str, dict[str, Any]]) -> list[str]:
    """Person/organization names from an ``author``-like value (string, object, list)."""
    names: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        item = _resolve(item, index)
        if isinstance(item, str):
            name = _ld_string(item)
        elif isinstance(item, dict):
            name = _ld_string(item.get("name"))
            if not name:
                given = _ld_string(item.get("givenName")) or ""
                family = _ld_string(item.get("familyName")) or ""
                name = clean_line(f"{given} {family}") or None
        else:
            name = None
        if name and not _looks_like_url(name) and name not in names:
            names.append(name)
    return names


def _ld_image(value: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> str | None:
    if depth > 4:
        return None
    value = _resolve(value, index)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value[:20]:
            found = _ld_image(item, index, depth + 1)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return _first(_ld_string(value.get("url")), _ld_string(value.get("contentUrl")))
    return None


@dataclass(slots=True)
class _LdFacts:
    title: str | None = None
    names: tuple[str, ...] = ()
    published: str | None = None
    site_name: str | None = None
    image: str | None = None
    description: str | None = None
    language: str | None = None


def _ld_facts(objects: list[dict[str, Any]]) -> _LdFacts:
    index = {str(o["@id"]): o for o in objects if isinstance(o.get("@id"), (str, int))}
    article = next((o for o in objects if _types(o) & _ARTICLE_TYPES), None)
    page = next((o for o in objects if _types(o) & _PAGE_TYPES), None)
    facts = _LdFacts()
    main = article or page
    if main is not None:
        facts.title = _ld_string(main.get("headline")) or _ld_string(main.get("name"))
        facts.names = tuple(
            _ld_names(main.get("author"), index) or _ld_names(main.get("creator"), index)
        )
        facts.published = _first(
            _ld_string(main.get("datePublished")),
            _ld_string(main.get("dateCreated")),
            _ld_string(main.get("uploadDate")),
        )
        publisher = _resolve(main.get("publisher"), index)
        if isinstance(publisher, list):
            publisher = _resolve(publisher[0], index) if publisher else None
        if isinstance(publisher, dict):
            facts.site_name = _ld_string(publisher.get("name"))
        facts.image = _ld_image(main.get("image"), index) or _ld_image(
            main.get("thumbnailUrl"), index
        )
        facts.description = _ld_string(main.get("description"))
        facts.language = _ld_string(main.get("inLanguage"))
    if not facts.site_name:
        site = next((o for o in objects if _types(o) & _SITE_TYPES), None)
        if site is not None:
            facts.site_name = _ld_string(site.get("name"))
    return facts


# --- dates --------------------------------------------------------------------------------

_ISO = re.compile(
    r"""^\s*(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})
    (?:[T\s]+(?P<H>\d{1,2}):?(?P<M>\d{2})(?::?(?P<S>\d{2})(?:[.,]\d+)?)?\s*
    (?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_SLASHED = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})\b(.*)$")
_DOTTED_DMY = re.compile(r"^\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b(.*)$")
_TIME = re.compile(
    r"(?P<H>\d{1,2})[:h.](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "janvier", "januar", "enero", "gennaio", "janeiro"),
            ("february", "feb", "février", "fevrier", "févr", "februar", "febrero", "febbraio"),
            ("march", "mar", "mars", "märz", "marz", "marzo", "março"),
            ("april", "apr", "avril", "avr", "abril", "aprile"),
            ("may", "mai", "mayo", "maggio", "maio"),
            ("june", "jun", "juin", "juni", "junio", "giugno", "junho"),
            ("july", "jul", "juillet", "juil", "juli", "julio", "luglio", "julho"),
            ("august", "aug", "août", "aout", "agosto"),
            ("september", "sep", "sept", "septembre", "septiembre", "settembre", "setembro"),
            ("october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "outubro"),
            ("november", "nov", "novembre", "noviembre", "novembro"),
            ("december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "diciembre"),
        ),
        start=1,
    )
    for name in names
}
_WORDY = re.compile(
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?P<mon1>[^\W\d_]{3,10})\.?,?\s+(?:de\s+)?(?P<y1>\d{4})"
    r"|(?P<mon2>[^\W\d_]{3,10})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4}))",
    re.IGNORECASE,
)
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _tz(text: str | None) -> timezone:
    if not text or text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(y: int, m: int, d: int, rest: str = "") -> datetime:
    hour = minute = second = 0
    zone: timezone = UTC
    match = _TIME.search(rest) if rest else None
    if match:
        hour, minute = int(match["H"]), int(match["M"])
        second = int(match["S"] or 0)
        ampm = (match["ampm"] or "").lower().replace(".", "")
        if ampm:
            if not 1 <= hour <= 12:
                raise ValueError("bad 12-hour clock")
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        zone = _tz(match["tz"])
    return datetime(y, m, d, hour, minute, second, tzinfo=zone)


_TIMESTAMP = re.compile(r"\d{10}|\d{13}")
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")


def _parse_date_unchecked(text: str) -> datetime | None:
    text = text.strip()
    match = _ISO.match(text)
    if match:
        y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
        if match["H"] is None:
            return datetime(y, m, d, tzinfo=UTC)
        return datetime(
            y,
            m,
            d,
            int(match["H"]),
            int(match["M"]),
            int(match["S"] or 0),
            tzinfo=_tz(match["tz"]),
        )
    if _TIMESTAMP.fullmatch(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    # RFC 2822, as in HTTP headers and feeds: "Tue, 05 Mar 2024 10:20:30 GMT".
    if _RFC2822.match(text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    match = _SLASHED.match(text)
    if match:
        return _build(int(match[1]), int(match[2]), int(match[3]), match[4])
    match = _DOTTED_DMY.match(text)
    if match:
        return _build(int(match[3]), int(match[2]), int(match[1]), match[4])
    match = _CJK_DATE.search(text)
    if match:
        return _build(int(match[1]), int(match[2]), int(match[3]), text[match.end() :])
    match = _WORDY.search(text)
    if match:
        if match["mon1"]:
            month = _MONTHS.get(match["mon1"].lower())
            day, year = int(match["d1"]), int(match["y1"])
        else:
            month = _MONTHS.get(match["mon2"].lower())
            day, year = int(match["d2"]), int(match["y2"])
        if month:
            return _build(year, month, day, text[match.end() :])
    return None


def parse_date(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """Parse a publication date as pages write it; None for anything implausible.

    Understands ISO 8601 (with or without time and zone), RFC 2822, ``YYYY/MM/DD``,
    ``DD.MM.YYYY``, ``5 March 2024`` / ``March 5, 2024`` (some French, German, Spanish,
    Italian and Portuguese month names too), ``2024年3月5日`` and Unix timestamps. The result
    is timezone-aware; a date without a zone is taken as UTC. Dates before 1990 or more than
    two days in the future are rejected as nonsense.
    """
    if not text or len(text) > 100:
        return None
    try:
        parsed = _parse_date_unchecked(text)
    except (ValueError, OverflowError, OSError):
        return None
    if parsed is None:
        return None
    now = now or datetime.now(UTC)
    if parsed.year < 1990 or parsed > now + timedelta(days=2):
        return None
    return parsed


# --- language, urls, names ----------------------------------------------------------------

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def normalize_language(value: str | None) -> str | None:
    """A BCP 47 tag in its usual case (``en-US``, ``zh-Hant-TW``), or None if malformed."""
    if not value:
        return None
    value = value.strip().split(",")[0].split(";")[0].strip()
    if not _LANG.match(value):
        return None
    first, *rest = value.replace("_", "-").split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 2 and part.isalpha():
            parts.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())
        else:
            parts.append(part.lower())
    if parts[0] in ("und", "xx", "zxx"):
        return None
    return "-".join(parts)


_URL_START = re.compile(r"^(?:https?:)?//|^www\.", re.IGNORECASE)


def _looks_like_url(text: str) -> bool:
    return _URL_START.match(text) is not None


_BYLINE_PREFIX = re.compile(
    r"^(?:(?:written|posted|reported|words|text|story|interview|analysis|opinion|commentary|"
    r"submitted|verfasst|geschrieben|eingestellt|publicado|escrito|enviado|[ée]crit|publi[ée]|"
    r"view\s+all\s+(?:posts|articles|stories))\s+)?"
    r"(?:by|par|von|door|por|di|av|af|від|автор|著者|بقلم|מאת)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_BYLINE_CUT = re.compile(
    r"\s+(?:\||·|•|—|–|@)\s+|\s+(?:updated|published|posted|on)\s+\S|"
    r"\s+in\s+|\s+(?:at|am|um|el|le|a\s+las)\s+(?=\d|[^\W\d]{2,4}\.?,?\s*\d)",
    re.I,
)


def _clean_byline(text: str | None) -> str | None:
    if not text:
        return None
    text = clean_line(text)
    text = _BYLINE_PREFIX.sub("", text)
    text = _BYLINE_CUT.split(text, maxsplit=1)[0]
    text = text.strip(" ,;:-|·•→»")
    if text.endswith(".") and len(text.rsplit(" ", 1)[-1]) > 3:
        text = text[:-1]  # the sentence's full stop, not an initial ("J. R.")
    if not text or len(text) > 120 or len(text.split()) > 15 or _looks_like_url(text):
        return None
    if text.startswith("@") or parse_date(text) is not None:
        return None
    return text


# --- the visible page ---------------------------------------------------------------------

# Containers whose author names and dates belong to something other than the article.
_FOREIGN = re.compile(
    # ("promoted" marks a story promoted to the front page, not a promotion.)
    r"comment|related|teaser|sidebar|widget|recommend|promo(?!ted)|footer|newsletter|card|"
    r"more-stories|read-next|readnext|popular|trending",
    re.IGNORECASE,
)
_FOREIGN_TAGS = frozenset({"aside", "footer", "nav"})
_OWN_FOOTER = re.compile(r"\S*(?:post|entry|article|story)[-_]?footers?\S*", re.IGNORECASE)


# The same, for lower-cased names: a case-sensitive search is about twice as fast. It
# agrees with the one above unless the names hold one of the letters that ignoring case
# matches to an ASCII letter but lower-casing does not turn into it (long s, dotless i,
# dotted capital I).
_FOREIGN_LOWER = re.compile(_FOREIGN.pattern)
_FOLD_APART = ("\u017f", "\u0131", "\u0130")


def _is_foreign_name(marker: str, lowered: str) -> bool:
    """``_FOREIGN.search(marker)``, found in ``lowered`` (``marker.lower()``) when it may."""
    if any(letter in marker for letter in _FOLD_APART):
        return _FOREIGN.search(marker) is not None
    return _FOREIGN_LOWER.search(lowered) is not None


def _in_foreign_region(node: LexborNode, post: frozenset[int] = frozenset()) -> bool:
    """True when ``node`` sits in a comment, a sidebar or another foreign container.

    ``post``: ``mem_id`` s of the story's own wrappers (around its headline); reaching one
    of them first means the node is the story's (a post footer in a blog's posts widget).
    """
    current = node.parent
    depth = 0
    foreign = False
    while current is not None and depth < 60:
        if current.mem_id in post:
            return False
        tag = current.tag
        if tag in ("body", "html"):
            return foreign
        if tag in ("article", "main") and not foreign:
            return False
        attrs = current.attributes
        marker = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        lowered = marker.lower()
        if "comment" in lowered:
            return True  # a commenter's name, even inside the story's wrappers
        if tag in _FOREIGN_TAGS:
            # A footer may be the article's own ("This entry was posted ... by"): that is
            # settled by reaching the article or the story's wrappers further up.
            foreign = True
        elif marker.strip() and _is_foreign_name(marker, lowered):
            # A post's own footer ("post-footer", "entry-footer") carries its byline.
            if not _OWN_FOOTER.search(marker) or _FOREIGN.search(_OWN_FOOTER.sub("", marker)):
                return True
        current = current.parent
        depth += 1
    return foreign


_BYLINE_SELECTORS = (
    '[itemprop="author"] [itemprop="name"]',
    '[itemprop="author"]',
    'a[rel="author"]',
    '[rel="author"]',
    ".byline__name",
    ".byline-name",
    ".author-name",
    ".byline",
    ".by-line",
    ".article-byline",
    ".post-author",
    ".entry-author",
    ".article-author",
    ".author",
    '[class*="byline"]',
    ".vcard .fn",
    '[data-testid="byline"]',
)
# Microdata and rel="author", the first three, give the byline on many pages that have one.
_BYLINE_DIRECT = 3
# Every element the first three match is one of these (the first needs an ancestor that
# the second matches): one pass that finds none spares the three.
_BYLINE_DIRECT_GATE = '[itemprop="author"], a[rel="author"]'
# Every element the others match has one of these class substrings (a class selector
# ignores ASCII case in quirks mode, and so does ``i``) or the test id: five tests of each
# element instead of fourteen.
_BYLINE_GROUP = (
    '[class*="byline" i], [class*="author" i], [class*="by-line" i], [class*="fn" i], '
    '[data-testid="byline"]'
)


def _post_wrappers(headline: LexborNode | None) -> frozenset[int]:
    """The headline's ancestors a few levels up: the story's own wrappers."""
    found: set[int] = set()
    node = headline.parent if headline is not None else None
    for _ in range(_POST_LEVELS):
        if node is None or node.tag in ("body", "html"):
            break
        found.add(node.mem_id)
        node = node.parent
    return frozenset(found)


_POST_LEVELS = 3
# Lines that name the author in a post's footer ("Posted by Ana at 10:15", "Verfasst von").
_POSTED_BY = re.compile(
    r"^(?:posted|written|submitted|verfasst|geschrieben|eingestellt|publicado|escrito|enviado|"
    r"[ée]crit|publi[ée])"
    r"\s+(?:by|von|por|par)\b|^(?:by|von|par|por)\s+\S",
    re.IGNORECASE,
)
_POSTED_BY_START = re.compile(
    r"(?:posted|written|submitted|verfasst|geschrieben|eingestellt|publicado|escrito|enviado|"
    r"[ée]crit|publi[ée]|by|von|par|por)\b",
    re.IGNORECASE,
)
_POSTED_BY_NODES = 2000
_POSTED_BY_ANYWHERE = re.compile(
    r"^[ \t]*(?:(?:posted|written|submitted|verfasst|geschrieben|eingestellt|publicado|"
    r"escrito|enviado|[ée]crit|publi[ée])\s+)?(?:by|von|par|por)\b",
    re.IGNORECASE | re.MULTILINE,
)
# The same for one line of lower-cased text, tried at the line starts that string searches
# find (see ``_has_posted_by``): a case-sensitive match is cheaper than one that ignores
# case. It agrees with the one above unless the text holds a letter that ignoring case
# matches to an ASCII letter but lower-casing does not turn into it (see ``_FOLD_APART``).
_POSTED_BY_FIRST_LINE_LOWER = re.compile(_POSTED_BY_ANYWHERE.pattern[1:])


_WORD_CHAR = re.compile(r"\w")
_LINE_INDENT = re.compile(r"\n[ \t]+")
# What a line that ``_POSTED_BY_FIRST_LINE_LOWER`` matches starts with, after its indent.
_POSTED_BY_OPENINGS = (
    "by", "von", "par", "por", "posted", "written", "submitted", "verfasst", "geschrieben",
    "eingestellt", "publi", "escrito", "enviado", "écrit", "ecrit",
)  # fmt: skip


def _has_posted_by(text: str) -> bool:
    """Whether ``text`` (a region's text, one line per text node) may hold a "Posted by NAME"
    line that ``_posted_by`` would accept.

    Such a line starts a text node, and the name after its "by" starts with a capital:
    ``_posted_by`` takes nothing else. "By clicking Submit, you agree" is turned away here,
    without reading the region node by node.
    """
    if any(letter in text for letter in _FOLD_APART):
        found = _POSTED_BY_ANYWHERE.finditer(text)
        return any(_name_follows(text, match.end()) for match in found)
    # Each line's opening is looked for with string searches, which skip through the text far
    # faster than a pattern tried at every line start. Indents go first, in the text and in
    # its lower-cased copy alike, so positions agree (lower-casing keeps every position: the
    # letters it would lengthen are handled above).
    text = _LINE_INDENT.sub("\n", text)
    lowered = text.lower()
    first = _POSTED_BY_FIRST_LINE_LOWER.match(lowered)
    if first is not None and _name_follows(text, first.end()):
        return True
    for opening in _POSTED_BY_OPENINGS:
        needle = "\n" + opening
        at = lowered.find(needle)
        while at != -1:
            match = _POSTED_BY_FIRST_LINE_LOWER.match(lowered, at + 1)
            if match is not None and _name_follows(text, match.end()):
                return True
            at = lowered.find(needle, at + 1)
    return False


def _name_follows(text: str, end: int) -> bool:
    # The name is the first word after "by" (spaces and punctuation before it are cut),
    # and ``_posted_by`` takes only a name that starts with a capital.
    start = _WORD_CHAR.search(text, end)
    return start is not None and start.group().isupper()


def _posted_by(headline: LexborNode | None) -> str | None:
    """A "Posted by NAME" line near the headline, for themes with no byline markup."""
    post = headline
    for _ in range(_POST_LEVELS - 1):
        if post is None or post.parent is None or post.parent.tag in ("body", "html"):
            break
        post = post.parent
    if post is None or post is headline:
        return None
    # Most pages have no such line: one read of the region's text settles that cheaply.
    if not _has_posted_by(post.text(separator="\n")):
        return None
    # The line starts in a text node ("Posted by " before a linked name): reading the text
    # nodes is much cheaper than reading every element's text.
    seen = 0
    for piece in post.traverse(include_text=True):
        seen += 1
        if seen > _POSTED_BY_NODES:
            break
        if piece.tag != "-text":
            continue
        start = (piece.text_content or "").lstrip()[:40]
        if not _POSTED_BY_START.match(start):
            continue
        node = piece.parent
        if node is None:
            continue
        text = clean_line(node.text(deep=True)[:200])
        if len(text) > 150 or not _POSTED_BY.match(text):
            continue
        if _in_foreign_region(node, _post_wrappers(headline)):
            continue
        name = _clean_byline(text)
        # A name, not a sentence that happens to start with "By" ("By clicking Submit").
        if name and name[0].isupper() and len(name.split()) <= 6 and '"' not in name:
            return name
    return None


def _story_of(tree: LexborHTMLParser, title: str) -> tuple[LexborNode | None, frozenset[int]]:
    """The story's headline element and its wrappers (read only when the page is searched)."""
    if tree.body is None or not title:
        return None, frozenset()
    headline = find_headline(tree.body, title, page_headings(tree))
    return headline, _post_wrappers(headline)


# The last compound of a selector: its tag, then classes and attribute tests.
_COMPOUND = re.compile(r"([a-z0-9]*)((?:\.[\w-]+|\[[^\]]+\])*)$")
_COMPOUND_PART = re.compile(r"\.([\w-]+)|\[([\w-]+)(?:[*^$~|]?=\"?([^\"\]]*)\"?)?\]")


@lru_cache(maxsize=64)
def _needs(selector: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What an element must have to match ``selector``: its tag ("" for any), and for some
    attributes a text the attribute's value must hold (lower-cased; "" for presence only).

    This is looser than the selector (classes are substrings, case is ignored as quirks mode
    does, ancestors are not looked at), so an element without it surely does not match.
    """
    last = _COMPOUND.search(selector.rsplit(" ", 1)[-1])
    if last is None:
        return "", ()
    wants: list[tuple[str, str]] = []
    for klass, name, value in _COMPOUND_PART.findall(last.group(2)):
        if klass:
            wants.append(("class", klass.lower()))
        else:
            wants.append((name.lower(), (value or "").lower()))
    return last.group(1), tuple(wants)


def _may_match(node: LexborNode, tag: str, wants: tuple[tuple[str, str], ...]) -> bool:
    if tag and node.tag != tag:
        return False
    attrs = node.attributes
    for name, value in wants:
        if name not in attrs or value not in (attrs[name] or "").lower():
            return False
    return True


class _Matches:
    """The matches of several selectors, tried in turn, sparing the passes that find nothing.

    A selector pass walks the whole document, and the byline and date searches try a dozen
    selectors each, most of which match nothing on a given page. One grouped pass collects
    every element that any of them matches (few, on most pages); a selector's own pass runs
    only when one of those elements has what the selector asks of the element itself, so
    its results stay exactly those of its own pass.

    Lexbor checks every part of a grouped selector on every element, so the grouped pass
    costs about as much as the passes of all its parts. The first ``direct`` selectors,
    which settle the search on many pages, therefore run their own passes, and the group
    holds only the others: it is built when the search goes past them. ``group``, when
    given, stands for the others: a shorter selector that matches every element they match
    (and maybe more, which only costs a look at each).
    """

    def __init__(
        self,
        tree: LexborHTMLParser,
        selectors: tuple[str, ...],
        direct: int = 0,
        gate: str | None = None,
        group: str | None = None,
    ) -> None:
        self._tree = tree
        self._direct = frozenset(selectors[:direct])
        self._group = group or ", ".join(selectors[direct:])
        self._found: list[LexborNode] | None = None
        # A selector matching every element that any direct selector matches: when it
        # matches nothing, neither do they, and their passes are spared.
        self._gate = gate
        self._gate_open: bool | None = None

    def of(self, selector: str, limit: int) -> list[LexborNode]:
        """The first ``limit`` elements that ``selector`` matches, in document order."""
        if selector in self._direct:
            if self._gate is not None:
                if self._gate_open is None:
                    self._gate_open = self._tree.css_first(self._gate) is not None
                if not self._gate_open:
                    return []
            return self._tree.css(selector)[:limit]
        if not self._group:
            return self._tree.css(selector)[:limit]
        if self._found is None:
            self._found = self._tree.css(self._group)
        tag, wants = _needs(selector)
        if not any(_may_match(node, tag, wants) for node in self._found):
            return []
        return self._tree.css(selector)[:limit]


def _dom_byline(tree: LexborHTMLParser, post: frozenset[int] = frozenset()) -> str | None:
    matches = _Matches(
        tree,
        _BYLINE_SELECTORS,
        direct=_BYLINE_DIRECT,
        gate=_BYLINE_DIRECT_GATE,
        group=_BYLINE_GROUP,
    )
    for selector in _BYLINE_SELECTORS:
        names: list[str] = []
        for node in matches.of(selector, 20):
            if _in_foreign_region(node, post):
                continue
            raw = _attr(node, "content") if node.tag == "meta" else _node_text(node)
            name = _clean_byline(raw)
            if name and name not in names:
                names.append(name)
            if selector.startswith(("[itemprop", "a[rel", "[rel")):
                continue  # several authors are marked one by one
            break
        if names:
            return ", ".join(names[:6])
    return None


_DATE_SELECTORS = (
    '[itemprop="datePublished"]',
    "abbr.published[title]",
    "time[pubdate]",
    ".published time",
    "article time",
    "main time",
    "time",
    # Themes that print the date as plain text.
    ".posted-on",
    ".entry-date",
    ".post-date",
    ".published",
    ".dateline",
)
_DATE_DIRECT = 1
# Every element the others match is a <time> or has one of these class substrings (see
# ``_BYLINE_GROUP``).
_DATE_GROUP = 'time, [class*="date" i], [class*="published" i], [class*="posted-on" i]'


def _dom_date(tree: LexborHTMLParser, post: frozenset[int] = frozenset()) -> datetime | None:
    matches = _Matches(tree, _DATE_SELECTORS, direct=_DATE_DIRECT, group=_DATE_GROUP)
    for selector in _DATE_SELECTORS:
        for node in matches.of(selector, 10):
            if _in_foreign_region(node, post):
                continue
            value = _first(
                _attr(node, "datetime"),
                _attr(node, "content"),
                # hAtom themes (Blogger, Movable Type) put the machine date in an <abbr>'s
                # title and print only the time.
                _attr(node, "title") if node.tag == "abbr" else None,
            )
            parsed = (
                parse_date(value) if value else parse_date(clean_line(node.text(deep=True)[:100]))
            )
            if parsed:
                return parsed
    return None


def _headings(h1s: list[LexborNode], site_name: str | None) -> list[str]:
    found: list[str] = []
    site = _norm(site_name or "")
    for node in h1s[:10]:
        # Documentation generators append a permalink symbol to headings.
        text = _node_text(node, 500).strip(" ¶§#🔗")
        if text and _norm(text) != site and text not in found and len(text) <= _MAX_FIELD:
            found.append(text)
    return found


_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/)\s+|:\s+|\s*｜\s*")


def _strip_site(title: str, site_name: str | None) -> str:
    """Remove a " | Site Name" style suffix (or prefix) from a document title."""
    pieces = _SEPARATORS.split(title)
    if len(pieces) < 2:
        return title
    separators = _SEPARATORS.findall(title)
    site = _norm(site_name or "")
    if site:
        if _norm(pieces[-1]) == site or (len(site) > 3 and _norm(pieces[-1]).startswith(site)):
            return title[: title.rfind(separators[-1])].strip()
        if _norm(pieces[0]) == site:
            return title[title.find(separators[0]) + len(separators[0]) :].strip()
    # No site name to compare: drop a short trailing part, as long as a real title remains.
    head = title[: title.rfind(separators[-1])].strip()
    tail = pieces[-1]
    if separators[-1].strip() in ("|", "-", "–", "—", "·", "•", "::", "»") and (
        len(tail.split()) <= 4 and len(head.split()) >= 3
    ):
        return head
    return title


def _post_title(
    declared: list[str], headings: list[str], subhead_nodes: Callable[[], list[LexborNode]]
) -> str | None:
    """The post's headline on a page whose ``<h1>`` is the site's name, or None.

    Blog themes print the blog's name as the ``<h1>`` and each post's title as an
    ``<h2>``/``<h3>``; ``<title>`` then reads "Blog: Post" (or just "Blog") and og:title
    often "Post". When the ``<h1>`` is a piece of a declared title, or a whole one that
    another declared title contradicts, a lower heading printing that other title (or the
    other piece, when og:title says the same) is the headline, provided it is longer: site
    names are short, headlines are not.
    """
    if not headings or not declared:
        return None
    wholes = [_norm(t) for t in declared]
    split: list[tuple[str, str, list[str]]] | None = None
    lower: dict[str, str] | None = None
    for heading in headings:
        key = _norm(heading)
        if key == wholes[0]:
            # The page's first declared title (JSON-LD headline, og:title) is this <h1>:
            # it is the headline, the usual case, settled without splitting anything.
            return None
        if split is None:
            split = [
                (t, whole, [_norm(p) for p in _SEPARATORS.split(t)])
                for t, whole in zip(declared, wholes, strict=True)
            ]
        pieces: list[str] = []
        disagreeing: dict[str, str] = {}
        for candidate, whole, parts in split:
            if whole == key:
                continue
            if len(parts) >= 2 and key in parts:
                pieces.extend(p for p in parts if p != key)
                # The rest of the title beside the <h1>'s piece, which may hold separators
                # of its own ("Blog — Night 41: the moth").
                seps = _SEPARATORS.findall(candidate)
                if parts[0] == key:
                    pieces.append(_norm(candidate[candidate.find(seps[0]) + len(seps[0]) :]))
                elif parts[-1] == key:
                    pieces.append(_norm(candidate[: candidate.rfind(seps[-1])]))
            else:
                disagreeing[whole] = candidate
        if not pieces and key not in wholes:
            continue  # the <h1> is no declared title at all: nothing says it is the site
        longer = [other for other in (*pieces, *disagreeing) if len(other) > len(key)]
        if not longer:
            continue  # the usual news page: the <h1> is the longest title there is
        if lower is None:
            # Lower headings, and the other <h1>s (themes that print the site's name as
            # one too), read only on pages that need them; only headings holding the first
            # word of a title to look for are compared in full.
            firsts = {other.split(" ", 1)[0] for other in longer}
            lower = {_norm(h): h for h in headings}
            for node in subhead_nodes()[:40]:
                raw = node.text().lower()
                if any(first in raw for first in firsts):
                    text = _node_text(node, 500).strip(" ¶§#🔗")
                    if text:
                        lower.setdefault(_norm(text), text)
        for other in longer:
            if other in lower:
                return lower[other].strip()
        for other in pieces:
            if len(other) > len(key) and other in disagreeing:
                # "Blog — Post" in <title> and "Post" in og:title: two sources agree.
                return disagreeing[other].strip()
    return None


def _choose_title(
    declared: list[str],
    headings: list[str],
    site_name: str | None,
    subheads: Callable[[], list[LexborNode]] | None = None,
) -> str:
    site = _norm(site_name or "")
    # A <title> that is only the site's name says nothing about the page.
    declared = [t for t in declared if t and (not site or _norm(t) != site)]
    post = _post_title(declared, headings, subheads or list)
    if post:
        return post
    for heading in headings:
        key = _norm(heading)
        if not key:
            continue
        for candidate in declared:
            ckey = _norm(candidate)
            if ckey == key:
                return heading
            stripped = _norm(_strip_site(candidate, site_name))
            if stripped == key or (
                len(key) >= 10
                and (ckey.startswith(key) or ckey.endswith(key))
                and _SEPARATORS.search(candidate)
            ):
                return heading
    if declared:
        return _strip_site(declared[0], site_name)
    return headings[0] if headings else ""


# --- the entry point ----------------------------------------------------------------------


def _image_link(links: list[LexborNode]) -> str | None:
    return next(
        (
            _attr(link, "href")
            for link in links
            if (link.attributes.get("rel") or "").lower() == "image_src"
        ),
        None,
    )


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> PageMetadata:
    """Read the metadata of a parsed page without changing the tree.

    Args:
        tree: the parsed document.
        url: the URL the page was read from, for resolving relative links (may be None).
    """
    base = joined_url(url, None, fetchable=True) if url else None
    scan = _scan(tree)
    tags = _meta_tags(scan.metas)
    ld = _ld_facts(_json_ld(scan.scripts))

    # The fallbacks below are only looked up when the sources before them gave nothing.
    site_name = (
        _meta(tags, "og:site_name")
        or ld.site_name
        or _meta(tags, "application-name", "al:android:app_name", "al:ios:app_name")
    )
    if site_name and (len(site_name) > _MAX_FIELD or _looks_like_url(site_name)):
        site_name = _first(ld.site_name) if site_name != ld.site_name else None
        if site_name and _looks_like_url(site_name):
            site_name = None

    # The first <title> in document order: the head's when it has one (the head comes
    # before the body), else the first anywhere. Found by name, without a selector pass.
    titles = tree.tags("title")
    title_node = titles[0] if titles else None
    declared_titles = [
        t[: _MAX_FIELD * 2]
        for t in (
            ld.title,
            _meta(tags, "og:title"),
            _meta(tags, "twitter:title"),
            _meta(tags, "dc.title", "dcterms.title", "parsely-title", "sailthru.title"),
            _line(title_node.text(deep=True)) if title_node else None,
        )
        if t
    ]
    title = _choose_title(
        declared_titles,
        _headings(scan.h1s, site_name),
        site_name,
        lambda: tree.css("h2, h3, h4"),
    )

    byline: str | None = None
    if ld.names:
        byline = _clean_byline(", ".join(ld.names[:6])) or ld.names[0][:120]
    for key in (
        "author",
        "article:author",
        "dc.creator",
        "dcterms.creator",
        "parsely-author",
        "sailthru.author",
        "byl",
    ):
        if byline:
            break
        byline = _clean_byline(_meta(tags, key))
    story: tuple[LexborNode | None, frozenset[int]] | None = None
    if not byline:
        story = _story_of(tree, title)
        byline = _dom_byline(tree, story[1]) or _posted_by(story[0])

    published = parse_date(ld.published)
    if published is None:
        published = parse_date(
            _meta(
                tags,
                "article:published_time",
                "og:published_time",
                "datepublished",
                "article.published",
                "published-date",
                "publish-date",
                "publishdate",
                "pubdate",
                "parsely-pub-date",
                "sailthru.date",
                "dc.date.issued",
                "dcterms.issued",
                "dc.date",
                "dcterms.created",
                "date",
            )
        )
    if published is None:
        published = _dom_date(tree, (story or _story_of(tree, title))[1])

    html_node = tree.root  # the document element: <html>, as the parser always makes one
    language = (
        normalize_language(_attr(html_node, "lang"))
        or normalize_language(_attr(html_node, "xml:lang"))
        or normalize_language(_meta(tags, "og:locale"))
        or normalize_language(_meta(tags, "content-language", "language", "dc.language"))
        or normalize_language(ld.language)
    )

    canonical = None
    links = scan.links[:50]
    for link in links:
        if "canonical" in (link.attributes.get("rel") or "").lower().split():
            canonical = joined_url(_attr(link, "href"), base, fetchable=True)
            if canonical:
                break
    page_url = canonical or joined_url(_meta(tags, "og:url"), base, fetchable=True) or base

    lead_image = (
        joined_url(
            _meta(tags, "og:image:secure_url", "og:image:url", "og:image"), base, fetchable=True
        )
        or joined_url(_meta(tags, "twitter:image", "twitter:image:src"), base, fetchable=True)
        or joined_url(ld.image, base, fetchable=True)
        or joined_url(_image_link(links), base, fetchable=True)
    )

    description = (
        _meta(tags, "og:description")
        or _meta(tags, "description")
        or _meta(tags, "twitter:description", "dc.description")
        or ld.description
    )

    return PageMetadata(
        title=title[: _MAX_FIELD * 2],
        byline=byline,
        published=published,
        site_name=site_name,
        language=language,
        url=page_url,
        lead_image=lead_image,
        description=description[:1000] if description else None,
    )
