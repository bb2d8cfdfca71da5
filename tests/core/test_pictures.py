"""Pictures: which an article has, checking and scaling them, the table, retention, pruning."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from tests import picturemaker as pm
from tui_reader.core.config import Config, load_config
from tui_reader.core.errors import ConfigError
from tui_reader.core.library import Library
from tui_reader.core.models import Article, Block, Span
from tui_reader.core.pictures import (
    MAX_WIDTH,
    PRUNED,
    PictureError,
    Prepared,
    picture_path,
    pictures_dir,
    plan_pictures,
    prepare_picture,
    prune_cache,
    sniff,
    sweep_files,
    write_picture,
)
from tui_reader.core.storage import ArticleRecord
from tui_reader.core.storage.pictures import PictureWrite, picture_rows, record_pictures


def figure(src: str | None, alt: str = "", caption: str = "") -> Block:
    return Block("figure", src=src, alt=alt, spans=(Span(caption),) if caption else ())


# --- which pictures ---------------------------------------------------------------------


def test_plan_is_lead_then_figures_in_order_each_once() -> None:
    article = Article(
        title="t",
        lead_image="https://a.example/lead.jpg",
        blocks=(
            Block("paragraph", spans=(Span("text"),)),
            figure("https://a.example/1.png"),
            figure("https://a.example/lead.jpg"),
            Block("quote", children=(figure("https://a.example/2.gif"),)),
            figure("https://a.example/1.png"),
        ),
    )
    plan = plan_pictures(article, 40)
    assert plan.wanted == (
        "https://a.example/lead.jpg",
        "https://a.example/1.png",
        "https://a.example/2.gif",
    )
    assert plan.refused == ()


@pytest.mark.parametrize(
    "src",
    ["javascript:alert(1)", "data:image/png;base64,AAAA", "file:///etc/passwd", "ftp://x/y.png"],
)
def test_plan_refuses_what_is_not_http(src: str) -> None:
    article = Article(title="t", blocks=(figure(src, alt="a map"), figure("http://a.example/ok")))
    plan = plan_pictures(article, 40)
    assert plan.wanted == ("http://a.example/ok",)
    [(refused, reason)] = plan.refused
    assert refused == src
    assert reason.startswith("refused:") and "http(s)" in reason


def test_plan_caps_pictures_per_article() -> None:
    blocks = tuple(figure(f"https://a.example/{n}.png") for n in range(500))
    plan = plan_pictures(Article(title="t", blocks=blocks), 40)
    assert len(plan.wanted) == 40
    assert plan.wanted[-1] == "https://a.example/39.png"
    assert len(plan.refused) == 460
    assert all("more than 40 pictures" in reason for _, reason in plan.refused)


# --- checking and scaling ---------------------------------------------------------------


def decoded(prepared: Prepared) -> Image.Image:
    image = Image.open(io.BytesIO(prepared.data))
    image.load()
    return image


def test_sniff_goes_by_the_bytes() -> None:
    assert sniff(pm.png()) == "PNG"
    assert sniff(pm.jpeg()) == "JPEG"
    assert sniff(pm.gif()) == "GIF"
    assert sniff(pm.webp()) == "WEBP"
    assert sniff(b"<html>") is None
    assert sniff(b"RIFF\0\0\0\0WAVEfmt ") is None


def test_png_stays_png_and_photo_becomes_jpeg() -> None:
    small = prepare_picture(pm.png(64, 48))
    assert (small.ext, small.width, small.height) == ("png", 64, 48)
    assert decoded(small).getpixel((5, 5)) == (200, 30, 30)
    photo = prepare_picture(pm.webp())
    assert photo.ext == "jpg" and decoded(photo).mode == "RGB"


def test_large_pictures_are_scaled_to_what_a_reader_shows() -> None:
    prepared = prepare_picture(pm.jpeg(4000, 1000))
    assert prepared.width == MAX_WIDTH and prepared.height == 400
    image = decoded(prepared)
    assert image.size == (MAX_WIDTH, 400)
    tall = prepare_picture(pm.png(500, 12000))
    assert tall.height == 4800 and tall.width == 200


def test_cmyk_jpeg_is_converted_to_rgb() -> None:
    prepared = prepare_picture(pm.jpeg(mode="CMYK"))
    image = decoded(prepared)
    assert image.mode == "RGB"
    # CMYK (0, 255, 255, 0) is red.
    red, green, blue = image.getpixel((10, 20))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


def test_transparency_is_kept_and_an_opaque_alpha_dropped() -> None:
    see_through = prepare_picture(pm.png(color=(10, 20, 30, 100)))
    assert see_through.ext == "png" and decoded(see_through).mode == "RGBA"
    opaque = prepare_picture(pm.png(color=(10, 20, 30, 255)))
    assert decoded(opaque).mode == "RGB"
    palette = io.BytesIO()
    image = Image.new("P", (8, 8), 3)
    image.save(palette, "GIF", transparency=3)
    prepared = prepare_picture(palette.getvalue())
    assert decoded(prepared).mode == "RGBA"


def test_animated_gif_keeps_its_first_frame() -> None:
    data = pm.gif(frames=5)
    prepared = prepare_picture(data)
    first = Image.open(io.BytesIO(data)).convert("RGB").getpixel((0, 0))
    assert decoded(prepared).convert("RGB").getpixel((0, 0)) == first


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (pm.png_declaring(40000, 40000), "too many pixels"),
        (pm.png_declaring(8000, 6000), "8000x6000"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML page"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b"\xef\xbb\xbf  <?xml version='1.0'?>\n<svg/>", "not a PNG"),
        (pm.jpeg(400, 300)[:1500], "truncated"),
        (pm.png(300, 300)[:60], "PNG"),
        (b"GIF89a" + b"\0" * 7, "GIF"),
        (b"", "not a PNG, JPEG, GIF or WebP"),
    ],
)
def test_what_is_not_a_usable_picture_is_refused_in_one_line(data: bytes, words: str) -> None:
    with pytest.raises(PictureError) as caught:
        prepare_picture(data, "image/png")
    message = str(caught.value)
    assert words in message and "\n" not in message


def test_the_header_is_checked_before_anything_is_decoded(monkeypatch) -> None:
    loads: list[object] = []
    original = Image.Image.load

    def load(self):  # type: ignore[no-untyped-def]
        loads.append(self)
        return original(self)

    monkeypatch.setattr(Image.Image, "load", load)
    from PIL import PngImagePlugin

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", load)
    with pytest.raises(PictureError):
        prepare_picture(pm.png_declaring(7000, 7000))
    assert loads == []


# --- files and the table ----------------------------------------------------------------


@pytest.fixture
def library(tmp_path: Path):
    lib = Library.open(tmp_path / "data", config=Config(retries=0, images_cache_mb=1))
    yield lib
    lib.close()


def add_article(lib: Library, guid: str, *srcs: str, read: bool = False, age: float = 0) -> int:
    feed_id, _ = lib.store.add_feed("http://127.0.0.1:9/feed")
    article = Article(title=guid, blocks=tuple(figure(s, alt=f"alt {s}") for s in srcs))
    [result] = lib.store.upsert_articles(
        feed_id,
        [ArticleRecord(guid=guid, url=None, title=guid, article=article)],
    )
    if read:
        lib.set_read(result.id)
    if age:
        with lib.store._writing() as conn:
            conn.execute(
                "UPDATE articles SET sort_date = ? WHERE id = ?", (time.time() - age, result.id)
            )
    return result.id


def keep(lib: Library, article_id: int, src: str, data: bytes) -> str:
    prepared = prepare_picture(data)
    digest = write_picture(pictures_dir(lib.store), prepared)
    record_pictures(
        lib.store,
        article_id,
        [PictureWrite(src, digest, prepared.ext, prepared.width, prepared.height, len(data))],
    )
    return digest


def test_picture_and_problem_read_the_store(library: Library) -> None:
    article_id = add_article(library, "a", "http://x/1.png", "http://x/2.png", "http://x/3.png")
    digest = keep(library, article_id, "http://x/1.png", pm.png(30, 20))
    record_pictures(library.store, article_id, [PictureWrite("http://x/2.png", problem="404")])
    picture = library.picture(article_id, "http://x/1.png")
    assert picture is not None
    assert (picture.width, picture.height) == (30, 20)
    assert picture.path == picture_path(pictures_dir(library.store), digest, "png")
    assert picture.path.parent.name == digest[:2]
    with Image.open(picture.path) as image:
        assert image.size == (30, 20)
    assert library.picture_problem(article_id, "http://x/1.png") is None
    assert library.picture(article_id, "http://x/2.png") is None
    assert library.picture_problem(article_id, "http://x/2.png") == "404"
    # Shown in parentheses after the caption: no parentheses of its own.
    assert library.picture_problem(article_id, "http://x/3.png") == (
        "not fetched yet: a refresh gets it"
    )
    picture.path.unlink()
    assert library.picture(article_id, "http://x/1.png") is None
    missing = library.picture_problem(article_id, "http://x/1.png") or ""
    assert "missing" in missing and "(" not in missing


def test_a_picture_not_fetched_because_pictures_are_off_says_so(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "data", config=Config(retries=0, fetch_images=False))
    try:
        article_id = add_article(lib, "a", "http://x/1.png")
        problem = lib.picture_problem(article_id, "http://x/1.png") or ""
        assert "pictures are off" in problem and "[fetch] images = false" in problem
        assert "(" not in problem  # shown in parentheses after the caption
    finally:
        lib.close()


def test_a_later_failure_never_replaces_a_stored_picture(library: Library) -> None:
    article_id = add_article(library, "a", "http://x/1.png")
    keep(library, article_id, "http://x/1.png", pm.png())
    record_pictures(library.store, article_id, [PictureWrite("http://x/1.png", problem="timeout")])
    assert library.picture(article_id, "http://x/1.png") is not None


def test_same_picture_is_stored_once(library: Library) -> None:
    first = add_article(library, "a", "http://x/1.png")
    second = add_article(library, "b", "http://y/other-name.png")
    one = keep(library, first, "http://x/1.png", pm.png())
    two = keep(library, second, "http://y/other-name.png", pm.png())
    assert one == two
    files = [p for p in pictures_dir(library.store).rglob("*") if p.is_file()]
    assert len(files) == 1


def test_retention_and_removal_take_the_pictures_with_their_articles(library: Library) -> None:
    old = add_article(library, "old", "http://x/old.png", read=True, age=400 * 86400)
    new = add_article(library, "new", "http://x/new.png")
    shared = add_article(library, "shared", "http://x/shared.png", read=True, age=400 * 86400)
    keep(library, old, "http://x/old.png", pm.png(10, 10, (1, 2, 3)))
    keep(library, new, "http://x/new.png", pm.png(10, 10, (4, 5, 6)))
    keep(library, shared, "http://x/shared.png", pm.png(10, 10, (4, 5, 6)))
    old_path = library.picture(old, "http://x/old.png")
    assert old_path is not None
    assert library.store.prune(time.time() - 60 * 86400) == 2
    assert picture_rows(library.store, old) == []
    sweep_files(pictures_dir(library.store), {r.hash for r in picture_rows(library.store, new)})
    assert not old_path.path.exists()
    # The picture the deleted article shared with a kept one stays.
    assert library.picture(new, "http://x/new.png") is not None
    feed_id = library.store.list_articles()[0].feed_id
    library.remove_feed(feed_id)
    assert not [p for p in pictures_dir(library.store).rglob("*") if p.is_file()]


def test_pruning_removes_the_oldest_pictures_first(library: Library) -> None:
    ids = [add_article(library, f"a{n}", f"http://x/{n}.png") for n in range(3)]
    big = 600 * 1024  # the library's cache is 1 MB: two of these do not fit
    for n, article_id in enumerate(ids):
        prepared = Prepared(b"%d" % n + b"\0" * big, "png", 1, 1)
        digest = write_picture(pictures_dir(library.store), prepared)
        record_pictures(
            library.store,
            article_id,
            [PictureWrite(f"http://x/{n}.png", digest, "png", 1, 1, len(prepared.data))],
        )
        time.sleep(0.01)
    assert prune_cache(library.store, pictures_dir(library.store), 1024 * 1024) == 2
    assert library.picture(ids[0], "http://x/0.png") is None
    assert library.picture(ids[1], "http://x/1.png") is None
    assert library.picture(ids[2], "http://x/2.png") is not None
    assert library.picture_problem(ids[0], "http://x/0.png") == PRUNED
    assert len([p for p in pictures_dir(library.store).rglob("*") if p.is_file()]) == 1


def test_sweep_removes_unknown_files_and_leftovers(tmp_path: Path) -> None:
    directory = tmp_path / "pictures"
    kept = write_picture(directory, Prepared(b"kept", "png", 1, 1))
    gone = write_picture(directory, Prepared(b"gone", "jpg", 1, 1))
    (directory / kept[:2] / ".part-x").write_bytes(b"half")
    assert sweep_files(directory, {kept}) == 2
    assert picture_path(directory, kept, "png").exists()
    assert not picture_path(directory, gone, "jpg").exists()


def test_picture_config_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[fetch]\nimages = false\nimages_max_mb = 3\nimages_per_article = 5\n"
        "images_cache_mb = 50\nimages_deadline = 4.5\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.fetch_images, config.images_max_mb, config.images_per_article) == (
        False,
        3,
        5,
    )
    assert (config.images_cache_mb, config.images_deadline) == (50, 4.5)
    assert Config().fetch_images is True
    path.write_text("[fetch]\nimages_max_mb = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="images_max_mb"):
        load_config(path)
