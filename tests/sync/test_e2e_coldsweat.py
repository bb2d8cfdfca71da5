"""End to end with a real Fever server: the installed ``tui-reader`` script against coldsweat.

Each test gives the console script a data directory and a config directory of its own, with
``[sync] kind = "fever"`` pointing at the session's coldsweat (see :mod:`tests.sync.coldsweat`),
whose feeds are served by a local HTTP server. Every article's link leads to a real news page
on that server, so a sync fetches and cleans the pages exactly as a refresh would, and
``read`` is then answered from the store while the pages are gone.

What the server holds is checked through coldsweat itself (another Fever client, or its
database), never through our own store.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.httpserver import RecordedRequest, Response
from tests.sync import coldsweat as coldsweat_fixtures
from tests.sync.coldsweat import FEEDS, ColdsweatServer
from tests.sync.device import WELCOME, Device

coldsweat = coldsweat_fixtures.coldsweat
fever_server = coldsweat_fixtures.fever_server

PAGE = Path(__file__).parent.parent / "data" / "pages" / "news-inline-promos.html"
#: Text of the page's article, and text of its clutter the cleaning must drop.
ARTICLE_TEXT = "permanently closed to cars after councillors voted by 31 to 9"
CLUTTER = ("Advertisement", "We have a small favour to ask", "Most viewed")


@dataclass
class Pages:
    """The article pages on the feeds' server; ``down`` makes every one of them fail."""

    down: bool = False
    served: list[str] = field(default_factory=list)

    def handler(self, request: RecordedRequest) -> Response:
        if self.down:
            return Response(503, b"gone", {"Content-Type": "text/plain"})
        self.served.append(request.path)
        return Response(200, PAGE.read_bytes(), {"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture
def pages(fever_server: ColdsweatServer) -> Iterator[Pages]:
    state = Pages()
    # Room for the entries later tests publish: each gets a page of its own address.
    for spec in FEEDS:
        for index in range(spec.count + 200):
            fever_server.feeds.route(f"/{spec.slug}/{index}.html", state.handler)
    yield state
    state.down = False


def make_client(
    tmp_path: Path, name: str, server: ColdsweatServer, *, via_command: bool = False
) -> Device:
    root = tmp_path / name
    (root / "config").mkdir(parents=True)
    lines = [
        "[sync]",
        'kind = "fever"',
        f'url = "{server.url}"',
        f'user = "{server.user}"',
    ]
    password: str | None = server.password
    if via_command:
        # The password from a program, run without a shell (as a password manager would be).
        script = root / "password.sh"
        script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{server.password}'\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        lines.append(f'password_command = "{script}"')
        password = None
    lines += ["", "[fetch]", "retries = 0", ""]
    (root / "config" / "config.toml").write_text("\n".join(lines), encoding="utf-8")
    return Device(root, password)


def url_of(server: ColdsweatServer, item_id: str) -> str:
    items = server.fever(f"items&with_ids={item_id}")["items"]
    return str(items[0]["url"])


def alpha_ids(server: ColdsweatServer) -> list[str]:
    return sorted(server.ids_of("Alpha"), key=int)


def test_first_sync_brings_feeds_articles_and_clean_pages_for_offline_reading(
    tmp_path: Path, fever_server: ColdsweatServer, pages: Pages
) -> None:
    entries = fever_server.entries()
    device = make_client(tmp_path, "laptop", fever_server)
    sent, feeds, new, _read, _starred, stored_pages, requests, waiting = device.sync()
    assert (sent, feeds, new, waiting) == (0, len(FEEDS), len(entries), 0)
    # Every entry's page was fetched from the feeds' server and kept.
    assert stored_pages == len(entries)
    assert len(set(pages.served)) == len(entries)
    # Batched: 60-odd items are a handful of Fever requests, not one per item.
    assert 0 < requests < 15

    listed = device.run("feeds")
    assert listed.returncode == 0, listed.stderr
    for spec in FEEDS:
        assert spec.title in listed.stdout
    rows = device.articles()
    assert len(rows) == len(entries)
    assert {r["feed"] for r in rows} == {spec.title for spec in FEEDS}
    # Nothing read or starred on the server: nothing read or starred here.
    assert not any(r["read"] or r["starred"] for r in rows)

    # With every page failing, `read` still has the cleaned page: it is answered from the store.
    link = url_of(fever_server, alpha_ids(fever_server)[0])
    pages.down = True
    served = len(fever_server.feeds.requests)
    read = device.run("read", link, "--format", "text")
    assert read.returncode == 0, read.stderr
    assert ARTICLE_TEXT in read.stdout
    for junk in CLUTTER:
        assert junk not in read.stdout
    assert len(fever_server.feeds.requests) == served

    # A second sync with nothing new asks for nothing new.
    again = device.sync()
    assert again[2] == 0 and again[5] == 0


def test_marks_reach_the_server_and_server_changes_come_back(
    tmp_path: Path, fever_server: ColdsweatServer, pages: Pages
) -> None:
    device = make_client(tmp_path, "laptop", fever_server, via_command=True)
    device.sync()
    first, second, third, fourth = alpha_ids(fever_server)[:4]

    marked = device.run("mark", "--read", url_of(fever_server, first))
    assert marked.returncode == 0, marked.stderr
    expected = "marked 1 article read (1 mark waiting for `tui-reader sync`)"
    assert marked.stdout.strip() == expected
    starred = device.run("mark", "--star", url_of(fever_server, second))
    assert starred.returncode == 0, starred.stderr
    counts = device.sync()
    assert counts[0] == 2 and counts[7] == 0
    assert fever_server.state(first) == (True, False)
    assert fever_server.state(second) == (False, True)

    # Changed on the server by another client: it comes back with the next sync.
    fever_server.set_read(third)
    fever_server.set_saved(fourth)
    fever_server.set_read(first, False)
    counts = device.sync()
    assert counts[3] == 2 and counts[4] == 1
    flags = device.flags()
    assert flags[url_of(fever_server, first)] == (False, False)
    assert flags[url_of(fever_server, second)] == (False, True)
    assert flags[url_of(fever_server, third)] == (True, False)
    assert flags[url_of(fever_server, fourth)] == (False, True)

    # A new entry on the server arrives, its page with it.
    (published,) = fever_server.publish("alpha")
    counts = device.sync()
    assert counts[2] == 1 and counts[5] == 1
    assert url_of(fever_server, published) in device.flags()


def test_a_mark_made_while_the_server_is_down_is_delivered_after_it_restarts(
    tmp_path: Path, fever_server: ColdsweatServer, pages: Pages
) -> None:
    device = make_client(tmp_path, "laptop", fever_server)
    device.sync()
    item = alpha_ids(fever_server)[5]
    link = url_of(fever_server, item)
    fever_server.stop()
    try:
        marked = device.run("mark", "--read", link)
        assert marked.returncode == 0, marked.stderr
        assert "1 mark waiting" in marked.stdout
        failed = device.run("sync")
        assert failed.returncode == 1
        assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
        assert "127.0.0.1" in failed.stderr
        assert failed.stdout == ""
        # The mark is kept, here and in the queue.
        assert device.flags()[link] == (True, False)
        again = device.run("mark", "--star", link)
        assert "2 marks waiting" in again.stdout
    finally:
        fever_server.start()
    assert fever_server.state(item) == (False, False)
    counts = device.sync()
    assert counts[0] == 2 and counts[7] == 0
    assert fever_server.state(item) == (True, True)
    assert device.flags()[link] == (True, True)


def test_two_devices_see_each_others_marks_through_the_server(
    tmp_path: Path, fever_server: ColdsweatServer, pages: Pages
) -> None:
    laptop = make_client(tmp_path, "laptop", fever_server)
    desktop = make_client(tmp_path, "desktop", fever_server, via_command=True)
    laptop.sync()
    desktop.sync()
    one, two = (url_of(fever_server, i) for i in alpha_ids(fever_server)[10:12])

    assert laptop.run("mark", "--read", one).returncode == 0
    laptop.sync()
    desktop.sync()
    assert desktop.flags()[one] == (True, False)

    assert desktop.run("mark", "--star", two).returncode == 0
    assert desktop.run("mark", "--unread", one).returncode == 0
    desktop.sync()
    laptop.sync()
    assert laptop.flags()[two] == (False, True)
    assert laptop.flags()[one] == (False, False)


def test_articles_lists_what_the_server_has_unread_in_tsv_and_json(
    tmp_path: Path, fever_server: ColdsweatServer, pages: Pages
) -> None:
    device = make_client(tmp_path, "laptop", fever_server)
    device.sync()
    for item in alpha_ids(fever_server)[:3]:
        fever_server.set_read(item)
    device.sync()
    unread_ids = fever_server.fever("unread_item_ids")["unread_item_ids"].split(",")
    server_unread = {url_of(fever_server, i) for i in unread_ids if i}

    rows = device.articles("--unread")
    assert {r["url"] for r in rows} == server_unread
    tsv = device.run("articles", "--unread")
    assert tsv.returncode == 0, tsv.stderr
    lines = [line for line in tsv.stdout.splitlines() if line.split("\t")[2] != WELCOME]
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        url, title, feed, date, read, starred = line.split("\t")
        assert (url, title, feed, date) == (row["url"], row["title"], row["feed"], row["date"])
        assert (read, starred) == ("0", "1" if row["starred"] else "0")
    # The hostile feed's titles arrive as plain text: no escape reaches the terminal.
    assert "\x1b" not in tsv.stdout and "\x07" not in tsv.stdout
    assert any("[bold]markup[/bold]" in str(r["title"]) for r in rows)


def test_a_wrong_password_is_one_line_and_keeps_the_queue(
    tmp_path: Path, fever_server: ColdsweatServer, pages: Pages
) -> None:
    device = make_client(tmp_path, "laptop", fever_server)
    device.sync()
    link = url_of(fever_server, alpha_ids(fever_server)[20])
    assert device.run("mark", "--read", link).returncode == 0
    device.password = "not the password at all"
    refused = device.run("sync")
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "password" in refused.stderr
    assert device.flags()[link] == (True, False)
    device.password = fever_server.password
    assert device.sync()[0] == 1


def test_add_on_a_fever_server_is_one_line_and_a_page_is_still_saved(
    tmp_path: Path, fever_server: ColdsweatServer, pages: Pages
) -> None:
    device = make_client(tmp_path, "laptop", fever_server)
    feed_url = fever_server.feeds.url("/alpha.xml")
    refused = device.run("add", feed_url)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert "web interface" in refused.stderr and "Traceback" not in refused.stderr
    # A single page is not a subscription: it is saved here, to read later, as without sync.
    page = fever_server.feeds.url(f"/old/{FEEDS[0].count + 100}.html")
    saved = device.run("add", page)
    assert saved.returncode == 0, saved.stderr
    assert "saved to read later" in saved.stdout
    read = device.run("read", page, "--format", "text", "--offline")
    assert read.returncode == 0 and ARTICLE_TEXT in read.stdout
