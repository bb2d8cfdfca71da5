"""Refreshing hostile feeds from a real local server: the SQLite file holds only clean data.

Every feed of the corpus is served by ``http_server`` with its links pointing back at the
server, whose article pages are the hostile page; then the store file is read directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import require
from tests.hostile.corpus import (
    CORPUS_DIR,
    FEED_FILES,
    GOOD_URL,
    billion_laughs,
    error_body,
    huge_feed,
    item_count,
    xxe,
)
from tests.hostile.payloads import OSC0, OSC52, assert_clean
from tests.hostile.storecheck import article_counts, check_store_is_clean, integrity
from tests.httpserver import LocalServer

MiB = 1024 * 1024


def open_library(data_dir: Path, **config: object):  # noqa: ANN201
    """A Library with retries off; ``config`` overrides more settings (limits, timeouts)."""
    library_mod = require("tui_reader.core.library", "Library")
    config_mod = require("tui_reader.core.config", "Config")
    return library_mod.Library.open(data_dir, config=config_mod.Config(retries=0, **config))


def serve_corpus_feed(server: LocalServer, name: str) -> str:
    """Serve corpus feed ``name`` with its good links pointing at the local server."""
    body = (
        (CORPUS_DIR / name).read_bytes().replace(GOOD_URL.encode(), server.url("/article").encode())
    )
    path = f"/feeds/{name}"
    server.add(path, body, content_type=FEED_FILES.get(name, "application/rss+xml"))
    return server.url(path)


def serve_hostile_pages(server: LocalServer) -> None:
    server.add_file("/article", "hostile/page.html", "text/html; charset=utf-8")


def one_line_failures(report: object) -> dict[str, str]:
    failures = dict(report.failures)  # type: ignore[attr-defined]
    for title, reason in failures.items():
        assert_clean(title, "failure title")
        assert_clean(reason, "failure reason")
        assert "\n" not in reason and "\n" not in title
        assert "Traceback" not in reason
    return failures


async def test_refresh_of_every_hostile_feed_stores_only_clean_data(
    http_server: LocalServer, tmp_path: Path
) -> None:
    serve_hostile_pages(http_server)
    library = open_library(tmp_path)
    try:
        urls = {name: serve_corpus_feed(http_server, name) for name in FEED_FILES}
        for url in urls.values():
            library.store.add_feed(url)
        report = await library.refresh(pages=True)
        failures = one_line_failures(report)
        assert report.feeds_ok == len(FEED_FILES), failures
        # Only http(s) pages were fetched: a relative "jav&#x09;ascript:x" in a JSON feed is a
        # path on the feed's own server, never a script; file: links are never followed.
        paths = {r.path.split("?")[0] for r in http_server.requests}
        assert "/article" in paths, "the good items' pages were not fetched"
        assert not any("passwd" in p for p in paths)
    finally:
        await library.aclose()
        library.close()
    assert integrity(tmp_path) == "ok"
    assert check_store_is_clean(tmp_path) > 100
    counts = article_counts(tmp_path)
    for name, url in urls.items():
        assert counts[url] == item_count(name), f"{name}: items lost"


async def test_hostile_articles_read_back_clean_through_the_library(
    http_server: LocalServer, tmp_path: Path
) -> None:
    serve_hostile_pages(http_server)
    library = open_library(tmp_path)
    try:
        url = serve_corpus_feed(http_server, "rss-raw.xml")
        library.store.add_feed(url)
        await library.refresh(pages=True)
        from tests.hostile.payloads import assert_all_clean, assert_safe_link

        for info in library.feeds():
            assert_all_clean(info, "feed")
        summaries = library.articles(limit=1000)
        assert summaries
        for summary in summaries:
            assert_all_clean(summary, "summary")
            assert_safe_link(summary.url, "summary url", fetchable=True)
            stored = library.article(summary.id)
            assert_all_clean(stored.article.to_dict(), f"article {summary.id}")
            for _, href in stored.article.links():
                assert_safe_link(href, "stored link")
        for hit in library.search("Title"):
            assert_all_clean(hit, "search hit")
        texts = [library.article(s.id).article.text for s in summaries]
        assert any("CANARYALPHA" in t for t in texts), "the good page's text was lost"
    finally:
        await library.aclose()
        library.close()


async def test_feed_failures_are_one_clean_line(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add("/err", error_body(), status=500, content_type="text/html")
    http_server.add("/ctype", b"\x1b]0;x\x07", content_type=f"text/{OSC52}plain")
    http_server.redirect("/to-file", "file:///etc/passwd")
    http_server.redirect("/to-js", "javascript:alert(1)")
    http_server.add("/garbage", f"{OSC0}<html>{OSC52}", content_type="application/rss+xml")
    http_server.add("/xxe", xxe(), content_type="application/rss+xml")
    paths = ["/err", "/ctype", "/to-file", "/to-js", "/garbage", "/xxe"]
    library = open_library(tmp_path)
    try:
        for path in paths:
            library.store.add_feed(http_server.url(path), title=f"{path} {OSC52}")
        report = await library.refresh()
        failures = one_line_failures(report)
        assert len(failures) == len(paths), failures
        for info in library.feeds():
            assert_clean(info.last_error, "last_error")
    finally:
        await library.aclose()
        library.close()
    assert check_store_is_clean(tmp_path) > 0
    assert integrity(tmp_path) == "ok"


async def test_add_and_open_url_on_hostile_pages(http_server: LocalServer, tmp_path: Path) -> None:
    serve_hostile_pages(http_server)
    http_server.add(
        "/site",
        "<html><head>"
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">'
        f'<link rel="alternate" type="application/rss+xml" href="/feeds/rss-raw.xml" '
        f'title="{OSC52}[@click=app.quit]x[/]">'
        "</head><body><p>site</p></body></html>",
        content_type="text/html",
    )
    serve_corpus_feed(http_server, "rss-raw.xml")
    library = open_library(tmp_path)
    try:
        added = await library.add(http_server.url("/site"))
        assert_clean(added.title, "add title")
        assert_clean(added.message, "add message")
        stored = await library.open_url(http_server.url("/article"))
        assert "CANARYALPHA" in stored.article.text
        from tests.hostile.payloads import assert_all_clean

        assert_all_clean(stored.article.to_dict(), "open_url")
    finally:
        await library.aclose()
        library.close()
    assert check_store_is_clean(tmp_path) > 0
    assert not any("passwd" in url for url in article_counts(tmp_path))


async def test_resource_limits_fail_alone_and_the_rest_of_the_refresh_goes_on(
    http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_hostile_pages(http_server)
    good = serve_corpus_feed(http_server, "rss-wellformed.xml")
    http_server.add_gzip_bomb("/bomb.xml", inflated=1024 * MiB, content_type="application/rss+xml")
    http_server.add_slow("/trickle.xml", b"<rss>" + b" " * 300 + b"</rss>", 1.0)
    http_server.add("/laughs.xml", billion_laughs(), content_type="application/rss+xml")
    http_server.add_huge("/huge.xml", 50 * MiB, content_type="application/rss+xml")
    # 100,000 items, about 13 MB: over the cap set here, so it ends at the cap, unparsed.
    http_server.add("/100k.xml", huge_feed(100_000), content_type="application/rss+xml")
    bad = ["/bomb.xml", "/trickle.xml", "/laughs.xml", "/huge.xml", "/100k.xml"]
    library = open_library(tmp_path, deadline=2.0, read_timeout=1.5, max_mb=8, feed_max_mb=8)
    try:
        library.store.add_feed(good, title="good")
        for path in bad:
            library.store.add_feed(http_server.url(path), title=path)
        report = await library.refresh(pages=False)
        failures = one_line_failures(report)
        assert set(failures) == set(bad), failures
        assert report.feeds_ok == 1
    finally:
        await library.aclose()
        library.close()
    assert integrity(tmp_path) == "ok"
    assert article_counts(tmp_path)[good] == item_count("rss-wellformed.xml")
    assert check_store_is_clean(tmp_path) > 0


async def test_100k_item_feed_under_the_default_cap_is_stored_bounded(
    http_server: LocalServer, tmp_path: Path
) -> None:
    url = http_server.url("/100k.xml")
    http_server.add("/100k.xml", huge_feed(100_000), content_type="application/rss+xml")
    library = open_library(tmp_path)
    try:
        library.store.add_feed(url)
        report = await library.refresh(pages=False)
        one_line_failures(report)
    finally:
        await library.aclose()
        library.close()
    assert integrity(tmp_path) == "ok"
    # Every entry is kept (far below the 100,000-entry limit), none twice.
    assert article_counts(tmp_path)[url] == 100_000
    assert check_store_is_clean(tmp_path) > 0
