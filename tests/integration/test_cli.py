"""The store's commands, run as the real console script against the local server."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.httpserver import LocalServer
from tests.integration.cli import command, environment, run
from tests.integration.site import Item, items_with_pages, serve_feed
from tui_reader.core.config import Config
from tui_reader.core.library import Library


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("tui-reader: error: ")
    return lines[0]


def test_add_fetch_feeds_search_read_offline(http_server: LocalServer, tmp_path: Path) -> None:
    items = items_with_pages(http_server, "cli", 3)
    feed_url = serve_feed(http_server, "/cli.xml", "rss", "CLI news", items, etag='"c1"')

    added = run(tmp_path, "add", feed_url, "--tag", "news")
    assert added.returncode == 0, added.stderr
    assert "CLI news" in added.stdout and "3 articles" in added.stdout

    fetched = run(tmp_path, "fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.splitlines() == ["ok\tCLI news\t0\t"]
    assert "1 feed: 0 with new articles, 1 with nothing new, 0 failed; 0 new articles" in (
        fetched.stderr
    )
    assert http_server.requests_for("/cli.xml")[-1].header("if-none-match") == '"c1"'

    listed = run(tmp_path, "feeds")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    ours = [row for row in rows if row[2] == feed_url]
    assert len(ours) == 1
    assert ours[0][1] == "CLI news" and ours[0][3:5] == ["3", "3"] and ours[0][6] == ""
    assert ours[0][5]  # last refresh

    found = run(tmp_path, "search", "bicycle")
    assert found.returncode == 0, found.stderr
    (hit,) = found.stdout.splitlines()
    fields = hit.split("\t")
    assert fields[2] == "CLI news" and fields[3] == "cli story 0" and fields[4] == items[0].link
    assert "bicycle" in fields[5].lower()
    assert run(tmp_path, "search", "((").stdout == ""

    read = run(tmp_path, "read", "--offline", items[0].link, "--format", "text")
    assert read.returncode == 0, read.stderr
    assert "sold my bicycle" in read.stdout

    missing = run(tmp_path, "read", "--offline", http_server.url("/never-stored.html"))
    assert missing.returncode == 1
    line = one_error_line(missing.stderr)
    assert "not in the store" in line and "never-stored" in line
    assert not http_server.requests_for("/never-stored.html")


def test_read_of_a_stored_url_does_not_refetch(http_server: LocalServer, tmp_path: Path) -> None:
    items = items_with_pages(http_server, "r", 1)
    feed_url = serve_feed(http_server, "/r.xml", "atom", "R", items)
    assert run(tmp_path, "add", feed_url).returncode == 0
    before = len(http_server.requests_for("/r/story-0.html"))
    read = run(tmp_path, "read", items[0].link, "--format", "json")
    assert read.returncode == 0, read.stderr
    assert '"blocks"' in read.stdout
    assert len(http_server.requests_for("/r/story-0.html")) == before


def test_export_and_import_opml(http_server: LocalServer, tmp_path: Path) -> None:
    one = tmp_path / "one"
    urls = [
        serve_feed(
            http_server, f"/f{n}.xml", "rss", f"Feed {n}", items_with_pages(http_server, f"f{n}", 1)
        )
        for n in range(3)
    ]
    lib = Library.open(one / "data", config=Config())
    try:
        for url in urls:
            lib.store.add_feed(url, title=url.rsplit("/", 1)[-1], tags=["tech"])
    finally:
        lib.close()
    exported = run(one, "export-opml")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.count("xmlUrl=") == 3
    assert "tui-reader:welcome" not in exported.stdout
    target = tmp_path / "subs.opml"
    assert run(one, "export-opml", str(target)).returncode == 0

    def undated(text: str) -> list[str]:
        return [line for line in text.splitlines() if "dateCreated" not in line]

    assert undated(target.read_text(encoding="utf-8")) == undated(exported.stdout)

    two = tmp_path / "two"
    imported = run(two, "import-opml", str(target))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("3 new feeds subscribed")
    again = run(two, "import-opml", str(target))
    assert again.stdout.startswith("0 new feeds subscribed")
    rows = [line.split("\t") for line in run(two, "feeds").stdout.splitlines()]
    assert sorted(row[2] for row in rows if row[2].startswith("http")) == sorted(urls)
    fetched = run(two, "fetch", "--no-pages")
    assert fetched.returncode == 0, fetched.stderr
    assert "3 feeds: 3 with new articles, 0 with nothing new, 0 failed" in fetched.stderr
    assert "3 new articles" in fetched.stderr


def test_import_starter_feeds(tmp_path: Path) -> None:
    result = run(tmp_path, "import-opml", "--starter")
    assert result.returncode == 0, result.stderr
    count = int(result.stdout.split()[0])
    assert 15 <= count <= 30
    rows = run(tmp_path, "feeds").stdout.splitlines()
    urls = {line.split("\t")[2] for line in rows}
    assert "https://feeds.bbci.co.uk/news/rss.xml" in urls
    assert all(u.startswith("https://") for u in urls if u != "tui-reader:welcome")


def test_fetch_fails_only_when_nothing_could_be_refreshed(
    http_server: LocalServer, tmp_path: Path
) -> None:
    good = serve_feed(http_server, "/good.xml", "json", "Good", [])
    http_server.add("/bad.xml", b"nope", status=500)
    assert run(tmp_path, "add", good).returncode == 0
    # Subscribed through OPML: add would refuse a broken feed.
    opml = tmp_path / "bad.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="Bad" xmlUrl="{http_server.url("/bad.xml")}"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    assert run(tmp_path, "import-opml", str(opml)).returncode == 0
    partial = run(tmp_path, "fetch")
    assert partial.returncode == 0, partial.stderr
    assert "1 failed" in partial.stderr and "500" in partial.stdout

    only_bad = run(tmp_path, "fetch", http_server.url("/bad.xml"))
    assert only_bad.returncode == 1
    assert "no feed could be refreshed" in one_error_line(only_bad.stderr)


def test_errors_are_one_line(tmp_path: Path) -> None:
    for args in (
        ("remove", "12345"),
        ("fetch", "https://not-subscribed.example/feed"),
        ("import-opml", str(tmp_path / "missing.opml")),
        ("add", "ftp://example.org/feed"),
        ("--offline", "add", "https://example.org/feed"),
    ):
        result = run(tmp_path, *args)
        assert result.returncode == 1, args
        one_error_line(result.stderr)


def test_broken_config_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("[fetch]\nconcurrency = 'many'\n", encoding="utf-8")
    result = run(tmp_path, "feeds")
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "line 2" in line and "fetch.concurrency" in line


def test_remove_by_url(http_server: LocalServer, tmp_path: Path) -> None:
    url = serve_feed(http_server, "/x.xml", "rss", "X feed", [])
    assert run(tmp_path, "add", url).returncode == 0
    removed = run(tmp_path, "remove", url)
    assert removed.returncode == 0 and "X feed" in removed.stdout
    assert url not in run(tmp_path, "feeds").stdout


def test_a_command_ends_with_all_its_output_written(
    http_server: LocalServer, tmp_path: Path
) -> None:
    """The console script skips the interpreter's teardown at the end; what the command wrote
    must still arrive whole, however much of it sits in the buffers at that moment."""
    items = [
        Item(f"end-{n}", f"Story {n} " + "x" * 60, http_server.url(f"/end/{n}"))
        for n in range(3000)
    ]
    feed_url = serve_feed(http_server, "/end.xml", "rss", "Long listing", items)
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[fetch]\npages = false\nretries = 0\nimages = false\n", "utf-8")
    assert run(tmp_path, "add", feed_url).returncode == 0

    # Buffered as a user's shell would have it (no PYTHONUNBUFFERED from the caller).
    env = {k: v for k, v in environment(tmp_path).items() if k != "PYTHONUNBUFFERED"}
    listed = subprocess.run(
        command(tmp_path, "articles", "--feed", feed_url),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3000 and listed.stdout.endswith("\n")
    assert {line.split("\t")[0] for line in lines} == {item.link for item in items}

    fetched = subprocess.run(
        command(tmp_path, "fetch"), capture_output=True, text=True, env=env, timeout=60
    )
    assert fetched.stdout.splitlines() == ["ok\tLong listing\t0\t"]
    assert fetched.stderr.strip().endswith("0 new articles, 0 pages stored"), fetched.stderr
