"""Prune a parsed page down to what could be article text.

Everything here mutates the tree, so it runs after metadata has been read. Removing an
element only unlinks it from the tree (selectolax 0.4 and later): the memory goes with the
document, so a handle to an element inside a removed one stays valid, and removals may come
in any order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tui_reader.core.extract.boilerplate import (
    ANY_FURNITURE_NAME,
    ARTICLE_NAME,
    CONTENT_WORDS,
    HIDDEN_STYLE,
    JUNK_TAGS,
    STRONG_NAME,
)
from tui_reader.core.extract.headline import ancestor_ids

# Structural tags that are furniture unless they hold the body.
_STRUCTURAL = frozenset({"header", "footer", "aside", "form"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NEVER_REMOVE = frozenset({"html", "body", "article", "main"})
_BAD_ROLES = frozenset(
    {
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "menu",
        "menubar",
        "dialog",
        "alertdialog",
        "toolbar",
        "tablist",
    }
)
# Matching the furniture names in the selector engine is slower than fetching every named
# element and matching the names in one regular expression.
_CANDIDATES = "[class], [id], [role], header, footer, aside, form"

MAX_FURNITURE = 500
# The elements that may be hidden, for ``prune`` to confirm. Most styled elements hide
# nothing, and value tests in the selector cost less than reading each one's attributes in
# Python. (Lower-casing turns no other letter into one of "none" or "hidden", so these match
# every element the test in ``prune`` accepts.)
_HIDDEN_CANDIDATES = '[hidden], [aria-hidden="true" i], [style*="none" i], [style*="hidden" i]'
# A furniture-named element holding at least this share of the container's text is a layout
# wrapper with an unlucky class name ("page sidebar-left"), so it is kept.
_WRAPPER_SHARE = 0.5


def _unique(nodes: Iterable[LexborNode]) -> list[LexborNode]:
    seen: set[int] = set()
    unique: list[LexborNode] = []
    for node in nodes:
        key = node.mem_id
        if key not in seen:
            seen.add(key)
            unique.append(node)
    return unique


# Class tokens that describe the article's subject or kind, not the element's role:
# WordPress, TypePad and similar systems add "tag-<slug>", "category-<slug>",
# "entry-category-<slug>", "post-type-<kind>" or "entry-author-<name>" to the post wrapper,
# and a post tagged "comments" or "social media" is still the post. Script hooks ("js-...")
# name behaviour, not content.
_TAXONOMY_TOKEN = re.compile(
    r"(?:^|\s)(?:(?:entry|post|article)-(?:category|categories|tag|tags|type|format|author|topic)"
    r"|tag|category|categories|topic|topics|section|type|format|js)-\S*"
)


# What one class/id token says (bits, combined over an element's tokens by _name_verdict).
_NAMES_ARTICLE, _ANY_FURNITURE, _STRONG_FURNITURE, _KEPT = 1, 2, 4, 8


@lru_cache(maxsize=32768)
def _token_verdict(token: str) -> int:
    """The verdict bits of one lower-cased, whitespace-free class or id token.

    No name pattern reaches across whitespace (their alternatives hold none, and their
    boundaries accept it), and a taxonomy token is removed whole, so judging a name string
    token by token gives what judging it at once gives. Tokens ("row", "col-md-6",
    "entry-content") repeat far more across elements and sites than whole class strings
    do, so most tokens are judged once per run. A taxonomy token is not ``_KEPT``.
    """
    if "-" in token and _TAXONOMY_TOKEN.match(token) is not None:
        return 0
    if ARTICLE_NAME.search(token) or "embed" in token:
        return _KEPT | _NAMES_ARTICLE  # the verdict, whatever else the names say
    if not ANY_FURNITURE_NAME.search(token):
        return _KEPT
    if STRONG_NAME.search(token):
        return _KEPT | _ANY_FURNITURE | _STRONG_FURNITURE
    return _KEPT | _ANY_FURNITURE


@lru_cache(maxsize=32768)
def _name_verdict(names: str) -> int:
    """Classify class/id names: 0 neutral, 1 weak furniture, 2 strong, 3 names the article.

    Pages repeat the same class strings many times (and sites repeat them across pages), so
    the verdicts are cached.
    """
    tokens = names.lower().split()
    bits = 0
    for token in tokens:
        bits |= _token_verdict(token)
    if bits & _NAMES_ARTICLE:
        # Embedded posts and media ("social-media-embed") are quoted content, not furniture.
        return 3
    if not bits & _ANY_FURNITURE:
        return 0
    if bits & _STRONG_FURNITURE:
        return 2
    # Weak furniture, unless a name also says content (only asked on these few elements).
    for token in tokens:
        if _token_verdict(token) & _KEPT and CONTENT_WORDS.search(token):
            return 0
    return 1


_SLUG_JUNK = re.compile(r"[^\w]+")
_MIN_SLUG = 12


def _is_heading_anchor(node: LexborNode, ident: str) -> bool:
    """True when ``ident`` is the slug of the element's own heading.

    Documentation and wiki generators name each section after its heading
    ("sharing-with-a-single-developer"); such an id says what the section is about, not
    what role it plays.
    """
    heading = node.css_first("h1, h2, h3, h4, h5, h6")
    if heading is None:
        return False
    slug = _SLUG_JUNK.sub("-", heading.text().lower()).strip("-")
    key = _SLUG_JUNK.sub("-", ident.lower()).strip("-")
    # Generators shorten long slugs, never lengthen them.
    return slug == key or (len(key) >= _MIN_SLUG and slug.startswith(key))


def furniture_strength(node: LexborNode) -> int:
    """0: not furniture; 1: probably furniture (by tag/role/weak name); 2: surely furniture."""
    tag = node.tag
    if tag in ("html", "body"):
        return 0
    attrs = node.attributes
    if not attrs:
        return 1 if tag in _STRUCTURAL else 0
    ident = attrs.get("id") or ""
    names = attrs.get("class") or ""
    # (Names are judged token by token: without an id, the class alone is the same string.)
    verdict = _name_verdict(f"{names} {ident}" if ident else names)
    if verdict and ident.count("-") >= 2:
        # Only an id that changes the verdict is worth comparing with the heading.
        by_class = _name_verdict(names)
        if by_class != verdict and _is_heading_anchor(node, ident):
            verdict = by_class
    if verdict == 3:
        return 0
    if verdict == 2:
        return 2
    if tag in _NEVER_REMOVE:
        return 0
    if attrs.get("role") in _BAD_ROLES:
        return 2
    if tag in _STRUCTURAL:
        return 1
    if tag in _HEADING_TAGS:
        return 0  # a heading classed "recipe-header" is still a heading
    return verdict


# The junk tags found by name, one tag at a time: a selector pass tests every part of its
# group on every element, and costs about twice what this does.
_JUNK = tuple(tag for tag in JUNK_TAGS if tag != "head")


def prune(tree: LexborHTMLParser) -> LexborNode | None:
    """Remove junk tags and hidden elements; return the body (or None)."""
    # The parser makes one <head> at most (it ignores any later <head> tag), and the
    # document points at it: removed directly, without a pass over the tree to find it.
    head = tree.head
    if head is not None:
        head.decompose(recursive=False)
    # Each is unlinked on its own, with what it holds; the order does not matter, as
    # removing an element only unlinks it (see the module's docstring).
    for tag in _JUNK:
        for node in tree.tags(tag):
            node.decompose(recursive=False)
    body = tree.body
    if body is None:
        return None
    for node in reversed(_unique(body.css(_HIDDEN_CANDIDATES))):
        # Most of these carry a style that hides nothing: the tag is read only for the rest.
        attrs = node.attributes
        style = (attrs.get("style") or "").lower()
        if (
            "hidden" in attrs
            or attrs.get("aria-hidden") == "true"
            or (("none" in style or "hidden" in style) and HIDDEN_STYLE.search(style))
        ) and node.tag not in _NEVER_REMOVE:
            node.decompose()
    return body


def furniture(root: LexborNode) -> list[tuple[LexborNode, int]]:
    """Elements under ``root`` that look like furniture, with their strength, in doc order."""
    found: list[tuple[LexborNode, int]] = []
    # An element matching several parts of the selector is reported once per part: each is
    # rated once (de-duplicated in this same loop, the container holding many of them).
    seen: set[int] = set()
    for node in root.css(_CANDIDATES):
        key = node.mem_id
        if key in seen:
            continue
        seen.add(key)
        strength = furniture_strength(node)
        if strength:
            found.append((node, strength))
    return found


NESTED_ARTICLES = "article article"


def nested_articles(root: LexborNode, inner: list[LexborNode] | None = None) -> set[int]:
    """``mem_id`` s of <article> elements that sit, two or more together, inside another.

    In HTML an article inside an article is a comment or a related item; a story page
    that lists several of them inside its own article is showing teasers. ``inner``: what
    ``root.css(NESTED_ARTICLES)`` gives, when the caller has it already.
    """
    if inner is None:
        inner = root.css(NESTED_ARTICLES)
    if len(inner) < 2:
        return set()
    by_outer: dict[int, list[int]] = {}
    for node in inner:
        parent = node.parent
        while parent is not None and parent.tag != "article":
            parent = parent.parent
        if parent is not None:
            by_outer.setdefault(parent.mem_id, []).append(node.mem_id)
    return {key for group in by_outer.values() if len(group) >= 2 for key in group}


# A class or id token that names a comment, a comment thread (trackbacks and pingbacks are
# comments left by other blogs) or the reply form: nobody
# calls the story that. "commentary" and "commentator" are stories and people; state flags
# ("comments-open", "has-comments", "commentable") describe the story, not a thread.
_COMMENT_TOKEN = re.compile(r"comment(?!ar|at|able)|disqus|trackback|pingback|^respond$")
_COMMENT_STATE = re.compile(
    r"^(?:has|no|allow|with|show|enable|open)-?comments?$|^comments?-(?:open|closed|enabled|"
    r"disabled|on|off|count|link|number)s?$"
)
# Case-sensitive fragments ("omment" finds "comments" and "blogComment"): a substring
# test that ignores case costs the selector engine noticeably more on every element.
_COMMENT_SELECTOR = (
    "[class*=omment], [id*=omment], [id*=isqus], [class*=rackback], [id*=rackback], [id=respond]"
)
# Without a known headline, an element holding more than this share of the page's text is
# not removed as a comment thread (it may be the story with an odd name).
_COMMENT_SHARE = 0.5


def _is_comment_name(names: str) -> bool:
    for token in names.lower().split():
        if _COMMENT_TOKEN.search(token) and not _COMMENT_STATE.match(token):
            return True
    return False


def remove_comments(
    root: LexborNode, headline: LexborNode | None, page: LexborNode | None = None
) -> int:
    """Remove comment threads (and reply forms) from ``body``; return how many.

    They go before the container is chosen: a thread nested inside the story's container
    would otherwise count against it, or win with its own paragraphs. An element that holds
    the headline, or names itself the article body, is never a comment thread.
    """
    found = root.css(_COMMENT_SELECTOR)
    if not found:
        return 0
    keep = ancestor_ids(headline)
    # The page's text (all of it) is measured only when a candidate named as a thread needs
    # the comparison: on most pages no match has such a name.
    total = -1
    doomed: list[LexborNode] = []
    for node in _unique(found):
        if node.tag in ("html", "body") or node.mem_id in keep:
            continue
        attrs = node.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if not _is_comment_name(names) or ARTICLE_NAME.search(names.lower()):
            continue
        if headline is None:
            if total < 0:
                total = len((page or root).text())
            if len(node.text()) > total * _COMMENT_SHARE:
                continue
        doomed.append(node)
    for node in reversed(doomed):
        node.decompose()
    return len(doomed)


def has_ancestor(node: LexborNode, tag: str) -> bool:
    """True when an element above ``node`` is a ``tag``."""
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


# An offset given in per cent of the parent ("top: 34.8%"): text placed at a point of a
# picture. (Not "margin-top": the name must start the declaration.)
_PERCENT_OFFSET = re.compile(r"(?<![\w-])(top|bottom|left|right)\s*:\s*-?[\d.]+%", re.IGNORECASE)
# Labels of a chart or a map are a few words; text longer than this is not a label.
OVERLAY_LABEL_CHARS = 80


def drop_overlay_labels(container: LexborNode, placed: list[LexborNode] | None = None) -> None:
    """Remove short texts laid over a picture: the labels of a chart, a map or a diagram.

    Graphics exported for the web (charts drawn in an illustration program, annotated
    maps) are a picture with each label positioned over it at a vertical and a horizontal
    offset in per cent. Read as text, they are a column of numbers and fragments ("$915",
    "billion", "’22"); the picture itself is kept. ``placed``: the container's elements
    with a per-cent sign in their style, when the caller has found them.
    """
    if placed is None:
        placed = container.css('[style*="%"]')
    for node in reversed(placed):
        if node.mem_id == container.mem_id:
            continue  # (``css`` matches the container itself too)
        style = node.attributes.get("style") or ""
        sides = {side.lower() for side in _PERCENT_OFFSET.findall(style)}
        if not (sides & {"top", "bottom"} and sides & {"left", "right"}):
            continue
        if len(node.text(strip=True)) <= OVERLAY_LABEL_CHARS and node.css_first("img") is None:
            node.decompose()


# A teaser card: a picture linking to another page, a title and a line or two. A grid of
# at least this many cards of one make, after the story's last paragraph, is a "related
# stories" block; a card holds no more text than this.
TEASER_CARDS = 3
TEASER_CARD_CHARS = 300
# A grid holding this share of the container's text or more is what the post is about (a
# round-up of recipes, a list of deals), even after its last paragraph.
TEASER_GRID_SHARE = 0.25
# A paragraph this long after the grid means the grid sits inside the story, not after it.
_TRAILING_PROSE = 150
_PLACED_OR_LINKED_PICTURE = '[style*="%"], a[href] img'
_PICTURE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:$|[?#])", re.IGNORECASE)


def _card_target(card: LexborNode) -> str | None:
    """Where a teaser card links: its first link to another page (not a picture file)."""
    link = card if card.tag == "a" else card.css_first("a[href]")
    href = (link.attributes.get("href") or "").strip() if link is not None else ""
    if not href or href.startswith(("#", "javascript:")) or _PICTURE_FILE.search(href):
        return None
    return href


def _prose_follows(node: LexborNode | None, container: LexborNode) -> bool:
    """True when a paragraph of prose comes after ``node`` inside ``container``."""
    while node is not None and node.mem_id != container.mem_id:
        sibling = node.next
        while sibling is not None:
            if sibling.is_element_node:
                for para in sibling.css("p"):
                    if len(para.text(strip=True)) >= _TRAILING_PROSE:
                        return True
            sibling = sibling.next
        node = node.parent
    return False


def drop_teaser_grids(container: LexborNode, pictures: list[LexborNode] | None = None) -> None:
    """Remove grids of teaser cards (picture link, title, a line) that follow the story.

    A grid is several sibling elements of one make (tag and class), each short and linking,
    with a picture, to a page of its own. Inside the story such a grid would be part of it
    (a round-up, a list of deals), so only a grid after the story's last paragraph, holding
    less than a quarter of the text, goes. Pictures linking to their own files are a gallery,
    not teasers. ``pictures``: the container's linked pictures, when the caller has them.
    """
    if pictures is None:
        pictures = container.css("a[href] img")
    if len(pictures) < TEASER_CARDS:
        return
    # Each parent is looked at once for each make of child that a climb reaches it by.
    judged: set[tuple[int, str, str | None]] = set()
    doomed: list[LexborNode] = []
    total = -1  # the container's text, measured when a grid is judged
    for picture in pictures:
        card: LexborNode | None = picture.parent
        while card is not None and card.tag != "a":
            card = card.parent
        # Climb from the link to the element repeated beside its siblings: the card.
        for _ in range(4):
            if card is None or card.mem_id == container.mem_id:
                break
            grid = card.parent
            if grid is None:
                break
            key = (grid.mem_id, card.tag or "", card.attrs.get("class"))
            if key in judged:
                break
            judged.add(key)
            cards = _alike_children(grid, card)
            if len(cards) >= TEASER_CARDS:
                if total < 0:
                    total = len(container.text(strip=True))
                if _is_teaser_grid(cards, grid, container, total):
                    doomed.append(grid)
                break
            card = grid
    for grid in doomed:
        grid.decompose()


def _alike_children(parent: LexborNode, card: LexborNode) -> list[LexborNode]:
    """The children of ``parent`` of the same make as ``card``: its tag and its class."""
    tag = card.tag
    names = card.attrs.get("class")
    alike: list[LexborNode] = []
    child = parent.child
    while child is not None:
        if child.tag == tag and child.attrs.get("class") == names:
            alike.append(child)
        child = child.next
    return alike


def _is_teaser_grid(
    cards: list[LexborNode], grid: LexborNode, container: LexborNode, total: int
) -> bool:
    targets: set[str] = set()
    for card in cards:
        if len(card.text(strip=True)) > TEASER_CARD_CHARS:
            return False
        target = _card_target(card)
        if target is None:
            return False
        targets.add(target)
    if len(targets) < TEASER_CARDS:
        return False  # one link repeated: a single item laid out in parts
    if grid.mem_id == container.mem_id or len(grid.text(strip=True)) >= total * TEASER_GRID_SHARE:
        return False
    return not _prose_follows(grid, container)


def strip_furniture(container: LexborNode, teasers: set[int] | None = None) -> None:
    """Remove furniture inside ``container``, keeping wrappers that hold most of its text.

    ``teasers`` (from :func:`nested_articles`) are removed first, whatever their size.
    """
    if teasers:
        doomed = [node for node in container.css("article") if node.mem_id in teasers]
        for node in reversed(doomed):
            if node.mem_id != container.mem_id:
                node.decompose()
    # Labels placed over a picture and linked pictures are found in one pass.
    placed: list[LexborNode] = []
    pictures: list[LexborNode] = []
    for node in container.css(_PLACED_OR_LINKED_PICTURE):
        # (A picture matched for its style too is never a label: labels hold no picture.)
        (pictures if node.tag == "img" else placed).append(node)
    drop_overlay_labels(container, placed)
    drop_teaser_grids(container, pictures)
    # Judging furniture means measuring its text; on pathological pages (thousands of
    # nested share boxes) only the first ones are judged, which keeps the work bounded.
    found = furniture(container)[:MAX_FURNITURE]
    if not found:
        return
    # A credit or byline inside a caption belongs to the caption.
    # (Most pages have no caption at all, and finding none is the cheaper question. The
    # selector also matches when the container itself sits inside a caption.)
    in_captions = (
        {node.mem_id for node in container.css("figcaption *")}
        if container.css_first("figcaption") is not None or has_ancestor(container, "figcaption")
        else set()
    )
    limit = len(container.text()) * _WRAPPER_SHARE
    # Sizes are measured before anything is removed, so a wrapper is judged by what it held.
    doomed = [
        node for node, _ in found if node.mem_id not in in_captions and len(node.text()) < limit
    ]
    for node in reversed(doomed):
        node.decompose()
