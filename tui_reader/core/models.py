"""The data model shared by extraction, storage, the CLI and the app.

An :class:`Article` is what the extractor makes of a page: metadata plus a structured body of
:class:`Block` s whose inline content is a sequence of :class:`Span` s (text, optionally a link
or an emphasis). The body is stored as JSON (:meth:`Article.to_dict`), so the reader never has
to extract a page twice. ``text`` and ``markdown`` are derived from the blocks.

Storage-side summaries (:class:`FeedInfo`, :class:`ArticleSummary`, :class:`StoredArticle`)
live here too so that the UI depends on plain data, not on the storage layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from tui_reader.core.sanitize import is_collapsed_line

BlockKind = Literal[
    "heading", "paragraph", "list", "item", "quote", "code", "table", "figure", "rule"
]
SpanStyle = Literal["", "em", "strong", "code"]

_WORD = re.compile(r"\w+")


def collapse_inline(text: str) -> str:
    """Collapse runs of inline whitespace to one space, keep explicit line breaks, strip."""
    if is_collapsed_line(text):
        return text  # the common case for rendered text
    # Within a line every whitespace character is inline space: split and joined, its runs
    # become single spaces and its ends go (what substituting runs and stripping gives).
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True, slots=True)
class Span:
    """A run of inline text, optionally a link (absolute http(s)/mailto URL) or styled."""

    text: str
    href: str | None = None
    style: SpanStyle = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.href:
            data["href"] = self.href
        if self.style:
            data["style"] = self.style
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(text=data["text"], href=data.get("href"), style=data.get("style", ""))


def _prose_text(block: Block) -> str:
    return "" if block.kind == "figure" else block.text


def nested_text(block: Block, child_text: Callable[[Block], str]) -> str | None:
    """The text of a list, an item or a quote, with ``child_text`` reading its children.

    A list is one item per line, an item its own text and then its children's, a quote its
    children a blank line apart. None for the other kinds.
    """
    kind = block.kind
    if kind == "list":
        return "\n".join(t for t in (child_text(child) for child in block.children) if t)
    if kind == "item":
        parts = [block.inline_text, *(child_text(child) for child in block.children)]
        return "\n".join(p for p in parts if p)
    if kind == "quote":
        return "\n\n".join(t for t in (child_text(child) for child in block.children) if t)
    return None


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article body.

    Which fields are meaningful depends on ``kind``:

    - ``heading``: ``spans``, ``level`` (1-6)
    - ``paragraph``: ``spans``
    - ``list``: ``ordered``, ``children`` (``item`` blocks)
    - ``item``: ``spans``, and ``children`` for nested lists or extra paragraphs
    - ``quote``: ``children`` (any blocks)
    - ``code``: ``code`` (verbatim), ``language``
    - ``table``: ``rows`` (cells as text), ``header_rows``
    - ``figure``: ``src``, ``alt``, ``spans`` (the caption)
    - ``rule``: nothing
    """

    kind: BlockKind
    spans: tuple[Span, ...] = ()
    children: tuple[Block, ...] = ()
    level: int = 0
    ordered: bool = False
    code: str = ""
    language: str | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    header_rows: int = 0
    src: str | None = None
    alt: str = ""

    @property
    def inline_text(self) -> str:
        """The spans' text, whitespace collapsed."""
        spans = self.spans
        # Most blocks are one span (a plain paragraph): its text needs no joining.
        joined = spans[0].text if len(spans) == 1 else "".join([span.text for span in spans])
        return collapse_inline(joined)

    @property
    def text(self) -> str:
        """Plain text of the block (lists one item per line, tables one row per line)."""
        kind = self.kind
        if kind in ("heading", "paragraph"):
            return self.inline_text
        if kind == "code":
            return self.code.strip("\n")
        if kind == "figure":
            return self.inline_text or collapse_inline(self.alt)
        if kind == "table":
            return "\n".join(" | ".join(row) for row in self.rows)
        # A picture's caption inside a list or a quote (a gallery laid out as a list) is left
        # out, as it is at the top level (see ``Article.text``).
        nested = nested_text(self, _prose_text)
        return "" if nested is None else nested

    def walk(self) -> Iterator[Block]:
        """This block and all blocks nested in it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.spans:
            data["spans"] = [span.to_dict() for span in self.spans]
        if self.children:
            data["children"] = [child.to_dict() for child in self.children]
        if self.kind == "heading":
            data["level"] = self.level
        if self.kind == "list":
            data["ordered"] = self.ordered
        if self.kind == "code":
            data["code"] = self.code
            if self.language:
                data["language"] = self.language
        if self.kind == "table":
            data["rows"] = [list(row) for row in self.rows]
            data["header_rows"] = self.header_rows
        if self.kind == "figure":
            data["src"] = self.src
            data["alt"] = self.alt
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(
            kind=data["kind"],
            spans=tuple(Span.from_dict(s) for s in data.get("spans", ())),
            children=tuple(Block.from_dict(c) for c in data.get("children", ())),
            level=int(data.get("level", 0)),
            ordered=bool(data.get("ordered", False)),
            code=data.get("code", ""),
            language=data.get("language"),
            rows=tuple(tuple(row) for row in data.get("rows", ())),
            header_rows=int(data.get("header_rows", 0)),
            src=data.get("src"),
            alt=data.get("alt", ""),
        )


@dataclass(frozen=True, slots=True)
class PageSource:
    """The HTML of the page an article was cleaned from, zlib-compressed, for the store.

    It travels with the :class:`Article` from the fetch to the store, which keeps it apart
    from the article (for the whole-page view); it is never part of the article's JSON.
    """

    html_z: bytes
    """The page's HTML as UTF-8, compressed with zlib."""
    url: str | None = None
    chars: int = 0
    """Characters of HTML kept (before compression)."""
    truncated: bool = False
    """True when the page was longer than the store keeps and was cut."""


@dataclass(frozen=True)
class Article:
    """A cleaned article: metadata and a structured body."""

    title: str = ""
    byline: str | None = None
    published: datetime | None = None
    site_name: str | None = None
    language: str | None = None
    url: str | None = None
    lead_image: str | None = None
    description: str | None = None
    blocks: tuple[Block, ...] = field(default=())
    extraction: str = ""
    """Which path of the extractor chose the body ("paragraphs", "text", "fallback", ...);
    empty when the article did not come from the extractor (a feed's own text)."""
    source: PageSource | None = field(default=None, compare=False, repr=False)
    """The page this was cleaned from, when it was just fetched (see :class:`PageSource`)."""

    @cached_property
    def text(self) -> str:
        """The body's text (no title): blocks joined by one blank line.

        Figures are left out, at the top level and inside lists and quotes (a gallery laid
        out as a list): a caption or a photo credit describes a picture and is not part of
        what the article says (they stay in ``blocks`` and ``markdown``, and the reader shows
        them).
        """
        return "\n\n".join(
            t for t in (block.text for block in self.blocks if block.kind != "figure") if t
        )

    @cached_property
    def markdown(self) -> str:
        """The article as CommonMark: title as ``#``, a metadata line, then the body."""
        from tui_reader.core.markdown import article_to_markdown

        return article_to_markdown(self)

    @cached_property
    def word_count(self) -> int:
        return len(_WORD.findall(self.text))

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time at 230 words a minute, at least one minute."""
        return max(1, round(self.word_count / 230))

    def links(self) -> list[tuple[str, str]]:
        """Every link in the body as ``(text, url)``, in order, without duplicates."""
        seen: set[str] = set()
        found: list[tuple[str, str]] = []
        for span in _all_spans(self.blocks):
            if span.href and span.href not in seen:
                seen.add(span.href)
                found.append((collapse_inline(span.text) or span.href, span.href))
        return found

    def to_dict(self) -> dict[str, Any]:
        """All fields as JSON-ready data (``published`` as ISO 8601), blocks included."""
        return {
            "title": self.title,
            "byline": self.byline,
            "published": self.published.isoformat() if self.published else None,
            "site_name": self.site_name,
            "language": self.language,
            "url": self.url,
            "lead_image": self.lead_image,
            "description": self.description,
            "extraction": self.extraction,
            "text": self.text,
            "markdown": self.markdown,
            "blocks": [block.to_dict() for block in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        published = data.get("published")
        return cls(
            title=data.get("title") or "",
            byline=data.get("byline"),
            published=datetime.fromisoformat(published) if published else None,
            site_name=data.get("site_name"),
            language=data.get("language"),
            url=data.get("url"),
            lead_image=data.get("lead_image"),
            description=data.get("description"),
            blocks=tuple(Block.from_dict(b) for b in data.get("blocks", ())),
            extraction=data.get("extraction") or "",
        )


def _all_spans(blocks: Iterable[Block]) -> Iterator[Span]:
    for block in blocks:
        for inner in block.walk():
            yield from inner.spans


# --- storage-side summaries -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredPicture:
    """A picture kept for offline reading: a decoded, downscaled image file and its pixels.

    Only pictures that decoded as images are stored, so a reader may open ``path`` with an
    image library without further checks of what the web sent.
    """

    path: Path
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A subscription as listed in the feeds pane and by ``tui-reader feeds``."""

    id: int
    url: str
    title: str
    site_url: str | None = None
    tags: tuple[str, ...] = ()
    unread: int = 0
    total: int = 0
    last_refresh: datetime | None = None
    last_error: str | None = None
    kind: Literal["feed", "saved"] = "feed"
    deferred_until: datetime | None = None
    """The server asked (``Retry-After``) not to be fetched again before this time."""


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One row of the article list: enough to draw it, nothing more."""

    id: int
    feed_id: int
    feed_title: str
    title: str
    url: str | None
    published: datetime | None
    read: bool = False
    starred: bool = False
    summary_only: bool = False
    snippet: str | None = None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the reader pane shows it, from the store."""

    summary: ArticleSummary
    article: Article
    summary_only: bool = False
    """True when the page could not be fetched or cleaned and ``article`` holds the feed's
    own content; a later refresh retries the page."""
    position: float = 0.0
    """The reading position (fraction 0..1 of the scroll height) saved for this article."""


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """Sent after each feed of a refresh finishes (for progress bars and status lines)."""

    done: int
    total: int
    feed_title: str
    new_articles: int
    error: str | None = None
    notice: str | None = None
    """Something the user should know that is not a failure: entries left out by a limit,
    a feed that moved, a feed skipped because its server asked to wait."""
    deferred: bool = False
    """The feed was not fetched: its server asked to wait (``notice`` says until when)."""


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """The outcome of a refresh."""

    feeds_ok: int = 0
    feeds_not_modified: int = 0
    new_articles: int = 0
    pages_fetched: int = 0
    failures: tuple[tuple[str, str], ...] = ()
    """``(feed title or URL, one-line reason)`` for each feed or page that failed."""
    notices: tuple[tuple[str, str], ...] = ()
    """``(feed title or URL, one line)`` for what is worth saying but did not fail."""
    feeds_deferred: int = 0
    """Feeds not fetched because their server asked to wait."""


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``add URL`` made of a URL."""

    kind: Literal["feed", "saved"]
    feed_id: int
    title: str
    message: str
    """One line for the user, e.g. which discovered feed was chosen."""
    article_id: int | None = None
