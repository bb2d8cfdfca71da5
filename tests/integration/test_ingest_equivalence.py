"""The fast ingest paths store exactly what the reference path stores.

A feed of tricky entries (HTML and plain bodies, entities, relative links, heading anchors,
captions, long full-text bodies, missing dates, repeated guids) is added from the local server
through every path the add can take, and the stored rows and the search index are compared
with those of the reference path (every body parsed in full, one process).
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.httpserver import LocalServer
from tui_reader.core import feedbody, refresh
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.storage import Store
from tui_reader.core.storage.sqlite import article_to_json

PARAGRAPH = "<p>" + "Words of a long full-text entry, " * 12 + "</p>"
BODIES = [
    '<p>The summary of story 1, with a <a href="https://x.example/more/1">link</a>.</p>',
    "Plain text with no tags &amp; an ampersand, &lt;brackets&gt; and &quot;quotes&quot;.",
    "Named references: caf&eacute; &copy; 2026 &mdash; dash",
    '<p>Relative <a href="/path/to">root</a> and <a href="other?x=1&amp;y=2">here</a></p>',
    "<h2>Heading <a href='#h'>¶</a></h2><p>After the heading</p>",
    '<div class="wp-caption"><img src="/i.png" alt="A picture"><p class="wp-caption-text">'
    "Caption words only here</p></div><p>Body text</p>",
    "<p>Unclosed paragraph<p>and another",
    "<ul><li>one</li><li>two <b>bold</b></li></ul>",
    "<b>bold <i>italic</i></b> line<br>break<br/><br />gap &#8212; &#x2603; &nbsp;end",
    '<a href="javascript:alert(1)">not a link</a> <a href="mailto:a@b.example">mail</a>',
    "Control \x1b[31mred\x1b[0m text",
    "<p>a<!-- a comment -->b</p>",
    "",
    "<article>" + PARAGRAPH * 10 + "</article>",
    "  \n  ",
    "<p>¶</p><a>#</a> <a href='/x'>&#182;</a> text",
]


def tricky_feed(base: str) -> bytes:
    from html import escape

    items = []
    for n, body in enumerate(BODIES):
        date = f"<pubDate>Mon, 0{1 + n % 9} Feb 2026 08:00:00 +0000</pubDate>" if n % 3 else ""
        guid = f"<guid isPermaLink='false'>g{n % 14}</guid>"  # the last ones repeat guids
        items.append(
            f"<item>{guid}<title>Entry {n} &amp; co</title><link>{base}/story/{n}</link>"
            f"{date}<description>{escape(body)}</description></item>"
        )
    items.append(  # no guid, no link, no date: identified by title and body
        f"<item><title>Orphan</title><description>{escape('<p>orphan text</p>')}"
        "</description></item>"
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Tricky</title><link>{base}/</link>{''.join(items)}</channel></rss>"
    ).encode()


COLUMNS = (
    "guid, url, title, author, published, updated, summary_only, article_json, "
    "feed_summary_html, page_error, page_attempts"
)


def stored(data: Path, url: str) -> dict[str, Any]:
    """The feed's articles, their index rows and what a few searches find (the store's
    welcome articles, dated when it was made, are left out)."""
    conn = sqlite3.connect(data / "tui-reader.sqlite3")
    ours = "a.feed_id = (SELECT id FROM feeds WHERE url = ?)"
    try:
        rows = conn.execute(
            f"SELECT {COLUMNS} FROM articles a WHERE {ours} ORDER BY id", (url,)
        ).fetchall()
        index = conn.execute(
            "SELECT a.guid, f.title, f.byline, f.text FROM articles_fts f "
            f"JOIN articles a ON a.id = f.rowid WHERE {ours} ORDER BY a.id",
            (url,),
        ).fetchall()
        found = {
            word: conn.execute(
                "SELECT a.guid FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                f"WHERE articles_fts MATCH ? AND {ours} ORDER BY a.id",
                (word, url),
            ).fetchall()
            for word in ("ampersand", "caption", "heading", "orphan", "words", "red", "dash")
        }
        ids = [
            row[0]
            for row in conn.execute(f"SELECT id FROM articles a WHERE {ours} ORDER BY id", (url,))
        ]
        # The list's order (by date; undated entries after the one listed before them).
        order = [
            row[0]
            for row in conn.execute(
                f"SELECT guid FROM articles a WHERE {ours} ORDER BY sort_date DESC, id DESC",
                (url,),
            )
        ]
    finally:
        conn.close()
    # What a reader sees: the bodies rendered from the stored feed HTML when opened.
    store = Store.open(data / "tui-reader.sqlite3", read_only=True)
    try:
        shown = [article_to_json(stored.article) for i in ids if (stored := store.get_article(i))]
    finally:
        store.close()
    return {"rows": rows, "index": index, "found": found, "shown": shown, "order": order}


async def add(url: str, data: Path, interactive: bool) -> dict[str, Any]:
    library = Library.open(
        data, config=Config(retries=0, fetch_pages=False), interactive=interactive
    )
    try:
        result = await library.add(url)
        assert result.message.endswith("articles")
        workers = library._pool is not None and library._pool._pool is not None
    finally:
        await library.aclose()
        library.close()
    return {**stored(data, url), "workers": workers}


@pytest.mark.parametrize(
    ("interactive", "shared"),
    [(False, False), (True, False)],
    ids=["command line", "app"],
)
async def test_fast_paths_store_what_the_reference_stores(
    http_server: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interactive: bool,
    shared: bool,
) -> None:
    body = tricky_feed(http_server.url("").rstrip("/"))
    http_server.add("/tricky.xml", body, content_type="application/rss+xml")
    url = http_server.url("/tricky.xml")

    monkeypatch.setattr(feedbody, "FAST_FRAGMENTS", False)
    reference = await add(url, tmp_path / "reference", interactive=False)
    monkeypatch.setattr(feedbody, "FAST_FRAGMENTS", True)
    # Small enough batches that the feed is split as a huge one would be.
    monkeypatch.setattr(refresh, "BODY_CHUNK", 4)
    fast = await add(url, tmp_path / "fast", interactive=interactive)

    assert not reference["workers"]
    assert fast["workers"] == (interactive or shared)
    assert len(reference["rows"]) == 15  # 14 distinct guids and the orphan
    assert fast["rows"] == reference["rows"]
    assert fast["index"] == reference["index"]
    assert fast["found"] == reference["found"]
    assert fast["shown"] == reference["shown"]
    assert len(reference["shown"]) == 15 and all('"blocks":[' in a for a in reference["shown"])
    assert reference["found"]["caption"] and reference["found"]["orphan"]


def entry_body(n: int, broken: int | None) -> str:
    """Entry ``n``'s escaped HTML body, with a relative link; raw markup, which the fast parser
    cannot read, for the ``broken`` one."""
    from html import escape

    if n == broken:
        return "<p>raw < markup & stray</p>"
    return escape(f'<p>Entry {n} with a <a href="/rel/{n}">relative</a> link</p>')


def many_items(base: str, count: int, broken: int | None = None) -> bytes:
    """An RSS feed of ``count`` items, oldest first, with what crosses piece boundaries:
    ids repeated far apart, undated runs, relative links, permalink guids; ``broken`` is an
    item whose description is not well-formed XML (the fast parser cannot read its piece)."""

    items = []
    for n in range(count):
        guid = (
            f"<guid isPermaLink='false'>g{n % (count - 7)}</guid>"  # the last 7 repeat ids
            if n % 5
            else f"<guid>{base}/story/{n}</guid>"
        )
        date = (
            ""
            if n % 7 in (3, 4)
            else f"<pubDate>Mon, 02 Feb 2026 {n // 60 % 24:02d}:{n % 60:02d}:00 +0000</pubDate>"
        )
        body = entry_body(n, broken)
        items.append(
            f"<item>{guid}<title>Item {n}</title><link>{base}/story/{n}</link>{date}"
            f"<description>{body}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Many</title>"
        f"<link>{base}/</link>{''.join(items)}</channel></rss>"
    ).encode()


def many_entries(base: str, count: int, broken: int | None = None) -> bytes:
    """The Atom counterpart of :func:`many_items`: text and HTML titles, updated-only and
    undated entries, relative links resolved against the document."""

    entries = []
    for n in range(count):
        title = (
            f"<title type='html'>Entry &lt;b&gt;{n}&lt;/b&gt;</title>"
            if n % 3 == 0
            else f"<title>Entry {n}</title>"
        )
        date = (
            ""
            if n % 7 == 3
            else f"<updated>2026-02-02T{n // 60 % 24:02d}:{n % 60:02d}:00Z</updated>"
            + ("" if n % 2 else f"<published>2026-02-01T{n % 24:02d}:00:00Z</published>")
        )
        body = entry_body(n, broken)
        entries.append(
            f"<entry><id>urn:entry:{n % (count - 7)}</id>{title}"
            f"<link rel='alternate' href='/story/{n}'/>{date}"
            f"<content type='html'>{body}</content></entry>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Many</title><link href='{base}/'/><id>urn:feed</id>"
        f"<updated>2026-02-02T00:00:00Z</updated>{''.join(entries)}</feed>"
    ).encode()


def serve_many(server: LocalServer, kind: str, broken: int | None) -> str:
    """Serve 95 items (RSS or Atom, see :func:`many_items`); their feed's URL."""
    make = many_items if kind == "rss" else many_entries
    body = make(server.url("").rstrip("/"), 95, broken)
    server.add("/many.xml", body, content_type="application/rss+xml")
    return server.url("/many.xml")


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize(
    "broken",
    [None, 37, 85],
    # (Item 80, which opens the broken piece of the last case, is undated: it must sort
    # after the pieces stored before it, as in a whole parse.)
    ids=["every piece reads", "a broken piece", "a broken piece opening undated"],
)
@pytest.mark.parametrize("interactive", [False, True], ids=["command line", "app"])
async def test_a_large_feed_read_in_pieces_stores_what_a_whole_read_stores(
    http_server: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broken: int | None,
    interactive: bool,
    kind: str,
) -> None:
    from tui_reader.core import feedparse_fast

    url = serve_many(http_server, kind, broken)
    reference = await add(url, tmp_path / "reference", interactive=False)

    # Pieces of ten items, cut and parsed in the workers, as a feed of 100,000 items would be.
    monkeypatch.setattr(feedparse_fast, "_PIECE", 10)
    monkeypatch.setattr(refresh, "PIECES_FROM_BYTES", 0)
    monkeypatch.setattr(refresh, "PIECES_HERE", 2)
    split = []
    real = refresh.parsework.feed_pieces

    def spy(*args: Any) -> Any:
        split.append(pieces := real(*args))
        return pieces

    monkeypatch.setattr(refresh.parsework, "feed_pieces", spy)
    used: list[bool] = []
    real_prepare = refresh.Refresher._prepare_in_pieces

    async def watch(*args: Any) -> Any:
        outcome = await real_prepare(*args)
        used.append(outcome is not None)
        return outcome

    monkeypatch.setattr(refresh.Refresher, "_prepare_in_pieces", watch)
    pieces = await add(url, tmp_path / "pieces", interactive=interactive)

    assert len(split) == 1 and len(split[0]) == 10  # 95 items in pieces of 10
    # A piece the fast parser cannot read sends the whole document down the usual path.
    assert used == [broken is None]
    assert not reference["workers"] and pieces["workers"]
    # 95 entries, some repeating an earlier id (RSS: 4 of them; Atom: the last 7).
    assert len(reference["rows"]) == (91 if kind == "rss" else 88)
    assert pieces["rows"] == reference["rows"]
    assert pieces["index"] == reference["index"]
    assert pieces["shown"] == reference["shown"]
    assert pieces["order"] == reference["order"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize(
    "broken",
    [None, 37, 85],
    # (Item 80, which opens the broken piece of the last case, is undated: it must sort
    # after the pieces stored before it, as in a whole parse.)
    ids=["every piece reads", "a broken piece", "a broken piece opening undated"],
)
async def test_a_large_feed_shared_with_a_worker_stores_what_a_whole_read_stores(
    http_server: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broken: int | None,
    kind: str,
) -> None:
    """From the command line, a large document is parsed by the command and a worker started
    while it downloaded, each taking pieces from one end: stored as a whole parse stores it."""
    from tui_reader.core import feedparse_fast, parsework

    url = serve_many(http_server, kind, broken)
    reference = await add(url, tmp_path / "reference", interactive=False)

    monkeypatch.setattr(feedparse_fast, "_PIECE", 10)
    monkeypatch.setattr(refresh, "SHARE_FROM_BYTES", 0)  # any body starts the worker
    monkeypatch.setattr(refresh, "spare_core", lambda: True)
    taken: dict[str, list[int]] = {"here": [], "there": []}
    real_share = parsework.share

    def watch(items: Any, here: Any, there: Any, ready: Any = None, then: Any = None) -> Any:
        # Waits for the worker, then slows this side down: both sides take pieces, whatever
        # this machine's speed.
        if ready is not None:
            ready.result(timeout=60)

        def slow_here(item: Any) -> Any:
            taken["here"].append(items.index(item))
            time.sleep(0.05)
            return here(item)

        def counted_there(item: Any) -> Any:
            taken["there"].append(items.index(item))
            return there(item)

        return real_share(items, slow_here, counted_there, ready, then)

    monkeypatch.setattr(refresh.parsework, "share", watch)
    used: list[bool] = []
    real_prepare = refresh.Refresher._prepare_shared

    def watch_prepare(*args: Any) -> Any:
        outcome = real_prepare(*args)
        used.append(outcome is not None)
        return outcome

    monkeypatch.setattr(refresh.Refresher, "_prepare_shared", watch_prepare)
    shared = await add(url, tmp_path / "shared", interactive=False)

    assert sorted(taken["here"] + taken["there"]) == list(range(10))  # 95 items, pieces of 10
    assert taken["here"] and taken["there"]
    # A piece the fast parser cannot read sends the whole document down the usual path.
    assert used == [broken is None]
    assert shared["workers"] is False and not reference["workers"]  # the main pool never ran
    assert shared["rows"] == reference["rows"]
    assert shared["index"] == reference["index"]
    assert shared["shown"] == reference["shown"]
    assert shared["order"] == reference["order"]


async def test_a_worker_dying_in_a_shared_parse_leaves_the_feed_to_a_whole_parse(
    http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker dies on the piece it was given (the kernel's out-of-memory killer, say):
    the command parses the whole document itself, and stores what a whole parse stores."""
    from tests.core import workertasks
    from tui_reader.core import feedparse_fast, parsework

    base = http_server.url("").rstrip("/")
    body = many_items(base, 95)
    # Before the 92nd item: in the last piece (of ten items), the one the worker takes first.
    cut = [m.start() for m in re.finditer(b"<item>", body)][91]
    body = body[:cut] + workertasks.CRASH_MARK + body[cut:]
    http_server.add("/many.xml", body, content_type="application/rss+xml")
    url = http_server.url("/many.xml")
    reference = await add(url, tmp_path / "reference", interactive=False)

    monkeypatch.setattr(feedparse_fast, "_PIECE", 10)
    monkeypatch.setattr(refresh, "SHARE_FROM_BYTES", 0)
    monkeypatch.setattr(refresh, "spare_core", lambda: True)
    monkeypatch.setattr(
        refresh.Refresher, "__init__", _with_task(workertasks.prepare_or_crash_in_a_worker)
    )
    real_share = parsework.share
    outcomes: list[Any] = []

    def watch(items: Any, here: Any, there: Any, ready: Any = None, then: Any = None) -> Any:
        if ready is not None:
            ready.result(timeout=60)  # the worker gets the last piece, as it would at leisure
        results = real_share(items, here, there, ready, then)
        outcomes.extend(results)
        return results

    monkeypatch.setattr(refresh.parsework, "share", watch)
    crashed = await add(url, tmp_path / "crashed", interactive=False)

    assert any(isinstance(outcome, BaseException) for outcome in outcomes)
    assert crashed["rows"] == reference["rows"]
    assert crashed["index"] == reference["index"]
    assert crashed["order"] == reference["order"]


def _with_task(task: Any) -> Any:
    """``Refresher.__init__`` with ``prepare_task`` replaced by ``task``."""
    real = refresh.Refresher.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        self.prepare_task = task

    return init
