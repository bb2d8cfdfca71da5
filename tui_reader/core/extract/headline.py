"""The page's headline element, and where things sit relative to it.

Most story pages print their headline as a heading near the top of the story, and the story
follows it: as siblings of the heading, or of the heading's wrapper. Finding that heading
(the one whose text is the title chosen from the metadata) gives the container choice a
guard that holds on any page: a container far from the headline is suspect, a furniture-named
wrapper that holds it is a wrapper and not furniture, and a comment thread never holds it.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

_WORDS = re.compile(r"\w+")
# Headings beyond this many are not looked at: the headline is near the top.
MAX_HEADINGS = 200
# A heading and a title that agree on this many leading characters name the same story
# (titles are often cut, or carry a kicker the heading does not).
MIN_PREFIX = 12
# How far up from the headline its "region" reaches.
REGION_LEVELS = 3


def norm(text: str) -> str:
    """Comparison form of a headline: lower case, words only."""
    return " ".join(_WORDS.findall(text.lower()))


HEADINGS = "h1, h2, h3, h4"
_HEADING_TAGS = ("h1", "h2", "h3", "h4")


def page_headings(tree: LexborHTMLParser) -> list[LexborNode]:
    """The page's headings for :func:`find_headline`: the <h1>s, then the <h2>s, and so on.

    Found by name, a level at a time (a selector pass costs several of these), each level in
    document order: where two headings print the title, the higher level is the headline.
    """
    found: list[LexborNode] = []
    for tag in _HEADING_TAGS:
        found.extend(tree.tags(tag))
    return found


def find_headline(
    body: LexborNode, title: str, headings: list[LexborNode] | None = None
) -> LexborNode | None:
    """The heading that prints ``title``, or None when no heading does.

    ``headings``: the candidates in the order to try them (:func:`page_headings`), when
    the caller has them; else the headings under ``body`` in document order.
    """
    key = norm(title)
    if not key:
        return None
    partial: LexborNode | None = None
    # Every match (whole or partial) holds the title's first word: a cheap test that spares
    # most headings of a page (teaser lists) the full comparison.
    first = key.split(" ", 1)[0]
    if headings is None:
        headings = body.css(HEADINGS)
    for node in headings[:MAX_HEADINGS]:
        raw = node.text()
        if first not in raw.lower():
            continue
        text = norm(raw)
        if not text:
            continue
        if text == key:
            return node
        if partial is None and min(len(text), len(key)) >= MIN_PREFIX:
            if key.startswith(text) or text.startswith(key) or text.endswith(key):
                partial = node
    return partial


def ancestor_ids(node: LexborNode | None) -> set[int]:
    """``mem_id`` s of ``node`` and all its ancestors."""
    found: set[int] = set()
    while node is not None:
        found.add(node.mem_id)
        node = node.parent
    return found


def region(headline: LexborNode) -> LexborNode:
    """The headline's neighbourhood: its ancestor a few levels up (below the body)."""
    node = headline
    for _ in range(REGION_LEVELS):
        parent = node.parent
        if parent is None or parent.tag in ("body", "html"):
            break
        node = parent
    return node


# The story's first line: the first text of at least this many characters after the
# headline (dates and labels are shorter; a longer byline is skipped as a short line).
LEAD_CHARS = 40
# How many nodes after the headline are looked at for it.
LEAD_BUDGET = 800


def lead_text(headline: LexborNode, links: bool = False) -> LexborNode | None:
    """The element holding the first line of text after ``headline``, in document order.

    Headings, captions and (unless ``links``) link text are skipped: a related headline or
    a byline of links is not the story's first line. Called again with the result, it gives
    the second line (the story's first when the first was a standfirst).
    """
    skipped = _NOT_LEAD if links else _NOT_LEAD_OR_LINK
    node: LexborNode | None = headline
    seen = 0
    # Document order after the headline's subtree: next sibling, else the parent's next
    # sibling, and so on; descend into each element met.
    stack: list[LexborNode] = []
    while node is not None and node.next is None:
        node = node.parent
    if node is None:
        return None
    node = node.next
    while node is not None and seen < LEAD_BUDGET:
        seen += 1
        tag = node.tag
        if tag == "-text":
            if len((node.text_content or "").strip()) >= LEAD_CHARS:
                parent = node.parent
                if parent is not None and parent.tag not in skipped:
                    return parent
        elif tag not in skipped and node.child is not None:
            if node.next is not None:
                stack.append(node.next)
            node = node.child
            continue
        if node.next is not None:
            node = node.next
            continue
        if stack:
            node = stack.pop()
            continue
        # The subtree we started in is done: climb to the next ancestor's sibling.
        current: LexborNode | None = node.parent
        while current is not None and current.next is None:
            current = current.parent
        node = current.next if current is not None else None
    return None


_NOT_LEAD = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "button", "figure", "figcaption"}
)
_NOT_LEAD_OR_LINK = _NOT_LEAD | {"a"}
