"""``tui-reader read SOURCE``: print a page as a clean article.

SOURCE is an http(s) URL, a file path, or ``-`` for stdin. Markdown is the default format,
rendered with rich on a terminal and printed plain when piped; ``text`` is the body only and
``json`` is every field of the article, blocks included.

``--whole`` prints the whole page instead of the cleaned article: every paragraph, heading
and list item, nothing left out as furniture (for the pages where the cleaner picks the wrong
part). A stored URL is answered from the page kept in the store, so it works offline.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui_reader.core.errors import TuiReaderError
from tui_reader.core.models import Article, Block, collapse_inline, nested_text
from tui_reader.core.sanitize import clean_line, clean_text

FORMATS = ("markdown", "text", "json")


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    parser = subparsers.add_parser(
        "read",
        help="print a page (URL, file or - for stdin) as a clean article",
        description=(
            "Fetch or read a page and print the article in it, without menus, share buttons, "
            "comments or teasers. A URL already in the store is answered from the store."
        ),
    )
    parser.add_argument(
        "source",
        metavar="SOURCE",
        help="an http(s) URL, a file path, or - (not a file: host/path means https)",
    )
    parser.add_argument(
        "--format", "-f", choices=FORMATS, default="markdown", help="output format (markdown)"
    )
    parser.add_argument(
        "--whole",
        action="store_true",
        help=(
            "print the whole page as plain text: every paragraph, heading and list item, "
            "nothing left out as furniture (a stored URL is read from the page kept in the "
            "store, offline too)"
        ),
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="never touch the network: answer URLs from the store only",
    )
    common(parser)
    parser.set_defaults(handler=run)


def _read_source(source: str) -> tuple[bytes, str | None]:
    if source == "-":
        return sys.stdin.buffer.read(), None
    path = Path(source)
    try:
        return path.read_bytes(), None
    except FileNotFoundError as exc:
        raise TuiReaderError(f"{source}: no such file") from exc
    except IsADirectoryError as exc:
        raise TuiReaderError(f"{source}: is a directory") from exc
    except OSError as exc:
        raise TuiReaderError(f"{source}: cannot read ({exc.strerror or exc})") from exc


def load_article(args: argparse.Namespace) -> Article:
    """Resolve SOURCE to an Article (store, network, file or stdin).

    With ``--whole``, the article is the whole page rather than the cleaned text.
    """
    source: str = args.source
    whole: bool = getattr(args, "whole", False)
    if source.lower().startswith(("http://", "https://")):
        from tui_reader.core.readsource import article_for_url, whole_for_url

        resolve = whole_for_url if whole else article_for_url
        return resolve(
            source,
            data_dir=getattr(args, "data_dir", None),
            offline=getattr(args, "offline", False),
        )
    if "://" in source.split("/", 1)[0] + "/" and not Path(source).exists():
        raise TuiReaderError(f"{source}: only http(s) URLs, files and - are supported")
    if source != "-" and not Path(source).exists():
        from tui_reader.core.typed_url import looks_like_bare_host

        if looks_like_bare_host(source):
            # `read example.org/story`: not a file here, so the web page it names.
            return load_article(argparse.Namespace(**{**vars(args), "source": "https://" + source}))
        raise TuiReaderError(f"{clean_line(source)}: neither a file nor an http(s) URL")
    data, url = _read_source(source)
    if source == "-" and not data.strip():
        raise TuiReaderError("standard input is empty: nothing to read")
    from tui_reader.core.pagecheck import ensure_page

    ensure_page(data, None, "standard input" if source == "-" else source)
    if whole:
        from tui_reader.core.extract.whole import whole_page

        return whole_page(data, url=url)
    from tui_reader.core.config import load_config
    from tui_reader.core.extract import extract

    # A saved page names its own address (canonical link): the site rules apply to it.
    return extract(data, url=url, rules=load_config().site_rules)


def _clean_tree(value: Any) -> Any:
    """Every string in a JSON-ready structure through :func:`clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _clean_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_tree(item) for item in value]
    return value


def reading_text(article: Article) -> str:
    """The body as plain text with its pictures in place: ``[image: alt]``, then the caption.

    :attr:`Article.text` leaves figures out (it is what search indexes); a reader of the
    text still wants to know a picture stands there and what it shows, in a gallery laid
    out as a list or in a quote too.
    """
    return "\n\n".join(t for t in (_reading_block(block) for block in article.blocks) if t)


def _reading_block(block: Block) -> str:
    kind = block.kind
    if kind == "figure":
        alt = collapse_inline(block.alt)
        shown = f"[image: {alt}]" if alt else "[image]"
        # The caption right under its picture, as the reader shows it.
        return f"{shown}\n{block.inline_text}" if block.inline_text else shown
    # Lists, items and quotes are joined as :attr:`Block.text` joins them, with pictures.
    nested = nested_text(block, _reading_block)
    if nested is not None:
        return nested
    return block.text


def run(args: argparse.Namespace) -> int:
    # The store holds cleaned text, but a store written by hand or by an older version may
    # not: everything is cleaned again on its way to the terminal.
    article = load_article(args)
    fmt: str = args.format
    if fmt == "json":
        print(json.dumps(_clean_tree(article.to_dict()), ensure_ascii=False, indent=2))
    elif fmt == "text":
        title = clean_line(article.title)
        text = clean_text(reading_text(article))
        print(f"{title}\n\n{text}" if title else text)
    elif sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        # Markdown, not markup: rich never interprets the page's text as [style] tags.
        Console().print(Markdown(clean_text(article.markdown), hyperlinks=False))
    else:
        sys.stdout.write(clean_text(article.markdown))
    return 0
