"""Refreshing against a real HTTP server on 127.0.0.1: pages, 304s, failures, retries, add."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.httpserver import LocalServer, RecordedRequest, Response
from tests.integration.site import PAGES, Item, items_with_pages, rss, serve_feed
from tui_reader.core.config import Config
from tui_reader.core.library import Library


@pytest.fixture
def library(tmp_path: Path):
    lib = Library.open(tmp_path / "data", config=Config(retries=0))
    yield lib
    lib.close()


async def refresh(lib: Library, **kwargs):
    try:
        return await lib.refresh(**kwargs)
    finally:
        await lib.aclose()


async def test_refresh_of_rss_atom_and_json_feeds_stores_clean_pages(
    http_server: LocalServer, library: Library
) -> None:
    feeds = {}
    for kind in ("rss", "atom", "json"):
        items = items_with_pages(http_server, kind, 3)
        feeds[kind] = library.store.add_feed(
            serve_feed(http_server, f"/{kind}", kind, f"The {kind} feed", items)
        )[0]
    report = await refresh(library)
    assert (report.feeds_ok, report.new_articles, report.pages_fetched) == (3, 9, 9)
    assert report.failures == ()
    for kind, feed_id in feeds.items():
        info = library.feed(feed_id)
        assert info.title == f"The {kind} feed" and info.total == 3 and info.unread == 3
        for summary in library.articles(feed_id=feed_id):
            stored = library.article(summary.id)
            assert not stored.summary_only
            # The cleaned page, not the feed's one-line summary.
            assert len(stored.article.text) > 300
            assert "Summary of" not in stored.article.text
    pages = [r for r in http_server.requests if r.path.endswith(".html")]
    assert len(pages) == 9
    assert all((r.header("user-agent") or "").startswith("tui-reader/") for r in pages)
    # Every stored article is searchable by words of its page.
    assert library.search("bicycle")


async def test_second_refresh_is_answered_304(http_server: LocalServer, library: Library) -> None:
    for kind in ("rss", "atom", "json"):
        items = items_with_pages(http_server, kind, 2)
        url = serve_feed(http_server, f"/{kind}", kind, kind, items, etag=f'"{kind}-v1"')
        library.store.add_feed(url)
    first = await refresh(library)
    assert first.feeds_ok == 3 and first.new_articles == 6
    page_requests = len([r for r in http_server.requests if r.path.endswith(".html")])
    second = await refresh(library)
    assert (second.feeds_ok, second.feeds_not_modified, second.new_articles) == (0, 3, 0)
    for kind in ("rss", "atom", "json"):
        requests = http_server.requests_for(f"/{kind}")
        assert len(requests) == 2
        assert requests[0].header("if-none-match") is None
        assert requests[1].header("if-none-match") == f'"{kind}-v1"'
    # Nothing changed, so no page was fetched again.
    assert len([r for r in http_server.requests if r.path.endswith(".html")]) == page_requests


async def test_feed_500_then_success(http_server: LocalServer, library: Library) -> None:
    items = items_with_pages(http_server, "s", 2)
    http_server.add_sequence(
        "/flaky",
        [
            {"status": 500, "body": b"server error"},
            {"body": rss("Flaky", items), "headers": {"Content-Type": "application/rss+xml"}},
        ],
    )
    feed_id, _ = library.store.add_feed(http_server.url("/flaky"), title="Flaky feed")
    report = await refresh(library)
    assert report.feeds_ok == 0 and report.new_articles == 0
    ((name, reason),) = report.failures
    assert name == "Flaky feed" and "500" in reason
    assert "500" in (library.feed(feed_id).last_error or "")
    report = await refresh(library)
    assert report.feeds_ok == 1 and report.new_articles == 2 and report.failures == ()
    assert library.feed(feed_id).last_error is None


async def test_page_404_keeps_summary_and_a_later_refresh_retries(
    http_server: LocalServer, library: Library
) -> None:
    page = (PAGES / "news-live.html").read_bytes()
    available = {"now": False}

    def story(request: RecordedRequest) -> Response:
        if available["now"]:
            return Response(body=page, headers={"Content-Type": "text/html"})
        return Response(status=404, body=b"gone")

    http_server.route("/story.html", story)
    item = Item(guid="s1", title="Storm story", link=http_server.url("/story.html"))
    serve_feed(http_server, "/feed", "rss", "Weather", [item], etag='"w1"')
    feed_id, _ = library.store.add_feed(http_server.url("/feed"))

    report = await refresh(library)
    assert report.new_articles == 1 and report.pages_fetched == 0
    assert any("404" in reason for _, reason in report.failures)
    (summary,) = library.articles(feed_id=feed_id)
    stored = library.article(summary.id)
    assert stored.summary_only and summary.summary_only
    assert stored.article.text == item.summary
    assert "404" in (library.page_error(summary.id) or "")

    available["now"] = True
    report = await refresh(library)
    assert report.feeds_not_modified == 1 and report.pages_fetched == 1
    stored = library.article(summary.id)
    assert not stored.summary_only
    assert "network operator" in stored.article.text and len(stored.article.text) > 300
    assert len(http_server.requests_for("/story.html")) == 2


async def test_add_discovers_the_feed_of_a_site(http_server: LocalServer, library: Library) -> None:
    items = items_with_pages(http_server, "blog", 2)
    feed_url = serve_feed(http_server, "/blog/feed.atom", "atom", "The Blog", items)
    http_server.add(
        "/blog/",
        b"<!doctype html><html><head><title>The Blog</title>"
        b'<link rel="alternate" type="application/atom+xml" title="The Blog (Atom)" '
        b'href="/blog/feed.atom"></head><body><h1>The Blog</h1><p>Hello.</p></body></html>',
        content_type="text/html",
    )
    try:
        result = await library.add(http_server.url("/blog/"), tags=["blogs"])
    finally:
        await library.aclose()
    assert result.kind == "feed"
    info = library.feed(result.feed_id)
    assert info.url == feed_url and info.tags == ("blogs",) and info.total == 2
    assert feed_url in result.message and "The Blog" in result.message
    assert all(not a.summary_only for a in library.articles(feed_id=result.feed_id))
    # Adding the site again says so instead of subscribing twice.
    try:
        again = await library.add(http_server.url("/blog/"))
    finally:
        await library.aclose()
    assert again.feed_id == result.feed_id and "already subscribed" in again.message
    assert len([f for f in library.feeds() if f.url == feed_url]) == 1


async def test_add_an_article_page_saves_it_for_offline_reading(
    http_server: LocalServer, tmp_path: Path, library: Library
) -> None:
    url = http_server.url("/article.html")
    http_server.add_file("/article.html", PAGES / "wiki-infobox.html", "text/html")
    try:
        result = await library.add(url)
    finally:
        await library.aclose()
    assert result.kind == "saved" and result.article_id is not None
    library.close()
    offline = Library.open(tmp_path / "data", offline=True, config=Config())
    try:
        stored = await offline.open_url(url)
        assert "viaduct" in stored.article.text.lower()
    finally:
        offline.close()


# The first loop's connections can only be dropped, not closed: that is what this warns about.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_refresh_in_a_second_event_loop_without_aclose(
    http_server: LocalServer, library: Library
) -> None:
    import asyncio

    # More feeds than requests allowed at once, so the fetcher's limits have waiters.
    for n in range(8):
        items = items_with_pages(http_server, f"loop{n}", 1)
        library.store.add_feed(serve_feed(http_server, f"/loop{n}", "rss", f"Loop {n}", items))
    first = asyncio.run(library.refresh(pages=False))
    # The first loop is gone, and with it the connections its client held open.
    second = asyncio.run(refresh(library, pages=False))
    assert first.new_articles == 8
    assert second.feeds_ok == 8 and second.failures == ()
    import gc

    gc.collect()  # let the dropped connections warn here, under this test's filters


async def test_configured_size_cap_and_deadline_apply_to_a_refresh(
    http_server: LocalServer, tmp_path: Path
) -> None:
    # [fetch] feed_max_mb and deadline reach the fetcher: a 2 MB feed body is refused under a
    # 1 MB cap, and a body trickling one byte a second is cut at the deadline, each as that
    # feed's one-line error while the good feed is stored.
    items = items_with_pages(http_server, "ok", 1)
    good = serve_feed(http_server, "/good", "rss", "Good", items)
    http_server.add("/big", b"<rss>" + b" " * (2 * 1024 * 1024), content_type="application/rss+xml")
    http_server.add_slow("/slow", rss("Slow", items), bytes_per_second=1)
    lib = Library.open(tmp_path / "d", config=Config(retries=0, feed_max_mb=1, deadline=1.5))
    try:
        for path, title in (
            (good, "Good"),
            (http_server.url("/big"), "Big"),
            (http_server.url("/slow"), "Slow"),
        ):
            lib.store.add_feed(path, title=title)
        report = await refresh(lib, pages=False)
    finally:
        lib.close()
    reasons = dict(report.failures)
    assert report.feeds_ok == 1 and report.new_articles == 1
    assert "larger than 1 MB" in reasons["Big"], reasons
    assert "timed out" in reasons["Slow"] or "deadline" in reasons["Slow"], reasons
    assert all("\n" not in reason for reason in reasons.values())


async def test_open_url_of_a_summary_only_article_fetches_and_keeps_the_page(
    http_server: LocalServer, library: Library
) -> None:
    # The page fails during the refresh, then comes back: following the link fetches it
    # and stores it in place of the feed's summary.
    http_server.add_sequence(
        "/later.html",
        [
            {"status": 404, "body": b"not yet"},
            {
                "body": (PAGES / "blog-personal.html").read_bytes(),
                "headers": {"Content-Type": "text/html; charset=utf-8"},
            },
        ],
    )
    item = Item(guid="l1", title="Later", link=http_server.url("/later.html"))
    serve_feed(http_server, "/feed", "rss", "Later feed", [item])
    feed_id, _ = library.store.add_feed(http_server.url("/feed"), title="Later feed")
    await refresh(library)
    (summary,) = library.articles(feed_id=feed_id)
    assert library.article(summary.id).summary_only
    try:
        stored = await library.open_url(http_server.url("/later.html"))
    finally:
        await library.aclose()
    assert stored.summary.id == summary.id and not stored.summary_only
    assert not library.article(summary.id).summary_only
