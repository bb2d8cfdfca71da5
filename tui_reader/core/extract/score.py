"""Find the element that holds the article body.

Every paragraph-like element with enough prose credits its length to each of its ancestors;
every link debits its text from its ancestors. The body container is then the element with
the best balance of prose against links: big enough to hold all the paragraphs, and not so
big that it swallows menus and link lists. Among near-equal candidates the innermost wins,
because an outer wrapper that adds nothing but a headline and a byline is not the body.

This is the readability idea (paragraphs vote for their parents) without its fixed number of
levels, so an article split over sibling wrappers is still found whole. Votes decay gently
with each level, and the sums are computed bottom-up over just the part of the tree the votes
reached, so the cost grows with the prose, not with the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from selectolax.lexbor import LexborNode

from tui_reader.core.extract.boilerplate import ARTICLE_NAME
from tui_reader.core.extract.headline import ancestor_ids

# A vote climbs at most this far (bounds the work on deep trees).
MAX_CLIMB = 40
# Pathological pages (hundreds of thousands of links or paragraphs) are judged on a prefix.
MAX_UNITS = 20_000
# A paragraph needs this many characters to count as prose.
MIN_PROSE = 25
# Link text counts against a container this strongly.
LINK_WEIGHT = 1.0
# An inner candidate replaces its parent if it keeps this share of the parent's score.
INNER_SHARE = 0.85
# A weakly named furniture element holding this share of all prose is a wrapper.
WRAPPER_SHARE = 0.5
# Prose inside sure furniture counts this strongly against the containers around it. Comment
# threads, the reason for a penalty, are removed before the vote (a thread nested in the
# story's container pushed every ancestor below zero); what remains named as sure furniture
# ("read-more" expanders, share wrappers) is neutral: it neither helps nor sinks its
# ancestors.
FURNITURE_PENALTY = 0.0
# Named/semantic body containers get this multiplier.
SEMANTIC_BONUS = 1.1

# Text shorter than this that ends in an ellipsis is a teaser excerpt, not prose.
EXCERPT_CHARS = 400
# Each level up keeps this share of a paragraph's vote, so a container whose own children are
# the paragraphs beats an outer one that gathers scattered teasers.
DECAY = 0.95
# Text sitting directly in divs, spans and list items (pages built without <p>) is only
# looked for when the paragraphs hold less prose than this: it costs a pass over every such
# element, and on pages rich in <p> prose it did not change the choice.
DIRECT_TEXT_BELOW = 3000.0
# Inline elements between a link and its paragraph (<p><em><a>...).
_INLINE_TAGS = frozenset(
    {"a", "em", "i", "strong", "b", "span", "u", "small", "mark", "sup", "sub"}
)
_DIRECT_TEXT_ORDER = (
    "div",
    "section",
    "article",
    "main",
    "td",
    "li",
    "dd",
    "blockquote",
    "font",
    "center",
    "span",
)
_DIRECT_TEXT_TAGS = ", ".join(_DIRECT_TEXT_ORDER)


def stripped_len(node: LexborNode) -> int:
    """``len(node.text(strip=True))``, read cheaply when ``node`` holds just one text node."""
    only = node.first_child
    if only is not None and only.next is None and only.is_text_node:
        return len((only.text_content or "").strip())
    return len(node.text(strip=True))


def _flat_len(text: str) -> int:
    # Outer whitespace only: runs inside prose are short, and votes need no more precision.
    return len(text.strip())


def _is_excerpt(text: str, length: int) -> bool:
    # Teasers print the first lines of another story cut off with an ellipsis; prose
    # paragraphs of the story itself rarely end that way.
    return length < EXCERPT_CHARS and text.rstrip().endswith(("...", "…", "[…]", "[...]"))


class _Tree:
    """The part of the page that prose votes reached: elements, parents, children."""

    def __init__(self, root: LexborNode) -> None:
        self.root = root.mem_id
        self.nodes: dict[int, LexborNode] = {self.root: root}
        self.parent_of: dict[int, int] = {}
        self.outside: dict[int, int | None] = {}

    def register(self, node: LexborNode) -> int:
        """Add ``node`` and its ancestors (up to a known one); return its key."""
        start = key = node.mem_id
        current = node
        for _ in range(MAX_CLIMB):
            if key in self.nodes:
                break
            self.nodes[key] = current
            parent = current.parent
            if parent is None or not parent.is_element_node:
                break
            parent_key = parent.mem_id
            self.parent_of[key] = parent_key
            current, key = parent, parent_key
        else:
            self.nodes.setdefault(key, current)
        return start

    def nearest(self, node: LexborNode) -> int | None:
        """The key of the closest registered ancestor-or-self of ``node`` (memoised)."""
        path: list[int] = []
        current: LexborNode | None = node
        found: int | None = None
        for _ in range(MAX_CLIMB):
            if current is None:
                break
            key = current.mem_id
            if key in self.nodes:
                found = key
                break
            if key in self.outside:
                found = self.outside[key]
                break
            path.append(key)
            current = current.parent
        for key in path:
            self.outside[key] = found
        return found

    def top_down(self) -> list[int]:
        """Registered keys, every parent before its children."""
        children: dict[int, list[int]] = {}
        roots: list[int] = []
        for key in self.nodes:
            parent = self.parent_of.get(key)
            if parent is None or parent not in self.nodes:
                roots.append(key)
            else:
                children.setdefault(parent, []).append(key)
        order = roots
        index = 0
        while index < len(order):
            order.extend(children.get(order[index], ()))
            index += 1
        self.children = children
        return order


class Rating(NamedTuple):
    """The element a vote chose, with what the vote measured on it."""

    node: LexborNode
    score: float
    """Zero or less: nothing had more prose than links (do not trust ``node``)."""
    prose: float
    """Characters of prose (paragraphs, or text set in divs) inside it."""
    linked: float
    """Characters of link text inside it."""


def find_body(
    body: LexborNode,
    furniture_strength: Callable[[LexborNode], int] | None = None,
    headline: LexborNode | None = None,
) -> LexborNode:
    """Return the element of ``body`` that best holds the article text (see :func:`rate_body`)."""
    return rate_body(body, furniture_strength, headline)[0]


def _inline_text_len(node: LexborNode) -> int:
    # Text set directly in the element plus the text of its inline children: a story written
    # as "<b>Lead</b> text<br><a>name</a> more text<br>" in a div.
    size = 0
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            size += len((child.text_content or "").strip())
        elif tag in _INLINE_TAGS and tag != "a":
            size += stripped_len(child)
        child = child.next
    return size


def rate_body(
    body: LexborNode,
    furniture_strength: Callable[[LexborNode], int] | None = None,
    headline: LexborNode | None = None,
    direct_text: bool | None = None,
) -> Rating:
    """Return the element of ``body`` that best holds the article text, and its score.

    A score of zero or less means no element had more prose than links and penalties: the
    caller should not trust the choice. ``direct_text`` forces (True) or forbids (False)
    the pass over text set directly in divs and cells; by default it runs only when the
    paragraphs hold little prose. Forced, it also counts inline children and ``<br>`` runs.

    ``furniture_strength`` rates an element as furniture (0: no, 1: probably, 2: surely; see
    :func:`~tui_reader.core.extract.clean.furniture_strength`). Nothing inside furniture can
    be chosen, and prose inside sure furniture does not count for the containers around it.
    Only elements on the way up from some prose are rated, which
    is far cheaper than rating the whole page.
    """
    return rate_votes(vote(body, direct_text), furniture_strength, headline)


class Votes(NamedTuple):
    """Where a page's prose and links sit: what rating needs, whatever rates the furniture."""

    body: LexborNode
    tree: _Tree
    own: dict[int, float]
    links: dict[int, float]


def vote(body: LexborNode, direct_text: bool | None = None) -> Votes:
    """Count the prose and the link text of ``body`` on their containers (see :func:`rate_body`).

    The counts depend on the tree only: passes that rate furniture differently share them.
    """
    tree = _Tree(body)
    nodes = tree.nodes
    own: dict[int, float] = {}
    # On the page's body, links and paragraphs are found by tag name (in page order, as a
    # selector pass finds them, for less); a region of it takes the selector pass.
    page = body.parser if body.tag == "body" else None

    # One pass over the links: their text per enclosing paragraph (for the paragraphs' link
    # density) and their parents (for the containers' link text, once those are known).
    anchors: list[tuple[LexborNode, int]] = []
    para_links: dict[int, int] = {}
    for anchor in (page.tags("a") if page is not None else body.css("a"))[:MAX_UNITS]:
        # Most links hold one text node: its own stripped text is what ``text(strip=True)``
        # gives (that strips and joins every text node), without the general walk.
        only = anchor.first_child
        if only is not None and only.next is None and only.is_text_node:
            link_len = len((only.text_content or "").strip())
        else:
            link_len = len(anchor.text(strip=True))
        if not link_len:
            continue
        parent = anchor.parent
        if parent is None:
            continue
        anchors.append((parent, link_len))
        holder: LexborNode | None = parent
        climbed = 0
        while holder is not None:
            tag = holder.tag
            if tag == "p" or tag == "pre":
                key = holder.mem_id
                para_links[key] = para_links.get(key, 0) + link_len
                break
            climbed += 1
            if climbed == 3 or tag not in _INLINE_TAGS:
                break
            holder = holder.parent

    # (Preformatted blocks are rare; when there are some, one pass keeps the page order.)
    paras = page.tags("p") if page is not None and not page.tags("pre") else body.css("p, pre")
    for para in paras[:MAX_UNITS]:
        text = para.text()
        # The raw length bounds the collapsed one, so most short nodes skip the collapse.
        if len(text) < MIN_PROSE:
            continue
        text_len = _flat_len(text)
        if text_len < MIN_PROSE or _is_excerpt(text, text_len):
            continue
        if para_links.get(para.mem_id, 0) * 2 > text_len:
            continue
        parent = para.parent
        if parent is not None and parent.is_element_node:
            # Paragraphs come in runs under one parent: only the first one registers it.
            key = parent.mem_id
            if key not in nodes:
                tree.register(parent)
            own[key] = own.get(key, 0.0) + text_len

    prose = sum(own.values())
    if direct_text is None:
        direct_text = prose < DIRECT_TEXT_BELOW
        deep = False
    else:
        deep = direct_text
    units: list[LexborNode] = []
    if direct_text:
        if page is not None:
            # A tag at a time: eleven lookups cost less than one eleven-part pass, and each
            # element's count is the same in any order.
            for tag in _DIRECT_TEXT_ORDER:
                units.extend(page.tags(tag))
        else:
            units = body.css(_DIRECT_TEXT_TAGS)
    for node in units[:MAX_UNITS]:
        if deep:
            text_len = _inline_text_len(node)
            if text_len < MIN_PROSE:
                continue
        else:
            text = node.text(deep=False)
            if len(text) < MIN_PROSE:
                continue
            text_len = _flat_len(text)
            if text_len < MIN_PROSE or _is_excerpt(text, text_len):
                continue
        key = node.mem_id
        if key not in nodes:
            tree.register(node)
        own[key] = own.get(key, 0.0) + text_len

    links: dict[int, float] = {}
    if not own:
        return Votes(body, tree, own, links)

    registered = tree.nodes
    outside = tree.outside
    for parent, link_len in anchors:
        # Most links sit right inside a voted element or a sibling of one already seen.
        key = parent.mem_id
        if key in registered:
            found: int | None = key
        elif key in outside:
            found = outside[key]
        else:
            # Climb to a known element, remembering the answer for each one passed
            # (``_Tree.nearest``, written out: this loop runs for every link on the page).
            path = [key]
            current = parent.parent
            found = None
            for _ in range(MAX_CLIMB - 1):
                if current is None:
                    break
                up = current.mem_id
                if up in registered:
                    found = up
                    break
                if up in outside:
                    found = outside[up]
                    break
                path.append(up)
                current = current.parent
            for passed in path:
                outside[passed] = found
        if found is not None:
            links[found] = links.get(found, 0.0) + link_len
    return Votes(body, tree, own, links)


def rate_votes(
    votes: Votes,
    furniture_strength: Callable[[LexborNode], int] | None = None,
    headline: LexborNode | None = None,
) -> Rating:
    """Rate the containers that ``votes`` reached and return the winner (see :func:`rate_body`)."""
    body, tree, own, links = votes
    if not own:
        return Rating(body, 0.0, 0.0, 0.0)
    order = tree.top_down()
    children = tree.children
    nodes = tree.nodes
    furniture: dict[int, int] = {}
    if furniture_strength is not None:
        for key, node in nodes.items():
            strength = furniture_strength(node)
            if strength:
                furniture[key] = strength

    # Bottom-up sums (children are pushed into parents): raw prose held, link text held,
    # and the decayed score, to which sure furniture's prose adds nothing.
    parent_of = tree.parent_of
    upward: list[tuple[int, int | None]] = [(k, parent_of.get(k)) for k in reversed(order)]
    held = dict.fromkeys(order, 0.0)
    held.update(own)
    linked = dict.fromkeys(order, 0.0)
    linked.update((k, v) for k, v in links.items() if k in linked)
    for key, up_key in upward:
        if up_key is not None and up_key in held:
            held[up_key] += held[key]
            linked[up_key] += linked[key]
    # Furniture that is really a wrapper is settled first: the scores depend on it.
    if furniture:
        total = held[tree.root] if tree.root in held else sum(own.values())
        around = ancestor_ids(headline)
        for key in list(furniture):
            if key in around:
                # Whatever its name ("post share-enabled", "date-outer"), an element that
                # holds the story's headline is a wrapper of the story, not furniture.
                del furniture[key]
                continue
            if headline is not None or held[key] < total * WRAPPER_SHARE:
                # With the headline known, a wrapper must hold it: a large sidebar or footer
                # on a page with a short post holds much of the prose and is no wrapper.
                continue
            # A furniture-named element that holds most of the prose is usually a layout
            # wrapper with an unlucky name ("container has-sidebar"); a surely-furniture name
            # on a wrapper ("advertisement-off-canvas-pusher") must also hold the headline,
            # which a comment section does not.
            if furniture[key] == 1 or nodes[key].css_first("h1") is not None:
                del furniture[key]
    score = _scores(order, upward, own, furniture)

    ineligible: set[int] = set()
    for key in order:
        up_key = tree.parent_of.get(key)
        if key in furniture or (up_key is not None and up_key in ineligible):
            ineligible.add(key)

    final = {k: score[k] - LINK_WEIGHT * linked[k] for k in order if k not in ineligible}
    if not final:
        return Rating(body, 0.0, 0.0, 0.0)
    # The bonus can only matter for scores within its reach of the best one; the others
    # cannot win (or tie) whatever their name, so their nodes are not inspected.
    reach = max(final.values())
    adjusted = {
        k: _adjusted(v, nodes[k]) if v > 0 and v * SEMANTIC_BONUS >= reach else v
        for k, v in final.items()
    }
    best_key = max(adjusted, key=adjusted.__getitem__)
    best_score = adjusted[best_key]
    # Walk inwards while a single child keeps nearly all of the score.
    while True:
        inner = [
            k
            for k in children.get(best_key, ())
            if k in final and final[k] >= best_score * INNER_SHARE
        ]
        if len(inner) != 1:
            break
        best_key = inner[0]
    return Rating(nodes[best_key], best_score, held[best_key], linked[best_key])


def _scores(
    order: list[int],
    upward: list[tuple[int, int | None]],
    own: dict[int, float],
    furniture: dict[int, int],
) -> dict[int, float]:
    score = dict.fromkeys(order, 0.0)
    score.update(own)
    for key, parent in upward:
        if parent is not None and parent in score:
            value = score[key]
            if value > 0 and furniture.get(key):
                value = -value * FURNITURE_PENALTY
            score[parent] += DECAY * value
    return score


def _adjusted(score: float, node: LexborNode) -> float:
    if score > 0 and (
        node.tag in ("article", "main")
        or ARTICLE_NAME.search((node.attributes.get("class") or "").lower())
        or node.attributes.get("itemprop") in ("articleBody", "articlebody")
    ):
        return score * SEMANTIC_BONUS
    return score
