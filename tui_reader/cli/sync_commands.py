"""The sync commands: ``sync``, ``mark`` and ``articles``.

``sync`` talks to the server of ``[sync]`` in ``config.toml``; ``mark`` works offline (the
change is stored and queued for the next sync); ``articles`` lists the store for scripts, with
stable columns: ``url, title, feed, date, read, starred`` (TSV, or JSON objects with these
keys; ``date`` is ISO 8601 or empty, ``read``/``starred`` are 0/1 in TSV, booleans in JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui_reader.core.errors import TuiReaderError
from tui_reader.core.library import Library
from tui_reader.core.sanitize import clean_line

if TYPE_CHECKING:
    from tui_reader.core.sync.connect import ClientFactory
    from tui_reader.core.sync.engine import SyncProgress, SyncReport

Common = Callable[[argparse.ArgumentParser], None]

SYNC_FACTORY: ClientFactory | None = None
"""The sync client maker the commands use (``None``: the protocol modules); tests set it."""

ARTICLE_COLUMNS = ("url", "title", "feed", "date", "read", "starred")
ARTICLES_LIMIT = 1_000_000


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: Common
) -> None:
    """Add ``sync``, ``mark`` and ``articles`` to the ``tui-reader`` parser."""
    p = subparsers.add_parser(
        "sync",
        help="sync marks, subscriptions and articles with the feed server of [sync]",
        description=(
            "Send the read/starred changes made here to the feed server set up in "
            "config.toml [sync], then bring in its subscriptions (folders become tags), new "
            "articles (the first time: unread, starred and the last [sync] days) with their "
            "pages cleaned for offline reading, and its read and starred state. A change "
            "still waiting to be sent wins over the server's until it is delivered. Piped, "
            "prints one tab-separated line of counts (marks sent, feeds, new articles, read "
            "changed, starred changed, pages, requests, marks waiting). Exits with status 1 "
            "and one line on stderr when the server cannot be reached or refuses the "
            "password; the changes stay queued."
        ),
    )
    common(p)
    p.set_defaults(handler=run_sync)

    p = subparsers.add_parser(
        "mark",
        help="mark articles read, unread, starred or unstarred (works offline)",
        description=(
            "Change the read or starred flag of stored articles given by URL. Works offline: "
            "with [sync] set up, the change is queued and sent by the next sync."
        ),
    )
    flag = p.add_mutually_exclusive_group(required=True)
    flag.add_argument("--read", dest="change", action="store_const", const=("read", True))
    flag.add_argument("--unread", dest="change", action="store_const", const=("read", False))
    flag.add_argument("--star", dest="change", action="store_const", const=("starred", True))
    flag.add_argument("--unstar", dest="change", action="store_const", const=("starred", False))
    p.add_argument("urls", nargs="+", metavar="URL", help="articles' URLs (as `articles` lists)")
    common(p)
    p.set_defaults(handler=run_mark)

    p = subparsers.add_parser(
        "articles",
        help="list stored articles for scripts (TSV or JSON)",
        description=(
            "List stored articles, newest first, with the columns url, title, feed, date, "
            "read, starred. TSV (read and starred as 0/1, the date in ISO 8601 or empty) or "
            "--format json (a list of objects with these keys; booleans)."
        ),
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--unread", dest="view", action="store_const", const="unread")
    which.add_argument("--starred", dest="view", action="store_const", const="starred")
    p.add_argument("--feed", metavar="FEED", help="only this feed (id or URL, see `feeds`)")
    p.add_argument("--format", choices=("tsv", "json"), default="tsv", help="tsv (default)")
    common(p)
    p.set_defaults(handler=run_articles, view="all")


def open_library(args: argparse.Namespace) -> Library:
    """The library for a command, with the sync client maker plugged in."""
    library = Library.open(
        getattr(args, "data_dir", None),
        offline=getattr(args, "offline", False),
        sync_factory=SYNC_FACTORY,
    )
    library.ask_password = sys.stdin.isatty()
    return library


def marks_waiting(count: int) -> str:
    """``1 mark waiting``, ``2 marks waiting``."""
    return f"{count} mark{'' if count == 1 else 's'} waiting"


def report_line(report: SyncReport) -> str:
    """One line a person reads after a sync."""
    line = (
        f"sync: {report.marks_sent} marks sent, {report.feeds} feeds, "
        f"{report.new_articles} new articles, {report.read_changed} read and "
        f"{report.starred_changed} starred changed, {report.pages} pages stored "
        f"({report.requests} requests)"
    )
    if report.marks_waiting:
        line += f"; {marks_waiting(report.marks_waiting)}"
    return line


def report_tsv(report: SyncReport) -> str:
    fields = (
        report.marks_sent,
        report.feeds,
        report.new_articles,
        report.read_changed,
        report.starred_changed,
        report.pages,
        report.requests,
        report.marks_waiting,
    )
    return "\t".join(str(f) for f in fields)


async def sync_with_progress(library: Library, *, tsv: bool) -> SyncReport:
    """Run a sync, with a progress bar on a terminal (nothing extra when piped)."""
    if tsv or not sys.stderr.isatty():
        return await library.sync()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    names = {
        "marks": "Sending marks",
        "feeds": "Subscriptions",
        "ids": "Unread and starred",
        "items": "New articles",
        "flags": "Read and starred",
        "pages": "Pages",
        "done": "Done",
    }
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("Sync", total=None)

        def show(p: SyncProgress) -> None:
            bar.update(task, description=names[p.stage], total=p.total, completed=p.done)

        return await library.sync(show)


def run_sync(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        tty = sys.stdout.isatty()

        async def main() -> SyncReport:
            try:
                return await sync_with_progress(library, tsv=not tty)
            finally:
                await library.aclose()

        report = asyncio.run(main())
    print(report_line(report) if tty else report_tsv(report))
    for name, reason in report.page_failures[:20] if tty else ():
        print(f"  page failed: {clean_line(name)}: {clean_line(reason)}")
    return 0


def run_mark(args: argparse.Namespace) -> int:
    flag, value = args.change
    missing: list[str] = []
    changed = 0
    with open_library(args) as library:
        for url in args.urls:
            article_id = library.store.article_id_by_url(url)
            if article_id is None:
                missing.append(url)
                continue
            if flag == "read":
                library.set_read(article_id, value)
            else:
                library.set_starred(article_id, value)
            changed += 1
        waiting = library.marks_waiting() if library.sync_configured else 0
    word = {("read", True): "read", ("read", False): "unread"}.get(
        (flag, value), "starred" if value else "unstarred"
    )
    line = f"marked {changed} article{'' if changed == 1 else 's'} {word}"
    if waiting:
        line += f" ({marks_waiting(waiting)} for `tui-reader sync`)"
    print(line)
    if missing:
        shown = clean_line(missing[0])
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise TuiReaderError(f"not in the store: {shown}{more}")
    return 0


def run_articles(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        feed_id = library.find_feed(args.feed) if args.feed else None
        rows = library.articles(view=args.view, feed_id=feed_id, limit=ARTICLES_LIMIT)
    if args.format == "json":
        json.dump(
            [
                {
                    "url": r.url or "",
                    "title": clean_line(r.title),
                    "feed": clean_line(r.feed_title),
                    "date": r.published.isoformat() if r.published else "",
                    "read": r.read,
                    "starred": r.starred,
                }
                for r in rows
            ],
            sys.stdout,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
        return 0
    for r in rows:
        fields = (
            r.url or "",
            r.title,
            r.feed_title,
            r.published.isoformat() if r.published else "",
            int(r.read),
            int(r.starred),
        )
        # Tabs and newlines inside a field would break the columns: clean_line folds them.
        print("\t".join(clean_line(str(f)).replace("\t", " ") for f in fields))
    return 0
