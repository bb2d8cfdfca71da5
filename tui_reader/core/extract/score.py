"""Find the element that holds the article body.

Every paragraph-like element with enough prose credits its length to each of its ancestors;
every link debits its text from its ancestors. The body container is then the element with
the best balance of prose against links: big enough to hold all the paragraphs, and not so
big that it swallows menus and link lists. Among near-equal candidates the innermost wins,
because an outer wrapper that adds nothing but a headline and a byline is not the body.

This is the readability idea (paragraphs vote for their parents) without its fixed number of
levels, so an article split over sibling wrappers is still found whole.
"""

from __future__ import annotations

from collections.abc import Callable

from selectolax.lexbor import LexborNode

from tui_reader.core.extract.boilerplate import ARTICLE_NAME

# Ancestors further up than this do not collect votes (bounds the work on deep trees).
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
# Prose inside furniture counts this strongly against the containers around it.
FURNITURE_PENALTY = 1.0
# Named/semantic body containers get this multiplier.
SEMANTIC_BONUS = 1.1

DEBUG = False
# Each level up keeps this share of a paragraph's vote, so a container whose own children are
# the paragraphs beats an outer one that gathers scattered teasers.
DECAY = 0.95
_DIRECT_TEXT_TAGS = "div, section, article, main, td, li, dd, blockquote, font, center, span"


def _flat_len(text: str) -> int:
    return len(" ".join(text.split()))


def find_body(
    body: LexborNode, furniture_strength: Callable[[LexborNode], int] | None = None
) -> LexborNode:
    """Return the element of ``body`` that best holds the article text.

    ``furniture_strength`` rates an element as furniture (0: no, 1: probably, 2: surely; see
    :func:`~tui_reader.core.extract.clean.furniture_strength`). Nothing inside furniture can
    be chosen; prose inside sure furniture (comment sections, share bars) also counts against
    the containers around it. Only elements on the way up from some prose are rated, which
    is far cheaper than rating the whole page.
    """
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    parent_of: dict[int, int] = {}
    ineligible: set[int] = set()
    body_id = body.mem_id
    units: list[tuple[list[int], float]] = []

    def chain(node: LexborNode) -> list[int]:
        ids: list[int] = []
        current = node
        while len(ids) < MAX_CLIMB:
            key = current.mem_id
            if key in parent_of or key == body_id:
                nodes.setdefault(key, current)
                # The rest of the chain is known: follow the map, no DOM access.
                up: int | None = key
                while up is not None and len(ids) < MAX_CLIMB:
                    ids.append(up)
                    up = parent_of.get(up)
                return ids
            ids.append(key)
            nodes[key] = current
            parent = current.parent
            if parent is None or not parent.is_element_node:
                return ids
            parent_of[key] = parent.mem_id
            current = parent
        return ids

    for para in body.css("p, pre")[:MAX_UNITS]:
        text = para.text()
        # The raw length bounds the collapsed one, so most short nodes skip the collapse.
        if len(text) < MIN_PROSE:
            continue
        text_len = _flat_len(text)
        if text_len < MIN_PROSE:
            continue
        link_len = sum(len(a.text(strip=True)) for a in para.css("a"))
        if link_len * 2 > text_len:
            continue
        parent = para.parent
        if parent is not None:
            units.append((chain(parent), float(text_len)))

    for node in body.css(_DIRECT_TEXT_TAGS)[:MAX_UNITS]:
        text = node.text(deep=False)
        if len(text) < MIN_PROSE:
            continue
        text_len = _flat_len(text)
        if text_len >= MIN_PROSE:
            units.append((chain(node), float(text_len)))

    furniture: dict[int, int] = {}
    if furniture_strength is not None:
        for key, node in nodes.items():
            strength = furniture_strength(node)
            if strength:
                furniture[key] = strength

    if furniture:
        # A furniture-named element that holds most of the prose is usually a layout wrapper
        # with an unlucky name ("container has-sidebar"), not furniture.
        held: dict[int, float] = dict.fromkeys(furniture, 0.0)
        total = 0.0
        for ids, amount in units:
            total += amount
            for key in ids:
                if key in held:
                    held[key] += amount
        for key, amount in held.items():
            if amount < total * WRAPPER_SHARE:
                continue
            # Surely-furniture names wrap whole pages too ("advertisement-off-canvas-pusher");
            # such a wrapper, unlike a comment section, also holds the headline.
            if furniture[key] == 1 or nodes[key].css_first("h1") is not None:
                del furniture[key]

    for ids, amount in units:
        index = len(ids)
        for position, key in enumerate(ids):
            rated = furniture.get(key)
            if rated is not None:
                index = position
                ineligible.update(ids[: position + 1])
                if rated > 1:
                    amount = -amount * FURNITURE_PENALTY
                break
        weight = 1.0
        for position, key in enumerate(ids):
            value = amount if position > index else abs(amount)
            scores[key] = scores.get(key, 0.0) + value * weight
            weight *= DECAY

    if not scores:
        return body

    for anchor in body.css("a")[:MAX_UNITS]:
        link_len = len(anchor.text(strip=True))
        if link_len:
            parent = anchor.parent
            if parent is not None:
                _debit(parent, link_len * LINK_WEIGHT, scores, parent_of)

    eligible = [k for k in scores if k not in ineligible] or list(scores)
    best_key = max(eligible, key=lambda k: _adjusted(k, scores, nodes))
    if DEBUG:
        for k in sorted(eligible, key=lambda k: -_adjusted(k, scores, nodes))[:8]:
            n = nodes[k]
            print(
                "cand",
                round(_adjusted(k, scores, nodes)),
                n.tag,
                n.attributes.get("class"),
                n.attributes.get("id"),
            )
    best_score = _adjusted(best_key, scores, nodes)
    # Walk inwards while a single child keeps nearly all of the score.
    children: dict[int, list[int]] = {}
    for child, parent_key in parent_of.items():
        children.setdefault(parent_key, []).append(child)
    while True:
        inner = [
            k
            for k in children.get(best_key, ())
            if scores[k] >= best_score * INNER_SHARE and k not in ineligible
        ]
        if len(inner) != 1:
            break
        best_key = inner[0]
    return nodes[best_key]


def _adjusted(key: int, scores: dict[int, float], nodes: dict[int, LexborNode]) -> float:
    score = scores[key]
    node = nodes[key]
    if score > 0 and (
        node.tag in ("article", "main")
        or ARTICLE_NAME.search(node.attributes.get("class") or "")
        or node.attributes.get("itemprop") in ("articleBody", "articlebody")
    ):
        return score * SEMANTIC_BONUS
    return score


def _debit(
    node: LexborNode, amount: float, scores: dict[int, float], parent_of: dict[int, int]
) -> None:
    # Only containers that collected prose can be chosen, so only they need debiting; find
    # the nearest such ancestor and follow the known chain from there.
    current: LexborNode | None = node
    for _ in range(MAX_CLIMB):
        if current is None:
            return
        key = current.mem_id
        if key in scores:
            up: int | None = key
            while up is not None:
                scores[up] -= amount
                up = parent_of.get(up)
            return
        current = current.parent
