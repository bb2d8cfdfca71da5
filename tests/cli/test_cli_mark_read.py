"""``tui-reader mark-read``: by feed, tag, age or everything; never by accident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.integration.cli import run
from tui_reader.core.config import Config
from tui_reader.core.library import Library
from tui_reader.core.models import Article
from tui_reader.core.storage import ArticleRecord


def _fill(root: Path) -> dict[str, int]:
    now = datetime.now(UTC)
    lib = Library.open(root / "data", config=Config())
    try:
        ids = {}
        for name, tags in (("a", ["news"]), ("b", [])):
            feed_id, _ = lib.store.add_feed(f"https://{name}.example/feed", title=name, tags=tags)
            ids[name] = feed_id
            lib.store.upsert_articles(feed_id, [
                ArticleRecord(guid=f"{name}{n}", url=None, title=f"{name}{n}",
                              article=Article(), published=now - timedelta(days=n * 10))
                for n in range(3)
            ])  # fmt: skip
        return ids
    finally:
        lib.close()


def _unread(root: Path) -> set[str]:
    lib = Library.open(root / "data", config=Config())
    try:
        return {a.title for a in lib.articles(view="unread", limit=100) if a.feed_title in "ab"}
    finally:
        lib.close()


def test_mark_read_by_feed_tag_age_and_all(tmp_path: Path) -> None:
    _fill(tmp_path)
    result = run(tmp_path, "mark-read", "--feed", "https://a.example/feed", "--older-than", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "marked 2 articles read"
    assert _unread(tmp_path) == {"a0", "b0", "b1", "b2"}
    assert run(tmp_path, "mark-read", "--tag", "news").stdout.strip() == "marked 1 article read"
    assert run(tmp_path, "mark-read", "--older-than", "15").stdout.strip() == (
        "marked 1 article read"
    )
    assert _unread(tmp_path) == {"b0", "b1"}
    assert run(tmp_path, "mark-read", "--all").returncode == 0
    assert _unread(tmp_path) == set()


def test_mark_read_needs_to_be_told_what(tmp_path: Path) -> None:
    _fill(tmp_path)
    bare = run(tmp_path, "mark-read")
    assert bare.returncode == 1 and "--all" in bare.stderr
    assert len(bare.stderr.strip().splitlines()) == 1
    for args in (["--tag", "nope"], ["--feed", "999"], ["--older-than", "soon"]):
        result = run(tmp_path, "mark-read", *args)
        assert result.returncode != 0 and "Traceback" not in result.stderr
    assert _unread(tmp_path) == {"a0", "a1", "a2", "b0", "b1", "b2"}
