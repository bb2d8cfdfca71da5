"""Render an :class:`~tui_reader.core.models.Article` as CommonMark.

Text from the page is escaped so it never turns into markdown syntax by accident (a line that
starts with ``#`` or ``1.``, stray ``*`` or ``[``). Tables use the common pipe-table extension.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

# The renderer reads articles through these shapes rather than importing the models: the
# models render themselves with it (``Article.markdown``), so the dependency goes one way.


class Span(Protocol):
    """What is read of :class:`tui_reader.core.models.Span`."""

    @property
    def text(self) -> str: ...
    @property
    def href(self) -> str | None: ...
    @property
    def style(self) -> str: ...


class Block(Protocol):
    """What is read of :class:`tui_reader.core.models.Block`."""

    @property
    def kind(self) -> str: ...
    @property
    def spans(self) -> Sequence[Span]: ...
    @property
    def children(self) -> Sequence[Block]: ...
    @property
    def level(self) -> int: ...
    @property
    def ordered(self) -> bool: ...
    @property
    def code(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def rows(self) -> Sequence[Sequence[str]]: ...
    @property
    def header_rows(self) -> int: ...
    @property
    def src(self) -> str | None: ...
    @property
    def alt(self) -> str: ...


class Article(Protocol):
    """What is read of :class:`tui_reader.core.models.Article`."""

    @property
    def title(self) -> str: ...
    @property
    def byline(self) -> str | None: ...
    @property
    def site_name(self) -> str | None: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def blocks(self) -> Sequence[Block]: ...


_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=])|(\d+)([.)]))", re.MULTILINE)


def escape(text: str) -> str:
    """Escape ``text`` so CommonMark shows it literally."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    # Only punctuation can be backslash-escaped: "1." becomes "1\." rather than "\1.".
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(1)}{match.group(3)}\\{match.group(4)}"


def _url(url: str) -> str:
    # Spaces and parentheses would end the link destination early.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def spans_to_markdown(spans: Sequence[Span]) -> str:
    """Inline markdown for a run of spans, whitespace collapsed."""
    out: list[str] = []
    for span in spans:
        text = re.sub(r"[^\S\n]+", " ", span.text)
        if not text.strip():
            out.append(text)
            continue
        lead = " " if text[0] == " " else ""
        trail = " " if text[-1] == " " else ""
        core = text.strip()
        if span.style == "code":
            ticks = "`" * (max((len(r) for r in re.findall("`+", core)), default=0) + 1)
            piece = f"{ticks}{core}{ticks}" if "`" not in core else f"{ticks} {core} {ticks}"
        else:
            piece = escape(core)
            if span.style == "em":
                piece = f"*{piece}*"
            elif span.style == "strong":
                piece = f"**{piece}**"
        if span.href:
            piece = f"[{piece}]({_url(span.href)})"
        out.append(lead + piece + trail)
    joined = "".join(out)
    lines = (re.sub(r" {2,}", " ", line).strip() for line in joined.split("\n"))
    # A hard line break in CommonMark is a backslash at the end of the line.
    return "\\\n".join(line for line in lines if line)


def block_to_markdown(block: Block, min_heading: int = 1) -> str:
    """Markdown for one block; headings are clamped to at least ``min_heading``."""
    kind = block.kind
    if kind == "heading":
        level = min(6, max(min_heading, block.level or 2))
        return "#" * level + " " + spans_to_markdown(block.spans).replace("\\\n", " ")
    if kind == "paragraph":
        return spans_to_markdown(block.spans)
    if kind == "list":
        lines: list[str] = []
        for number, item in enumerate(block.children, start=1):
            marker = f"{number}." if block.ordered else "-"
            body = block_to_markdown(item, min_heading)
            indent = " " * (len(marker) + 1)
            first, *rest = body.split("\n") if body else [""]
            lines.append(f"{marker} {first}".rstrip())
            lines.extend((indent + line) if line else "" for line in rest)
        return "\n".join(lines)
    if kind == "item":
        parts = [spans_to_markdown(block.spans)] if block.spans else []
        parts.extend(block_to_markdown(child, min_heading) for child in block.children)
        # A nested list directly under the item's text needs no blank line.
        return "\n".join(p for p in parts if p)
    if kind == "quote":
        inner = "\n\n".join(
            md for md in (block_to_markdown(c, min_heading) for c in block.children) if md
        )
        return "\n".join(("> " + line) if line else ">" for line in inner.split("\n"))
    if kind == "code":
        code = block.code.strip("\n")
        fence = "`" * max(3, max((len(r) for r in re.findall("`+", code)), default=0) + 1)
        return f"{fence}{block.language or ''}\n{code}\n{fence}"
    if kind == "table":
        return _table(block)
    if kind == "figure":
        parts = []
        if block.src:
            parts.append(f"![{escape(block.alt)}]({_url(block.src)})")
        elif block.alt:
            # A picture that is not fetched (its source was refused): its description stands.
            parts.append(escape(f"[image: {block.alt}]"))
        caption = spans_to_markdown(block.spans)
        if caption:
            parts.append(f"*{caption}*" if "\n" not in caption else caption)
        return "\n\n".join(parts)
    if kind == "rule":
        return "---"
    return ""


def _table(block: Block) -> str:
    if not block.rows:
        return ""
    width = max(len(row) for row in block.rows)

    def cell(text: str) -> str:
        return escape(" ".join(text.split()))

    rows = [[cell(c) for c in row] + [""] * (width - len(row)) for row in block.rows]
    header = rows[0] if block.header_rows else [""] * width
    body = rows[1:] if block.header_rows else rows
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in body)
    return "\n".join(lines)


def article_to_markdown(article: Article) -> str:
    """The whole article: ``# title``, an italic metadata line, then the body."""
    parts: list[str] = []
    if article.title:
        parts.append("# " + escape(" ".join(article.title.split())))
    meta = [
        m
        for m in (
            article.byline,
            article.site_name,
            article.published.date().isoformat() if article.published else None,
        )
        if m
    ]
    if meta:
        parts.append("*" + escape(" · ".join(meta)) + "*")
    min_heading = 2 if article.title else 1
    parts.extend(md for md in (block_to_markdown(b, min_heading) for b in article.blocks) if md)
    return "\n\n".join(parts) + "\n"
