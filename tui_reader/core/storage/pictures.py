"""The ``article_pictures`` table: which picture file each (article, src) has, or why none.

The files themselves live under the data directory and are handled by
:mod:`tui_reader.core.pictures`; this module only reads and writes rows, through the
:class:`~tui_reader.core.storage.Store`'s connections (one per thread, writes in one
transaction each).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui_reader.core.storage.sqlite import Store


@dataclass(frozen=True, slots=True)
class PictureRow:
    """One (article, src): the stored file's hash and shape, or the problem."""

    src: str
    hash: str | None
    ext: str | None
    width: int
    height: int
    size: int
    problem: str | None
    stored_at: float


@dataclass(frozen=True, slots=True)
class PictureWrite:
    """What to record for one src: a stored file (``hash`` set) or a ``problem``."""

    src: str
    hash: str | None = None
    ext: str | None = None
    width: int = 0
    height: int = 0
    size: int = 0
    problem: str | None = None


_COLUMNS = "src, hash, ext, width, height, bytes, problem, stored_at"


def _row(values: tuple[object, ...]) -> PictureRow:
    src, hash_, ext, width, height, size, problem, stored_at = values
    return PictureRow(
        src=str(src),
        hash=str(hash_) if hash_ is not None else None,
        ext=str(ext) if ext is not None else None,
        width=int(width or 0),  # type: ignore[call-overload]
        height=int(height or 0),  # type: ignore[call-overload]
        size=int(size or 0),  # type: ignore[call-overload]
        problem=str(problem) if problem is not None else None,
        stored_at=float(stored_at),  # type: ignore[arg-type]
    )


def picture_row(store: Store, article_id: int, src: str) -> PictureRow | None:
    """The row of one of an article's pictures (one indexed lookup)."""
    with store._reading() as conn:
        found = conn.execute(
            f"SELECT {_COLUMNS} FROM article_pictures WHERE article_id = ? AND src = ?",
            (article_id, src),
        ).fetchone()
    return _row(tuple(found)) if found is not None else None


def picture_rows(store: Store, article_id: int) -> list[PictureRow]:
    """Every row of an article's pictures."""
    with store._reading() as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM article_pictures WHERE article_id = ? ORDER BY rowid",
            (article_id,),
        ).fetchall()
    return [_row(tuple(r)) for r in rows]


def stored_sources(store: Store, srcs: Sequence[str]) -> dict[str, PictureRow]:
    """For each of ``srcs`` some article already has a file for, one such row."""
    found: dict[str, PictureRow] = {}
    with store._reading() as conn:
        for src in srcs:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM article_pictures WHERE src = ? AND hash IS NOT NULL "
                "LIMIT 1",
                (src,),
            ).fetchone()
            if row is not None:
                found[src] = _row(tuple(row))
    return found


def record_pictures(store: Store, article_id: int, writes: Sequence[PictureWrite]) -> None:
    """Store what became of an article's pictures, in one transaction.

    A row already holding a stored file is never replaced by a problem: a picture that
    failed to come again this time is still there to read.
    """
    if not writes:
        return
    now = time.time()
    with store._writing() as conn:
        exists = conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        if exists is None:
            return  # deleted (retention, unsubscribe) while its pictures were fetched
        for w in writes:
            if w.hash is None:
                conn.execute(
                    "INSERT INTO article_pictures(article_id, src, problem, stored_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(article_id, src) DO UPDATE SET "
                    "problem = excluded.problem, stored_at = excluded.stored_at "
                    "WHERE article_pictures.hash IS NULL",
                    (article_id, w.src, w.problem, now),
                )
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO article_pictures"
                    f"(article_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                    (article_id, w.src, w.hash, w.ext, w.width, w.height, w.size, now),
                )


def referenced_hashes(store: Store) -> set[str]:
    """Every picture hash some row still names."""
    with store._reading() as conn:
        rows = conn.execute(
            "SELECT DISTINCT hash FROM article_pictures WHERE hash IS NOT NULL"
        ).fetchall()
    return {str(r[0]) for r in rows}


def stored_pictures(store: Store) -> list[tuple[str, str, int, float]]:
    """``(hash, ext, bytes, first stored)`` of every stored picture, oldest first."""
    with store._reading() as conn:
        rows = conn.execute(
            "SELECT hash, max(ext), max(bytes), min(stored_at) FROM article_pictures "
            "WHERE hash IS NOT NULL GROUP BY hash ORDER BY min(stored_at), hash"
        ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2] or 0), float(r[3])) for r in rows]


def forget_pictures(store: Store, hashes: Iterable[str], problem: str) -> None:
    """Unlink these pictures from every row, which keep ``problem`` as the reason."""
    with store._writing() as conn:
        conn.executemany(
            "UPDATE article_pictures SET hash = NULL, ext = NULL, width = NULL, "
            "height = NULL, bytes = NULL, problem = ? WHERE hash = ?",
            [(problem, h) for h in hashes],
        )
