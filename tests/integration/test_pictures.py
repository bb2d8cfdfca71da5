"""Pictures over a real HTTP server on 127.0.0.1: a refresh keeps them, offline they are there."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests import picturemaker as pm
from tests.httpserver import LocalServer
from tests.integration.site import Item, rss
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.pictures import pictures_dir


def serve_story(server: LocalServer, name: str, figures: list[tuple[str, str]], **kw) -> str:
    server.add(
        f"/{name}.html",
        pm.story_page(name, figures, **kw),
        content_type="text/html; charset=utf-8",
    )
    return server.url(f"/{name}.html")


def serve_feed(server: LocalServer, links: list[str]) -> str:
    items = [Item(guid=link, title=f"Story {n}", link=link) for n, link in enumerate(links)]
    server.add("/feed.xml", rss("Pictures", items), content_type="application/rss+xml")
    return server.url("/feed.xml")


def open_library(tmp_path: Path, **config) -> Library:
    return Library.open(tmp_path / "data", config=Config(retries=0, **config))


async def test_refresh_keeps_pictures_for_offline_reading(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.add("/pics/lead.png", pm.png(800, 400), content_type="image/png")
        server.add("/pics/photo.jpg", pm.jpeg(3200, 1800), content_type="image/jpeg")
        # A server that says the wrong type: the bytes decide.
        server.add("/pics/chart", pm.gif(120, 80), content_type="application/octet-stream")
        server.add("/pics/map.webp", pm.webp(300, 200), content_type="image/webp")
        link = serve_story(
            server,
            "story",
            [
                ("/pics/photo.jpg", "A photo"),
                ("/pics/chart", "A chart"),
                ("/pics/map.webp", "A map"),
                ("/pics/photo.jpg", "The photo again"),
            ],
            lead="/pics/lead.png",
        )
        lib = open_library(tmp_path)
        feed_id, _ = lib.store.add_feed(serve_feed(server, [link]))
        try:
            report = await lib.refresh()
        finally:
            await lib.aclose()
        requests = [r.path for r in server.requests if r.path.startswith("/pics/")]
        lib.close()
    assert report.new_articles == 1 and report.pages_fetched == 1
    # Each picture fetched once, however often the article shows it.
    assert sorted(requests) == sorted(
        ["/pics/lead.png", "/pics/photo.jpg", "/pics/chart", "/pics/map.webp"]
    )
    # The server is gone: everything comes from the store.
    with Library.open(tmp_path / "data", offline=True, config=Config()) as offline:
        [summary] = offline.articles(feed_id=feed_id)
        article = offline.article(summary.id).article
        assert article.lead_image is not None
        lead = offline.picture(summary.id, article.lead_image)
        assert lead is not None and (lead.width, lead.height) == (800, 400)
        figures = [b for b in article.blocks if b.kind == "figure"]
        assert [f.alt for f in figures] == ["A photo", "A chart", "A map", "The photo again"]
        shapes = []
        for block in figures:
            assert block.src is not None
            picture = offline.picture(summary.id, block.src)
            assert picture is not None, offline.picture_problem(summary.id, block.src)
            assert offline.picture_problem(summary.id, block.src) is None
            with Image.open(picture.path) as image:
                assert image.size == (picture.width, picture.height)
            shapes.append((picture.width, picture.height))
        assert shapes == [(1600, 900), (120, 80), (300, 200), (1600, 900)]
        assert figures[0].src == figures[3].src
    files = [p for p in (tmp_path / "data" / "pictures").rglob("*") if p.is_file()]
    assert len(files) == 4


async def test_pictures_off_fetches_none(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.add("/pics/a.png", pm.png(), content_type="image/png")
        link = serve_story(server, "story", [("/pics/a.png", "A")])
        lib = open_library(tmp_path, fetch_images=False)
        feed_id, _ = lib.store.add_feed(serve_feed(server, [link]))
        try:
            await lib.refresh()
        finally:
            await lib.aclose()
        assert server.requests_for("/pics/a.png") == []
        [summary] = lib.articles(feed_id=feed_id)
        src = server.url("/pics/a.png")
        assert lib.picture(summary.id, src) is None
        assert "images = false" in (lib.picture_problem(summary.id, src) or "")
        lib.close()


async def test_add_of_a_page_keeps_its_pictures_and_open_url_fills_them_in(
    tmp_path: Path,
) -> None:
    with LocalServer() as server:
        server.add("/pics/a.png", pm.png(50, 40), content_type="image/png")
        server.add("/pics/b.png", pm.png(60, 40, (1, 2, 3)), content_type="image/png")
        saved = serve_story(server, "saved", [("/pics/a.png", "A")])
        opened = serve_story(server, "opened", [("/pics/b.png", "B")])
        lib = open_library(tmp_path)
        try:
            result = await lib.add(saved)
            assert result.kind == "saved" and result.article_id is not None
            # Stored before add returns: a saved page is read later, maybe offline.
            assert lib.picture(result.article_id, server.url("/pics/a.png")) is not None
            stored = await lib.open_url(opened)
            # The text is there at once; the picture follows.
            await lib.pictures_settled()
            picture = lib.picture(stored.summary.id, server.url("/pics/b.png"))
            assert picture is not None and picture.width == 60
        finally:
            await lib.aclose()
            lib.close()


async def test_a_second_refresh_does_not_fetch_stored_pictures_again(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.add("/pics/a.png", pm.png(), content_type="image/png")
        server.add_sequence("/pics/flaky.png", [{"status": 503}, {"body": pm.png(9, 9)}])
        link = serve_story(server, "story", [("/pics/a.png", "A"), ("/pics/flaky.png", "F")])
        lib = open_library(tmp_path)
        feed_id, _ = lib.store.add_feed(serve_feed(server, [link]))
        try:
            await lib.refresh()
            [summary] = lib.articles(feed_id=feed_id)
            flaky = server.url("/pics/flaky.png")
            assert "503" in (lib.picture_problem(summary.id, flaky) or "")
            # The page is stored, so a refresh does not come back to it: opening the
            # article's URL again does not either. The stored picture is kept as it is.
            await lib.refresh()
        finally:
            await lib.aclose()
        assert len(server.requests_for("/pics/a.png")) == 1
        assert lib.picture(summary.id, server.url("/pics/a.png")) is not None
        lib.close()


@pytest.mark.parametrize("removal", ["retention", "unsubscribe"])
async def test_deleting_articles_deletes_their_picture_files(tmp_path: Path, removal: str) -> None:
    with LocalServer() as server:
        server.add("/pics/a.png", pm.png(), content_type="image/png")
        link = serve_story(server, "story", [("/pics/a.png", "A")])
        lib = open_library(tmp_path, retention_days=1)
        feed_id, _ = lib.store.add_feed(serve_feed(server, [link]))
        try:
            await lib.refresh()
            [summary] = lib.articles(feed_id=feed_id)
            picture = lib.picture(summary.id, server.url("/pics/a.png"))
            assert picture is not None and picture.path.exists()
            if removal == "retention":
                lib.set_read(summary.id)  # the feed's item is dated 2026-02-01: long ago
                server.add("/feed.xml", rss("Pictures", []), content_type="application/rss+xml")
                await lib.refresh()
            else:
                lib.remove_feed(feed_id)
        finally:
            await lib.aclose()
        assert lib.articles(feed_id=feed_id) == []
        assert not picture.path.exists()
        assert not [p for p in pictures_dir(lib.store).rglob("*") if p.is_file()]
        lib.close()


async def test_a_picture_two_articles_share_is_fetched_once(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.add("/pics/logo.png", pm.png(40, 40), content_type="image/png")
        server.add("/pics/own.png", pm.png(30, 30, (9, 9, 9)), content_type="image/png")
        first = serve_story(server, "one", [("/pics/logo.png", "Logo")])
        second = serve_story(server, "two", [("/pics/logo.png", "Logo"), ("/pics/own.png", "")])
        lib = open_library(tmp_path)
        try:
            one = await lib.add(first)
            two = await lib.add(second)
        finally:
            await lib.aclose()
        logo = server.url("/pics/logo.png")
        assert len(server.requests_for("/pics/logo.png")) == 1
        assert len(server.requests_for("/pics/own.png")) == 1
    assert one.article_id is not None and two.article_id is not None
    shared = [lib.picture(article_id, logo) for article_id in (one.article_id, two.article_id)]
    assert shared[0] is not None and shared[0] == shared[1]
    lib.close()


async def test_articles_of_one_refresh_share_one_fetch_of_a_picture(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.add_slow("/pics/hero.png", pm.png(80, 60), 4000, content_type="image/png")
        links = [serve_story(server, f"s{n}", [("/pics/hero.png", "Hero")]) for n in range(4)]
        lib = open_library(tmp_path)
        feed_id, _ = lib.store.add_feed(serve_feed(server, links))
        try:
            await lib.refresh()
        finally:
            await lib.aclose()
        hero = server.url("/pics/hero.png")
        assert len(server.requests_for("/pics/hero.png")) == 1
    pictures = [lib.picture(s.id, hero) for s in lib.articles(feed_id=feed_id)]
    assert len(pictures) == 4 and None not in pictures and len(set(pictures)) == 1
    lib.close()
