"""The command line's edges: no terminal, URLs typed without a scheme, empty or odd sources,
OPML over http, ``--data-dir`` on a file, the log beside its store and ``fetch``'s output."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from tests.httpserver import LocalServer
from tests.integration.cli import command, environment, run
from tests.integration.site import Item, rss
from tui_reader.core import paths
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.storage import ArticleRecord, Store
from tui_reader.core.typed_url import with_scheme


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_no_terminal_and_no_command_exits_at_once_with_one_line(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run(tmp_path)  # stdin and stdout are pipes
    assert time.monotonic() - started < 30  # the app would wait for keys until the timeout
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "no terminal" in line and "fetch" in line and "read" in line
    assert result.stdout == ""
    assert "\x1b" not in result.stdout + result.stderr


def test_read_of_empty_stdin_is_an_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [*command(tmp_path, "read", "-")],
        input="",
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        timeout=60,
    )
    assert result.returncode == 1
    assert "standard input is empty" in one_error_line(result.stderr)
    assert result.stdout == ""


def test_read_of_a_host_without_scheme_means_https(tmp_path: Path) -> None:
    # Offline, so the URL is only looked up in the store: the message shows it was taken
    # for https://example.org/story, not for a missing file.
    result = run(tmp_path, "read", "--offline", "example.org/story")
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "https://example.org/story" in line and "no such file" not in line


def test_read_of_something_neither_file_nor_url(tmp_path: Path) -> None:
    result = run(tmp_path, "read", "no-such-thing")
    assert result.returncode == 1
    assert "neither a file nor an http(s) URL" in one_error_line(result.stderr)


def test_data_dir_on_a_file_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "not-a-dir"
    target.write_text("x", encoding="utf-8")
    result = subprocess.run(
        [*command(tmp_path, "feeds")[:-2], "--data-dir", str(target)],
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        timeout=60,
    )
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "is a file, not a directory" in line and "File exists" not in line
    assert target.read_text(encoding="utf-8") == "x"


def test_import_opml_from_a_url(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add(
        "/subs.opml",
        b'<?xml version="1.0"?><opml version="2.0"><body><outline text="News">'
        b'<outline text="Tech"><outline xmlUrl="https://a.example/feed" text="A"/></outline>'
        b'</outline><outline xmlUrl="https://b.example/rss" text="B"/></body></opml>',
        content_type="text/x-opml",
    )
    result = run(tmp_path, "import-opml", http_server.url("/subs.opml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 new feeds subscribed")
    rows = [line.split("\t") for line in run(tmp_path, "feeds").stdout.splitlines()]
    assert {row[2] for row in rows} >= {"https://a.example/feed", "https://b.example/rss"}
    lib = Library.open(tmp_path / "data", config=Config())
    try:
        tags = {info.url: info.tags for info in lib.feeds()}
    finally:
        lib.close()
    assert tags["https://a.example/feed"] == ("News/Tech",)


def test_fetch_piped_is_one_tab_separated_line_per_feed(
    http_server: LocalServer, tmp_path: Path
) -> None:
    items = [Item(guid=f"g{n}", title=f"Story {n}", link=f"https://x.example/{n}") for n in (1, 2)]
    http_server.add("/good.xml", rss("Good feed", items), content_type="application/rss+xml")
    http_server.add("/gone.xml", b"gone", status=404)
    lib = Library.open(tmp_path / "data", config=Config())
    try:
        lib.store.add_feed(http_server.url("/good.xml"), title="Good feed")
        lib.store.add_feed(http_server.url("/gone.xml"), title="Gone feed")
    finally:
        lib.close()
    result = run(tmp_path, "fetch", "--no-pages")
    assert result.returncode == 0, result.stderr
    rows = sorted(line.split("\t") for line in result.stdout.splitlines())
    assert len(rows) == 2 and all(len(row) == 4 for row in rows)
    failed, ok = rows
    assert failed[:3] == ["failed", "Gone feed", "0"] and "404" in failed[3]
    assert ok == ["ok", "Good feed", "2", ""]
    assert "2 feeds: 1 with new articles, 0 with nothing new, 1 failed; 2 new articles" in (
        result.stderr
    )


def test_with_scheme() -> None:
    assert with_scheme(" lwn.net/headlines/rss ") == "https://lwn.net/headlines/rss"
    assert with_scheme("localhost:8080/feed") == "https://localhost:8080/feed"
    assert with_scheme("//example.org/x") == "https://example.org/x"
    assert with_scheme("http://example.org/") == "http://example.org/"
    for left_alone in ("javascript:alert(1)", "mailto:a@b.org", "word", "file:///etc/passwd"):
        assert with_scheme(left_alone) == left_alone


async def test_add_without_scheme_fetches_https(tmp_path: Path) -> None:
    seen: list[str] = []
    items = [Item(guid="g1", title="Story", link="https://feeds.example/1")]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(
            200, headers={"Content-Type": "application/rss+xml"}, content=rss("Typed", items)
        )

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    lib = Library.open(
        tmp_path / "data", config=Config(retries=0, fetch_pages=False), client=client
    )
    try:
        result = await lib.add("feeds.example/rss")
        await lib.aclose()
    finally:
        lib.close()
    assert seen[0] == "https://feeds.example/rss"
    assert result.kind == "feed" and "Typed" in result.message


def test_the_log_file_lives_with_its_store(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert paths.log_path(one) == one / paths.LOG_FILENAME
    assert paths.log_path(two).parent == two


def test_undated_entries_keep_the_feeds_order_below_dated_neighbours(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tui_reader.core.models import Article

    store = Store.open(tmp_path / "s.sqlite3")
    try:
        feed_id, _ = store.add_feed("https://x.example/feed")
        old = datetime.now(UTC) - timedelta(days=3)

        def rec(guid: str, published: datetime | None) -> ArticleRecord:
            return ArticleRecord(guid=guid, url=None, title=guid, article=Article(title=guid),
                                 published=published)  # fmt: skip

        # Feed order: two undated entries, a dated one, then one more undated entry.
        store.upsert_articles(
            feed_id, [rec("first", None), rec("second", None), rec("dated", old), rec("last", None)]
        )
        titles = [a.title for a in store.list_articles(feed_id=feed_id)]
    finally:
        store.close()
    assert titles == ["first", "second", "dated", "last"]
