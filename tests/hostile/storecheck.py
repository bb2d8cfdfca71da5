"""Reading a store's SQLite file directly, to check what really got written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.hostile.payloads import assert_clean, assert_safe_link, walk_strings

DB_NAME = "tui-reader.sqlite3"

# Columns holding URLs, and whether they must be fetchable (http(s) only).
URL_COLUMNS = {
    ("feeds", "site_url"): True,
    ("articles", "url"): True,
}
# Columns that hold our own identifiers rather than web text.
INTERNAL_URL_SCHEMES = ("tui-reader:",)


def connect(data_dir: Path) -> sqlite3.Connection:
    path = data_dir / DB_NAME
    assert path.exists(), f"no store at {path}"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def integrity(data_dir: Path) -> str:
    with connect(data_dir) as conn:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))


def check_store_is_clean(data_dir: Path) -> int:
    """Every TEXT value of every table is clean; URLs are http(s). Returns values checked."""
    checked = 0
    conn = connect(data_dir)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts_%'"
            )
        ]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT * FROM {table}"):
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    where = f"{table}.{column}"
                    checked += 1
                    assert_clean(value, where)
                    if column.endswith("_json"):
                        for path, text in walk_strings(json.loads(value)):
                            assert_clean(text, f"{where}{path}")
                            if path.endswith((".href", ".url", ".src", ".lead_image")):
                                assert_safe_link(text, f"{where}{path}")
                            checked += 1
                    if (table, column) in URL_COLUMNS:
                        assert_safe_link(value, where, fetchable=True)
                    if (
                        table == "feeds"
                        and column == "url"
                        and not value.startswith(INTERNAL_URL_SCHEMES)
                    ):
                        assert_safe_link(value, where, fetchable=True)
        # The full-text index holds its own copy of titles and text.
        if "articles" in tables:
            for row in conn.execute("SELECT title, byline, text FROM articles_fts"):
                for value in row:
                    if isinstance(value, str):
                        assert_clean(value, "articles_fts")
                        checked += 1
    finally:
        conn.close()
    return checked


def article_counts(data_dir: Path) -> dict[str, int]:
    """Articles per feed URL."""
    with connect(data_dir) as conn:
        return {
            url: n
            for url, n in conn.execute(
                "SELECT feeds.url, count(articles.id) FROM feeds "
                "LEFT JOIN articles ON articles.feed_id = feeds.id GROUP BY feeds.id"
            )
        }


class ReadOnlyConnection:
    """A connection whose writes fail as they do on a read-only file system."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: object):  # noqa: ANN202
        if sql.lstrip().upper().startswith(("BEGIN IMMEDIATE", "INSERT", "UPDATE")):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)
