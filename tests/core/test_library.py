"""The Library facade, with the network replaced by ``httpx.MockTransport``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.integration.site import PAGES, Item, atom, rss
from tui_reader.core.config import Config
from tui_reader.core.errors import (
    ContentTypeError,
    NotStoredError,
    StorageError,
    UnsafeURLError,
)
from tui_reader.core.library import SAVED_URL, WELCOME_URL, Library, welcome_articles

ARTICLE_HTML = (PAGES / "blog-personal.html").read_bytes()
OTHER_HTML = (PAGES / "docs-code.html").read_bytes()


@dataclass
class Web:
    """A fake web: path -> (status, content type, body); every request is logged."""

    routes: dict[str, tuple[int, str, bytes] | Callable[[httpx.Request], httpx.Response]] = field(
        default_factory=dict
    )
    log: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        route = self.routes.get(request.url.path)
        if route is None:
            return httpx.Response(404, text="not found")
        if callable(route):
            return route(request)
        status, ctype, body = route
        return httpx.Response(status, headers={"Content-Type": ctype}, content=body)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.log]


BASE = "https://news.example"


def url(path: str) -> str:
    return BASE + path


@pytest.fixture
def web() -> Web:
    return Web()


@pytest.fixture
def open_library(tmp_path: Path, web: Web):
    opened: list[Library] = []

    def make(*, offline: bool = False, **config: object) -> Library:
        client = httpx.AsyncClient(transport=httpx.MockTransport(web.handler))
        settings = Config(**{"retries": 0, **config})  # type: ignore[arg-type]
        lib = Library.open(tmp_path / "data", offline=offline, config=settings, client=client)
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        lib.close()


def feed_items(*specs: tuple[str, str]) -> list[Item]:
    return [Item(guid=g, title=f"Story {g}", link=url(path)) for g, path in specs]


async def test_new_store_has_the_welcome_feed_once(open_library, web: Web) -> None:
    lib = open_library()
    (welcome,) = lib.feeds()
    assert welcome.url == WELCOME_URL and welcome.total >= 4
    first = lib.articles()
    stored = lib.article(first[0].id)
    assert not stored.summary_only and len(stored.article.text) > 200
    assert lib.search("offline")
    lib.close()
    lib = open_library()
    assert len(lib.feeds()) == 1 and lib.count_articles() == welcome.total
    # Removed on purpose, it stays removed.
    lib.remove_feed(welcome.id)
    lib.close()
    lib = open_library()
    assert lib.feeds() == []
    assert web.log == []


async def test_welcome_feed_mentions_the_keys(open_library) -> None:
    lib = open_library()
    texts = " ".join(lib.article(a.id).article.text for a in lib.articles())
    for key in ("j / k", "Enter", "Escape", "Space", "n / N", "J / K", "Tab", "Ctrl+P", "?"):
        assert key in texts
    assert "import-opml" in texts and "config.toml" in texts and "--offline" in texts


def test_welcome_articles_are_dated_when_the_store_is_created() -> None:
    now = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    _, records = welcome_articles(now)
    dates = [record.published for record in records]
    assert max(d for d in dates if d) == now
    # The bundled order is kept: one hour apart, newest first.
    assert dates == [now - timedelta(hours=i) for i in range(len(dates))]


async def test_refresh_stores_pages_and_keeps_summaries_when_pages_fail(
    open_library, web: Web
) -> None:
    items = feed_items(("a", "/a.html"), ("b", "/b.html"))
    web.routes["/feed.xml"] = (200, "application/rss+xml", rss("News", items))
    web.routes["/a.html"] = (200, "text/html; charset=utf-8", ARTICLE_HTML)
    lib = open_library()
    feed_id, _ = lib.store.add_feed(url("/feed.xml"))
    seen = []
    report = await lib.refresh(progress=seen.append)
    await lib.aclose()
    assert (report.feeds_ok, report.new_articles, report.pages_fetched) == (1, 2, 1)
    assert len(report.failures) == 1 and "/b.html" in report.failures[0][1]
    assert "404" in report.failures[0][1]
    assert seen[-1].done == 1 and seen[-1].total == 1 and seen[-1].new_articles == 2
    by_title = {a.title: a for a in lib.articles(feed_id=feed_id)}
    full = lib.article(by_title["Story a"].id)
    assert not full.summary_only and "sold my bicycle" in full.article.text
    summary = lib.article(by_title["Story b"].id)
    assert summary.summary_only
    assert summary.article.text == "A short summary from the feed."
    assert "404" in (lib.page_error(summary.summary.id) or "")
    assert lib.feed(feed_id).title == "News"

    # The page appears later: the next refresh retries it, the feed unchanged.
    web.routes["/b.html"] = (200, "text/html", OTHER_HTML)
    report = await lib.refresh()
    await lib.aclose()
    assert report.new_articles == 0 and report.pages_fetched == 1 and report.failures == ()
    fixed = lib.article(summary.summary.id)
    assert not fixed.summary_only and "retry" in fixed.article.text.lower()
    assert web.paths().count("/a.html") == 1


async def test_refresh_without_pages_fetches_no_pages(open_library, web: Web) -> None:
    web.routes["/feed.xml"] = (200, "application/rss+xml", rss("N", feed_items(("a", "/a.html"))))
    web.routes["/a.html"] = (200, "text/html", ARTICLE_HTML)
    lib = open_library()
    lib.store.add_feed(url("/feed.xml"))
    report = await lib.refresh(pages=False)
    await lib.aclose()
    assert report.new_articles == 1 and report.pages_fetched == 0
    assert "/a.html" not in web.paths()
    (a,) = lib.articles(feed_id=lib.find_feed(url("/feed.xml")))
    assert a.summary_only


async def test_updated_entry_keeps_read_and_star(open_library, web: Web) -> None:
    item = Item(guid="x", title="First title", link=url("/x.html"))
    web.routes["/feed.xml"] = (200, "application/atom+xml", atom("A", [item]))
    lib = open_library()
    feed_id, _ = lib.store.add_feed(url("/feed.xml"))
    await lib.refresh(pages=False)
    (a,) = lib.articles(feed_id=feed_id)
    lib.set_read(a.id)
    lib.set_starred(a.id)
    changed = Item(guid="x", title="Corrected title", link=url("/x.html"), summary="Changed.")
    web.routes["/feed.xml"] = (200, "application/atom+xml", atom("A", [changed]))
    report = await lib.refresh(pages=False)
    await lib.aclose()
    assert report.new_articles == 0
    (b,) = lib.articles(feed_id=feed_id)
    assert b.id == a.id and b.title == "Corrected title" and b.read and b.starred
    assert lib.article(b.id).article.text == "Changed."


async def test_feed_failure_is_recorded_and_others_still_refresh(open_library, web: Web) -> None:
    web.routes["/bad.xml"] = (500, "text/plain", b"oops")
    web.routes["/junk.xml"] = (200, "application/rss+xml", b"this is not a feed at all")
    web.routes["/good.xml"] = (200, "application/rss+xml", rss("Good", []))
    lib = open_library()
    bad, _ = lib.store.add_feed(url("/bad.xml"), title="Bad feed")
    junk, _ = lib.store.add_feed(url("/junk.xml"))
    lib.store.add_feed(url("/good.xml"))
    report = await lib.refresh()
    await lib.aclose()
    assert report.feeds_ok == 1
    reasons = dict(report.failures)
    assert "500" in reasons["Bad feed"]
    assert url("/junk.xml") in reasons
    assert "500" in (lib.feed(bad).last_error or "")
    assert lib.feed(junk).last_error
    for reason in reasons.values():
        assert "\n" not in reason
    # Success clears the error.
    web.routes["/bad.xml"] = (200, "application/rss+xml", rss("Bad feed", []))
    await lib.refresh([bad])
    await lib.aclose()
    assert lib.feed(bad).last_error is None


async def test_retention_prunes_old_read_articles_on_refresh(open_library, web: Web) -> None:
    old = [Item(guid=f"o{i}", title=f"Old {i}", link=url(f"/o{i}.html")) for i in range(3)]
    web.routes["/feed.xml"] = (200, "application/rss+xml", rss("R", old))
    lib = open_library(retention_days=1)
    feed_id, _ = lib.store.add_feed(url("/feed.xml"))
    await lib.refresh(pages=False)
    ids = {a.title: a.id for a in lib.articles(feed_id=feed_id)}
    for title in ("Old 0", "Old 1"):
        lib.set_read(ids[title])
    lib.set_starred(ids["Old 1"])
    # Old 0 and Old 1 drop out of the feed; Old 2 stays (unread).
    web.routes["/feed.xml"] = (200, "application/rss+xml", rss("R", old[2:]))
    await lib.refresh(pages=False)
    await lib.aclose()
    assert {a.title for a in lib.articles(feed_id=feed_id)} == {"Old 1", "Old 2"}


async def test_offline_never_touches_the_network(open_library, web: Web) -> None:
    lib = open_library(offline=True)
    lib.store.add_feed(url("/feed.xml"))
    with pytest.raises(NotStoredError):
        await lib.refresh()
    with pytest.raises(NotStoredError):
        await lib.add(url("/feed.xml"))
    with pytest.raises(NotStoredError, match="not in the store"):
        await lib.open_url(url("/page.html"))
    with pytest.raises(NotStoredError):
        await lib.fetch_article(url("/page.html"))
    await lib.aclose()
    assert web.log == []


async def test_add_a_feed_subscribes_and_refreshes(open_library, web: Web) -> None:
    web.routes["/feed.xml"] = (
        200,
        "application/rss+xml",
        rss("Daily", feed_items(("a", "/a.html"))),
    )
    web.routes["/a.html"] = (200, "text/html", ARTICLE_HTML)
    lib = open_library()
    result = await lib.add(url("/feed.xml"), tags=["news", "daily"])
    assert result.kind == "feed" and result.title == "Daily"
    assert "Daily" in result.message and "1 article" in result.message
    info = lib.feed(result.feed_id)
    assert info.tags == ("daily", "news") and info.total == 1
    (a,) = lib.articles(feed_id=result.feed_id)
    assert not a.summary_only
    # The feed document was fetched once (the add reuses it for the first refresh).
    assert web.paths().count("/feed.xml") == 1
    again = await lib.add(url("/feed.xml"))
    await lib.aclose()
    assert again.feed_id == result.feed_id and "already subscribed" in again.message


async def test_add_a_site_subscribes_to_its_announced_feed(open_library, web: Web) -> None:
    page = (
        b"<html><head><title>Home</title>"
        b'<link rel="alternate" type="application/atom+xml" title="Site news" href="/atom.xml">'
        b"</head><body><p>Welcome</p></body></html>"
    )
    web.routes["/"] = (200, "text/html", page)
    web.routes["/atom.xml"] = (200, "application/atom+xml", atom("Site news", []))
    lib = open_library()
    result = await lib.add(url("/"))
    await lib.aclose()
    assert result.kind == "feed"
    assert lib.feed(result.feed_id).url == url("/atom.xml")
    assert "Site news" in result.message and url("/atom.xml") in result.message


async def test_add_an_article_saves_it(open_library, web: Web) -> None:
    web.routes["/story.html"] = (200, "text/html", ARTICLE_HTML)
    lib = open_library()
    result = await lib.add(url("/story.html"))
    assert result.kind == "saved" and result.article_id is not None
    saved = lib.feed(result.feed_id)
    assert saved.kind == "saved" and saved.url == SAVED_URL
    stored = lib.article(result.article_id)
    assert "twelve months" in stored.article.title.lower()
    # A refresh never tries to fetch the Saved feed.
    before = len(web.log)
    report = await lib.refresh()
    await lib.aclose()
    assert len(web.log) == before and report.failures == ()


async def test_add_refuses_other_schemes_and_non_html(open_library, web: Web) -> None:
    web.routes["/file.pdf"] = (200, "application/pdf", b"%PDF-1.4")
    lib = open_library()
    with pytest.raises(UnsafeURLError):
        await lib.add("file:///etc/passwd")
    with pytest.raises(ContentTypeError):
        await lib.add(url("/file.pdf"))
    await lib.aclose()


async def test_open_url_stores_once_then_answers_from_the_store(open_library, web: Web) -> None:
    web.routes["/story.html"] = (200, "text/html", ARTICLE_HTML)
    lib = open_library()
    first = await lib.open_url(url("/story.html"))
    second = await lib.open_url(url("/story.html"))
    await lib.aclose()
    assert first.summary.id == second.summary.id
    assert web.paths() == ["/story.html"]
    lib.close()
    offline = open_library(offline=True)
    stored = await offline.open_url(url("/story.html"))
    assert stored.article.text == first.article.text


async def test_reading_api(open_library) -> None:
    lib = open_library()
    a = lib.articles(view="unread")[0]
    lib.set_read(a.id)
    assert a.id not in {x.id for x in lib.articles(view="unread")}
    lib.set_starred(a.id)
    assert [x.id for x in lib.articles(view="starred")] == [a.id]
    lib.save_position(a.id, 0.25)
    assert lib.article(a.id).position == pytest.approx(0.25)
    lib.save_position(a.id, 7)
    assert lib.article(a.id).position == 1.0
    lib.set_setting("theme", "nord")
    assert lib.get_setting("theme") == "nord" and lib.get_setting("x", "d") == "d"
    with pytest.raises(NotStoredError):
        lib.article(99999)
    with pytest.raises(StorageError):
        lib.find_feed("no-such-feed")
    with pytest.raises(StorageError):
        lib.remove_feed(99999)
    assert lib.find_feed(WELCOME_URL) == lib.find_feed(str(lib.feeds()[0].id))


def test_unwritable_data_dir_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create"):
        Library.open(blocker / "sub", config=Config())


async def test_feed_summaries_are_cleaned_into_blocks(open_library, web: Web) -> None:
    summary = (
        "<p>Read <a href='/more'>the report</a>.<script>alert(1)</script></p>"
        "<ul><li>one</li><li>two \x1b]52;c;eA==\x07</li></ul>"
        "<p><a href='javascript:alert(1)'>click</a></p>"
    )
    long_text = "<p>" + "A sentence of the full text that the feed carries. " * 80 + "</p>"
    items = [
        Item(guid="short", title="Short", link=url("/s"), summary=summary),
        Item(guid="long", title="Long", link=url("/l"), summary=long_text),
    ]
    web.routes["/feed.xml"] = (200, "application/rss+xml", rss("F", items))
    lib = open_library()
    feed_id, _ = lib.store.add_feed(url("/feed.xml"))
    await lib.refresh(pages=False)
    await lib.aclose()
    stored = {a.title: lib.article(a.id).article for a in lib.articles(feed_id=feed_id)}
    short = stored["Short"]
    assert [b.kind for b in short.blocks] == ["paragraph", "list", "paragraph"]
    assert short.links() == [("the report", url("/more"))]
    assert "alert" not in short.text and "\x1b" not in short.text and "eA==" not in short.text
    assert short.title == "Short" and short.url == url("/s")
    assert "full text that the feed carries" in stored["Long"].text
    assert len(stored["Long"].text) > 3000


async def test_an_unexpected_error_in_one_feed_spares_the_others(open_library, web: Web) -> None:
    from tests.core import workertasks

    web.routes["/bad.xml"] = (200, "application/rss+xml", rss("Bad", []))
    web.routes["/good.xml"] = (200, "application/rss+xml", rss("Good", feed_items(("g", "/g"))))
    lib = open_library()
    # The parse runs in a worker process, which imports the task by name.
    lib._refresher().prepare_task = workertasks.prepare_or_fail
    bad, _ = lib.store.add_feed(url("/bad.xml"))
    lib.store.add_feed(url("/good.xml"))
    report = await lib.refresh(pages=False)
    await lib.aclose()
    assert report.feeds_ok == 1 and report.new_articles == 1
    ((_, reason),) = report.failures
    assert "ValueError" in reason and "parser bug" in reason
    assert "parser bug" in (lib.feed(bad).last_error or "")


async def test_media_links_are_not_fetched_as_pages(open_library, web: Web) -> None:
    items = [
        Item(guid="ep1", title="Episode 1", link=url("/audio/ep1.mp3"), summary="Show notes."),
        Item(guid="doc", title="Report", link=url("/files/report.PDF?dl=1"), summary="A PDF."),
    ]
    web.routes["/feed.xml"] = (200, "application/rss+xml", rss("Podcast", items))
    lib = open_library()
    feed_id, _ = lib.store.add_feed(url("/feed.xml"))
    first = await lib.refresh()
    await lib.refresh()
    await lib.aclose()
    assert web.paths() == ["/feed.xml", "/feed.xml"]
    assert first.new_articles == 2 and first.failures == ()
    texts = {lib.article(a.id).article.text for a in lib.articles(feed_id=feed_id)}
    assert texts == {"Show notes.", "A PDF."}


async def test_a_page_that_keeps_failing_is_given_up_after_a_few_tries(
    open_library, web: Web
) -> None:
    from tui_reader.core.storage import MAX_PAGE_ATTEMPTS

    web.routes["/feed.xml"] = (200, "application/rss+xml", rss("F", feed_items(("p", "/pay"))))
    web.routes["/pay"] = (403, "text/html", b"subscribers only")
    lib = open_library()
    lib.store.add_feed(url("/feed.xml"))
    for _ in range(MAX_PAGE_ATTEMPTS + 3):
        await lib.refresh()
    await lib.aclose()
    assert web.paths().count("/pay") == MAX_PAGE_ATTEMPTS
    (a,) = lib.articles(feed_id=lib.find_feed(url("/feed.xml")))
    assert a.summary_only and "403" in (lib.page_error(a.id) or "")
