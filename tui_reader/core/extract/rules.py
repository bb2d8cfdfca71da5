"""Site rules: CSS selectors a user writes for the sites the heuristics get wrong.

A rule belongs to a domain and applies to that host and every host under it (a rule for
``example.org`` covers ``www.example.org`` and ``blog.example.org``); when several domains
match a host, the longest one wins, so ``news.example.org`` can override ``example.org``.
Names are compared in their ASCII form: a rule written ``bücher.example`` matches
``xn--bcher-kva.example`` too.

A rule has two parts, both optional:

- ``drop``: selectors of elements removed from the page before anything else looks at it;
- ``body``: the selector of the element holding the article. When it matches, that element
  is the container (the usual rendering and filters still apply inside it); when it matches
  nothing, the heuristics choose as if there were no ``body`` (and the log says so).

Selectors are checked when the configuration is read (:func:`check_selector`), so a typo is
reported once, naming the domain, rather than failing on every page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from tui_reader.core.sanitize import clean_line

if TYPE_CHECKING:
    from tui_reader.core.models import Block

__all__ = [
    "SiteRule",
    "SiteRules",
    "apply_rule",
    "check_selector",
    "normalize_domain",
    "rule_for",
]

logger = logging.getLogger("tui_reader.extract")

_HOST = re.compile(r"[\w.-]+")
MAX_SELECTOR = 500
"""Longer selectors are refused: nobody writes one, and each is run on every page."""


@dataclass(frozen=True, slots=True)
class SiteRule:
    """The selectors configured for one domain."""

    domain: str
    body: str | None = None
    drop: tuple[str, ...] = ()


SiteRules = Mapping[str, SiteRule]
"""Rules by domain (lower case, no leading dot), as read from ``config.toml``."""


@lru_cache(maxsize=1)
def _probe() -> LexborHTMLParser:
    return LexborHTMLParser("<html><body><p>probe</p></body></html>")


def check_selector(selector: object) -> str | None:
    """Why ``selector`` cannot be used (one line), or ``None`` when it is a valid selector."""
    if not isinstance(selector, str):
        return "must be a CSS selector string"
    if not selector.strip():
        return "is empty"
    if len(selector) > MAX_SELECTOR:
        return f"is longer than {MAX_SELECTOR} characters"
    if not selector.isprintable():
        return "contains control characters"
    tree = _probe()
    try:
        tree.css(selector)
    except (SelectolaxError, ValueError, TypeError):
        return "is not a valid CSS selector"
    return None


def normalize_domain(domain: str) -> str | None:
    """``domain`` as rules are keyed (lower case, no dots at the ends), or ``None`` if it
    cannot be a host name (empty, a URL, spaces)."""
    name = domain.strip().strip(".").lower()
    # Letters (any script), digits, hyphens, underscores and dots: a host name, or an IP.
    if not _HOST.fullmatch(name) or ".." in name:
        return None
    return _ascii_host(name)


def _ascii_host(host: str) -> str:
    """``host`` in its ASCII (punycode) form, so that both spellings of a name match."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def rule_for(url: str | None, rules: SiteRules | None) -> SiteRule | None:
    """The most specific rule whose domain is ``url``'s host or a parent of it."""
    if not rules or not url:
        return None
    try:
        host = _ascii_host((urlsplit(url).hostname or "").rstrip(".").lower())
    except ValueError:
        return None
    while host:
        rule = rules.get(host)
        if rule is not None:
            return rule
        _, _, host = host.partition(".")
    return None


def _drop(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> int:
    """Remove every element matching one of ``selectors``; returns how many went."""
    removed = 0
    # One selector at a time, each run on what the previous ones left: a node removed with
    # its parent is never touched again. Within one selector the matches come in document
    # order, so going backwards removes children before their parents.
    for selector in selectors:
        root = tree.root
        if root is None:
            break
        try:
            found = root.css(selector)
        except (SelectolaxError, ValueError, TypeError):
            continue  # checked at load time; a rule built in code may still be wrong
        seen: set[int] = set()
        for node in reversed(found):
            if node.tag in ("html", "head", "body") or node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            node.decompose()
            removed += 1
    return removed


def _chosen(tree: LexborHTMLParser, selector: str) -> LexborNode | None:
    try:
        return tree.css_first(selector)
    except (SelectolaxError, ValueError, TypeError):
        return None


def apply_rule(
    tree: LexborHTMLParser,
    rule: SiteRule,
    base: str | None,
    *,
    title: str = "",
    byline: str | None = None,
) -> list[Block] | None:
    """Apply ``rule`` to ``tree`` (mutating it): drop its elements, then render its body.

    Returns the article body as blocks when the rule names a body that is on the page and
    holds text; ``None`` when the heuristics must choose (no ``body`` in the rule, or it
    matched nothing), with ``tree`` left pruned of the dropped elements for them.
    """
    from tui_reader.core.extract.blocks import render
    from tui_reader.core.extract.clean import prune, strip_furniture
    from tui_reader.core.extract.filters import refine

    if rule.drop:
        _drop(tree, rule.drop)
    if not rule.body:
        return None
    where = clean_line(base or "a page without a URL")
    node = _chosen(tree, rule.body)
    if node is None:
        logger.warning(
            "site rule for %s: body %r matches nothing on %s; the article was chosen by the "
            "usual heuristics",
            rule.domain,
            rule.body,
            where,
        )
        return None
    # The chosen element is copied into a page of its own, so that the usual pruning (junk
    # tags, hidden elements) and furniture filters run inside it without ever judging the
    # element itself, whatever its class says.
    inner = node.inner_html or ""
    page = LexborHTMLParser(f"<html><body>{inner}</body></html>")
    body = prune(page)
    if body is None:
        return None
    strip_furniture(body)
    blocks = refine(render(body, base), title=title, byline=byline)
    if not blocks:
        logger.warning(
            "site rule for %s: body %r holds no text on %s; the article was chosen by the "
            "usual heuristics",
            rule.domain,
            rule.body,
            where,
        )
        return None
    return blocks
