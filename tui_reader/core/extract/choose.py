"""Choose the story's container with a check, not in one pass.

The paragraph vote (:func:`~tui_reader.core.extract.score.rate_body`) is right on most pages
and cheap, so it runs first; its winner is then checked against signals that hold on any
page: how much prose it holds, how much of it is linked, whether it sits beside the page's
headline, and whether it reads like a sidebar ("subscribe", "archives", "powered by").

"Beside the headline" is judged from the story's first line: the first text of some length
after the headline element (skipping headings, captions, links and up to two short lines
such as a standfirst). A container holding that line follows the headline; a comment
thread, a bio box or a sidebar, however long, does not.

Only when the check fails do the other passes run: the vote over text set directly in divs
and cells (``<br>`` layouts, table layouts) near the headline and over the whole page, the
vote without class names (a story with an unlucky name), the block holding the first line,
and a block of links opening right after the headline (a round-up post). The candidates are
compared on the same signals: text far from the headline counts for little, and far text
inside a wrapper that is beside the headline earns that wrapper nothing. When nothing
qualifies, the largest block of prose on the page is taken, so a page with prose never
comes back empty.

The winner is then adjusted by structure: a layout-table row is narrowed to the story's
cell, headed boxes after a short post (an author box, a labelled ad) are left out, and a
body split in sibling parts of one kind is taken whole.

Each result carries the name of the path that produced it (``Article.extraction``):
"paragraphs", "headline", "text", "unnamed", "lead", "links", "fallback" or "page".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from selectolax.lexbor import LexborNode

from tui_reader.core.extract.boilerplate import is_furniture_line
from tui_reader.core.extract.clean import remove_comments
from tui_reader.core.extract.headline import lead_text, region
from tui_reader.core.extract.score import (
    Rating,
    Votes,
    rate_body,
    rate_votes,
    stripped_len,
    vote,
)

# A first choice holding less prose than this is checked against the other passes (half of
# the complete misses seen chose a container under 300 characters).
MIN_CONFIDENT = 300
# The paragraph vote is right on most pages: the other passes must do clearly better.
HOME = 1.25
# A container whose text is more than this share linked is a link list, not a story, unless
# it is what sits under the headline.
MAX_LINKED = 0.5
# Prose far from the headline counts this much against prose next to it: a comment
# thread, a bio box or a sidebar can outweigh a short post several times over, but does
# not follow its headline. (A caption or a standfirst next to it is much smaller still.)
FAR_FACTOR = 0.125
# A first line shorter than this may be a standfirst: the story may start at the second.
DEK_CHARS = 300
EXTRA_LINES = 2
# The story's cell of a layout row must hold this share of the row's text.
CELL_SHARE = 0.3
# How far up from the story's first line and from a candidate the parts of a split body
# are looked for.
CONTINUE_UP = 2
# Parts of a split body must hold this share of their parent's text to be merged.
PARTS_SHARE = 0.7
# Boxes after the story: how far down to look, how much text makes one, and the share of the
# wrapper's text the story's block must keep to be taken alone.
BOX_LEVELS = 3
BOX_MIN = 100
BOX_SHARE = 0.3
# A box may be this much longer than the story (a bio box after a two-paragraph post).
BOX_LARGER = 1.5
_BOX_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6", "header"})
_PART_TAGS = frozenset({"section", "article", "p", "ul", "ol", "blockquote", "table", "pre"})
_BOX_SKIP = frozenset({"img", "figure", "picture", "br", "hr", "-comment", "svg"})
# A candidate inside the best one replaces it when it is worth this share of it.
INNER_SHARE = 0.85
# A block of links under the headline counts its linked text at this rate.
LINKS_FACTOR = 1.0
# Each distinct piece of sidebar vocabulary divides a candidate's worth by one more.
VOCAB_WEIGHT = 1.0
# A winner with this much prose is not checked for sidebar words.
VOCAB_FREE = 1500
# How much text is read for the vocabulary check (sidebars announce themselves early).
VOCAB_CHARS = 4000
# The story and its headline meet at most this many levels above the story's container, and
# this many above the headline.
NEAR_UP = 3
NEAR_HEADLINE_UP = 4
# A container holding the story's first line this many levels down or fewer is beside the
# headline (a page wrapper holds it too, much further up).
LEAD_UP = 8
# A container holding the headline this many levels down or fewer is beside it.
HOLDS_HEADLINE_UP = 6
# Text under the headline: how far up to look for it, and how much makes a story.
UNDER_LEVELS = 3
UNDER_MIN = 200
# A wrapper adding more than this share of text to a block of links is more than the block.
LINKS_GROWTH = 1.3
# The largest prose block must hold this much text to be taken over the whole page.
MIN_FALLBACK = 100

# Words that sidebars, footers and bio boxes print and stories rarely do, all on one page.
# (Plain substring tests: much cheaper than one pattern with as many alternatives.)
_VOCABULARY = (
    "subscribe",
    "categories",
    "archives",
    "powered by",
    "follow me",
    "follow us",
    "recent posts",
    "recent comments",
    "blogroll",
    "about me",
    "twitter updates",
    "search this",
    "enter your email",
    "sign up",
    "all rights reserved",
    "copyright",
    "privacy policy",
    "newsletter",
    "popular posts",
    "related posts",
    "labels:",
    "tags:",
    "leave a comment",
    "log in",
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
            value = float(self.chars) * LINKS_FACTOR
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


def _measure(
    node: LexborNode, path: str, headline_levels: dict[int, int], lead_levels: dict[int, int]
) -> Candidate:
    text = node.text(strip=True)
    chars = len(text)
    linked = sum(stripped_len(a) for a in node.css("a"))
    if lead_levels:
        near = _lead_near(node, lead_levels)
    else:
        near = bool(headline_levels) and _is_near(node, headline_levels)
    return Candidate(node, path, chars, min(linked, chars), near, _vocabulary(text))


def _add_lines(lead: LexborNode | None, lead_levels: dict[int, int]) -> None:
    """Let the next lines count as the story's start when the first ones are short.

    After a short first line (a standfirst, a caption, a related link) the story may start
    a line or two later. Looked for only when the first line alone did not settle it.
    """
    line = lead
    for _ in range(EXTRA_LINES):
        if line is None or len(line.text(strip=True)) >= DEK_CHARS:
            break
        line = lead_text(line)
        if line is not None:
            for key, level in _levels_above(line).items():
                lead_levels[key] = min(level, lead_levels.get(key, level))


def _lead_near(node: LexborNode, lead_levels: dict[int, int]) -> bool:
    # The story starts right after its headline: a container holding that first line is
    # beside the headline; a comment thread or a bio box further on is not.
    return node.tag != "body" and lead_levels.get(node.mem_id, LEAD_UP + 1) <= LEAD_UP


def _vocabulary(text: str) -> int:
    """How many distinct pieces of sidebar vocabulary the start of ``text`` holds."""
    sample = text[:VOCAB_CHARS].lower()
    return sum(1 for words in _VOCABULARY if words in sample)


def _link_block(lead: LexborNode, headline_levels: dict[int, int]) -> LexborNode | None:
    """The block of links that the story's first line opens, or None.

    From the first line, up to the first element with some text, then on up while the
    parent adds little and does not hold the headline (the post's wrapper, with its title
    and footer, is not the story).
    """
    node = lead
    for _ in range(UNDER_LEVELS * 2):
        if len(node.text(strip=True)) >= UNDER_MIN:
            break
        parent = node.parent
        if parent is None or parent.mem_id in headline_levels or parent.tag in ("body", "html"):
            return None
        node = parent
    else:
        return None
    size = len(node.text(strip=True))
    for _ in range(UNDER_LEVELS):
        parent = node.parent
        if parent is None or parent.mem_id in headline_levels or parent.tag in ("body", "html"):
            break
        parent_size = len(parent.text(strip=True))
        if parent_size > size * LINKS_GROWTH:
            break
        node, size = parent, parent_size
    return node


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


def _lead_cell(node: LexborNode, lead: LexborNode) -> LexborNode:
    """In a layout table, the cell that holds the story's first line, if it holds enough.

    Cells of one row sit side by side: the story's column and a profile or links column.
    A vote that gathered both into the row is narrowed to the story's cell.
    """
    cell: LexborNode | None = lead
    while cell is not None and cell.mem_id != node.mem_id:
        if cell.tag == "td":
            break
        cell = cell.parent
    if cell is None or cell.tag != "td":
        return node
    inside = node.text(strip=True)
    if inside and len(cell.text(strip=True)) >= len(inside) * CELL_SHARE:
        return cell
    return node


def _kind(node: LexborNode) -> tuple[str | None, str]:
    names = (node.attributes.get("class") or "").split()
    return node.tag, names[0] if names else ""


def _continues(node: LexborNode, lead: LexborNode) -> bool:
    """True when ``node`` continues the story that starts at ``lead``: a body split in parts.

    The parts are elements of one kind (tag and first class) under one parent, one of them
    (or its child) holding the first line.
    """
    starts: dict[int, tuple[str | None, str]] = {}
    holder: LexborNode | None = lead
    for _ in range(CONTINUE_UP + 1):
        if holder is None or holder.parent is None:
            break
        starts[holder.parent.mem_id] = _kind(holder)
        holder = holder.parent
    part: LexborNode | None = node
    for _ in range(CONTINUE_UP + 1):
        if part is None or part.parent is None:
            return False
        kind = starts.get(part.parent.mem_id)
        if kind is not None:
            return kind == _kind(part) and kind[1] != ""
        part = part.parent
    return False


def _best(candidates: list[Candidate], known: bool) -> Candidate | None:
    """The candidate worth most, judging far text as far wherever it sits.

    A container beside the headline that also holds a far candidate (the story and the
    comment thread under one wrapper) earns nothing for the far part; among nested
    candidates worth about the same, the innermost wins.
    """
    if not candidates:
        return None
    ancestry = {id(c): _levels_above(c.node) for c in candidates}
    far: dict[int, Candidate] = {}
    for c in candidates:
        if known and not c.near:
            far.setdefault(c.node.mem_id, c)
    # Only the outermost far containers are subtracted (nested ones are inside them).
    outer_far = [
        f
        for f in far.values()
        if not any(o is not f and o.node.mem_id in ancestry[id(f)] for o in far.values())
    ]
    worth: dict[int, float] = {}
    for c in candidates:
        value = c.worth(known) * (HOME if c.path == "paragraphs" else 1.0)
        if c.near:
            for f in outer_far:
                if f.node.mem_id != c.node.mem_id and c.node.mem_id in ancestry[id(f)]:
                    value -= f.chars - f.linked
        worth[id(c)] = value
    best = max(candidates, key=lambda c: worth[id(c)])
    while True:
        inner = [
            c
            for c in candidates
            if c.node.mem_id != best.node.mem_id
            and best.node.mem_id in ancestry[id(c)]
            and worth[id(c)] >= worth[id(best)] * INNER_SHARE
        ]
        if not inner:
            break
        best = max(inner, key=lambda c: worth[id(c)])
    return best if worth[id(best)] > 0 else None


def _merge_parts(node: LexborNode) -> LexborNode:
    """The parent of ``node`` when it and its siblings of the same kind are the parent.

    A body split in parts ("story-body-1", "story-body-2", with a promo between them) is
    voted for part by part, and the best part alone wins; their parent holds them all.
    """
    parent = node.parent
    kind = _kind(node)
    if parent is None or parent.tag in ("body", "html") or not kind[1]:
        return node
    same: list[LexborNode] = []
    child = parent.child
    while child is not None:
        if child.is_element_node and child.mem_id != node.mem_id and _kind(child) == kind:
            same.append(child)
        child = child.next
    if not same:
        return node  # the usual case, settled without reading any text
    sizes = [len(part.text(strip=True)) for part in (node, *same)]
    parts = sum(1 for size in sizes if size)
    if parts >= 2 and sum(sizes) >= len(parent.text(strip=True)) * PARTS_SHARE:
        return parent
    return node


def _opens_a_box(node: LexborNode) -> bool:
    """True when ``node`` starts like a box of its own: a heading, or a label ("Advertisement")."""
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            text = (child.text_content or "").strip()
            if text:
                return is_furniture_line(text)
        elif tag in _BOX_HEADINGS:
            return True
        elif tag not in _BOX_SKIP:
            text = child.text(strip=True)
            if text:
                # The first element with text: a label line, or a box opening with a heading.
                return is_furniture_line(text) or _opens_a_box(child)
        child = child.next
    return False


def _drop_boxes(node: LexborNode, lead: LexborNode | None) -> LexborNode:
    """Step down to the child holding the story when what follows it are boxes of their own.

    After a short post, its wrapper often holds an unnamed author box ("<h4>Name</h4><p>
    bio..."), an ad under an "Advertisement" label or a sidebar of headed blocks, which the
    vote counts with the post. When every sizeable sibling after the story's block opens
    with a heading or a label, and none is another part of the story (same kind), the
    story's block is taken alone.
    """
    if lead is None:
        return node
    lead_ids = _levels_above(lead)
    for _ in range(BOX_LEVELS):
        holder: LexborNode | None = None
        child = node.child
        while child is not None:
            if child.mem_id in lead_ids and child.mem_id != lead.mem_id:
                holder = child
                break
            child = child.next
        if holder is None:
            return node
        kind = _kind(holder)
        after: list[LexborNode] = []
        sibling = holder.next
        while sibling is not None:
            if sibling.is_element_node and len(sibling.text(strip=True)) >= BOX_MIN:
                after.append(sibling)
            sibling = sibling.next
        if not after:
            node = holder
            continue
        if any((kind[1] and _kind(s) == kind) or s.tag in _PART_TAGS for s in after):
            return node  # further parts of the story (a split body, headed sections)
        size = len(holder.text(strip=True))
        if size < len(node.text(strip=True)) * BOX_SHARE:
            return node
        # Boxes are not much longer than the story they follow, and open with a heading or
        # a label.
        if not all(len(s.text(strip=True)) <= size * BOX_LARGER and _opens_a_box(s) for s in after):
            return node
        node = holder
    return node


def choose(
    body: LexborNode,
    furniture_strength: Callable[[LexborNode], int],
    headline: LexborNode | None,
) -> tuple[LexborNode, str]:
    """The container of the story in ``body`` and the name of the path that chose it.

    The usual page is settled by the first vote. When its winner holds a comment thread
    (or is one), or fails the check, every comment thread on the page is removed and the
    page is judged with all the passes: threads are looked for on the whole page only then,
    which spares most pages a pass over the tree.
    """
    first = rate_body(body, furniture_strength, headline)
    # The vote stands for the careful pass as long as the tree has not changed since.
    rating: Rating | None = None
    if first.score > 0 and remove_comments(first.node, headline, page=body) == 0:
        quick = _choose(body, furniture_strength, headline, first, careful=False)
        if quick is not None:
            return quick
        rating = first
    # (Otherwise nothing won, or a thread sat in the winner, now gone: judge again.)
    if remove_comments(body, headline) > 0 or rating is None:
        rating = rate_body(body, furniture_strength, headline)
    careful = _choose(body, furniture_strength, headline, rating, careful=True)
    return careful if careful is not None else (body, "page")


def _choose(
    body: LexborNode,
    furniture_strength: Callable[[LexborNode], int],
    headline: LexborNode | None,
    rating: Rating,
    careful: bool,
) -> tuple[LexborNode, str] | None:
    headline_levels = _levels_above(headline)
    lead = lead_text(headline) if headline is not None else None
    lead_levels = _levels_above(lead)
    zone = region(headline) if headline is not None else None
    known = headline is not None

    node, score = rating.node, rating.score
    if score > 0 and lead is not None and node.tag in ("table", "tbody", "tr"):
        cell = _lead_cell(node, lead)
        if cell is not node:
            # The vote measured the row: measure the cell instead.
            measured = _measure(cell, "paragraphs", headline_levels, lead_levels)
            prose = float(measured.chars - measured.linked)
            rating = rating._replace(node=cell, prose=prose, linked=float(measured.linked))
            node = cell
    candidates: list[Candidate] = []
    if score > 0:
        # The vote's own measures decide the usual page without reading the text again;
        # only a small winner is read for sidebar words (a big block of prose is no sidebar).
        lines_added = bool(lead_levels) and not _lead_near(node, lead_levels)
        if lines_added:
            _add_lines(lead, lead_levels)
        near = not known or (
            _lead_near(node, lead_levels) if lead_levels else _is_near(node, headline_levels)
        )
        if (
            rating.prose >= MIN_CONFIDENT
            and rating.linked <= (rating.prose + rating.linked) * MAX_LINKED
            and near
            and (rating.prose >= VOCAB_FREE or _vocabulary(node.text(strip=True)) < 2)
        ):
            return _merge_parts(_drop_boxes(node, lead)), "paragraphs"
        if not careful:
            return None
        if not lines_added:
            _add_lines(lead, lead_levels)
        candidates.append(_measure(node, "paragraphs", headline_levels, lead_levels))
    else:
        _add_lines(lead, lead_levels)

    passes: list[tuple[str, LexborNode, Callable[[LexborNode], int] | None]] = []
    if zone is not None:
        passes.append(("headline", zone, furniture_strength))
    passes.append(("text", body, furniture_strength))
    passes.append(("unnamed", body, None))
    # The "text" and "unnamed" passes count the same prose on the same root: once will do.
    counted: dict[int, Votes] = {}
    for path, root, rate in passes:
        votes = counted.get(root.mem_id)
        if votes is None:
            votes = counted[root.mem_id] = vote(root, direct_text=True)
        other, other_score, _, _ = rate_votes(votes, rate, headline)
        if other_score > 0 and lead is not None and other.tag in ("table", "tbody", "tr"):
            other = _lead_cell(other, lead)
        if other_score > 0:
            candidates.append(_measure(other, path, headline_levels, lead_levels))
    first_line = lead_text(headline, links=True) if headline is not None else None
    if first_line is not None:
        under = _link_block(first_line, headline_levels)
        if under is not None:
            listed = _measure(under, "links", headline_levels, lead_levels)
            if listed.link_density > MAX_LINKED:
                if lead is None or first_line.mem_id != lead.mem_id:
                    # The first line after the headline is a link and the first prose line
                    # comes later: the block of links is what follows the headline (a
                    # round-up post), and what comes after it (a bio box) is not.
                    lead_levels = _levels_above(first_line)
                    candidates = [
                        _measure(c.node, c.path, headline_levels, lead_levels) for c in candidates
                    ]
                candidates.append(_measure(under, "links", headline_levels, lead_levels))

    if lead is not None:
        # The story's first line after the headline: the block holding it (a <br>-built
        # div), or the container of its paragraph.
        holder = lead.parent if lead.tag == "p" and lead.parent is not None else lead
        if holder.tag not in ("body", "html"):
            held = _measure(holder, "lead", headline_levels, lead_levels)
            # A caption or a standfirst is a first line too, but no story.
            if held.chars - held.linked >= MIN_CONFIDENT:
                candidates.append(held)

    if lead is not None:
        candidates = [
            replace(c, near=True) if not c.near and _continues(c.node, lead) else c
            for c in candidates
        ]
    viable = [c for c in candidates if c.link_density <= MAX_LINKED or c.path == "links"]
    best = _best(viable, known)
    if best is not None:
        return _merge_parts(_drop_boxes(best.node, lead)), best.path
    fallback = _largest_prose(body)
    if fallback is not None:
        return fallback, "fallback"
    # A page with hardly any text: all of it is worth more than a fragment of it.
    return body, "page"
