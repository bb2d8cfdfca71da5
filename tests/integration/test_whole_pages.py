"""Pages kept at refresh, add and link following, against a real HTTP server on 127.0.0.1;
the whole-page view read back offline; site rules applied wherever pages are cleaned."""

from __future__ import annotations

from pathlib import Path

from tests.httpserver import LocalServer
from tests.integration.site import Item, rss
from tui_reader.core.config import Config
from tui_reader.core.extract.rules import SiteRule
from tui_reader.core.library import Library

DATA = Path(__file__).resolve().parent.parent / "data" / "whole"
STORY = "The first frost came early this year"
BIO = "I have kept plot 14 on the Hill Lane allotments"
RULE_STORY = "Only two of the five locked open safely"


def serve(server: LocalServer, path: str, name: str) -> str:
    server.add_file(path, DATA / name, content_type="text/html; charset=utf-8")
    return server.url(path)


def serve_rss(server: LocalServer, links: list[str]) -> str:
    items = [
        Item(guid=f"g{n}", title=f"Story {n}", link=link, summary=f"Feed summary {n}.")
        for n, link in enumerate(links)
    ]
    server.add("/feed.xml", rss("Allotment", items), content_type="application/rss+xml")
    return server.url("/feed.xml")


def open_library(tmp_path: Path, **config: object) -> Library:
    return Library.open(tmp_path / "data", config=Config(retries=0, **config))  # type: ignore[arg-type]


async def test_refresh_keeps_each_page_for_the_whole_view_offline(
    http_server: LocalServer, tmp_path: Path
) -> None:
    story = serve(http_server, "/frost.html", "sidebar-story.html")
    library = open_library(tmp_path)
    try:
        feed_id = library.store.add_feed(serve_rss(http_server, [story]))[0]
        report = await library.refresh()
        await library.aclose()
        assert report.pages_fetched == 1 and report.failures == ()
        (summary,) = library.articles(feed_id=feed_id)
    finally:
        library.close()
    requests = len(http_server.requests)

    offline = Library.open(tmp_path / "data", offline=True, config=Config())
    try:
        whole = offline.whole_page(summary.id)
        assert whole is not None
        assert STORY in whole.text and BIO in whole.text and "Blog powered by TypePad" in whole.text
        feed_text = offline.feed_text(summary.id)
        assert feed_text is not None and feed_text.text == "Feed summary 0."
    finally:
        offline.close()
    assert len(http_server.requests) == requests  # nothing fetched for either view


async def test_add_and_link_following_keep_the_page(
    http_server: LocalServer, tmp_path: Path
) -> None:
    saved = serve(http_server, "/saved.html", "sidebar-story.html")
    followed = serve(http_server, "/followed.html", "rules-blog.html")
    library = open_library(tmp_path)
    try:
        result = await library.add(saved)
        assert result.kind == "saved" and result.article_id is not None
        whole = library.whole_page(result.article_id)
        assert whole is not None and STORY in whole.text
        opened = await library.open_url(followed)
        whole = library.whole_page(opened.summary.id)
        assert whole is not None and "What readers say" in whole.text
    finally:
        await library.aclose()
        library.close()


async def test_site_rules_apply_at_refresh_add_and_link_following(
    http_server: LocalServer, tmp_path: Path
) -> None:
    rule = SiteRule("127.0.0.1", body="div.post-body", drop=(".deal",))
    urls = [serve(http_server, f"/knives-{n}.html", "rules-blog.html") for n in range(3)]
    library = open_library(tmp_path, site_rules={"127.0.0.1": rule})
    try:
        feed_id = library.store.add_feed(serve_rss(http_server, [urls[0]]))[0]
        await library.refresh()
        (summary,) = library.articles(feed_id=feed_id)
        added = await library.add(urls[1])
        assert added.article_id is not None
        opened = await library.open_url(urls[2])
        for article_id in (summary.id, added.article_id, opened.summary.id):
            text = library.article(article_id).article.text
            assert RULE_STORY in text
            assert "twenty years" not in text and "KNIVES30" not in text
        fetched = await library.fetch_article(urls[0])  # `tui-reader read URL`
        assert RULE_STORY in fetched.text and "twenty years" not in fetched.text
    finally:
        await library.aclose()
        library.close()


async def test_a_rule_for_another_host_is_not_applied(
    http_server: LocalServer, tmp_path: Path
) -> None:
    url = serve(http_server, "/knives.html", "rules-blog.html")
    rule = SiteRule("localhost", body="div.post-body", drop=(".deal",))
    library = open_library(tmp_path, site_rules={"localhost": rule})
    try:
        article = await library.fetch_article(url)
        assert "KNIVES30" in article.text  # the heuristics' choice, not the rule's
    finally:
        await library.aclose()
        library.close()
