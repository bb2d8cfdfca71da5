"""The committed hostile corpus is exactly what :func:`tests.hostile.corpus.build` makes."""

from __future__ import annotations

from tests.hostile.corpus import CORPUS_DIR, build
from tests.hostile.payloads import BAD_URL_ATTRS, BAD_URLS, ESCAPES, MARKUP, unsafe_chars


def test_committed_corpus_matches_the_builder() -> None:
    built = build()
    on_disk = {p.name for p in CORPUS_DIR.iterdir() if p.is_file()}
    assert on_disk == set(built), "run `python -m tests.hostile.corpus` to regenerate"
    for name, data in built.items():
        assert (CORPUS_DIR / name).read_bytes() == data, f"{name} is stale: regenerate it"


def test_corpus_really_is_hostile() -> None:
    # A corpus that lost its payloads would make every other test pass for nothing.
    page = (CORPUS_DIR / "page.html").read_text("utf-8")
    assert "\x1b]52;" in page and "\x1b]0;" in page and "\x1b[2J" in page
    assert "\x9b" in page and "\u202e" in page and "\x00" in page
    assert "[@click=app.quit]" in page and "jav&#x09;ascript:" in page
    feed = (CORPUS_DIR / "feed.json").read_text("utf-8")
    assert "\\u001b]52;" in feed and "file:///etc/passwd" in feed
    assert b"\x9b" in (CORPUS_DIR / "page-latin1.html").read_bytes()
    assert all(unsafe_chars(p) for p in ESCAPES.values())
    assert len(MARKUP) >= 3 and len(BAD_URLS) >= 10 and len(BAD_URL_ATTRS) >= 10
    assert sum(len(d) for d in build().values()) < 200_000, "keep committed files small"
