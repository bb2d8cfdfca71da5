"""Choose the story's container with a check, not in one pass.

The paragraph vote (:func:`~tui_reader.core.extract.score.rate_body`) is right on most pages
and cheap, so it runs first; its winner is then checked against signals that hold on any
page: how much prose it holds, how much of it is linked, whether it sits next to the page's
headline, and whether it reads like a sidebar ("subscribe", "archives", "powered by"). Only
when that check fails do the other passes run: the vote over text set directly in divs and
cells (``<br>`` layouts, table layouts) near the headline and over the whole page, the vote
without class names (a story with an unlucky name), and the content right under the
headline (a story that is a list of links). The candidates are then compared on the same
signals. When nothing qualifies, the largest block of prose on the page is taken, so a page
with prose never comes back empty.

Each result carries the name of the path that produced it (``Article.extraction``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from tui_reader.core.extract.headline import region
from tui_reader.core.extract.score import rate_body

# A first choice holding less prose than this is checked against the other passes (half of
# the complete misses seen chose a container under 300 characters).
MIN_CONFIDENT = 300
# A container whose text is more than this share linked is a link list, not a story, unless
# it is what sits under the headline.
MAX_LINKED = 0.5
# Prose far from the headline counts this much against prose next to it.
FAR_FACTOR = 0.5
# Each distinct piece of sidebar vocabulary divides a candidate's worth by one more.
VOCAB_WEIGHT = 1.0
# How much text is read for the vocabulary check (sidebars announce themselves early).
VOCAB_CHARS = 4000
# The story and its headline meet at most this many levels above the story's container, and
# this many above the headline.
NEAR_UP = 3
NEAR_HEADLINE_UP = 4
# A container holding the headline this many levels down or fewer is beside it.
HOLDS_HEADLINE_UP = 6
# Text under the headline: how far up to look for it, and how much makes a story.
UNDER_LEVELS = 3
UNDER_MIN = 200
# The largest prose block must hold this much text to be taken over the whole page.
MIN_FALLBACK = 100

# Words that sidebars, footers and bio boxes print and stories rarely do, all on one page.
_VOCABULARY = re.compile(
    r"subscribe|categories|archives|powered by|follow me|follow us|recent posts|"
    r"recent comments|blogroll|about me|twitter updates|search this|enter your email|"
    r"sign up|all rights reserved|copyright|privacy policy|newsletter|popular posts|"
    r"related posts|labels:|tags:|leave a comment|log in"
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A container one pass proposed, with what the check measured on it."""

    node: LexborNode
    path: str
    chars: int
    linked: int
    near: bool
    vocabulary: int

    @property
    def link_density(self) -> float:
        return self.linked / self.chars if self.chars else 1.0

    def worth(self, headline_known: bool) -> float:
        """Prose that is not linked, less for distance and sidebar words."""
        value = float(self.chars - self.linked)
        if self.path == "links" and self.near:
            # A list of links under the headline is the story: its links are its text.
            value = float(self.chars) * FAR_FACTOR
        if headline_known and not self.near:
            value *= FAR_FACTOR
        return value / (1.0 + VOCAB_WEIGHT * self.vocabulary)


def _levels_above(node: LexborNode | None) -> dict[int, int]:
    """``mem_id`` of each ancestor-or-self of ``node`` and how many levels up it is."""
    levels: dict[int, int] = {}
    depth = 0
    while node is not None:
        levels[node.mem_id] = depth
        node = node.parent
        depth += 1
    return levels


def _is_near(node: LexborNode, headline_levels: dict[int, int]) -> bool:
    """True when ``node`` holds the headline or sits right beside it.

    "Beside" means that the two meet a few levels up from both: the story follows the
    headline as its sibling, or as a sibling of the headline's wrapper. A box deep inside a
    neighbouring column or a list of other stories meets it much higher.
    """
    if node.mem_id in headline_levels:
        # Holding the headline is only being beside it for a container close above it: the
        # page's body holds every headline too.
        return node.tag != "body" and headline_levels[node.mem_id] <= HOLDS_HEADLINE_UP
    parent: LexborNode | None = node
    for up in range(NEAR_UP + 1):
        if parent is None:
            return False
        level = headline_levels.get(parent.mem_id)
        if level is not None:
            return up <= NEAR_UP and level <= NEAR_HEADLINE_UP
        parent = parent.parent
    return False


def _measure(node: LexborNode, path: str, headline_levels: dict[int, int]) -> Candidate:
    text = node.text(strip=True)
    chars = len(text)
    linked = sum(len(a.text(strip=True)) for a in node.css("a"))
    near = bool(headline_levels) and _is_near(node, headline_levels)
    sample = text[:VOCAB_CHARS].lower()
    vocabulary = len(set(_VOCABULARY.findall(sample)))
    return Candidate(node, path, chars, min(linked, chars), near, vocabulary)


def _under_headline(headline: LexborNode) -> LexborNode | None:
    """The smallest ancestor of the headline with some text besides the headline."""
    own = len(headline.text(strip=True))
    node = headline
    for _ in range(UNDER_LEVELS):
        parent = node.parent
        if parent is None or parent.tag in ("body", "html"):
            return None
        node = parent
        if len(node.text(strip=True)) - own >= UNDER_MIN:
            return node
    return None


def _largest_prose(body: LexborNode) -> LexborNode | None:
    """The block with the most text of its own that is not linked (the last resort)."""
    best: LexborNode | None = None
    best_size = 0
    for node in body.css("p, div, td, section, article, blockquote, li, pre"):
        size = 0
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                size += len((child.text_content or "").strip())
            elif tag in ("p", "span", "em", "strong", "b", "i", "font", "blockquote", "pre"):
                size += len(child.text(strip=True))
            child = child.next
        if size > best_size:
            best, best_size = node, size
    return best if best_size >= MIN_FALLBACK else None


def choose(
    body: LexborNode,
    furniture_strength: Callable[[LexborNode], int],
    headline: LexborNode | None,
) -> tuple[LexborNode, str]:
    """The container of the story in ``body`` and the name of the path that chose it."""
    headline_levels = _levels_above(headline)
    zone = region(headline) if headline is not None else None
    known = headline is not None

    node, score = rate_body(body, furniture_strength, headline)
    candidates: list[Candidate] = []
    if score > 0:
        first = _measure(node, "paragraphs", headline_levels)
        if (
            first.chars - first.linked >= MIN_CONFIDENT
            and first.link_density <= MAX_LINKED
            and (first.near or not known)
            and first.vocabulary < 2
        ):
            return node, "paragraphs"
        candidates.append(first)

    passes: list[tuple[str, LexborNode, Callable[[LexborNode], int] | None]] = []
    if zone is not None:
        passes.append(("headline", zone, furniture_strength))
    passes.append(("text", body, furniture_strength))
    passes.append(("unnamed", body, None))
    for path, root, rate in passes:
        other, other_score = rate_body(root, rate, headline, direct_text=True)
        if other_score > 0:
            candidates.append(_measure(other, path, headline_levels))
    if headline is not None:
        under = _under_headline(headline)
        if under is not None:
            listed = _measure(under, "links", headline_levels)
            # Only a story that is mostly links needs this path; prose under the headline
            # is found by the passes above.
            if listed.link_density > MAX_LINKED:
                candidates.append(listed)

    viable = [c for c in candidates if c.link_density <= MAX_LINKED or c.path == "links"]
    if viable:
        best = max(viable, key=lambda c: c.worth(known))
        if best.worth(known) > 0:
            return best.node, best.path
    fallback = _largest_prose(body)
    if fallback is not None:
        return fallback, "fallback"
    # A page with hardly any text: all of it is worth more than a fragment of it.
    return body, "page"
