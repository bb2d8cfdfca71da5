"""Feed entries' bodies: stored deferred, indexed from their HTML's words, rendered on reading.

The body a reader sees must be exactly the one the feed HTML renders to (as it was when bodies
were made up front), and every word of the entry must be findable from the moment it is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui_reader.core import parsework
from tui_reader.core.feedbody import fragment_article, index_words, render
from tui_reader.core.models import Article
from tui_reader.core.storage import Store
from tui_reader.core.storage.sqlite import DEFERRED_BODY, FeedUpdate


@pytest.mark.parametrize(
    ("html", "words"),
    [
        ("<p>Hello <b>W</b>orld &amp; co</p><p>next<br>line</p>", "Hello World & co next line"),
        ("plain text, no markup", "plain text, no markup"),
        ("a < b and c > d", "a < b and c > d"),
        ("<p>shown</p><script>var hidden = 1</script><style>p{}</style>", "shown"),
        ("<p>before<!-- a comment --> after</p>", "before after"),
        ("<p>one</p>\n\n   <p>two\tthree</p>", "one two three"),
        (
            '<p>text</p><img src="x.png" alt="A &quot;quoted&quot; picture">',
            'text A "quoted" picture',
        ),
        ('<img alt="only a picture">', "only a picture"),
        ("<p>same</p><img alt='same'>", "same"),
        ("<p>red \x1b[31malert\x1b[0m</p>", "red alert"),
        ("<p>caf&eacute; &#8212; &#x2603;</p>", "café — ☃"),
        ("", ""),
    ],
)
def test_index_words(html: str, words: str) -> None:
    assert index_words(html) == words


def test_no_control_character_reaches_the_index() -> None:
    words = index_words("<p>a\x07b\x9bc\u202ed</p><img alt='x\x1b]0;title\x07y'>")
    assert all(ch.isprintable() or ch == " " for ch in words)


HTML = [
    '<p>The <a href="/more">first</a> story &amp; its <em>summary</em>.</p>',
    '<div class="wp-caption"><img src="/i.png" alt="A harbour crane"><p class="wp-caption-'
    'text">Caption words</p></div><p>Body</p>',
    "<ul><li>one</li><li>two <b>bold</b></li></ul>",
    "<article>" + "<p>" + "Words of a long full-text entry, " * 12 + "</p>" * 10 + "</article>",
    "Plain text &lt;with&gt; references",
]


def _feed(base: str) -> bytes:
    from html import escape

    items = "".join(
        f"<item><guid isPermaLink='false'>g{n}</guid><title>Entry {n}</title>"
        f"<link>{base}/story/{n}</link><author>a{n}@x.example (Author {n})</author>"
        f"<pubDate>Mon, 0{n + 1} Feb 2026 08:00:00 +0100</pubDate>"
        f"<description>{escape(body)}</description></item>"
        for n, body in enumerate(HTML)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


def test_stored_entries_read_as_their_feed_html_renders(tmp_path: Path) -> None:
    base = "https://news.example"
    prepared = parsework.prepare_feed(
        _feed(base), f"{base}/feed", "application/rss+xml", None, bodies=True
    )
    assert all(record.body_json == DEFERRED_BODY for record in prepared.records)
    store = Store.open(tmp_path / "store.sqlite3")
    try:
        feed_id, _ = store.add_feed(f"{base}/feed")
        results = store.write_feed(feed_id, FeedUpdate(records=list(prepared.records)))
        for n, result in enumerate(results):
            stored = store.get_article(result.id)
            assert stored is not None
            expected = fragment_article(HTML[n], f"{base}/story/{n}")
            assert stored.article.blocks == expected.blocks and expected.blocks
            assert stored.article.title == f"Entry {n}"
            assert stored.article.byline == f"Author {n}"
            assert stored.article.url == f"{base}/story/{n}"
            assert stored.article.published == datetime(2026, 2, n + 1, 7, 0, tzinfo=UTC)
        # Every word is findable at once, a picture's description included.
        for query, n in [("summary", 0), ("crane", 1), ("caption", 1), ("bold", 2),
                         ("full-text", 3), ("references", 4)]:  # fmt: skip
            assert [s.id for s in store.search(query)] == [results[n].id], query
    finally:
        store.close()


def test_an_extracted_full_text_keeps_the_entrys_metadata() -> None:
    head = Article(title="The entry", byline="Feed Author", url="https://news.example/1")
    html = "<article><h1>Other</h1>" + "<p>" + "Long full text words. " * 40 + "</p>" * 8
    article = render(html + "</article>", head)
    assert article.title == "The entry" and article.byline == "Feed Author"
    assert article.url == "https://news.example/1"
    assert "Long full text words." in article.text
    assert render(None, head) == head
