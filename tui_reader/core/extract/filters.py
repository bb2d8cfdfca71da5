"""Block-level clean-up after rendering the chosen container.

The container choice is coarse; what is left inside it is judged one block at a time by shape:
link-heavy blocks (teaser lists, "Read more: ..." lines), stock furniture lines, pagers
(numbers counting up), a repeat of the headline or byline at the top, and headings left
dangling at the end.
"""

from __future__ import annotations

import re

from tui_reader.core.extract.boilerplate import is_furniture_line
from tui_reader.core.models import Block

# A block whose text is more than this share link text is navigation, not prose.
MAX_LIST_LINK_DENSITY = 0.5
MAX_PARAGRAPH_LINK_DENSITY = 0.75
# How many blocks at the top are checked for a repeated headline or byline.
HEAD_WINDOW = 5

# A paragraph this long is prose, not a headline, byline or label.
PROSE_CHARS = 80
# Only blocks shorter than this are checked for repeats (long prose does not repeat).
DEDUPE_CHARS = 400
# After a closing rule, at most this much short text is a page footer, not the article.
FOOTER_TAIL_CHARS = 400
FOOTER_TAIL_SHARE = 0.15
# At least this many numbers in a row, each one more than the last ("1", "2", "3"), are a
# pager or a slideshow's counter, not text.
COUNTER_RUN = 3

_WORDS = re.compile(r"\w+")
_BYLINE = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s+\S", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def link_density(block: Block) -> float:
    """The share of a block's characters that sit inside links (0 for blocks without text)."""
    total = 0
    linked = 0
    for inner in block.walk():
        for span in inner.spans:
            size = len(span.text.strip())
            total += size
            if span.href:
                linked += size
    return linked / total if total else 0.0


def _is_boilerplate(block: Block, links: bool = False) -> bool:
    kind = block.kind
    if kind in ("paragraph", "heading"):
        spans = block.spans
        text = spans[0].text if len(spans) == 1 else "".join([span.text for span in spans])
        if len(text) <= 400:
            # Furniture lines and ornaments are short; long paragraphs skip the regexes.
            if _WORDS.search(text) is None:
                return True  # ornaments and separators: "■", "* * *", "—"
            if is_furniture_line(text):
                return True
        return (
            kind == "paragraph"
            and not links
            and any(span.href for span in spans)
            and link_density(block) > MAX_PARAGRAPH_LINK_DENSITY
        )
    if kind == "list":
        if links:
            return False
        return (
            link_density(block) > MAX_LIST_LINK_DENSITY
            or _is_teaser_list(block)
            or _is_counter_list(block)
        )
    if kind == "figure" and not block.src:
        # A caption with no image left is only worth keeping when it says something.
        return is_furniture_line(block.inline_text)
    return False


def _is_teaser_list(block: Block) -> bool:
    """A list of linked headlines with excerpts cut off by an ellipsis ("... more")."""
    items = block.children
    if len(items) < 2:
        return False
    linked = cut = 0
    for item in items:
        if any(span.href for inner in item.walk() for span in inner.spans):
            linked += 1
        if item.text.rstrip().endswith(("...", "…", "[…]", "[...]")):
            cut += 1
    return linked * 5 >= len(items) * 3 and cut * 2 >= len(items)


def _is_repeat(block: Block, title: str, byline: str | None) -> bool:
    if block.kind not in ("heading", "paragraph"):
        return False
    text = _norm(block.text)
    if not text:
        return True
    if title and text == title:
        return True
    if byline and text in (byline, f"by {byline}"):
        return True
    return (
        block.kind == "paragraph"
        and len(text.split()) <= 8
        and not block.text.rstrip().endswith(".")
        and _BYLINE.match(block.text) is not None
    )


def _number(text: str) -> int | None:
    text = text.strip()
    # A page or slide number is short and written in ASCII digits.
    if 0 < len(text) <= 4 and text.isascii() and text.isdigit():
        return int(text)
    return None


def _counter_value(block: Block) -> int | None:
    if block.kind != "paragraph" or len(block.spans) != 1:
        return None
    return _number(block.spans[0].text)


def _is_counter_list(block: Block) -> bool:
    """A list of nothing but numbers counting up by one: a pager."""
    items = block.children
    if len(items) < COUNTER_RUN:
        return False
    first = _number(items[0].text)
    return first is not None and all(
        _number(item.text) == first + index for index, item in enumerate(items)
    )


def _drop_counters(blocks: list[Block]) -> list[Block]:
    """Drop runs of paragraphs that are each one number counting up by one (a pager)."""
    kept: list[Block] = []
    index = 0
    while index < len(blocks):
        first = _counter_value(blocks[index])
        if first is not None:
            end = index + 1
            while end < len(blocks) and _counter_value(blocks[end]) == first + end - index:
                end += 1
            if end - index >= COUNTER_RUN:
                index = end
                continue
        kept.append(blocks[index])
        index += 1
    return kept


def _drop_footer_tail(blocks: list[Block]) -> list[Block]:
    """Drop a rule and the few short lines after it at the very end (old table layouts)."""
    last_rule = max((i for i, b in enumerate(blocks) if b.kind == "rule"), default=-1)
    if last_rule <= 0:
        return blocks
    tail = blocks[last_rule + 1 :]
    if any(b.kind not in ("paragraph", "list") for b in tail):
        return blocks
    tail_chars = sum(len(b.text) for b in tail)
    total = sum(len(b.text) for b in blocks) or 1
    if tail_chars > FOOTER_TAIL_CHARS or tail_chars > total * FOOTER_TAIL_SHARE:
        return blocks
    if any(len(b.text) >= 200 for b in tail):
        return blocks
    return blocks[:last_rule]


def refine(
    blocks: list[Block], title: str = "", byline: str | None = None, links: bool = False
) -> list[Block]:
    """Drop furniture blocks, a repeated title/byline at the top, and trailing headings.

    ``links``: the story is a list of links (a round-up), so linked blocks are its text.
    """
    kept = _drop_counters([block for block in blocks if not _is_boilerplate(block, links)])
    norm_title = _norm(title)
    norm_byline = _norm(byline) if byline else None
    # The headline and byline repeat only above the prose: the window closes at the first
    # real paragraph (a recipe card further down may legitimately reuse the title).
    window = HEAD_WINDOW
    for index, block in enumerate(kept[:HEAD_WINDOW]):
        if block.kind == "paragraph" and sum(len(s.text) for s in block.spans) >= PROSE_CHARS:
            window = index
            break
    head = [
        block
        for index, block in enumerate(kept)
        if index >= window or not _is_repeat(block, norm_title, norm_byline)
    ]
    head = _drop_footer_tail(head)
    while head and head[-1].kind in ("heading", "rule"):
        head.pop()
    # Galleries and captioned media often print the same caption twice: in the figure (or a
    # gallery list) and again as a paragraph. Such repeats go, and so does a block that
    # repeats the one just before it; other repeats are the author's (a meal plan lists
    # the same breakfast every day).
    captions: set[str] = set()
    deduped: list[Block] = []
    previous = ""
    for block in head:
        kind = block.kind
        key = ""
        spans = block.spans
        # Rendered spans already have their whitespace collapsed.
        joined = spans[0].text if len(spans) == 1 else "".join([span.text for span in spans])
        if kind == "figure" or (kind in ("paragraph", "heading") and len(joined) < DEDUPE_CHARS):
            key = joined.lower() if spans else block.text.lower()
            if key and (key in captions or key == previous):
                continue
            if kind == "figure" and key:
                captions.add(key)
        elif kind == "list" and len(block.children) <= 50:
            captions.update(item.text.lower() for item in block.children)
            # The captions of a gallery laid out as a list (its items' text leaves them out).
            captions.update(inner.text.lower() for inner in block.walk() if inner.kind == "figure")
        previous = key
        deduped.append(block)
    return deduped
