"""The URL shortcuts of large-feed parsing give exactly what the long way gives."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tui_reader.core import feedparse_urls
from tui_reader.core.feedparse_urls import entry_url, resolver
from tui_reader.core.sanitize import safe_url

BASES = [
    "https://host.example.com/dir/feed.xml",
    "https://host.example.com/",
    "http://host.example.com:8080/a/b/",
    "https://host.example.com",
    "https://host.example.com/a//b/feed",
    "https://host.example.com/a/./b/feed?x=1#top",
]

# Characters URLs are made of, plus the ones the shortcuts must leave to the long way.
PIECES = st.sampled_from(
    ["a", "b", "Z", "0", "-", "_", ".", "..", "/", "//", "?", "#", ";", ":", "=", "&", "%20",
     "~", "@", "+", " ", "\t", "é", "\u202e", "[", "]", "http:", "HTTP://", "https://", "x.org"]
)  # fmt: skip
REFERENCES = st.lists(PIECES, max_size=12).map("".join)


@settings(max_examples=800, deadline=None)
@given(base=st.sampled_from(BASES), reference=REFERENCES)
@example(base=BASES[0], reference="/posts/1")
@example(base=BASES[0], reference="posts/1?x=1#y")
@example(base=BASES[0], reference="/a?")
@example(base=BASES[0], reference="/a#")
@example(base=BASES[0], reference="/a;b")
@example(base=BASES[0], reference="/a//b")
@example(base=BASES[0], reference="/a/./b")
@example(base=BASES[4], reference="x")
def test_resolver_matches_urljoin(base: str, reference: str) -> None:
    try:
        expected = urljoin(base, reference)
    except ValueError:
        expected = ""
    assert resolver(base)(reference) == expected


@settings(max_examples=800, deadline=None)
@given(
    base=st.sampled_from(BASES), tail=REFERENCES, scheme=st.sampled_from(["https://", "http://"])
)
@example(base=BASES[0], tail="host.example.com/a?", scheme="https://")
@example(base=BASES[0], tail="host.example.com/a;p", scheme="https://")
@example(base=BASES[0], tail="[::1/x", scheme="https://")
def test_entry_url_matches_safe_url(base: str, tail: str, scheme: str) -> None:
    for url in (scheme + tail, tail, scheme.upper() + tail):
        assert entry_url(url, base) == safe_url(url, base, fetchable=True)


def test_the_shortcuts_are_taken_for_plain_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not only equal: the common shapes must not need urljoin at all.
    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("took the long way")

    resolve = resolver("https://host.example.com/dir/feed.xml")
    monkeypatch.setattr(feedparse_urls, "urljoin", refuse)
    monkeypatch.setattr(feedparse_urls, "safe_url", refuse)
    assert resolve("/rel/1") == "https://host.example.com/rel/1"
    assert resolve("img/a.png?w=2") == "https://host.example.com/dir/img/a.png?w=2"
    assert entry_url("https://e.org/a?b=1#c", "https://x.org/") == "https://e.org/a?b=1#c"
