"""The refresh pipeline against a real local HTTP server and a real SQLite file.

Moved feeds, servers that ask to wait, timeouts, binary bodies, retention on a 304, a parse
worker that dies, and notices in the commands' output.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.core import workertasks
from tests.httpserver import LocalServer, RecordedRequest, Response
from tests.integration.cli import command, environment, run
from tests.integration.site import BASE_DATE, Item, items_with_pages, rss, serve_feed
from tui_reader.core import paths
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.parsework import PreparedFeed


@pytest.fixture
def library(tmp_path: Path):
    lib = Library.open(tmp_path / "data", config=Config(retries=0, fetch_pages=False))
    yield lib
    lib.close()


async def refresh(lib: Library, **kwargs):
    kwargs.setdefault("pages", lib.config.fetch_pages)
    try:
        return await lib.refresh(**kwargs)
    finally:
        await lib.aclose()


def plain_items(prefix: str, count: int, days_ago: int = 0) -> list[Item]:
    date = datetime.now(UTC) - timedelta(days=days_ago)
    return [
        Item(guid=f"{prefix}-{n}", title=f"{prefix} {n}", link=f"https://example.org/{prefix}/{n}",
             date=date - timedelta(minutes=n))
        for n in range(count)
    ]  # fmt: skip


# --- moved feeds ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 308])
async def test_a_permanent_redirect_updates_the_stored_url(
    http_server: LocalServer, library: Library, status: int
) -> None:
    new_url = serve_feed(http_server, "/new.xml", "rss", "Moved", plain_items("m", 2))
    http_server.redirect("/old.xml", "/new.xml", status=status)
    feed_id, _ = library.store.add_feed(http_server.url("/old.xml"))
    report = await refresh(library)
    assert report.new_articles == 2 and report.failures == ()
    assert library.feed(feed_id).url == new_url
    assert any("moved permanently" in notice for _, notice in report.notices)
    # The next refresh goes straight to the new address.
    await refresh(library)
    assert len(http_server.requests_for("/old.xml")) == 1
    assert len(http_server.requests_for("/new.xml")) == 2


async def test_a_temporary_redirect_keeps_the_stored_url(
    http_server: LocalServer, library: Library
) -> None:
    serve_feed(http_server, "/elsewhere.xml", "rss", "Visiting", plain_items("t", 2))
    http_server.redirect("/home.xml", "/elsewhere.xml", status=302)
    feed_id, _ = library.store.add_feed(http_server.url("/home.xml"))
    report = await refresh(library)
    assert report.new_articles == 2 and report.notices == ()
    assert library.feed(feed_id).url == http_server.url("/home.xml")


async def test_a_move_onto_another_subscription_keeps_both_feeds(
    http_server: LocalServer, library: Library
) -> None:
    target = serve_feed(http_server, "/target.xml", "rss", "Target", plain_items("x", 2))
    http_server.redirect("/alias.xml", "/target.xml", status=301)
    alias_id, _ = library.store.add_feed(http_server.url("/alias.xml"))
    target_id, _ = library.store.add_feed(target)
    report = await refresh(library)
    assert report.failures == ()
    assert library.feed(alias_id).url == http_server.url("/alias.xml")
    assert library.feed(target_id).url == target
    (notice,) = [n for _, n in report.notices]
    assert f"already subscribed (feed {target_id})" in notice


# --- servers that ask to wait, time out, or send something else ----------------------------


async def test_retry_after_beyond_the_wait_defers_the_feed(
    http_server: LocalServer, library: Library, tmp_path: Path
) -> None:
    http_server.add("/busy.xml", b"", status=503, headers={"Retry-After": "7200"})
    good = serve_feed(http_server, "/good.xml", "rss", "Good", plain_items("g", 1))
    busy_id, _ = library.store.add_feed(http_server.url("/busy.xml"), title="Busy")
    library.store.add_feed(good)
    before = time.time()
    first = await refresh(library)
    # Not a failure: the feed is deferred until the time the server gave.
    assert first.failures == () and first.feeds_deferred == 1 and first.feeds_ok == 1
    info = library.feed(busy_id)
    assert info.last_error is None and info.deferred_until is not None
    assert before + 7190 < info.deferred_until.timestamp() < time.time() + 7210
    # A refresh before then skips it, and says so.
    second = await refresh(library)
    assert len(http_server.requests_for("/busy.xml")) == 1
    assert second.feeds_deferred == 1
    assert any("skipped: the server asked to wait until" in n for _, n in second.notices)
    library.close()
    # `feeds` shows when (the eighth field when piped), `fetch` says it skipped the feed.
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(
        "[fetch]\nretries = 0\nimages = false\n", encoding="utf-8"
    )
    listing = run(tmp_path, "feeds")
    (busy_line,) = [line for line in listing.stdout.splitlines() if "busy.xml" in line]
    when = datetime.fromisoformat(busy_line.split("\t")[7])
    assert abs(when.timestamp() - info.deferred_until.timestamp()) < 1
    fetch = run(tmp_path, "fetch", "--no-pages")
    assert fetch.returncode == 0, fetch.stderr
    (busy_fetch,) = [line for line in fetch.stdout.splitlines() if "\tBusy\t" in line]
    status, _, new, note = busy_fetch.split("\t")
    assert (status, new) == ("deferred", "0")
    assert note.startswith("skipped: the server asked to wait until")
    assert "1 deferred" in fetch.stderr
    assert len(http_server.requests_for("/busy.xml")) == 1


async def test_a_feed_that_answers_again_is_no_longer_deferred(
    http_server: LocalServer, library: Library
) -> None:
    http_server.add_sequence(
        "/later.xml",
        [
            {"status": 429, "headers": {"Retry-After": "3600"}},
            {"body": rss("Later", plain_items("l", 1)),
             "headers": {"Content-Type": "application/rss+xml"}},
        ],
    )  # fmt: skip
    feed_id, _ = library.store.add_feed(http_server.url("/later.xml"))
    await refresh(library)
    assert library.feed(feed_id).deferred_until is not None
    # The wait is over (as if an hour had passed).
    with sqlite3.connect(library.store.path) as conn:
        conn.execute("UPDATE feeds SET deferred_until = ? WHERE id = ?", (time.time() - 1, feed_id))
    report = await refresh(library)
    assert report.new_articles == 1 and report.feeds_deferred == 0
    assert library.feed(feed_id).deferred_until is None


async def test_a_timeout_is_retried(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add_sequence(
        "/slow-once.xml",
        [
            Response(body=rss("Slow", plain_items("s", 2)), delay=2.0,
                     headers={"Content-Type": "application/rss+xml"}),
            Response(body=rss("Slow", plain_items("s", 2)),
                     headers={"Content-Type": "application/rss+xml"}),
        ],
    )  # fmt: skip
    config = Config(retries=1, read_timeout=0.4, fetch_pages=False)
    lib = Library.open(tmp_path / "data", config=config)
    try:
        lib.store.add_feed(http_server.url("/slow-once.xml"))
        report = await refresh(lib)
    finally:
        lib.close()
    assert report.failures == () and report.new_articles == 2
    assert len(http_server.requests_for("/slow-once.xml")) == 2


async def test_a_video_served_as_the_feed_is_not_downloaded(
    http_server: LocalServer, library: Library
) -> None:
    sent = [0]
    chunk = b"\0" * (64 * 1024)

    def video():
        for _ in range(800):  # 50 MB, length not announced
            sent[0] += len(chunk)
            yield chunk

    http_server.route(
        "/episodes.xml",
        lambda request: Response(body=video, headers={"Content-Type": "video/mp4"}),
    )
    feed_id, _ = library.store.add_feed(http_server.url("/episodes.xml"))
    report = await refresh(library)
    ((_, reason),) = report.failures
    assert "video/mp4" in reason and "\n" not in reason
    assert library.feed(feed_id).last_error == reason
    time.sleep(0.3)
    assert sent[0] < 8 * 1024 * 1024


# --- retention -----------------------------------------------------------------------------


async def test_retention_also_runs_when_the_feed_answers_304(
    http_server: LocalServer, tmp_path: Path
) -> None:
    old = [
        Item(guid=f"old-{n}", title=f"Old {n}", link=f"https://example.org/old/{n}",
             date=BASE_DATE - timedelta(days=400 + n))
        for n in range(3)
    ]  # fmt: skip
    http_server.add_conditional("/feed.xml", rss("F", old), etag='"v1"')
    lib = Library.open(tmp_path / "data", config=Config(retries=0, fetch_pages=False))
    try:
        feed_id, _ = lib.store.add_feed(http_server.url("/feed.xml"))
        await refresh(lib)
        assert lib.feed(feed_id).total == 3
        # The feed drops Old 0, then stays unchanged (304 from now on).
        http_server.add_conditional("/feed.xml", rss("F", old[1:]), etag='"v2"')
        await refresh(lib)
        lib.mark_all_read([a.id for a in lib.articles(feed_id=feed_id)])
        report = await refresh(lib)
        assert report.feeds_not_modified == 1
        # Read, old and no longer listed: gone. Read and old but still listed: kept (it
        # would come back as new otherwise).
        titles = sorted(a.title for a in lib.articles(feed_id=feed_id))
        assert titles == ["Old 1", "Old 2"]
        report = await refresh(lib)
        assert report.feeds_not_modified == 1 and report.new_articles == 0
    finally:
        lib.close()


# --- the parse worker ----------------------------------------------------------------------


async def test_a_crashed_parse_worker_fails_only_its_feed(
    http_server: LocalServer, library: Library
) -> None:
    goods = [
        serve_feed(http_server, f"/good-{n}.xml", "rss", f"Good {n}", plain_items(f"g{n}", 3))
        for n in range(4)
    ]
    deadly = rss("Deadly", plain_items("d", 2)).replace(
        b"<channel>", b"<channel>" + workertasks.CRASH_MARK
    )
    http_server.add("/deadly.xml", deadly, content_type="application/rss+xml")
    deadly_id, _ = library.store.add_feed(http_server.url("/deadly.xml"))
    for url in goods:
        library.store.add_feed(url)
    library._refresher().prepare_task = workertasks.prepare_or_crash
    report = await refresh(library)
    ((name, reason),) = report.failures
    assert reason.endswith("the worker process stopped unexpectedly") and "\n" not in reason
    assert library.feed(deadly_id).last_error == reason and library.feed(deadly_id).total == 0
    assert report.feeds_ok == 4 and report.new_articles == 12
    # A fresh pool serves the next refresh.
    http_server.add("/deadly.xml", rss("Fixed", plain_items("d", 2)),
                    content_type="application/rss+xml")  # fmt: skip
    again = await refresh(library)
    assert again.failures == () and again.new_articles == 2


async def test_the_parse_happens_in_another_process(
    http_server: LocalServer, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui_reader.core.feeds as feeds

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed in the app's own process")

    # Only this process's copy is replaced: the worker imports its own.
    monkeypatch.setattr(feeds, "parse_feed", refuse)
    library.store.add_feed(serve_feed(http_server, "/f.xml", "rss", "F", plain_items("p", 5)))
    report = await refresh(library)
    assert report.failures == () and report.new_articles == 5


# --- notices -------------------------------------------------------------------------------


def prepare_with_notice(data: bytes, url: str, *args: Any) -> PreparedFeed:
    prepared = workertasks.prepare_feed(data, url, *args)
    return replace(prepared, notice="kept the newest 100,000 of 120,000 entries")


async def test_the_parser_notice_reaches_the_add_message_and_the_report(
    http_server: LocalServer, library: Library
) -> None:
    library._refresher().prepare_task = prepare_with_notice
    url = serve_feed(http_server, "/big.xml", "rss", "Big", plain_items("b", 3))
    try:
        result = await library.add(url)
    finally:
        await library.aclose()
    assert result.message.endswith("3 articles (kept the newest 100,000 of 120,000 entries)")
    report = await refresh(library, feed_ids=[result.feed_id])
    assert report.notices == (("Big", "kept the newest 100,000 of 120,000 entries"),)


async def test_add_of_a_moved_url_subscribes_to_the_new_one(
    http_server: LocalServer, library: Library
) -> None:
    target = serve_feed(http_server, "/now.xml", "rss", "Now", plain_items("n", 1))
    http_server.redirect("/then.xml", "/now.xml", status=308)
    try:
        result = await library.add(http_server.url("/then.xml"))
        again = await library.add(http_server.url("/then.xml"))
    finally:
        await library.aclose()
    assert library.feed(result.feed_id).url == target
    assert again.feed_id == result.feed_id and "already subscribed" in again.message


async def test_pages_are_stored_one_by_one_after_the_entries(
    http_server: LocalServer, tmp_path: Path
) -> None:
    items = items_with_pages(http_server, "p", 3)
    stored_when_page_asked: list[int] = []
    db = tmp_path / "data"

    def slow_page(request: RecordedRequest) -> Response:
        # What a reader of the store sees while the page is being served.
        with sqlite3.connect(paths.db_path(db)) as conn:
            query = "SELECT count(*) FROM articles WHERE guid LIKE 'p-%'"
            stored_when_page_asked.append(conn.execute(query).fetchone()[0])
        return Response(body=(tmp_path / "page.html").read_bytes(),
                        headers={"Content-Type": "text/html; charset=utf-8"})  # fmt: skip

    from tests.integration.site import PAGES

    (tmp_path / "page.html").write_bytes((PAGES / "blog-personal.html").read_bytes())
    for n in range(3):
        http_server.route(f"/p/story-{n}.html", slow_page)
    url = serve_feed(http_server, "/f.xml", "rss", "F", items)
    lib = Library.open(db, config=Config(retries=0))
    try:
        lib.store.add_feed(url)
        report = await refresh(lib)
        assert report.pages_fetched == 3
        assert all(not lib.article(a.id).summary_only for a in lib.articles())
    finally:
        lib.close()
    # Every page was asked for after all three entries were already stored.
    assert stored_when_page_asked == [3, 3, 3]


# --- store as you go -------------------------------------------------------------------------


def _stored_per_feed(db: Path) -> dict[int, int]:
    """Articles per subscribed feed (by its position), read without writing anything."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        rows = conn.execute(
            "SELECT substr(guid, 1, instr(guid, '-') - 1), count(*) FROM articles "
            "WHERE guid LIKE 'f%-%' GROUP BY 1"
        ).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    return {int(prefix[1:]): count for prefix, count in rows}


def _processes_with(marker: str) -> list[int]:
    """Our processes whose environment mentions ``marker`` (children inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _until_gone(marker: str, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = []
        for pid in _processes_with(marker):
            try:
                state = (Path("/proc") / str(pid) / "stat").read_text().split(") ")[1][0]
            except (OSError, IndexError):
                continue
            if state != "Z":  # a zombie has ended; only its parent has not looked yet
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_a_fetch_killed_3_s_in_has_stored_what_it_parsed(tmp_path: Path) -> None:
    feeds, items, stagger = 20, 1000, 0.5
    served_at: dict[int, float] = {}
    pages_asked: dict[int, float] = {}

    def feed_route(n: int, body: bytes):
        def answer(request: RecordedRequest) -> Response:
            # Feeds are ready one after another (as from servers of different speeds), so
            # that by the kill some have been served long enough to be parsed and some not.
            served_at.setdefault(n, time.monotonic() + n * stagger)
            return Response(
                body=body, delay=n * stagger, headers={"Content-Type": "application/rss+xml"}
            )

        return answer

    def slow_page(request: RecordedRequest) -> Response:
        n = int(request.path.split("f=")[1].split("&")[0])
        pages_asked.setdefault(n, time.monotonic())
        return Response(body=b"<p>late</p>", delay=10, headers={"Content-Type": "text/html"})

    with LocalServer(any_loopback=True) as server:
        urls = []
        for n in range(feeds):
            host = f"127.0.0.{10 + n}"
            entries = [
                Item(guid=f"f{n}-{i}", title=f"Feed {n} item {i}",
                     link=server.url(f"/page?f={n}&i={i}", host=host), date=BASE_DATE)
                for i in range(items)
            ]  # fmt: skip
            server.route(f"/feed/{n}.xml", feed_route(n, rss(f"Feed {n}", entries)))
            urls.append(server.url(f"/feed/{n}.xml", host=host))
        server.route("/page", slow_page)
        data = tmp_path / "data"
        lib = Library.open(data, config=Config())
        try:
            for url in urls:
                lib.store.add_feed(url)
            db = lib.store.path
        finally:
            lib.close()
        (tmp_path / "config").mkdir()
        (tmp_path / "config" / "config.toml").write_text(
            "[fetch]\nretries = 0\nimages = false\n", "utf-8"
        )
        process = subprocess.Popen(
            command(tmp_path, "fetch"),
            env=environment(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not served_at and time.monotonic() < deadline:
                time.sleep(0.02)
            assert served_at, "no feed was requested"
            start = min(served_at.values())
            first_stored: float | None = None
            # Killed 3 s after its first request; on a machine so slow that not even one
            # feed is stored by then, later (the fraction below is what is measured).
            while time.monotonic() < deadline:
                if first_stored is None and _stored_per_feed(db).get(0):
                    first_stored = time.monotonic()
                if time.monotonic() >= start + 3 and first_stored is not None:
                    break
                time.sleep(0.05)
            killed_at = time.monotonic()
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert first_stored is not None, "nothing was stored before the kill"
    stored = _stored_per_feed(db)
    # Each feed had at least as long as the first one needed to get from served to stored.
    latency = first_stored - served_at[0]
    eligible = [n for n, at in served_at.items() if at <= killed_at - latency]
    fraction = sum(stored.values()) / (items * len(eligible))
    print(
        f"stored {sum(stored.values())} of {items * len(eligible)} served in time: {fraction:.2f}"
    )
    assert fraction >= 0.5
    # Pages are asked for only once their feed's entries are all stored.
    assert all(stored.get(n) == items for n in pages_asked)
    # Its worker processes went with it.
    assert _until_gone(str(tmp_path)), "worker processes outlived the killed fetch"
    # The refresh really was cut short, and everything it wrote is intact.
    assert sum(stored.values()) < feeds * items
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
