"""Turn a DOM subtree into :class:`~tui_reader.core.models.Block` s.

The walk is iterative (an explicit stack), so a page nested ten thousand levels deep costs
memory proportional to its size and never hits Python's recursion limit. Inline markup becomes
:class:`~tui_reader.core.models.Span` s: links keep an absolute URL when its scheme is safe and
lose only the link (not the text) otherwise; emphasis, strong and code keep their style.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from tui_reader.core.extract.boilerplate import SKIPPED_TAGS, is_furniture_line
from tui_reader.core.models import Block, BlockKind, Span, SpanStyle
from tui_reader.core.sanitize import clean_line, clean_text, safe_url

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_STYLES: dict[str, SpanStyle] = {
    "em": "em",
    "i": "em",
    "cite": "em",
    "dfn": "em",
    "var": "em",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "address",
        "center",
        "dl",
        "dt",
        "dd",
        "form",
        "fieldset",
        "details",
        "summary",
        "hgroup",
        "body",
        "html",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "legend",
        "figcaption",
        "picture",
        "noscript",
    }
)
_SKIP_TAGS = SKIPPED_TAGS
_WHITESPACE = re.compile(r"\s+")
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#.-]+)")
_FILENAME_ALT = re.compile(r"^[\w.-]*[_-][\w.-]*$|^[\w-]+\.(?:jpe?g|png|gif|webp|avif|svg)$", re.I)
_IMAGE_ATTRS = ("src", "data-src", "data-original", "data-lazy-src", "data-url")

# Longer than this, an element classed "caption" is not a caption.
CAPTION_CHARS = 600
# Lists and quotes nested deeper than this are flattened into their parent.
MAX_DEPTH = 24

# A cap on nodes visited while rendering: beyond this a page is pathological, and what we
# have so far is returned.
MAX_NODES = 50_000


@dataclass(slots=True)
class _Context:
    kind: str  # "root", "heading", "list", "item", "quote"
    level: int = 0
    ordered: bool = False
    # Inline runs as (text, href, style) until flushed: building the frozen Span objects
    # only once, after merging, is markedly cheaper.
    spans: list[tuple[str, str | None, SpanStyle]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    lead: tuple[Span, ...] = ()


def _plain(text: str) -> bool:
    """True when URL cleaning leaves ``text`` as it is: printable ASCII, no spaces."""
    return text.isascii() and text.isprintable() and " " not in text


def plain_absolute(url: str) -> bool:
    """True when ``safe_url`` would return this http(s) URL unchanged (given no base).

    An http(s) URL that is printable ASCII without spaces or brackets and has a host passes
    cleaning untouched, and splitting it cannot fail. Pages are full of such links, and
    running each one through the URL parser is the slow part of checking it.
    """
    if url.startswith("https://"):
        host = url[8:9]
    elif url.startswith("http://"):
        host = url[7:8]
    else:
        return False
    return bool(
        host
        and host not in "/?#"
        and url.isascii()
        and url.isprintable()
        and " " not in url
        and "[" not in url
        and "]" not in url
    )


def joined_url(url: str | None, base: str | None, *, fetchable: bool = False) -> str | None:
    """``safe_url(url, base, fetchable=...)`` for a ``base`` that ``safe_url`` returned.

    Joining an absolute URL to such a base rebuilds it from its parts, which gives it back
    unchanged unless it has parameters, a query or a fragment (an empty one is dropped).
    """
    if url and plain_absolute(url) and (base is None or not any(c in url for c in ";?#")):
        return url
    return safe_url(url, base, fetchable=fetchable)


def _checked(url: str, base: str | None, fetchable: bool = False) -> str | None:
    # Absolute links are checked on their own, without joining them to the base.
    if plain_absolute(url):
        return url
    if url.startswith(("https://", "http://")):
        return safe_url(url, None, fetchable=fetchable)
    return safe_url(url, base, fetchable=fetchable)


# A root-relative path that joining leaves as it is: no dot segments, no empty segments, no
# parameters, query or fragment, nothing that cleaning would remove.
_SEGMENT = r"(?!\.\.?(?:/|\Z))[\w\-.~%!$&'()*+,=@]+"
_PLAIN_PATH = re.compile(rf"(?:/{_SEGMENT})+/?\Z", re.ASCII)


def _origin(base: str | None) -> str | None:
    """``scheme://host`` of an http(s) ``base``, which a plain root-relative path extends."""
    if not base:
        return None
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


# Blocks and spans are frozen dataclasses, whose ``__init__`` sets each field through
# ``object.__setattr__``: for a block of eleven fields that costs more than the rest of
# rendering a short paragraph. The blocks of text and the spans, most of what the renderer
# makes, are built here by setting their slots directly, every field as ``__init__`` would.
_new = object.__new__
_SPAN_SETTERS = tuple(Span.__dict__[f.name].__set__ for f in fields(Span))
_BLOCK_SETTERS = tuple(Block.__dict__[f.name].__set__ for f in fields(Block))
(_set_text, _set_href, _set_style) = _SPAN_SETTERS
(_set_kind, _set_spans, _set_level) = (
    Block.__dict__[name].__set__ for name in ("kind", "spans", "level")
)
# The other fields of a block of text, with their defaults.
_TEXT_BLOCK_REST = tuple(
    (setter, f.default)
    for setter, f in zip(_BLOCK_SETTERS, fields(Block), strict=True)
    if f.name not in ("kind", "spans", "level")
)
if any(default is MISSING for _, default in _TEXT_BLOCK_REST):
    raise TypeError("a Block field without a plain default: build blocks with Block()")


def _span(text: str, href: str | None, style: SpanStyle) -> Span:
    """``Span(text, href, style)``."""
    span = _new(Span)
    _set_text(span, text)
    _set_href(span, href)
    _set_style(span, style)
    return span


def _text_block(kind: BlockKind, spans: tuple[Span, ...], level: int = 0) -> Block:
    """``Block(kind, spans=spans, level=level)``."""
    block = _new(Block)
    _set_kind(block, kind)
    _set_spans(block, spans)
    _set_level(block, level)
    for setter, default in _TEXT_BLOCK_REST:
        setter(block, default)
    return block


def _merge_spans(spans: list[tuple[str, str | None, SpanStyle]]) -> tuple[Span, ...]:
    merged: list[list[Any]] = []
    for text, href, style in spans:
        if merged and merged[-1][1] == href and merged[-1][2] == style:
            merged[-1][0] += text
        else:
            merged.append([text, href, style])
    # Trim the run's outer whitespace so blocks start and end on text.
    if merged:
        merged[0][0] = merged[0][0].lstrip(" ")
        merged[-1][0] = merged[-1][0].rstrip(" ")
    return tuple([_span(text, href, style) for text, href, style in merged if text])


def _has_text(spans: list[tuple[str, str | None, SpanStyle]]) -> bool:
    # A plain loop: the first piece usually settles it, before a generator would start.
    for text, _, _ in spans:
        if text and not text.isspace():
            return True
    return False


class _Renderer:
    def __init__(self, base: str | None) -> None:
        self.base = base
        self.stack: list[_Context] = [_Context("root")]
        self.links: list[str | None] = [None]
        self.styles: list[SpanStyle] = [""]
        self.urls: dict[str, str | None] = {}
        # Found on the first root-relative link: most feed summaries have none, and
        # splitting the base costs as much as rendering a short one.
        self._origin: str | None | bool = False
        # What an in-page link ("#cite_note-3") is appended to: the base as joining leaves it
        # without a fragment. Found on the first such link; reference-heavy pages (wikis,
        # footnoted essays) hold hundreds of them.
        self._page: str | None | bool = False

    def link(self, href: str) -> str | None:
        # Pages repeat their links (tags, authors, the same source cited twice).
        if href in self.urls:
            return self.urls[href]
        url: str | None
        origin = self._origin
        if origin is False and href[:1] == "/":
            origin = self._origin = _origin(self.base)
        if isinstance(origin, str) and _PLAIN_PATH.match(href):
            # What joining it to the base gives, without the URL parser (the slow part).
            url = origin + href
        elif href[:1] == "#" and len(href) > 1 and _plain(href):
            page = self._page
            if page is False:
                page = self._page = _checked("#", self.base)
            # Joining keeps the base up to its fragment and appends this one.
            url = page + href if isinstance(page, str) else None
        else:
            url = _checked(href, self.base)
        self.urls[href] = url
        return url

    # -- inline -----------------------------------------------------------------------
    def text(self, raw: str) -> None:
        if not raw:
            return
        # Collapse whitespace runs to one space, keeping a space at either end if there was
        # one there (it separates this run from its inline neighbours). Collapsing first
        # leaves clean_text a printable string in the common case, its fast path.
        if raw.isprintable() and "  " not in raw:
            # Every whitespace character but the plain space is non-printable: this run is
            # collapsed already, and its outer spaces are single ones (a line of prose).
            text = raw
        else:
            if raw.isspace():  # most often the indentation between two tags
                core = ""
            else:
                core = " ".join(raw.split())
                if not core.isprintable():
                    core = clean_text(core)
            if not core:
                text = " "
            else:
                text = core
                if raw[0].isspace():
                    text = " " + text
                if raw[-1].isspace():
                    text += " "
        ctx = self.stack[-1]
        if text == " " and (not ctx.spans or ctx.spans[-1][0].endswith((" ", "\n"))):
            return
        ctx.spans.append((text, self.links[-1], self.styles[-1]))

    def line_break(self) -> None:
        ctx = self.stack[-1]
        if not ctx.spans:
            return
        last = ctx.spans[-1][0]
        if last == "\n" or (last.isspace() and len(ctx.spans) > 1 and ctx.spans[-2][0] == "\n"):
            # Two breaks in a row separate paragraphs in pages built without <p>.
            self.flush()
            return
        ctx.spans.append(("\n", self.links[-1], ""))

    # -- blocks -----------------------------------------------------------------------
    def flush(self) -> None:
        ctx = self.stack[-1]
        if not ctx.spans:
            return
        spans = ctx.spans
        ctx.spans = []
        merged: tuple[Span, ...]
        if len(spans) == 1:
            # One piece of text (a plain paragraph): nothing to look through or merge.
            text, href, style = spans[0]
            if not text or text.isspace():
                return
            merged = (_span(text.strip(" "), href, style),)
        else:
            if not _has_text(spans):
                return
            merged = _merge_spans(spans)
            if not merged:
                return
        if ctx.kind == "heading":
            ctx.blocks.append(_text_block("heading", merged, ctx.level))
        elif ctx.kind == "item" and not ctx.lead and not ctx.blocks:
            ctx.lead = merged
        elif ctx.kind == "list":
            ctx.blocks.append(_text_block("item", merged))
        else:
            ctx.blocks.append(_text_block("paragraph", merged))

    def add(self, block: Block) -> None:
        self.flush()
        ctx = self.stack[-1]
        if ctx.kind == "list" and block.kind != "item":
            block = Block("item", children=(block,))
        ctx.blocks.append(block)

    def push(self, ctx: _Context) -> None:
        self.flush()
        self.stack.append(ctx)

    def pop(self) -> None:
        self.flush()
        ctx = self.stack.pop()
        parent = self.stack[-1]
        block: Block | None = None
        kind: BlockKind
        if ctx.kind == "heading":
            for inner in ctx.blocks:
                self.add(inner)
            return
        if ctx.kind == "list":
            if ctx.blocks:
                block = Block("list", children=tuple(ctx.blocks), ordered=ctx.ordered)
        elif ctx.kind == "item":
            if ctx.lead or ctx.blocks:
                kind = "item"
                block = Block(kind, spans=ctx.lead, children=tuple(ctx.blocks))
        elif ctx.kind == "quote" and ctx.blocks:
            block = Block("quote", children=tuple(ctx.blocks))
        if block is not None:
            if parent.kind == "list" and block.kind != "item":
                block = Block("item", children=(block,))
            self.flush()
            parent.blocks.append(block)

    def result(self) -> list[Block]:
        while len(self.stack) > 1:
            self.pop()
        self.flush()
        return self.stack[0].blocks

    # -- special elements ---------------------------------------------------------------
    def image(self, node: LexborNode, caption: LexborNode | None = None) -> None:
        img = node if node.tag == "img" else node.css_first("img")
        src: str | None = None
        alt = ""
        refused = False
        if img is not None:
            attrs = img.attributes
            for name in _IMAGE_ATTRS:
                value = attrs.get(name)
                if value and not value.startswith("data:"):
                    src = _checked(value, self.base, fetchable=True)
                    if src:
                        break
                refused = refused or bool(value and value.strip())
            alt = clean_line(attrs.get("alt") or "")
            if _FILENAME_ALT.match(alt):
                # CMSs fill empty alt attributes with the file's name; that describes nothing.
                alt = ""
        spans: tuple[Span, ...] = ()
        if caption is not None:
            text = clean_line(caption.text(separator=" "))
            if text and not is_furniture_line(text):
                spans = (Span(text),)
        # A picture whose only source was refused (data:, javascript:) keeps its alt text:
        # the reader shows that in its place.
        if src or spans or (refused and alt):
            self.add(Block("figure", spans=spans, src=src, alt=alt))

    def code(self, node: LexborNode) -> None:
        code = clean_text(node.text()).strip("\n")
        if not code.strip():
            return
        language = None
        for candidate in (node, node.css_first("code")):
            if candidate is not None:
                match = _LANGUAGE.search(candidate.attributes.get("class") or "")
                if match:
                    language = match.group(1)
                    break
        self.add(Block("code", code=code, language=language))

    def table(self, node: LexborNode) -> None:
        rows: list[tuple[str, ...]] = []
        header_rows = 0
        counting_header = True
        for row in node.css("tr"):
            cells = row.css("th, td")
            texts = tuple(clean_line(cell.text(separator=" ")) for cell in cells)
            if not any(texts):
                continue
            is_header = all(cell.tag == "th" for cell in cells) or (
                row.parent is not None and row.parent.tag == "thead"
            )
            if counting_header and is_header:
                header_rows += 1
            else:
                counting_header = False
            rows.append(texts)
        if rows:
            self.add(Block("table", rows=tuple(rows), header_rows=header_rows))


def _is_caption_box(node: LexborNode) -> bool:
    names = node.attributes.get("class")
    if not names or "caption" not in names.lower():
        return False
    # A caption is short; a long element merely classed "captioned-story" is not one, nor
    # is one written in paragraphs (the text of a photo post, under its photo).
    return len(node.text()) <= CAPTION_CHARS and len(node.css("p")) < 2


_PERMALINK_TEXT = frozenset({"¶", "#", "§", "🔗", "link", "permalink", "∞"})


def _is_permalink(node: LexborNode) -> bool:
    # Heading anchors ("¶", "#") and section edit links are page machinery, not text.
    child = node.child
    if child is None or child.next is not None or not child.is_text_node:
        return False
    return (child.text_content or "").strip().lower() in _PERMALINK_TEXT


def _math_text(node: LexborNode) -> str:
    """The symbols of a MathML formula, one space between tokens."""
    skipped = {n.mem_id for n in node.css("annotation, annotation-xml")}
    parts: list[str] = []
    for inner in node.traverse(include_text=True):
        if inner.tag != "-text":
            continue
        parent = inner.parent
        if parent is not None and parent.mem_id in skipped:
            continue
        text = (inner.text_content or "").strip()
        if text:
            parts.append(text)
    return " ".join(parts)


def _is_layout_table(node: LexborNode) -> bool:
    # Tables that lay out a page rather than hold data contain other tables or prose blocks.
    # (``css`` matches the node itself too, hence "more than one table".)
    return len(node.css("table")) > 1 or len(node.css("p, ul, ol, h2, h3")) >= 2


# What the walk does on entering an element, looked up once per element. Headings, lists,
# items and quotes (the first four) are the nesting kinds that MAX_DEPTH flattens.
_HEADING, _LIST, _ITEM, _QUOTE, _LINK, _STYLE, _BLOCK = range(1, 8)
_KINDS: dict[str, int] = {
    **dict.fromkeys(_HEADINGS, _HEADING),
    "ul": _LIST,
    "ol": _LIST,
    "li": _ITEM,
    "blockquote": _QUOTE,
    "a": _LINK,
    **dict.fromkeys(_STYLES, _STYLE),
    **dict.fromkeys(_BLOCK_TAGS, _BLOCK),
    "table": _BLOCK,
}
# Elements that may be captions (when classed so), and the others with special handling.
_CAPTION_BOX_TAGS = frozenset({"div", "p", "span"})
_SPECIAL_TAGS = _SKIP_TAGS | {"br", "hr", "img", "figure", "pre", "table"}


def render(root: LexborNode, base: str | None) -> list[Block]:
    """Render ``root``'s subtree as blocks (unfiltered)."""
    out = _Renderer(base)
    # One selector pass finds the caption-classed elements, instead of a class lookup on
    # every element of the walk.
    captioned = {node.mem_id for node in root.css("[class*=caption i]")}
    # A container chosen for its prose is the story even when it is classed "caption" (the
    # text of a gallery or slideshow page): rendered as a figure caption, it would be lost.
    captioned.discard(root.mem_id)
    # Stack entries: a node to enter, or an int marking the exit of a pushed context/inline.
    stack: list[LexborNode | str] = [root]
    push = stack.append
    contexts = out.stack
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item == "block":  # the commonest exit
                if contexts[-1].spans:  # inline text to close
                    out.flush()
            elif item == "ctx":
                out.pop()
            elif item == "link":
                out.links.pop()
            else:  # "style"
                out.styles.pop()
            continue
        visited += 1
        if visited > MAX_NODES:
            break
        node = item
        tag = node.tag or ""
        if tag == "-text":
            raw = node.text_content
            if not raw:
                continue
            if raw.isspace():
                # Most text nodes are the indentation between two tags: one space at most,
                # as ``text`` would make of it, without its work.
                spans = contexts[-1].spans
                if spans and not spans[-1][0].endswith((" ", "\n")):
                    spans.append((" ", out.links[-1], out.styles[-1]))
                continue
            if raw.isprintable() and "  " not in raw:
                # A run of prose needs no collapsing (see ``text``): kept as it is, here.
                contexts[-1].spans.append((raw, out.links[-1], out.styles[-1]))
                continue
            out.text(raw)
            continue
        if tag in _CAPTION_BOX_TAGS:
            if captioned and node.mem_id in captioned and _is_caption_box(node):
                # WordPress-style captions: <div class="wp-caption"><img><p class="...">.
                inner = [n for n in node.css("[class*=caption i]") if n.mem_id != node.mem_id]
                label = inner[0] if inner else node
                if node.css_first("img") is not None:
                    out.image(node, label)
                else:
                    out.image(label, label)
                continue
        elif tag in _SPECIAL_TAGS or tag[:1] in "-#!":
            if tag == "math":
                # Formulas are read as their symbols in a line, which a terminal can show;
                # the TeX source in annotations is for machines.
                out.text(f" {_math_text(node)} ")
                continue
            if tag in _SKIP_TAGS or tag[:1] in "-#!":  # comments, doctype: not elements
                continue
            if tag == "br":
                out.line_break()
                continue
            if tag == "hr":
                out.add(Block("rule"))
                continue
            if tag == "img":
                width = node.attributes.get("width") or ""
                if not (width.isdigit() and int(width) < 50):
                    out.image(node)
                continue
            if tag == "figure":
                caption = node.css_first("figcaption")
                if node.css_first("p, ul, ol, blockquote, table") is None or caption is None:
                    out.image(node, caption)
                    continue
            if tag == "pre":
                out.code(node)
                continue
            if tag == "table" and not _is_layout_table(node):
                out.table(node)
                continue

        exit_marker: str | None = None
        kind = _KINDS.get(tag, 0)
        # The commonest kinds are tested first: blocks (p, div), links, emphasis.
        if kind == 0:
            pass
        elif kind == _BLOCK:
            if contexts[-1].spans:
                out.flush()
            exit_marker = "block"
        elif kind == _LINK:
            if _is_permalink(node):
                continue
            href = node.attributes.get("href")
            out.links.append(out.link(href) if href else None)
            exit_marker = "link"
        elif kind == _STYLE:
            out.styles.append(_STYLES[tag])
            exit_marker = "style"
        elif len(out.stack) >= MAX_DEPTH:  # a heading, list, item or quote
            # Blocks nest no deeper than this (the model and renderers walk them
            # recursively); deeper structure is flattened into the enclosing block.
            out.flush()
            stack.append("block")
        elif kind == _HEADING:
            out.push(_Context("heading", level=_HEADINGS[tag]))
            exit_marker = "ctx"
        elif kind == _LIST:
            out.push(_Context("list", ordered=tag == "ol"))
            exit_marker = "ctx"
        elif kind == _ITEM:
            out.push(_Context("item"))
            exit_marker = "ctx"
        else:  # _QUOTE
            out.push(_Context("quote"))
            exit_marker = "ctx"

        if exit_marker is not None:
            push(exit_marker)
        child = node.last_child
        while child is not None:
            push(child)
            child = child.prev
    return out.result()
