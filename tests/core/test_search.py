"""Search: newest first over many matches, relevance, paging to every match, captions, queries."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui_reader.core.models import Article, Block, Span
from tui_reader.core.storage import ArticleRecord, FeedUpdate, Store
from tui_reader.core.storage.schema import MIGRATIONS
from tui_reader.core.storage.sqlite import article_to_json, index_text

BASE = datetime(2026, 1, 1, tzinfo=UTC)
MATCHES = 12_000


def paragraph(text: str) -> Block:
    return Block("paragraph", spans=(Span(text),))


def figure(caption: str = "", alt: str = "") -> Block:
    return Block("figure", spans=(Span(caption),) if caption else (), src="/p.jpg", alt=alt)


def record(
    guid: str, *, title: str = "A title", blocks: tuple[Block, ...] = (), minutes: int = 0
) -> ArticleRecord:
    return ArticleRecord(
        guid=guid,
        url=f"https://example.org/{guid}",
        title=title,
        article=Article(title=title, blocks=blocks or (paragraph("Some body text."),)),
        published=BASE + timedelta(minutes=minutes),
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[int]]]:
    """A store with 12,000 articles about a harbour (and 500 without), dates shuffled.

    Returns the store and the matching ids newest first (ties by id, newest id first).
    Dates are a permutation, so neither insertion order nor id order matches date order, and
    groups of three share a date so that the tie-break is exercised too.
    """
    store = Store.open(tmp_path_factory.mktemp("search") / "store.sqlite3")
    feed_id, _ = store.add_feed("https://example.org/feed.xml", title="Port news")
    rng = random.Random(7)
    minutes = list(range(MATCHES))
    rng.shuffle(minutes)
    records = []
    for i, m in enumerate(minutes):
        # A few carry the word in the title and many times in the text: the best matches.
        strong = i % 1000 == 17
        title = "Harbour harbour report" if strong else f"Report {i}"
        text = ("the harbour " * 5 if strong else "the harbour ") + rng.choice(
            ["opened", "closed", "flooded", "dredged"]
        )
        records.append(record(f"m{i}", title=title, blocks=(paragraph(text),), minutes=m // 3))
    for i in range(500):
        records.append(record(f"o{i}", title="Other", minutes=MATCHES + i))
    store.write_feed(feed_id, FeedUpdate(records=records))
    conn = store._connection()
    ordered = [
        int(row[0])
        for row in conn.execute(
            "SELECT id FROM articles WHERE guid LIKE 'm%' ORDER BY published DESC, id DESC"
        )
    ]
    yield store, ordered
    store.close()


def test_newest_match_comes_first_of_12000(big: tuple[Store, list[int]]) -> None:
    store, ordered = big
    assert store.count_search("harbour") == MATCHES
    found = store.search("harbour", limit=5)
    # The newest five, not the five oldest nor the five stored last.
    assert [a.id for a in found] == ordered[:5]
    assert found[0].published is not None
    assert found[0].published == max(a.published for a in found if a.published)
    assert all(a.snippet and "harbour" in a.snippet for a in found)


@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_paging_reaches_every_match_exactly_once(big: tuple[Store, list[int]], order: str) -> None:
    store, ordered = big
    seen: list[int] = []
    offset = 0
    while True:
        page = store.search("harbour", limit=1500, offset=offset, order=order)  # type: ignore[arg-type]
        if not page:
            break
        seen += [a.id for a in page]
        offset += len(page)
    assert len(seen) == MATCHES and len(set(seen)) == MATCHES
    assert set(seen) == set(ordered)
    if order == "newest":
        assert seen == ordered
    assert store.search("harbour", limit=10, offset=MATCHES) == []


def test_newest_first_is_the_same_whichever_way_it_is_computed(
    big: tuple[Store, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_reader.core.storage import sqlite as module

    store, ordered = big
    # A word in a quarter of the matches: under the many-matches threshold, then over it.
    few = [a.id for a in store.search("harbour dredged", limit=5000)]
    assert len(few) > 2000
    assert few == [i for i in ordered if i in set(few)]
    monkeypatch.setattr(module, "SORT_MATCHES_UP_TO", 10)
    assert [a.id for a in store.search("harbour dredged", limit=5000)] == few
    monkeypatch.setattr(module, "SORT_MATCHES_UP_TO", 100_000)
    assert [a.id for a in store.search("harbour", limit=300, offset=4000)] == ordered[4000:4300]


def test_relevance_puts_the_strong_matches_first_even_the_oldest(
    big: tuple[Store, list[int]],
) -> None:
    store, ordered = big
    strong = store.search("harbour", limit=12, order="relevance")
    assert all(a.title == "Harbour harbour report" for a in strong)
    # Every strong match is ranked, wherever its date falls among the 12,000.
    conn = store._connection()
    all_strong = {
        int(r[0]) for r in conn.execute("SELECT id FROM articles WHERE title LIKE 'Harbour%'")
    }
    assert {a.id for a in strong} == all_strong
    assert max(ordered.index(i) for i in all_strong) > 6000


@pytest.mark.parametrize(
    ("limit", "offset"), [(0, 0), (-1, 0), (10, -1)], ids=["zero", "negative", "offset"]
)
def test_bad_limit_or_offset_is_refused(tmp_path: Path, limit: int, offset: int) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    try:
        with pytest.raises(ValueError, match="limit|offset"):
            store.search("x", limit=limit, offset=offset)
        with pytest.raises(ValueError, match="order"):
            store.search("x", order="oldest")  # type: ignore[arg-type]
    finally:
        store.close()


HOSTILE = ['"', "*", "NEAR(", "-", "-harbour", 'harbour"', "harbour*", "NOT", "a:b", "(", "^x"]


@pytest.mark.parametrize("query", HOSTILE)
def test_fts_syntax_in_queries_is_text(big: tuple[Store, list[int]], query: str) -> None:
    store, _ = big
    for order in ("newest", "relevance"):
        found = store.search(query, limit=3, order=order)  # type: ignore[arg-type]
        assert isinstance(found, list)
    count = store.count_search(query)
    # Operators and stray quotes are neither errors nor operators: a query is its words.
    assert count == (MATCHES if "harbour" in query else 0)


def test_quotes_make_a_phrase_and_a_star_a_prefix(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    try:
        feed, _ = store.add_feed("https://example.org/f")
        results = store.upsert_articles(
            feed,
            [
                record("a", blocks=(paragraph("The red fox jumped over the wall."),)),
                record("b", blocks=(paragraph("A fox ran along the red wall."),)),
            ],
        )
        a, b = results[0].id, results[1].id
        assert {x.id for x in store.search("red fox")} == {a, b}
        assert [x.id for x in store.search('"red fox"')] == [a]
        assert [x.id for x in store.search('"red fox')] == [a]  # a quote left open
        assert [x.id for x in store.search('"fox red"')] == []
        assert [x.id for x in store.search('"fox" jump')] == [a]  # last bare word: prefix
        assert [x.id for x in store.search('"jump"')] == []  # quoted: exact
        assert {x.id for x in store.search("wal* fox")} == {a, b}  # an explicit prefix
        assert [x.id for x in store.search("wal fox")] == []
    finally:
        store.close()


# --- captions -------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "store.sqlite3")
    yield s
    s.close()


def test_index_text_adds_captions_and_image_descriptions() -> None:
    article = Article(
        blocks=(
            paragraph("Body words."),
            figure("A pelican at dawn", alt="bird on a post"),
            figure(alt="only a description"),
            Block("quote", children=(figure("quoted caption", alt="quoted alt"),)),
        )
    )
    text = index_text(article)
    assert text.startswith(article.text)  # the body first: snippets come from it
    for part in ("pelican", "bird on a post", "only a description", "quoted alt"):
        assert part in text
    assert "pelican" not in article.text  # Article.text itself is unchanged
    assert text.count("quoted caption") == 1


def test_a_word_only_in_a_caption_is_found(store: Store) -> None:
    feed, _ = store.add_feed("https://example.org/f")
    results = store.upsert_articles(
        feed,
        [
            record("cap", blocks=(paragraph("Text."), figure("A cormorant drying its wings"))),
            record("alt", blocks=(paragraph("Text."), figure(alt="a heron in the reeds"))),
            record("none", blocks=(paragraph("Nothing about birds."),)),
        ],
    )
    assert [a.id for a in store.search("cormorant")] == [results[0].id]
    assert [a.id for a in store.search("heron reeds")] == [results[1].id]
    # A page stored later (the feed had only a summary) is indexed with its captions too.
    store.set_page(results[2].id, Article(blocks=(paragraph("x"), figure("an egret"))))
    assert [a.id for a in store.search("egret")] == [results[2].id]


def _captions_version() -> int:
    """The schema version that indexes captions (found by content: versions get renumbered)."""
    for number, statements in enumerate(MIGRATIONS, start=1):
        if any("fts_captions_after" in statement for statement in statements):
            return number
    raise AssertionError("no captions migration")


def _old_store(path: Path, articles: list[Article]) -> list[int]:
    """A store just before the captions migration, its articles indexed the old way."""
    old = Store(path)
    old._migrate(target=_captions_version() - 1)
    conn = old._connection()
    conn.execute(
        "INSERT INTO feeds(id, url, title, kind, created) VALUES (1, 'https://x.example/f', "
        "'X', 'feed', 0)"
    )
    ids = []
    for n, article in enumerate(articles):
        cursor = conn.execute(
            "INSERT INTO articles(feed_id, guid, url, title, sort_date, fetched_at, "
            "article_json) VALUES (1, ?, ?, ?, ?, ?, ?)",
            (f"g{n}", f"https://x.example/{n}", article.title, n, n, article_to_json(article)),
        )
        article_id = int(cursor.lastrowid or 0)
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, byline, text) VALUES (?, ?, '', ?)",
            (article_id, article.title, article.text),
        )
        ids.append(article_id)
    old.close()
    return ids


def _birds() -> list[Article]:
    return [
        Article(title=f"Post {n}", blocks=(paragraph(f"body {n}"), figure(f"caption{n} gull")))
        if n % 2 == 0
        else Article(title=f"Post {n}", blocks=(paragraph(f"plain {n} gull"),))
        for n in range(9)
    ]


def test_migrated_articles_are_found_by_their_captions(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    ids = _old_store(path, _birds())
    conn = sqlite3.connect(path)
    try:  # the old index has no captions
        hits = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'caption4'")
        assert hits.fetchall() == []
    finally:
        conn.close()
    store = Store.open(path)
    try:
        assert [a.id for a in store.search("caption4")] == [ids[4]]
        assert len(store.search("gull")) == 9  # every article, none indexed twice
        assert store.get_setting("fts_captions_after") is None
        assert store.integrity_check() == "ok"
    finally:
        store.close()


def test_caption_backfill_goes_in_batches_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    ids = _old_store(path, _birds())
    # As if a first open had got through the first figure articles and was then killed:
    # the version is already current and the setting says how far the backfill came.
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {_captions_version()}")
    conn.execute("INSERT INTO settings(key, value) VALUES ('fts_captions_after', ?)", (ids[2],))
    conn.commit()
    conn.close()
    store = Store(path)
    try:
        statements: list[str] = []
        store._connection().set_trace_callback(statements.append)
        store._backfill_captions(batch=2)
        store._connection().set_trace_callback(None)
        # Articles 4, 6 and 8 have figures: two batches, each its own transaction.
        assert sum(s.startswith("BEGIN") for s in statements) == 2
        store._migrate()  # the versions after the captions one, which searching needs
        assert store.search("caption0") == [] and store.search("caption2") == []
        for n in (4, 6, 8):
            assert [a.id for a in store.search(f"caption{n}")] == [ids[n]]
        assert store.get_setting("fts_captions_after") is None
    finally:
        store.close()
