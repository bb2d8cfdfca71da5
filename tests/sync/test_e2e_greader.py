"""End to end with the Google Reader API: the installed ``tui-reader`` against the test server.

The server (:mod:`tests.sync.greader_server`) keeps real state and speaks either dialect:
FreshRSS (``/api/greader.php``, id continuations, lax ``T``) or Miniflux (the site root, offset
continuations, strict ``T``, no ``stream/contents``). Its items link to real pages on a local
HTTP server, so a sync fetches and cleans them as a refresh does. What the server holds is
read from the server object itself, never from our store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.sync.device import WELCOME, Device
from tests.sync.greader_server import Dialect, GReaderServer

DATA = Path(__file__).parent.parent / "data"
PAGE = DATA / "pages" / "news-inline-promos.html"
ARTICLE_TEXT = "permanently closed to cars after councillors voted by 31 to 9"
STORIES = 30
HOSTILE_TITLE = "\x1b]0;pwned\x07\x1b[31mred [bold]markup[/bold] <b>tag</b>"
HOSTILE_PAGE = (
    "<!DOCTYPE html><html><head><title>\x1b[2J\x1b[31mEvil [red]title[/red]</title></head>"
    "<body><article><h1>\x1b]8;;file:///etc/passwd\x07Evil [red]title[/red]\x1b]8;;\x07</h1>"
    + "<p>A paragraph of the hostile page, long enough to be the article's text. " * 8
    + "\x1b[5mblink</p></article></body></html>"
)


@dataclass
class World:
    server: GReaderServer
    web: LocalServer
    feed: int
    stories: list[int]
    hostile: int


@pytest.fixture(params=["freshrss", "miniflux"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    dialect: Dialect = request.param
    with LocalServer() as web:
        web.add_file("/tech.xml", DATA / "feeds" / "rss2.xml", content_type="application/rss+xml")
        web.add_file("/more.xml", DATA / "feeds" / "atom.xml", content_type="application/atom+xml")
        for n in range(1, STORIES + 2):
            web.add_file(f"/p/{n}.html", PAGE, content_type="text/html; charset=utf-8")
        web.add("/evil.html", HOSTILE_PAGE.encode(), content_type="text/html; charset=utf-8")
        with GReaderServer(dialect) as server:
            feed = server.add_feed(web.url("/tech.xml"), "Tech", folders=["News"])
            stories = server.add_items(feed, STORIES, url=web.url("/p/{n}.html"))
            (hostile,) = server.add_items(feed, 1, title=HOSTILE_TITLE, url=web.url("/evil.html"))
            yield World(server, web, feed, stories, hostile)


def device(tmp_path: Path, world: World, name: str = "laptop") -> Device:
    root = tmp_path / name
    (root / "config").mkdir(parents=True)
    (root / "config" / "config.toml").write_text(
        "[sync]\n"
        'kind = "greader"\n'
        f'url = "{world.server.api_url}"\n'
        f'user = "{world.server.user}"\n'
        "\n[fetch]\nretries = 0\n",
        encoding="utf-8",
    )
    return Device(root, world.server.password)


def link(world: World, item_id: int) -> str:
    return world.server.items[item_id].url


def test_sync_marks_both_ways_and_an_outage(tmp_path: Path, world: World) -> None:
    server = world.server
    laptop = device(tmp_path, world)
    sent, feeds, new, _r, _s, pages, requests, waiting = laptop.sync()
    assert (sent, feeds, new, pages, waiting) == (0, 1, STORIES + 1, STORIES + 1, 0)
    assert requests < 20
    rows = laptop.articles()
    assert {r["url"] for r in rows} == {i.url for i in server.items.values()}
    assert {r["feed"] for r in rows} == {"Tech"}

    # The page is kept cleaned: `read` answers from the store even with the pages failing.
    first, second, third = world.stories[:3]
    world.web.add(f"/p/{server.items[first].seq}.html", b"gone", status=503)
    read = laptop.run("read", link(world, first), "--format", "text")
    assert read.returncode == 0, read.stderr
    assert ARTICLE_TEXT in read.stdout and "Advertisement" not in read.stdout

    # Marks reach the server.
    assert laptop.run("mark", "--read", link(world, first)).returncode == 0
    assert laptop.run("mark", "--star", link(world, second)).returncode == 0
    assert laptop.sync()[0] == 2
    assert server.items[first].read and server.items[second].starred

    # A change on the server comes back.
    server.items[third].read = True
    server.items[second].starred = False
    counts = laptop.sync()
    assert (counts[3], counts[4]) == (1, 1)
    flags = laptop.flags()
    assert flags[link(world, third)] == (True, False)
    assert flags[link(world, second)] == (False, False)

    # With the server down, the mark waits; the sync that fails says so in one line.
    server.stop()
    try:
        marked = laptop.run("mark", "--unread", link(world, first))
        assert marked.returncode == 0 and "1 mark waiting" in marked.stdout
        failed = laptop.run("sync")
        assert failed.returncode == 1 and failed.stdout == ""
        assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
        assert laptop.flags()[link(world, first)] == (False, False)
    finally:
        server.start()
    assert server.items[first].read
    assert laptop.sync()[0] == 1
    assert not server.items[first].read

    # A second device sees the first one's marks.
    desktop = device(tmp_path, world, "desktop")
    desktop.sync()
    assert desktop.flags()[link(world, third)] == (True, False)
    assert desktop.run("mark", "--star", link(world, third)).returncode == 0
    desktop.sync()
    laptop.sync()
    assert laptop.flags()[link(world, third)] == (True, True)

    # Scripts: --unread in TSV and JSON agree, and agree with the server.
    unread = desktop.articles("--unread")
    assert {r["url"] for r in unread} == {server.items[i].url for i in server.unread()}
    tsv = desktop.run("articles", "--unread")
    lines = [line.split("\t") for line in tsv.stdout.splitlines()]
    lines = [fields for fields in lines if fields[2] != WELCOME]
    assert [f[:4] for f in lines] == [[r["url"], r["title"], r["feed"], r["date"]] for r in unread]


def test_add_and_remove_act_on_the_servers_subscriptions(tmp_path: Path, world: World) -> None:
    server = world.server
    laptop = device(tmp_path, world)
    laptop.sync()
    added = laptop.run("add", world.web.url("/more.xml"))
    assert added.returncode == 0, added.stderr
    assert "subscribed on the server" in added.stdout
    assert any(f.url == world.web.url("/more.xml") for f in server.feeds.values())
    # The feed's entries came with it, from the feed itself.
    feeds = laptop.run("feeds")
    assert world.web.url("/more.xml") in feeds.stdout or "more.xml" in feeds.stdout

    # A page is saved here, not sent to the server.
    before = len(server.feeds)
    saved = laptop.run("add", world.web.url(f"/p/{STORIES + 1}.html"))
    assert saved.returncode == 0, saved.stderr
    assert "saved to read later" in saved.stdout and len(server.feeds) == before

    removed = laptop.run("remove", world.web.url("/tech.xml"))
    assert removed.returncode == 0, removed.stderr
    assert world.feed not in server.feeds
    assert "Tech" not in {str(r["feed"]) for r in laptop.articles()}


def test_hostile_titles_never_reach_the_terminal_raw(tmp_path: Path, world: World) -> None:
    laptop = device(tmp_path, world)
    laptop.sync()
    url = link(world, world.hostile)
    for args in (("articles",), ("articles", "--format", "json"), ("read", url)):
        done = laptop.run(*args)
        assert done.returncode == 0, done.stderr
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in done.stdout, args
    row = next(r for r in laptop.articles() if r["url"] == url)
    # Markup is shown as the text it is, never interpreted or dropped.
    assert "[bold]markup[/bold]" in str(row["title"])
    read = laptop.run("read", url, "--format", "text")
    assert "[red]title[/red]" in read.stdout and "\x1b" not in read.stdout
