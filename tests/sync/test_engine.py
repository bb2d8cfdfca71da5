"""The sync engine against the in-memory fake server, through real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.sync.fakeserver import FakeServer
from tests.sync.running import sync
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.models import Article
from tui_reader.core.storage import ArticleRecord
from tui_reader.core.sync.base import Mark, SyncAuthError, SyncUnreachable

PASSWORD = "s3cr3t-Pa55-for-tests"
NOW = datetime.now(UTC)
FEED_URL = "https://news.example/feed.xml"


def config(**overrides: object) -> Config:
    values: dict[str, object] = {
        "sync_kind": "greader",
        "sync_url": "https://rss.example/api/greader.php",
        "sync_user": "me",
        "fetch_pages": False,
        "retries": 0,
    }
    values.update(overrides)
    return Config(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_READER_SYNC_PASSWORD", PASSWORD)


@pytest.fixture
def server() -> FakeServer:
    server = FakeServer(password=PASSWORD)
    server.add_feed("feed/1", FEED_URL, "News", folders=("Tech",))
    server.add_feed("feed/2", "https://blog.example/atom", "Blog")
    return server


def open_library(path: Path, server: FakeServer, **overrides: object) -> Library:
    return Library.open(path, config=config(**overrides), sync_factory=server.client)


@pytest.fixture
def library(tmp_path: Path, server: FakeServer) -> Iterator[Library]:
    lib = open_library(tmp_path / "data", server)
    yield lib
    lib.close()


def by_url(lib: Library) -> dict[str, tuple[bool, bool]]:
    """url -> (read, starred) of every synced article."""
    return {
        a.url: (a.read, a.starred)
        for a in lib.articles(limit=10_000)
        if a.url and "example" in a.url
    }


def article_id(lib: Library, url: str) -> int:
    found = lib.store.article_id_by_url(url)
    assert found is not None, url
    return found


def test_first_sync_takes_unread_starred_and_the_days_window(
    library: Library, server: FakeServer
) -> None:
    old = NOW - timedelta(days=40)
    server.add_item("1", "feed/1", url="https://news.example/old-unread", published=old)
    server.add_item("2", "feed/1", url="https://news.example/old-read", published=old, unread=False)
    server.add_item(
        "3",
        "feed/2",
        url="https://blog.example/old-star",
        published=old,
        unread=False,
        starred=True,
    )
    server.add_item("4", "feed/2", url="https://blog.example/new-read", unread=False)
    report = sync(library)
    assert by_url(library) == {
        "https://news.example/old-unread": (False, False),
        "https://blog.example/old-star": (True, True),
        "https://blog.example/new-read": (True, False),
    }
    assert report.new_articles == 3
    assert report.feeds == 2 and report.feeds_added == 2
    tags = {f.url: f.tags for f in library.feeds()}
    assert tags[FEED_URL] == ("Tech",)


def test_items_are_fetched_in_batches(library: Library, server: FakeServer) -> None:
    for n in range(1, 1001):
        server.add_item(str(n), "feed/1", url=f"https://news.example/{n}")
    report = sync(library)
    assert report.new_articles == 1000
    assert server.item_requests == 1000 // server.page
    assert report.requests < 40


def test_later_syncs_are_incremental(library: Library, server: FakeServer) -> None:
    for n in range(1, 11):
        server.add_item(str(n), "feed/1", url=f"https://news.example/{n}", unread=False)
    sync(library)
    first = server.item_requests
    server.add_item("11", "feed/1", url="https://news.example/11", unread=False)
    report = sync(library)
    assert report.new_articles == 1
    assert server.item_requests == first + 1
    # Nothing new: no item request at all.
    report = sync(library)
    assert report.new_articles == 0
    assert server.item_requests == first + 1


def test_marks_go_both_ways(library: Library, server: FakeServer) -> None:
    server.add_item("1", "feed/1", url="https://news.example/1")
    server.add_item("2", "feed/1", url="https://news.example/2")
    sync(library)
    library.set_read(article_id(library, "https://news.example/1"))
    library.set_starred(article_id(library, "https://news.example/1"))
    assert library.marks_waiting() == 2
    server.unread.discard("2")  # read on another device
    report = sync(library)
    assert report.marks_sent == 2 and library.marks_waiting() == 0
    assert "1" not in server.unread and "1" in server.starred
    assert by_url(library)["https://news.example/2"] == (True, False)
    assert report.read_changed == 1


def test_mark_all_and_undo_are_queued(library: Library, server: FakeServer) -> None:
    for n in (1, 2, 3):
        server.add_item(str(n), "feed/1", url=f"https://news.example/{n}")
    sync(library)
    feed_id = library.find_feed(FEED_URL)
    changed = library.mark_read_where(feed_id=feed_id)
    assert len(changed) == 3 and library.marks_waiting() == 3
    library.mark_unread(changed[:1])
    library.mark_all_read(changed[1:2])
    assert library.marks_waiting() == 3  # one row per (article, flag)
    sync(library)
    local_unread = {n for n in "123" if not by_url(library)[f"https://news.example/{n}"][0]}
    assert len(local_unread) == 1
    assert server.unread == local_unread


def test_a_queued_change_wins_until_delivered(library: Library, server: FakeServer) -> None:
    server.add_item("1", "feed/1", url="https://news.example/1")
    sync(library)
    one = article_id(library, "https://news.example/1")
    library.set_read(one)
    server.down = True
    with pytest.raises(SyncUnreachable):
        sync(library)
    assert library.marks_waiting() == 1
    # The server still says unread; pulling its state must not undo the user's change.
    from tui_reader.core.storage.syncstore import SyncStore

    SyncStore(library.store).apply_flags(unread={"1"}, starred=set())
    assert library.article(one).summary.read
    server.down = False
    sync(library)
    assert "1" not in server.unread and library.marks_waiting() == 0
    # Delivered: from now on the server wins.
    server.unread.add("1")
    sync(library)
    assert not library.article(one).summary.read


def test_a_row_changed_during_delivery_is_kept(library: Library, server: FakeServer) -> None:
    server.add_item("1", "feed/1", url="https://news.example/1")
    sync(library)
    one = article_id(library, "https://news.example/1")
    library.set_read(one)

    def changed_meanwhile(batch: Sequence[Mark]) -> None:
        server.on_send = None
        library.set_read(one, False)  # the user changes their mind while it is sent

    server.on_send = changed_meanwhile
    report = sync(library)
    assert report.marks_waiting == 1 and library.marks_waiting() == 1
    assert not library.article(one).summary.read  # the queued change still wins
    sync(library)
    assert "1" in server.unread and library.marks_waiting() == 0


def test_wrong_password_keeps_the_queue(library: Library, server: FakeServer) -> None:
    server.add_item("1", "feed/1", url="https://news.example/1")
    sync(library)
    library.set_starred(article_id(library, "https://news.example/1"))
    server.password = "changed"
    with pytest.raises(SyncAuthError) as caught:
        sync(library)
    assert "\n" not in str(caught.value)
    assert library.marks_waiting() == 1


def test_two_stores_see_each_others_marks(tmp_path: Path, server: FakeServer) -> None:
    for n in (1, 2):
        server.add_item(str(n), "feed/1", url=f"https://news.example/{n}")
    laptop = open_library(tmp_path / "laptop", server)
    desktop = open_library(tmp_path / "desktop", server)
    try:
        sync(laptop)
        sync(desktop)
        laptop.set_read(article_id(laptop, "https://news.example/1"))
        desktop.set_starred(article_id(desktop, "https://news.example/2"))
        sync(laptop)
        sync(desktop)
        sync(laptop)
        want = {"https://news.example/1": (True, False), "https://news.example/2": (False, True)}
        assert by_url(laptop) == want
        assert by_url(desktop) == want
    finally:
        laptop.close()
        desktop.close()


def test_existing_history_is_mapped_not_duplicated(library: Library, server: FakeServer) -> None:
    feed_id, _ = library.store.add_feed(FEED_URL, title="News")
    page = Article(title="Kept", blocks=())
    library.store.upsert_articles(
        feed_id,
        [
            ArticleRecord(guid="g-1", url="https://news.example/a", title="A", article=page),
            ArticleRecord(guid="g-2", url="https://news.example/b", title="B", article=page),
        ],
    )
    starred = article_id(library, "https://news.example/a")
    library.set_starred(starred)
    server.add_item("1", "feed/1", guid="g-1", url="https://news.example/a", starred=True)
    server.add_item("2", "feed/1", guid="other", url="https://news.example/b", unread=False)
    report = sync(library)
    assert report.new_articles == 0 and report.linked_articles == 2
    assert library.count_articles(feed_id=feed_id) == 2
    assert library.find_feed(FEED_URL) == feed_id
    assert by_url(library)["https://news.example/b"] == (True, False)
    assert library.article(starred).summary.starred
    # Marks on the linked article now reach the server.
    library.set_read(starred)
    sync(library)
    assert "1" not in server.unread


def test_feeds_only_here_are_kept(library: Library, server: FakeServer) -> None:
    library.store.add_feed("https://local.example/feed", title="Mine")
    sync(library)
    assert "https://local.example/feed" in {f.url for f in library.feeds()}


def test_hostile_items_are_sanitized(library: Library, server: FakeServer) -> None:
    server.add_item(
        "1",
        "feed/1",
        title="\x1b[2J\x1b]0;pwned\x07[bold red]Boom[/] \x9b31m",
        url="javascript:alert(1)",
        guid="evil",
        html="<script>alert(1)</script><p>fine \x1b[31mred</p>",
    )
    server.add_item("2", "feed/1", title="ok", url="file:///etc/passwd")
    server.add_feed("feed/3", "javascript:alert(1)", "Evil feed")
    server.add_feed("feed/4", "https://x.example/rss", "\x1b]8;;http://evil\x07Odd\x1b[0m")
    sync(library)
    urls = {f.url: f.title for f in library.feeds()}
    assert "javascript:alert(1)" not in urls
    assert "\x1b" not in urls["https://x.example/rss"] and "Odd" in urls["https://x.example/rss"]
    rows = [a for a in library.articles(limit=100) if a.feed_title == "News"]
    assert len(rows) == 2
    for row in rows:
        assert row.url is None
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in row.title)
    evil = next(r for r in rows if "Boom" in r.title)
    assert "[bold red]" in evil.title  # kept as text, never taken as markup
    text = library.article(evil.id).article.text
    assert "alert" not in text and "\x1b" not in text and "fine" in text


def test_pages_are_fetched_and_cleaned(
    tmp_path: Path, server: FakeServer, http_server: LocalServer
) -> None:
    body = (
        "<html><head><title>Long</title></head><body><article>"
        + ("<p>" + "A sentence about the news of the day, long enough to count. " * 8 + "</p>") * 6
        + "</article></body></html>"
    )
    http_server.add("/story", body=body.encode(), headers={"Content-Type": "text/html"})
    server.add_item("1", "feed/1", url=http_server.url("/story"), html="<p>short</p>")
    lib = open_library(tmp_path / "data", server, fetch_pages=True)
    try:
        report = sync(lib)
        assert report.pages == 1
        stored = lib.article(article_id(lib, http_server.url("/story")))
        assert not stored.summary_only
        assert "A sentence about the news" in stored.article.text
        # The server's body is kept apart; a second sync leaves the page alone.
        from tui_reader.core.storage.syncstore import SyncStore

        assert SyncStore(lib.store).remote_body(stored.summary.id) == "<p>short</p>"
        sync(lib)
        assert "A sentence" in lib.article(stored.summary.id).article.text
    finally:
        lib.close()


def test_no_password_is_written_anywhere(
    tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(
        '[sync]\nkind = "greader"\nurl = "https://rss.example/"\nuser = "me"\n'
        # The items' pages are on hosts that do not exist: not fetched.
        "[fetch]\npages = false\n"
    )
    monkeypatch.setenv("TUI_READER_CONFIG_DIR", str(config_dir))
    server.add_item("1", "feed/1", url="https://news.example/1")
    lib = Library.open(tmp_path / "data", sync_factory=server.client)
    try:
        sync(lib)
        lib.set_read(article_id(lib, "https://news.example/1"))
        sync(lib)
    finally:
        lib.close()
    from tui_reader.core.paths import DB_FILENAME

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    db = tmp_path / "data" / DB_FILENAME
    assert db in files
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes(), path
    # Nor in any row, whatever the encoding of the file's pages.
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert PASSWORD not in dump


def _rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{guid}</title><link>{link}</link><guid>{guid}</guid>"
        "<pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate>"
        f"<description>Summary of {guid}.</description></item>"
        for guid, link in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Local Blog</title>'
        f"<link>https://example.org/</link>{entries}</channel></rss>"
    ).encode()


def refresh(lib: Library) -> None:
    async def run() -> None:
        try:
            await lib.refresh(pages=False)
        finally:
            await lib.aclose()

    asyncio.run(run())


@pytest.mark.parametrize("sync_first", [True, False])
def test_sync_and_our_own_refresh_of_one_feed_do_not_duplicate(
    tmp_path: Path, http_server: LocalServer, sync_first: bool
) -> None:
    # A server with only the local feed: every feed refreshed here is one the test serves.
    server = FakeServer(password=PASSWORD)
    feed_url = http_server.url("/feed.xml")
    links = [http_server.url(f"/post/{n}") for n in (1, 2)]
    http_server.add(
        "/feed.xml",
        _rss([("post-1", links[0]), ("post-2", links[1])]),
        headers={"Content-Type": "application/rss+xml"},
    )
    # A Fever server sends no guid: items are matched by their link.
    server.add_feed("feed/9", feed_url, "Local")
    server.add_item("91", "feed/9", url=links[0], unread=False)
    server.add_item("92", "feed/9", url=links[1], starred=True)
    lib = open_library(tmp_path / "data", server)
    try:
        if sync_first:
            sync(lib)
            refresh(lib)
        else:
            refresh(lib)
            sync(lib)
        refresh(lib)
        sync(lib)
        feed_id = lib.find_feed(feed_url)
        # The server owns the subscription: its title stays, whatever the document says.
        refresh(lib)
        assert lib.feed(feed_id).title == "Local"
        rows = lib.articles(feed_id=feed_id)
        assert sorted(r.url or "" for r in rows) == sorted(links)
        flags = {r.url: (r.read, r.starred) for r in rows}
        assert flags == {links[0]: (True, False), links[1]: (False, True)}
        lib.set_read(lib.store.article_id_by_url(links[1]) or 0)
        sync(lib)
        assert "92" not in server.unread
    finally:
        lib.close()


def test_days_sets_the_first_sync_window(tmp_path: Path, server: FakeServer) -> None:
    server.add_item("1", "feed/1", url="https://news.example/40", unread=False,
                    published=NOW - timedelta(days=40))  # fmt: skip
    server.add_item("2", "feed/1", url="https://news.example/90", unread=False,
                    published=NOW - timedelta(days=90))  # fmt: skip
    lib = open_library(tmp_path / "data", server, sync_days=60)
    try:
        sync(lib)
        assert set(by_url(lib)) == {"https://news.example/40"}
    finally:
        lib.close()
