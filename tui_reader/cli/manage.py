"""``tui-reader mark-read``: mark many articles read at once, from scripts or cron."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tui_reader.core.errors import TuiReaderError
from tui_reader.core.library import Library

Common = Callable[[argparse.ArgumentParser], None]


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: Common
) -> None:
    """Add ``mark-read`` to the ``tui-reader`` parser."""
    p = subparsers.add_parser(
        "mark-read",
        help="mark the articles of a feed, a tag or all feeds read",
        description=(
            "Mark unread articles read: those of one feed (--feed), of a tag (--tag) or of "
            "every feed (--all), optionally only those older than some days (--older-than). "
            "One of --feed, --tag, --all or --older-than is required, so that a bare command "
            "never marks everything by accident."
        ),
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--feed", metavar="FEED", help="the feed's id or URL (see `feeds`)")
    which.add_argument("--tag", metavar="TAG", help="every feed with this tag")
    which.add_argument("--all", action="store_true", help="every feed")
    p.add_argument(
        "--older-than",
        metavar="DAYS",
        type=_days,
        help="only articles dated more than DAYS days ago (e.g. 7, or 0.5 for 12 hours)",
    )
    common(p)
    p.set_defaults(handler=run_mark_read)


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not days >= 0 or days == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}")
    return days


def run_mark_read(args: argparse.Namespace) -> int:
    if not (args.feed or args.tag or args.all or args.older_than is not None):
        raise TuiReaderError("say which articles: --feed FEED, --tag TAG, --all or --older-than")
    cutoff = None
    if args.older_than is not None:
        cutoff = datetime.now(UTC) - timedelta(days=args.older_than)
    with Library.open(getattr(args, "data_dir", None)) as library:
        feed_id = library.find_feed(args.feed) if args.feed else None
        if args.tag and not any(args.tag in info.tags for info in library.feeds()):
            raise TuiReaderError(f"{args.tag}: no feed has this tag")
        changed = library.mark_read_where(feed_id=feed_id, tag=args.tag, older_than=cutoff)
    count = len(changed)
    print(f"marked {count} article{'' if count == 1 else 's'} read")
    return 0
