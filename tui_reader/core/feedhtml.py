"""A shortcut for the plainest feed HTML: summaries rendered without building a DOM.

Most feed summaries are a few paragraphs of text with links and emphasis, and a feed of
100,000 of them spends most of its ingest time parsing each one into a DOM only to walk it
once. :func:`simple_blocks` tokenizes such a fragment itself and drives the very renderer the
DOM walk drives (:mod:`tui_reader.core.extract.blocks`), in the same order, so the blocks are
the same ones.

It only accepts what it can read exactly as an HTML parser would: a handful of elements
(paragraphs, divisions, line breaks, links, emphasis, spans), properly nested and closed,
the character references XML also has plus ``&nbsp;`` and numeric ones, and nothing a parser
rewrites (comments, carriage returns, NUL, stray ``<``, implied or misnested tags, caption
classes). Anything else gives ``None`` and the caller parses the fragment in full.
"""

from __future__ import annotations

import re

from tui_reader.core.extract.blocks import _PERMALINK_TEXT, _STYLES, _Renderer
from tui_reader.core.models import Block

# Text, then a tag or a character reference, repeatedly. Anything else where a match must
# start is what this module does not read (then: ``None``). Whitespace in tags is HTML's own
# (ASCII), not every character ``\s`` would take.
_TOKEN = re.compile(
    r"""([^<&]*)(?:
        <(/?)([A-Za-z][A-Za-z0-9]*)((?:[ \t\n\f]+[A-Za-z_:][-A-Za-z0-9_:.]*
            (?:[ \t\n\f]*=[ \t\n\f]*(?:"[^"<&]*(?:&[^"<&]*)*"|'[^'<]*'|[^ \t\n\f"'=<>`]+))?)*)
            [ \t\n\f]*(/?)>
      | &(?:\#([0-9]{1,7})|\#[xX]([0-9A-Fa-f]{1,6})|(amp|lt|gt|quot|apos|nbsp));
      | (&)(?![A-Za-z0-9\#])
      | \Z)""",
    re.VERBOSE,
)
_ATTRIBUTE = re.compile(
    r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:[ \t\n\f]*=[ \t\n\f]*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^ \t\n\f"'=<>`]+)))?"""
)
# A reference we read, a bare "&" (literal), else an "&" we do not read.
_REFERENCE = re.compile(
    r"&(?:#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6})|(amp|lt|gt|quot|apos|nbsp));|(&)(?![A-Za-z0-9#])|&"
)
# A link's end tag as the tokenizer reads it: any letter case, whitespace before the ">".
_CLOSE_LINK = re.compile(r"</[aA][ \t\n\f]*>")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\xa0"}
_BLOCKS = frozenset({"p", "div"})
_INLINE = frozenset({*_STYLES, "a", "span"})


def _code_point(decimal: str | None, hexadecimal: str | None) -> str | None:
    """The character a numeric reference stands for, if a parser reads it as written.

    HTML parsers replace NUL, surrogates, C1 controls (as windows-1252) and a few others;
    those are left to the full parser.
    """
    value = int(decimal) if decimal is not None else int(hexadecimal or "0", 16)
    if value < 0x20 and value not in (0x09, 0x0A):
        return None
    if 0x7F <= value <= 0x9F or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return None
    if 0xFDD0 <= value <= 0xFDEF or (value & 0xFFFE) == 0xFFFE:
        return None  # noncharacters: parsers report them, some replace them
    return chr(value)


def _unescape(value: str) -> str | None:
    """An attribute value with its references decoded (``None``: not one we read)."""
    if "&" not in value:
        return value
    failed = False

    def one(match: re.Match[str]) -> str:
        nonlocal failed
        if match.group(3) is not None:
            return _NAMED[match.group(3)]
        if match.group(4) is not None:
            return "&"
        if match.group(1) is None and match.group(2) is None:
            failed = True
            return ""
        character = _code_point(match.group(1), match.group(2))
        if character is None:
            failed = True
            return ""
        return character

    decoded = _REFERENCE.sub(one, value)
    return None if failed else decoded


def _href(attributes: str) -> tuple[bool, str | None]:
    """(readable, the first ``href``) of a start tag's attributes."""
    href: str | None = None
    seen = False
    for match in _ATTRIBUTE.finditer(attributes):
        if seen or match.group(1).lower() != "href":
            continue
        seen = True  # a parser keeps the first of repeated attributes
        raw = next((g for g in match.group(2, 3, 4) if g is not None), "")
        decoded = _unescape(raw)
        if decoded is None:
            return False, None
        href = decoded
    return True, href


def simple_blocks(html: str, base: str | None) -> list[Block] | None:
    """The blocks of a plain feed fragment, as the DOM renderer makes them; ``None`` when the
    fragment uses anything this shortcut does not read exactly (parse it in full then)."""
    if "\r" in html or "\x00" in html or "<!" in html or "<?" in html:
        return None
    if "caption" in html.lower():
        return None  # caption-classed elements are rendered as figures
    out = _Renderer(base)
    # Open elements, innermost last, with what closing each undoes.
    open_tags: list[tuple[str, str]] = []
    in_paragraph = False
    inline_depth = 0
    text: list[str] = []
    position = 0
    end = len(html)
    while True:
        match = _TOKEN.match(html, position)
        if match is None:
            return None
        position = match.end()
        # One call for every group: this loop runs once per tag of every entry.
        run, slash, name, attributes, self_closing, decimal, hexadecimal, named, amp = (
            match.groups()
        )
        if run:
            text.append(run)
        if name is None:
            if decimal is not None or hexadecimal is not None:
                character = _code_point(decimal, hexadecimal)
                if character is None:
                    return None
                text.append(character)
                continue
            if named is not None:
                text.append(_NAMED[named])
                continue
            if amp is not None:
                text.append("&")
                continue
            if position < end:
                return None  # a lone "&" or "<": parsers differ on what it is
            break
        # A tag: the text before it is one text node.
        if text:
            out.text(text[0] if len(text) == 1 else "".join(text))
            text = []
        tag = name.lower()
        closing = slash == "/"
        if tag == "br":
            if closing or attributes.strip():
                return None
            out.line_break()
            continue
        if self_closing == "/":
            return None  # "<p/>" opens an element in HTML: left to the parser
        if closing:
            if not open_tags or open_tags[-1][0] != tag:
                return None  # stray or misnested: the parser's repairs are its own
            _, undo = open_tags.pop()
            if tag == "p":
                in_paragraph = False
            elif tag in _INLINE:
                inline_depth -= 1
            if undo == "block":
                out.flush()
            elif undo == "link":
                out.links.pop()
            elif undo == "style":
                out.styles.pop()
            continue
        if tag in _BLOCKS:
            # A block inside a paragraph or inline element is moved or split by the parser.
            if in_paragraph or inline_depth:
                return None
            out.flush()
            open_tags.append((tag, "block"))
            in_paragraph = tag == "p"
            continue
        if tag not in _INLINE:
            return None
        if tag == "a":
            if any(t == "a" for t, _ in open_tags):
                return None  # nested links are split by the parser
            readable, href = _href(attributes)
            if not readable:
                return None
            closing_at = html.find("<", position)
            closer = _CLOSE_LINK.match(html, closing_at) if closing_at >= 0 else None
            if closer is not None:
                # A link holding nothing but a heading anchor ("¶", "#") is dropped with its
                # text, as the DOM renderer drops it.
                inner = _unescape(html[position:closing_at])
                if inner is None:
                    return None
                if inner.strip().lower() in _PERMALINK_TEXT:
                    position = closer.end()
                    continue
            out.links.append(out.link(href) if href else None)
            open_tags.append((tag, "link"))
        elif tag == "span":
            open_tags.append((tag, ""))
        else:
            out.styles.append(_STYLES[tag])
            open_tags.append((tag, "style"))
        inline_depth += 1
    if text:
        out.text("".join(text))
    if open_tags:
        return None  # left open: the parser closes them, maybe elsewhere
    return out.result()
