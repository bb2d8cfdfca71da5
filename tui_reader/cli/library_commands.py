"""The store's commands: ``add``, ``remove``, ``feeds``, ``fetch``, ``import-opml``,
``export-opml`` and ``search``.

Output is a rich table or progress bar on a terminal and plain tab-separated lines when piped,
so the commands work from scripts and cron. Text from the web is never printed as rich markup
(cells are :class:`rich.text.Text`) and always passes through ``clean_line``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from tui_reader.core.errors import TuiReaderError
from tui_reader.core.library import Library
from tui_reader.core.models import ArticleSummary, RefreshProgress, RefreshReport
from tui_reader.core.sanitize import clean_line
from tui_reader.core.storage.sqlite import SEARCH_ORDERS

_T = TypeVar("_T")
Common = Callable[[argparse.ArgumentParser], None]


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: Common
) -> None:
    """Add the store's subcommands to the ``tui-reader`` parser."""
    p = subparsers.add_parser(
        "add",
        help="subscribe to a feed or site, or save a single page",
        description=(
            "Add a URL. A feed is subscribed to and fetched; a site's page is searched for the "
            "feeds it announces and the best one is subscribed to; any other page is cleaned "
            "and kept in the Saved feed, to read later. With [sync] set up, a feed is "
            "subscribed on the feed server (Google Reader API; the Fever API cannot subscribe) "
            "and a single page is still saved here."
        ),
    )
    p.add_argument(
        "url", metavar="URL", help="an http(s) URL (or host/path: https): a feed, site or page"
    )
    p.add_argument(
        "--tag",
        "-t",
        action="append",
        default=[],
        metavar="TAG",
        help="tag the feed (repeat for several tags)",
    )
    common(p)
    p.set_defaults(handler=run_add)

    p = subparsers.add_parser(
        "remove",
        help="unsubscribe from a feed and delete its articles",
        description=(
            "Unsubscribe from a feed and delete its stored articles, starred ones too. With "
            "[sync] set up, a feed of the feed server is unsubscribed there first."
        ),
    )
    p.add_argument("feed", metavar="FEED", help="the feed's id or URL (see `tui-reader feeds`)")
    common(p)
    p.set_defaults(handler=run_remove)

    p = subparsers.add_parser(
        "feeds",
        help="list subscriptions with unread counts and errors",
        description=(
            "List the feeds: id, title, URL, unread/total articles, last refresh, last error "
            "and, for a feed whose server asked to wait (Retry-After), when it will be "
            "fetched again. A table on a terminal; tab-separated lines when piped (the wait, "
            "an ISO 8601 time or empty, is the eighth field)."
        ),
    )
    common(p)
    p.set_defaults(handler=run_feeds)

    p = subparsers.add_parser(
        "fetch",
        help="refresh feeds and store new articles for offline reading",
        description=(
            "Refresh all feeds, or the ones given, and store new articles. Each feed's "
            "articles are stored as soon as it is read, then each new article's page is "
            "fetched and cleaned so it can be read offline; where that fails the feed's own "
            "text is kept and the page is retried next time. An interrupted fetch keeps what "
            "it stored. A feed whose server asked to wait (Retry-After) is skipped until then. "
            "Piped, each feed is one tab-separated line (ok, deferred or failed; title; new "
            "articles; error or note) and a summary goes to stderr. Exits with status 0 "
            "unless no feed at all could be refreshed. With [sync] set up, syncs with the "
            "feed server first (see `sync`); a failed sync is one line on stderr and the "
            "feeds are refreshed anyway."
        ),
    )
    p.add_argument("feeds", nargs="*", metavar="FEED", help="feed ids or URLs (default: all)")
    p.add_argument(
        "--no-pages",
        dest="pages",
        action="store_false",
        default=None,
        help="store the feeds' own text only; do not fetch articles' pages or pictures",
    )
    common(p)
    p.set_defaults(handler=run_fetch)

    p = subparsers.add_parser(
        "import-opml",
        help="subscribe to the feeds of an OPML file",
        description=(
            "Subscribe to every feed listed in an OPML file or URL (a folder path becomes one "
            "tag, e.g. News/Tech), or with "
            "--starter to a bundled list of about twenty well-known news feeds. Nothing is "
            "downloaded until `tui-reader fetch`."
        ),
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE", help="an OPML file, or its http(s) URL")
    source.add_argument(
        "--starter", action="store_true", help="the bundled list of well-known news feeds"
    )
    common(p)
    p.set_defaults(handler=run_import)

    p = subparsers.add_parser(
        "export-opml",
        help="write the subscriptions as OPML",
        description="Write every subscription as an OPML document, to FILE or to stdout.",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="where to write (default: stdout)")
    common(p)
    p.set_defaults(handler=run_export)

    p = subparsers.add_parser(
        "search",
        help="search the stored articles",
        description=(
            "Full-text search over the titles, authors, text and picture captions of every "
            'stored article; all words must match, "words in quotes" as a phrase, and '
            "word* (or the last word) as a prefix. "
            "Prints title, feed, date and a snippet, newest first (or best matches first with "
            "--sort relevance); page through every match with --limit and --offset. On a "
            "terminal a last line says how many match in all."
        ),
    )
    p.add_argument("query", metavar="QUERY", nargs="+", help="words to look for")
    p.add_argument(
        "--sort",
        choices=SEARCH_ORDERS,
        default="newest",
        help="newest first (the default) or relevance: best matches first, titles weigh most",
    )
    p.add_argument(
        "--limit", "-n", type=int, default=20, metavar="N", help="at most N results (20; N >= 1)"
    )
    p.add_argument(
        "--offset",
        type=int,
        default=0,
        metavar="N",
        help="skip the first N results, to see the next page (0)",
    )
    common(p)
    p.set_defaults(handler=run_search)


# --- helpers ------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> Library:
    from tui_reader.cli.sync_commands import open_library

    return open_library(args)


def _run_async(library: Library, work: Callable[[], Awaitable[_T]]) -> _T:
    async def main() -> _T:
        try:
            return await work()
        finally:
            await library.aclose()

    return asyncio.run(main())


def _tty() -> bool:
    return sys.stdout.isatty()


def _when(value: datetime | None) -> str:
    if value is None:
        return "never"
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def _waiting(until: datetime | None) -> datetime | None:
    """``until`` if it is still to come (a wait that is over is not worth showing)."""
    return until if until is not None and until > datetime.now(UTC) else None


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _date(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value else ""


def _tsv(*fields: object) -> str:
    return "\t".join(clean_line(str(f)) if f is not None else "" for f in fields)


# --- commands -----------------------------------------------------------------------------


def run_add(args: argparse.Namespace) -> int:
    with _open(args) as library:
        result = _run_async(library, lambda: library.add(args.url, tags=args.tag))
    print(clean_line(result.message))
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feed_id = library.find_feed(args.feed)
        title = library.feed(feed_id).title
        if library.sync_configured:
            # The server's subscription goes first: else the next sync brings it back.
            _run_async(library, lambda: library.remove_synced_feed(feed_id))
        else:
            library.remove_feed(feed_id)
    print(f"removed {clean_line(title)}")
    return 0


def run_feeds(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feeds = library.feeds()
    if not _tty():
        for f in feeds:
            print(
                _tsv(
                    f.id,
                    f.title,
                    f.url,
                    f.unread,
                    f.total,
                    f.last_refresh.isoformat() if f.last_refresh else "",
                    f.last_error or "",
                    _iso(_waiting(f.deferred_until)),
                )
            )
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in (
        ("ID", "right"),
        ("Title", "left"),
        ("URL", "left"),
        ("Unread", "right"),
        ("Refreshed", "left"),
        ("Last error", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for f in feeds:
        status = Text(clean_line(f.last_error or ""), style="red")
        waiting = _waiting(f.deferred_until)
        if waiting is not None:
            status = Text(f"server asked to wait: next fetch after {_when(waiting)}", "yellow")
        table.add_row(
            str(f.id),
            Text(clean_line(f.title)),
            Text(clean_line(f.url), overflow="fold"),
            f"{f.unread}/{f.total}",
            _when(f.last_refresh),
            status,
        )
    Console().print(table)
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    with _open(args) as library:
        ids = [library.find_feed(ref) for ref in args.feeds] or None
        pages = library.config.fetch_pages if args.pages is None else args.pages
        if library.sync_configured and not library.offline:
            _sync_first(library)
        outcomes: list[RefreshProgress] = []
        report = _refresh_with_progress(library, ids, pages, outcomes)
    failed = sum(1 for o in outcomes if o.error)
    if failed and failed == len(outcomes):
        # The one error line is the summary (each feed's reason is in the lines above).
        if _tty():
            _print_report(report, outcomes)
        raise TuiReaderError(f"no feed could be refreshed ({failed} failed)")
    _print_report(report, outcomes)
    return 0


def _sync_first(library: Library) -> None:
    """Sync before refreshing; a failed sync is one line on stderr, and the refresh goes on."""
    from tui_reader.cli import error
    from tui_reader.cli.sync_commands import report_line, sync_with_progress
    from tui_reader.core.sync.base import SyncError

    try:
        report = _run_async(library, lambda: sync_with_progress(library, tsv=not _tty()))
    except (SyncError, TuiReaderError) as exc:
        error(f"sync failed: {exc}")
        return
    print(report_line(report), file=sys.stdout if _tty() else sys.stderr)


def _refresh_with_progress(
    library: Library, ids: list[int] | None, pages: bool, outcomes: list[RefreshProgress]
) -> RefreshReport:
    """Refresh with a progress display; each feed's outcome is appended to ``outcomes``.

    Piped, each feed is one tab-separated line as soon as it is done: ``ok``, ``deferred`` or
    ``failed``, the feed's title, how many new articles, and the error or a note (such as
    entries left out by the per-document limit, or until when the feed is deferred).
    """
    if not _tty():

        def plain(p: RefreshProgress) -> None:
            outcomes.append(p)
            status = "failed" if p.error else "deferred" if p.deferred else "ok"
            print(_tsv(status, p.feed_title, p.new_articles, p.error or p.notice or ""))
            sys.stdout.flush()

        return _run_async(library, lambda: library.refresh(ids, pages=pages, progress=plain))

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        transient=True,
    ) as bar:
        task = bar.add_task("Refreshing", total=None, last="")

        def rich_progress(p: RefreshProgress) -> None:
            outcomes.append(p)
            bar.update(task, total=p.total, completed=p.done, last=clean_line(p.feed_title)[:40])

        return _run_async(
            library, lambda: library.refresh(ids, pages=pages, progress=rich_progress)
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fetch_summary(report: RefreshReport, outcomes: list[RefreshProgress]) -> str:
    """One line whose feed counts add up to the number of feeds."""
    failed = sum(1 for o in outcomes if o.error)
    deferred = sum(1 for o in outcomes if not o.error and o.deferred)
    with_new = sum(1 for o in outcomes if not o.error and not o.deferred and o.new_articles)
    nothing_new = len(outcomes) - failed - deferred - with_new
    waiting = f"{deferred} deferred, " if deferred else ""
    line = (
        f"{_plural(len(outcomes), 'feed')}: {with_new} with new articles, "
        f"{nothing_new} with nothing new, {waiting}{failed} failed; "
        f"{_plural(report.new_articles, 'new article')}, "
        f"{_plural(report.pages_fetched, 'page')} stored"
    )
    pages_failed = len(report.failures) - failed
    if pages_failed > 0:
        line += f", {_plural(pages_failed, 'page')} failed (the feed's text is kept)"
    return line


def _print_report(report: RefreshReport, outcomes: list[RefreshProgress]) -> None:
    failed_feeds = {o.feed_title for o in outcomes if o.error}
    if not _tty():
        # stdout carries only the per-feed lines, so scripts can split them on tabs; the
        # summary and the pages that failed go to stderr (cron mails both).
        print(fetch_summary(report, outcomes), file=sys.stderr)
        for name, reason in report.failures:
            if name not in failed_feeds:
                print(f"  page failed: {clean_line(name)}: {clean_line(reason)}", file=sys.stderr)
        return
    print(fetch_summary(report, outcomes))
    for name, notice in report.notices:
        print(f"  note: {clean_line(name)}: {clean_line(notice)}")
    for name, reason in report.failures:
        print(f"  failed: {clean_line(name)}: {clean_line(reason)}")


def run_import(args: argparse.Namespace) -> int:
    with _open(args) as library:
        source: str | None = args.file
        if args.starter:
            added = library.import_starter()
        elif source is not None and source.lower().startswith(("http://", "https://")):
            added = _run_async(library, lambda: library.import_opml_url(source))
        else:
            added = library.import_opml(source or "")
    hint = " (run `tui-reader fetch` to download them)" if added else ""
    print(f"{_plural(added, 'new feed')} subscribed{hint}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with _open(args) as library:
        document = library.export_opml()
    if not args.file:
        sys.stdout.write(document)
        return 0
    target = Path(args.file)
    try:
        # Written next to the target and renamed over it: an interrupted export never
        # leaves a half-written file where a good one was.
        fd, tmp = tempfile.mkstemp(prefix=".export-", dir=target.parent or Path("."))
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(document)
        os.replace(tmp, target)
    except OSError as exc:
        raise TuiReaderError(f"{target}: cannot write ({exc.strerror or exc})") from exc
    return 0


def run_search(args: argparse.Namespace) -> int:
    from tui_reader.cli import error

    # Checked here rather than by argparse so that the mistake is one line, not the usage.
    if args.limit < 1:
        error(f"--limit must be at least 1 (got {args.limit})")
        return 2
    if args.offset < 0:
        error(f"--offset must be 0 or more (got {args.offset})")
        return 2
    query = " ".join(args.query)
    with _open(args) as library:
        results = library.search(query, limit=args.limit, offset=args.offset, order=args.sort)
        if not _tty():
            for r in results:
                print(_tsv(r.id, _date(r.published), r.feed_title, r.title, r.url or "", r.snippet))
            return 0
        total = library.count_search(query)
    _print_results(results, total=total, offset=args.offset, limit=args.limit)
    return 0


def _print_results(results: list[ArticleSummary], *, total: int, offset: int, limit: int) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console()
    if not results:
        console.print("no matches" if not total else f"no matches past {total} (--offset {offset})")
        return
    for r in results:
        line = Text(clean_line(r.title), style="bold")
        line.append("  " + clean_line(r.feed_title), style="cyan")
        if r.published:
            line.append("  " + _date(r.published), style="dim")
        console.print(line)
        if r.snippet:
            console.print(Text("  " + clean_line(r.snippet)))
        if r.url:
            console.print(Text("  " + clean_line(r.url), style="dim"))
    shown = f"{offset + 1}-{offset + len(results)}"
    more = offset + len(results) < total
    hint = f"; next: --offset {offset + limit}" if more else ""
    matches = f"{total:,} match{'' if total == 1 else 'es'}"
    console.print(Text(f"{shown} of {matches}{hint}", style="dim"))
