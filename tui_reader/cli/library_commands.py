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
            "and kept in the Saved feed, to read later."
        ),
    )
    p.add_argument("url", metavar="URL", help="an http(s) URL: a feed, a site or an article")
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
        description="Unsubscribe from a feed and delete its stored articles, starred ones too.",
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
            "Exits with status 0 unless no feed at all could be refreshed."
        ),
    )
    p.add_argument("feeds", nargs="*", metavar="FEED", help="feed ids or URLs (default: all)")
    p.add_argument(
        "--no-pages",
        dest="pages",
        action="store_false",
        default=None,
        help="store the feeds' own text only; do not fetch articles' pages",
    )
    common(p)
    p.set_defaults(handler=run_fetch)

    p = subparsers.add_parser(
        "import-opml",
        help="subscribe to the feeds of an OPML file",
        description=(
            "Subscribe to every feed listed in an OPML file (folders become tags), or with "
            "--starter to a bundled list of about twenty well-known news feeds. Nothing is "
            "downloaded until `tui-reader fetch`."
        ),
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE", help="an OPML file")
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
            "Full-text search over the titles, authors and text of every stored article; "
            "all words must match. Prints title, feed, date and a snippet, best matches first."
        ),
    )
    p.add_argument("query", metavar="QUERY", nargs="+", help="words to look for")
    p.add_argument("--limit", "-n", type=int, default=20, help="at most this many results (20)")
    common(p)
    p.set_defaults(handler=run_search)


# --- helpers ------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> Library:
    return Library.open(getattr(args, "data_dir", None), offline=getattr(args, "offline", False))


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
        failed: list[str] = []
        report = _refresh_with_progress(library, ids, pages, failed)
    _print_report(report, len(failed))
    if failed and report.feeds_ok + report.feeds_not_modified == 0:
        raise TuiReaderError(f"no feed could be refreshed ({len(failed)} failed)")
    return 0


def _refresh_with_progress(
    library: Library, ids: list[int] | None, pages: bool, failed: list[str]
) -> RefreshReport:
    """Refresh with a progress display; the titles of feeds that failed go to ``failed``."""
    if not _tty():

        def plain(p: RefreshProgress) -> None:
            if p.error:
                failed.append(p.feed_title)
            if p.error:
                status = f"error: {p.error}"
            elif p.deferred:
                status = p.notice or "deferred"
            else:
                status = f"{p.new_articles} new"
                if p.notice:
                    status += f" ({p.notice})"
            print(f"[{p.done}/{p.total}] {clean_line(p.feed_title)}: {clean_line(status)}")
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
            if p.error:
                failed.append(p.feed_title)
            bar.update(task, total=p.total, completed=p.done, last=clean_line(p.feed_title)[:40])

        return _run_async(
            library, lambda: library.refresh(ids, pages=pages, progress=rich_progress)
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _print_report(report: RefreshReport, feeds_failed: int) -> None:
    feeds = report.feeds_ok + report.feeds_not_modified
    parts = [f"{_plural(feeds, 'feed')} refreshed"]
    if report.feeds_not_modified:
        parts.append(f"{report.feeds_not_modified} unchanged")
    parts.append(f"{_plural(report.new_articles, 'new article')}")
    parts.append(f"{_plural(report.pages_fetched, 'page')} stored")
    if report.feeds_deferred:
        parts.append(f"{_plural(report.feeds_deferred, 'feed')} deferred")
    if feeds_failed:
        parts.append(f"{_plural(feeds_failed, 'feed')} failed")
    pages_failed = len(report.failures) - feeds_failed
    if pages_failed > 0:
        parts.append(f"{_plural(pages_failed, 'page')} failed (the feed's text is kept)")
    print(", ".join(parts))
    for name, notice in report.notices:
        print(f"  note: {clean_line(name)}: {clean_line(notice)}")
    for name, reason in report.failures:
        print(f"  failed: {clean_line(name)}: {clean_line(reason)}")


def run_import(args: argparse.Namespace) -> int:
    with _open(args) as library:
        added = library.import_starter() if args.starter else library.import_opml(args.file)
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
    query = " ".join(args.query)
    with _open(args) as library:
        results = library.search(query, limit=max(1, args.limit))
    if not _tty():
        for r in results:
            print(_tsv(r.id, _date(r.published), r.feed_title, r.title, r.url or "", r.snippet))
        return 0
    _print_results(results)
    return 0


def _print_results(results: list[ArticleSummary]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console()
    if not results:
        console.print("no matches")
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
