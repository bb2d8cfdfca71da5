"""Turning stored data into Rich ``Text`` for the terminal, without Textual.

Everything here is pure and thread-safe, so the reader pane can lay out a long article in a
worker thread. Web strings only ever become ``Text`` *content* (never markup), after
:func:`~tui_reader.core.sanitize.clean_text`; widths are measured in terminal cells so that
CJK and emoji keep columns aligned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text

from tui_reader.core.models import Article, ArticleSummary, Block, Span, StoredArticle
from tui_reader.core.sanitize import clean_line, clean_text, safe_url

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def age(published: datetime | None, now: datetime) -> str:
    """When, in a few cells: ``5m``, ``3h`` or ``2d`` for the last week, then a date.

    A date of this year is ``12 Mar``; an older one is ``2023-03-12`` (a "3y" says too little
    about an old article). Empty when unknown. Month names are fixed (not the locale's) so
    that the column keeps its width.
    """
    if published is None:
        return ""
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    seconds = (now - published).total_seconds()
    if seconds < 60:
        return "now"
    minutes = seconds / 60
    if minutes < 60:
        return f"{int(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{int(hours)}h"
    days = hours / 24
    if days < 7:
        return f"{int(days)}d"
    when = published.astimezone(now.tzinfo or UTC)
    if when.year == now.year:
        return f"{when.day} {MONTHS[when.month - 1]}"
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"


def fit(text: str | Text, width: int, style: Style | str = "") -> Text:
    """``text`` cut with an ellipsis or padded to exactly ``width`` cells."""
    fitted = text.copy() if isinstance(text, Text) else Text(text, style=style)
    fitted.truncate(max(0, width), overflow="ellipsis", pad=True)
    return fitted


@dataclass(frozen=True, slots=True)
class RowStyles:
    """Styles of an article row, resolved from the widget's component classes."""

    unread: Style = field(default_factory=Style)
    read: Style = field(default_factory=Style)
    feed: Style = field(default_factory=Style)
    age: Style = field(default_factory=Style)
    star: Style = field(default_factory=Style)


def article_row(summary: ArticleSummary, width: int, now: datetime, styles: RowStyles) -> Text:
    """One line of the article list: marks, title, feed and age in ``width`` cells."""
    unread_mark = " " if summary.read else "●"
    star_mark = "★" if summary.starred else " "
    marks = Text.assemble((unread_mark, styles.unread), (star_mark, styles.star), " ")
    age_text = age(summary.published, now)
    # Room for "2023-03-12" when the list is wide enough; otherwise "12 Mar" fits and an
    # older date shows its year.
    age_width = 10 if width >= 70 else 6
    if len(age_text) > age_width:
        age_text = age_text[:4]
    rest = width - cell_len(marks.plain) - age_width - 1
    feed_width = 0
    if rest >= 50:
        feed_width = min(20, rest // 3)
    elif rest >= 36:
        feed_width = 12
    title_width = rest - (feed_width + 1 if feed_width else 0)
    title_style = styles.read if summary.read else styles.unread
    title = clean_line(summary.title) or "(untitled)"
    row = marks
    row.append_text(fit(title, title_width, title_style))
    if feed_width:
        row.append(" ")
        row.append_text(fit(clean_line(summary.feed_title), feed_width, styles.feed))
    row.append(" ")
    row.append_text(Text(age_text.rjust(age_width)[-age_width:], style=styles.age))
    return row


# --- the article body ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BodyStyles:
    """Styles of the reader pane, resolved on the UI thread from the theme."""

    title: Style = field(default_factory=lambda: Style(bold=True))
    meta: Style = field(default_factory=lambda: Style(dim=True))
    badge: Style = field(default_factory=lambda: Style(reverse=True))
    heading: Style = field(default_factory=lambda: Style(bold=True))
    link: Style = field(default_factory=lambda: Style(underline=True))
    link_number: Style = field(default_factory=lambda: Style(dim=True))
    code: Style = field(default_factory=lambda: Style(dim=True))
    quote: Style = field(default_factory=lambda: Style(italic=True))
    figure: Style = field(default_factory=lambda: Style(italic=True, dim=True))
    table_header: Style = field(default_factory=lambda: Style(bold=True))
    rule: Style = field(default_factory=lambda: Style(dim=True))


_SPAN_STYLES = {
    "em": Style(italic=True),
    "strong": Style(bold=True),
    "code": Style(),  # the widget's code colour (dim text is unreadable on some themes)
}


@dataclass(frozen=True, slots=True)
class PictureSlot:
    """Blank lines kept in a laid-out article for a picture: ``rows`` lines from ``line``,
    ``columns`` cells wide from ``indent``."""

    src: str
    line: int
    rows: int
    columns: int
    indent: int = 0


PictureSize = Callable[[str, int], tuple[int, int] | None]
"""``(src, max columns)`` → the picture's ``(columns, rows)``, or ``None`` without one."""
PictureProblem = Callable[[str], str | None]
"""``src`` → why the picture is not there (one line), or ``None``."""


class _Layout:
    """Lays out blocks as wrapped lines of ``Text`` for one width."""

    def __init__(
        self,
        width: int,
        styles: BodyStyles,
        link_numbers: dict[str, int],
        picture_size: PictureSize | None = None,
        picture_problem: PictureProblem | None = None,
    ) -> None:
        self.width = max(10, width)
        self.styles = styles
        self.link_numbers = link_numbers
        self.console = Console(width=self.width, color_system=None, legacy_windows=False)
        self.lines: list[Text] = []
        self.picture_size = picture_size
        self.picture_problem = picture_problem
        self.slots: list[PictureSlot] = []

    def picture(self, src: str | None, prefix: Text) -> bool:
        """Keep blank lines for the picture of ``src`` when there is one to draw."""
        if not src or self.picture_size is None:
            return False
        indent = cell_len(prefix.plain)
        size = self.picture_size(src, max(1, self.width - indent))
        if size is None:
            return False
        columns, rows = size
        self.slots.append(PictureSlot(src, len(self.lines), rows, columns, indent))
        self.lines.extend(Text(" " * indent) for _ in range(rows))
        return True

    def blank(self) -> None:
        if self.lines and self.lines[-1].plain:
            self.lines.append(Text())

    def wrap(self, text: Text, prefix: Text | None = None, rest: Text | None = None) -> None:
        """Append ``text`` wrapped to the width, with a first-line and continuation prefix."""
        prefix = prefix or Text()
        rest = rest if rest is not None else Text(" " * cell_len(prefix.plain))
        inner = max(1, self.width - cell_len(prefix.plain))
        for number, line in enumerate(text.split("\n", allow_blank=True)):
            wrapped = line.wrap(self.console, inner, overflow="fold") if line.plain else [Text()]
            for index, part in enumerate(wrapped):
                part.rstrip()
                lead = prefix if number == 0 and index == 0 else rest
                self.lines.append(Text.assemble(lead, part))

    def spans(self, spans: Iterable[Span], base: Style | None = None) -> Text:
        text = Text(style=base or "")
        for span in spans:
            chunk = clean_text(span.text).replace("\t", " ")
            if not chunk:
                continue
            style = _SPAN_STYLES.get(span.style, Style())
            if span.style == "code":
                style = style + self.styles.code
            href = safe_url(span.href) if span.href else None
            if href:
                style = style + self.styles.link + Style(link=href)
            text.append(chunk, style=style)
            if href and href in self.link_numbers:
                text.append(f"[{self.link_numbers[href]}]", style=self.styles.link_number)
        # Collapse inline runs of whitespace the way a browser would, keeping line breaks.
        return _collapse(text)

    def block(self, block: Block, prefix: Text | None = None) -> None:
        prefix = prefix or Text()
        rest = Text(" " * cell_len(prefix.plain)) if not prefix.plain.startswith("▌") else prefix
        kind = block.kind
        if kind == "heading":
            style = self.styles.heading + (Style(underline=True) if block.level <= 2 else Style())
            self.wrap(self.spans(block.spans, style), prefix, rest)
        elif kind == "paragraph":
            self.wrap(self.spans(block.spans), prefix, rest)
        elif kind == "list":
            for number, item in enumerate(block.children, start=1):
                marker = f"{number}. " if block.ordered else "• "
                self.item(item, Text.assemble(prefix, marker), rest + " " * len(marker))
            return
        elif kind == "item":
            self.item(block, Text.assemble(prefix, "• "), rest + "  ")
            return
        elif kind == "quote":
            bar = Text.assemble(prefix, ("▌ ", self.styles.quote))
            for child in block.children:
                self.block(child, bar)
                if child is not block.children[-1]:
                    self.lines.append(bar.copy())
        elif kind == "code":
            for line in clean_text(block.code.strip("\n")).expandtabs(4).split("\n"):
                self.wrap(Text(line, style=self.styles.code), prefix + "  ", rest + "  ")
        elif kind == "table":
            self.table(block, prefix)
        elif kind == "figure":
            alt = clean_line(block.alt) or "image"
            caption = self.spans(block.spans)
            if self.picture(block.src, prefix):
                # The picture stands in for the alt text; its caption goes below it.
                if caption.plain:
                    caption.stylize(self.styles.figure)
                    self.wrap(caption, rest, rest)
                return
            text = Text(f"[image: {alt}]", style=self.styles.figure)
            if caption.plain:
                text.append(" ")
                text.append_text(caption)
            problem = (
                self.picture_problem(block.src) if self.picture_problem and block.src else None
            )
            if problem:
                text.append(f" ({clean_line(problem)})", style=self.styles.meta)
            self.wrap(text, prefix, rest)
        elif kind == "rule":
            self.lines.append(Text("─" * (self.width - cell_len(prefix.plain)), self.styles.rule))
        else:  # an unknown kind from a newer store: show its text rather than nothing
            self.wrap(Text(clean_text(block.text)), prefix, rest)

    def item(self, item: Block, prefix: Text, rest: Text) -> None:
        self.wrap(self.spans(item.spans), prefix, rest)
        for child in item.children:
            self.block(child, rest)

    def table(self, block: Block, prefix: Text) -> None:
        rows = [[clean_line(cell) for cell in row] for row in block.rows]
        if not rows:
            return
        columns = max(len(row) for row in rows)
        rows = [row + [""] * (columns - len(row)) for row in rows]
        widths = [max(cell_len(row[i]) for row in rows) for i in range(columns)]
        available = self.width - cell_len(prefix.plain) - 3 * (columns - 1)
        # Shrink the widest columns first until the table fits.
        while sum(widths) > available and max(widths) > 3:
            widest = widths.index(max(widths))
            widths[widest] -= 1
        for number, row in enumerate(rows):
            style = self.styles.table_header if number < block.header_rows else Style()
            line = Text.assemble(prefix)
            for index, cell in enumerate(row):
                if index:
                    line.append(" │ ", style=self.styles.rule)
                line.append_text(fit(cell, widths[index], style))
            line.rstrip()
            self.lines.append(line)
            if number == block.header_rows - 1:
                sep = "─┼─".join("─" * w for w in widths)
                self.lines.append(Text.assemble(prefix, (sep, self.styles.rule)))


def _collapse(text: Text) -> Text:
    """Fold whitespace runs inside each line of ``text`` to one space, keeping styles."""
    plain = text.plain
    if "  " not in plain and "\n " not in plain and " \n" not in plain and plain == plain.strip():
        return text
    keep: list[int] = []
    previous_space = True
    for index, char in enumerate(plain):
        if char == "\n":
            while keep and plain[keep[-1]] == " ":
                keep.pop()
            keep.append(index)
            previous_space = True
            continue
        if char == " ":
            if previous_space:
                continue
            previous_space = True
        else:
            previous_space = False
        keep.append(index)
    while keep and plain[keep[-1]] in " \n":
        keep.pop()
    result = Text(style=text.style)
    if not keep:
        return result
    # Rebuild span by span so styles (links) survive.
    start = keep[0]
    last = start
    for index in keep[1:]:
        if index != last + 1:
            result.append_text(text[start : last + 1])
            start = index
        last = index
    result.append_text(text[start : last + 1])
    return result


def site_host(url: str | None) -> str:
    """The host of an http(s) ``url`` without ``www.``, or ``""``."""
    safe = safe_url(url, fetchable=True) if url else None
    if not safe:
        return ""
    host = urlsplit(safe).hostname or ""
    return clean_line(host.removeprefix("www."))


def header_lines(
    stored: StoredArticle, width: int, styles: BodyStyles, *, view: str | None = None
) -> list[Text]:
    """Title; read/starred state, byline, site, date, reading time; the "summary" badge; and
    which view of the article is shown (``view``, when the reader switched views)."""
    layout = _Layout(width, styles, {})
    article = stored.article
    title = clean_line(article.title or stored.summary.title) or "(untitled)"
    layout.wrap(Text(title, style=styles.title))
    summary = stored.summary
    # The state comes first: it changes while reading (m, s), the rest does not.
    meta: list[str] = ["Read" if summary.read else "Unread"]
    if summary.starred:
        meta.append("★ Starred")
    if article.byline:
        meta.append(clean_line(article.byline))
    site = clean_line(article.site_name or summary.feed_title)
    if site:
        meta.append(site)
    host = site_host(article.url or summary.url)
    if host and host.casefold() not in site.casefold().replace(" ", ""):
        meta.append(host)
    published = article.published or stored.summary.published
    if published:
        meta.append(published.strftime("%Y-%m-%d"))
    meta.append(f"{article.reading_minutes} min read")
    # Break between items, never inside one ("4 min read", a date); an item longer than the
    # width wraps on its own.
    line = ""
    for item in (m for m in meta if m):
        joined = f"{line} · {item}" if line else item
        if line and cell_len(joined) > layout.width:
            layout.wrap(Text(line, style=styles.meta))
            line = item
        else:
            line = joined
    if line:
        layout.wrap(Text(line, style=styles.meta))
    if stored.summary_only:
        layout.lines.append(Text(" feed summary only ", style=styles.badge))
    if view:
        layout.lines.append(Text(f" view: {clean_line(view)} ", style=styles.badge))
    layout.lines.append(Text("─" * layout.width, style=styles.rule))
    return layout.lines


def article_lines(
    stored: StoredArticle, width: int, styles: BodyStyles, *, view: str | None = None
) -> list[Text]:
    """The whole article laid out for ``width`` cells, one ``Text`` per screen line."""
    return article_layout(stored, width, styles, view=view)[0]


def article_layout(
    stored: StoredArticle,
    width: int,
    styles: BodyStyles,
    *,
    view: str | None = None,
    picture_size: PictureSize | None = None,
    picture_problem: PictureProblem | None = None,
) -> tuple[list[Text], list[PictureSlot]]:
    """The article's lines and, when ``picture_size`` is given, where its pictures go.

    A figure with a picture gets blank lines of the picture's height, its caption below; one
    without keeps its ``[image: alt]`` line, followed by ``picture_problem``'s reason when
    there is one. A lead image that is not one of the figures stands under the header.
    """
    article: Article = stored.article
    numbers = {url: index for index, (_, url) in enumerate(article.links(), start=1)}
    layout = _Layout(width, styles, numbers, picture_size, picture_problem)
    layout.lines.extend(header_lines(stored, width, styles, view=view))
    layout.lines.append(Text())
    figures = {block.src for block in article.blocks if block.kind == "figure"}
    if article.lead_image and article.lead_image not in figures:
        if layout.picture(article.lead_image, Text()):
            layout.lines.append(Text())
    for block in article.blocks:
        layout.block(block)
        layout.blank()
    if not article.blocks:
        layout.lines.append(Text("(no text)", style=styles.meta))
    last_picture = max((slot.line + slot.rows for slot in layout.slots), default=0)
    while len(layout.lines) > last_picture and not layout.lines[-1].plain:
        layout.lines.pop()
    return layout.lines, layout.slots
