"""The CPU work of a refresh, as plain functions a worker process can run.

Parsing a feed and cleaning HTML are pure computation on bytes and strings: the refresh sends
them to worker processes (:class:`tui_reader.core.refresh.WorkerPool`) so that the process
running the app keeps its interpreter for the screen. Everything here takes and returns
picklable values and touches neither the network nor the store.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from tui_reader.core.feedbody import index_words
from tui_reader.core.models import Article
from tui_reader.core.sanitize import clean_line
from tui_reader.core.storage import ArticleRecord
from tui_reader.core.storage.sqlite import DEFERRED_BODY

if TYPE_CHECKING:
    from tui_reader.core.extract.rules import SiteRules

MAX_FEED_ENTRIES = 100_000
"""Entries kept from one feed document; far above real feeds (archives of a few thousand)."""

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")
_UNFINISHED = Exception("not worked on")  # the place of an item until its work is done


@contextmanager
def collector_paused() -> Iterator[None]:
    """Cyclic garbage collection off for a bulk job, back on (if it was) after it.

    A large feed makes millions of objects that all stay alive until the job ends (entries,
    records, blocks) and that form no cycles: the collector would walk them again and again
    for nothing (a quarter of a 100,000-entry ingest) and free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class PreparedFeed:
    """A parsed feed as the refresh needs it: its text and one record per distinct entry."""

    title: str
    site_url: str | None
    notice: str | None
    records: tuple[ArticleRecord, ...]
    """In document order, one per guid; bodies empty unless ``with_bodies``."""
    with_bodies: bool = False
    entries: int = 0
    """How many entries the document has (repeated ids included)."""
    fast: bool = False
    """The fast parser read it all (see :func:`tui_reader.core.feeds.split_feed`)."""


def feed_pieces(data: bytes, url: str, content_type: str | None) -> list[tuple[bytes, int]]:
    """:func:`tui_reader.core.feeds.split_feed` with the limit of :func:`prepare_feed`."""
    from tui_reader.core.feeds import split_feed

    return split_feed(data, url, content_type, max_entries=MAX_FEED_ENTRIES)


def may_have_pieces(data: bytes, pieces: int) -> bool:
    """Whether ``data`` could be cut into at least ``pieces`` pieces (a count of start tags,
    far cheaper than cutting it)."""
    from tui_reader.core.feedparse_fast import piece_size

    return max(data.count(b"<item"), data.count(b"<entry")) > (pieces - 1) * piece_size()


def share(
    items: Sequence[_Item],
    here: Callable[[_Item], _Result],
    there: Callable[[_Item], Future[_Result]],
    ready: Future[Any] | None = None,
    then: Callable[[int, _Result | BaseException], None] | None = None,
) -> list[_Result | BaseException]:
    """Work through ``items`` from both ends at once: this thread takes them from the front
    with ``here``, while a helper thread hands them from the back to ``there`` (a worker
    process) one at a time and waits for each; the two meet wherever their speeds put them.
    The helper starts once ``ready`` is done (a worker still starting up), if ever: this
    thread does everything if it gets there first.

    ``then(index, result)`` is called in this thread for each item in the items' order, as
    soon as its result and those of the items before it are in (between items worked on
    here, then while waiting for the helper): what is done with a result (storing it) runs
    while the worker is still busy with the last items.

    Returns every item's result in the items' order, or the exception its work raised (the
    caller decides what a failed item means). Each item is worked on exactly once. What
    ``then`` raises, or what is not an ``Exception`` raised here (an interrupt), ends it
    early, once the helper's item in progress is done.
    """
    results: list[_Result | BaseException] = [_UNFINISHED] * len(items)
    finished = threading.Condition()
    bounds = [0, len(items)]  # the next item from the front; one past the last from the back

    def claim(front: bool) -> int | None:
        with finished:
            if bounds[0] >= bounds[1]:
                return None
            if front:
                bounds[0] += 1
                return bounds[0] - 1
            bounds[1] -= 1
            return bounds[1]

    def keep(index: int, result: _Result | BaseException) -> None:
        with finished:
            results[index] = result
            finished.notify()

    go = threading.Event()
    if ready is None:
        go.set()
    else:
        ready.add_done_callback(lambda _: go.set())

    def helper() -> None:
        go.wait()
        if ready is not None and ready.done() and ready.exception() is not None:
            return  # the worker did not start: everything is done here
        while (index := claim(front=False)) is not None:
            try:
                keep(index, there(items[index]).result())
            # Whatever the worker raised (a native parser's panic is not an Exception) or a
            # broken pool: the caller decides what it means.
            except BaseException as exc:  # noqa: BLE001
                keep(index, exc)

    handed = 0  # how many results ``then`` has had (always the first ones)

    def hand_over(wait: bool) -> None:
        nonlocal handed
        while then is not None and handed < len(items):
            with finished:
                while results[handed] is _UNFINISHED:
                    if not wait:
                        return
                    finished.wait()
                result = results[handed]
            then(handed, result)
            handed += 1

    thread = threading.Thread(target=helper, name="share-helper", daemon=True)
    thread.start()
    try:
        while True:
            hand_over(wait=False)
            index = claim(front=True)
            if index is None:
                break
            try:
                keep(index, here(items[index]))
            except Exception as exc:
                keep(index, exc)
        hand_over(wait=True)
    finally:
        with finished:
            bounds[1] = bounds[0]  # done or stopped here: the helper takes nothing more
        go.set()
        thread.join()
    return results


def first_copies(records: Sequence[ArticleRecord], seen: set[str]) -> tuple[ArticleRecord, ...]:
    """The records whose ids are not in ``seen``, which they are added to: across the pieces
    of one document taken in order, the first copy of an id counts, as in a whole parse."""
    fresh = tuple(record for record in records if record.guid not in seen)
    seen.update(record.guid for record in fresh)
    return fresh


def join_pieces(pieces: Sequence[PreparedFeed]) -> PreparedFeed:
    """The prepared pieces of one document as if it had been prepared whole: their records
    in order. Each id must be in one piece only (see :func:`first_copies`)."""
    first = pieces[0]
    return PreparedFeed(
        title=first.title,
        site_url=first.site_url,
        notice=first.notice,
        records=tuple(record for piece in pieces for record in piece.records),
        with_bodies=all(piece.with_bodies for piece in pieces),
        entries=sum(piece.entries for piece in pieces),
        fast=all(piece.fast for piece in pieces),
    )


def prepare_feed(
    data: bytes,
    url: str,
    content_type: str | None,
    charset: str | None,
    bodies: bool = False,
) -> PreparedFeed:
    """Parse a feed document into records (raises :class:`FeedError` as ``parse_feed``).

    With ``bodies`` every record's body is made too (for a feed with nothing stored yet,
    where every entry is new: one task instead of two).
    """
    with collector_paused():
        return _prepare_feed(data, url, content_type, charset, bodies)


def _prepare_feed(
    data: bytes,
    url: str,
    content_type: str | None,
    charset: str | None,
    bodies: bool,
) -> PreparedFeed:
    from tui_reader.core.feeds import parse_feed

    parsed = parse_feed(data, url, content_type, charset=charset, max_entries=MAX_FEED_ENTRIES)
    seen: set[str] = set()
    records: list[ArticleRecord] = []
    for entry in parsed.entries:
        if entry.guid in seen:
            continue
        seen.add(entry.guid)
        html = entry.content_html or entry.summary_html
        title = (
            clean_line(entry.title) or (clean_line(entry.url) if entry.url else "") or "Untitled"
        )
        author = clean_line(entry.author) if entry.author else None
        # Made as the record is made: one record, not one and then its copy.
        body_json, body_text = _feed_body(html) if bodies else (None, None)
        records.append(
            ArticleRecord(
                guid=entry.guid,
                url=entry.url,
                title=title,
                article=None,  # the metadata is the record's own
                author=author,
                published=entry.published,
                updated=entry.updated,
                summary_only=True,
                feed_summary_html=html,
                body_json=body_json,
                body_text=body_text,
            )
        )
    return PreparedFeed(
        title=clean_line(parsed.title),
        site_url=parsed.site_url,
        notice=clean_line(parsed.notice) if parsed.notice else None,
        records=tuple(records),
        with_bodies=bodies,
        entries=len(parsed.entries),
        fast=parsed.fast,
    )


def feed_bodies(records: Sequence[ArticleRecord]) -> list[ArticleRecord]:
    """``records`` with their bodies made from the feed's own HTML (see :func:`_feed_body`)."""
    with collector_paused():
        return [with_feed_body(record) for record in records]


def with_feed_body(record: ArticleRecord) -> ArticleRecord:
    """``record`` with its body made from the feed's own HTML."""
    body_json, body_text = _feed_body(record.feed_summary_html)
    return replace(record, body_json=body_json, body_text=body_text)


def _feed_body(html: str | None) -> tuple[str, str]:
    """An entry's body as stored: (the stored JSON, the indexed text).

    The body itself is rendered from the feed's HTML when the article is read (see
    :mod:`tui_reader.core.feedbody`); what is made here is what search needs.
    """
    return DEFERRED_BODY, index_words(html)


def clean_page(
    content: bytes, charset: str | None, url: str, rules: SiteRules | None = None
) -> Article:
    """Decode a fetched page and extract its article with the user's site rules, carrying the
    page itself for the store (raises :class:`ExtractError`)."""
    from tui_reader.core.extract.encoding import decode_html
    from tui_reader.core.pages import clean_page as clean_with_rules

    return clean_with_rules(decode_html(content, charset), url, rules)


def worker_setup(nice: int = 0, owner: int | None = None) -> None:
    """Run in each new worker process before its first task.

    It watches ``owner`` (the process that started the pool) and ends when that is gone: a
    reader killed outright (SIGKILL, a dropped session) must not leave workers behind, and
    a worker waiting for its next task would never notice on its own.

    Under the app its priority is lowered (``nice``): parsing can wait a moment, the screen
    cannot (with as many workers as cores, the app would otherwise get its turn only as
    often as each worker). Its output goes nowhere: whatever a library in the worker would
    print (warnings, a traceback on the way down) would land in the middle of the app's
    screen; errors travel back as exceptions instead.
    """
    try:
        if nice:
            os.nice(nice)
    except (AttributeError, OSError):
        pass  # not on this platform, or not allowed: full speed then
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    if owner is not None:
        threading.Thread(target=_watch, args=(owner,), name="owner-watch", daemon=True).start()


def _watch(owner: int) -> None:
    while True:
        time.sleep(1.0)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(0)
        except OSError:
            pass  # exists, but not ours to signal: still there


def ready_to_parse() -> bool:
    """Import what parsing a feed needs (a worker's first piece of a large feed then starts
    at once)."""
    import tui_reader.core.feeds  # noqa: F401

    return True


def ready() -> bool:
    """Import what the tasks need, so that a fresh worker's first real task is not slowed."""
    import tui_reader.core.extract  # noqa: F401

    return ready_to_parse()
