"""The article list: a virtual, line-by-line list that reads rows from the store in pages.

Only the rows on screen are ever drawn, and rows are fetched a page at a time in thread
workers (with a small LRU cache), so a view of 100,000 articles costs one ``COUNT`` and one
page at startup. Rows that are not loaded yet draw as a placeholder until their page arrives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import ClassVar, Protocol

from rich.segment import Segment
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.core.models import ArticleSummary
from tui_reader.ui.render import Clock, RowStyles, article_row, utc_now

PAGE_SIZE = 100
MAX_PAGES = 16


class ArticleSource(Protocol):
    """Where the list's rows come from: a filtered view of the store, or a search."""

    @property
    def label(self) -> str: ...

    def count(self) -> int: ...

    def fetch(self, limit: int, offset: int) -> list[ArticleSummary]: ...


class ArticleList(ScrollView, can_focus=True):
    """Newest-first article rows with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down", tooltip="Next row"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up", tooltip="Previous row"),
        Binding("enter,l", "open", "Open", id="open", tooltip="Read the article"),
        Binding("h,escape", "back", "Back", show=False, id="back", tooltip="Back / feeds"),
        Binding("space,pagedown", "page_down", "Page", show=False, id="page_down",
                tooltip="Page down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="page_up", tooltip="Page up"),
        Binding("g,home", "top", "Top", show=False, id="top", tooltip="First row"),
        Binding("G,end", "bottom", "Bottom", show=False, id="bottom", tooltip="Last row"),
    ]  # fmt: skip

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--unread",
        "article-list--read",
        "article-list--feed",
        "article-list--age",
        "article-list--star",
        "article-list--placeholder",
    }

    @dataclass
    class OpenRequested(Message):
        """The user asked to read the row at ``index``."""

        index: int

    @dataclass
    class BackRequested(Message):
        """Back was pressed on the list."""

    @dataclass
    class PageLoaded(Message):
        generation: int
        page: int
        rows: list[ArticleSummary]

    def __init__(self, *, clock: Clock = utc_now, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.source: ArticleSource | None = None
        self.count = 0
        self.cursor = 0
        self.empty_text = "Loading…"
        self._generation = 0
        self._pages: OrderedDict[int, list[ArticleSummary]] = OrderedDict()
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._styles: RowStyles | None = None

    # --- data ------------------------------------------------------------------------
    def set_source(
        self, source: ArticleSource, count: int, first_page: list[ArticleSummary], cursor: int = 0
    ) -> None:
        """Show ``source`` (with its count and first page already read by a worker)."""
        with self._lock:
            self._generation += 1
            self._pages.clear()
            self._pending.clear()
            if first_page:
                self._pages[0] = first_page
        self.source = source
        self.count = count
        self.empty_text = "No articles here. Press f to change the filter, r to refresh."
        self.cursor = max(0, min(cursor, count - 1))
        self.virtual_size = Size(1, count)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_cursor_into_view()
        self.refresh()

    @property
    def generation(self) -> int:
        return self._generation

    def cached(self, index: int) -> ArticleSummary | None:
        """The row at ``index`` if its page is loaded (UI thread)."""
        page = self._pages.get(index // PAGE_SIZE)
        if page is None:
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def fetch_row(self, index: int) -> ArticleSummary | None:
        """The row at ``index``, reading its page from the store if needed (worker threads)."""
        source = self.source
        if source is None or not 0 <= index < self.count:
            return None
        page_no = index // PAGE_SIZE
        with self._lock:
            page = self._pages.get(page_no)
            generation = self._generation
        if page is None:
            page = source.fetch(PAGE_SIZE, page_no * PAGE_SIZE)
            with self._lock:
                if generation == self._generation:
                    self._store_page(page_no, page)
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def _store_page(self, page_no: int, rows: list[ArticleSummary]) -> None:
        self._pages[page_no] = rows
        self._pages.move_to_end(page_no)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    def update_summary(self, summary: ArticleSummary) -> None:
        """Replace the cached row of ``summary.id`` (after its flags changed)."""
        with self._lock:
            for page in self._pages.values():
                for offset, row in enumerate(page):
                    if row.id == summary.id:
                        page[offset] = replace(row, read=summary.read, starred=summary.starred)
        self.refresh()

    def _request_page(self, page_no: int) -> None:
        if page_no in self._pending or self.source is None:
            return
        self._pending.add(page_no)
        self._load_page(self.source, self._generation, page_no)

    @work(thread=True, group="article-pages", exit_on_error=False)
    def _load_page(self, source: ArticleSource, generation: int, page_no: int) -> None:
        try:
            rows = source.fetch(PAGE_SIZE, page_no * PAGE_SIZE)
        except Exception as exc:  # noqa: BLE001 - reported, the row stays a placeholder
            self._pending.discard(page_no)
            report = getattr(self.app, "report_error", None)
            if report is not None:
                report("Could not read the articles", exc)
            return
        self.post_message(self.PageLoaded(generation, page_no, rows))

    def on_article_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        self._pending.discard(message.page)
        if message.generation != self._generation:
            return
        with self._lock:
            self._store_page(message.page, message.rows)
        end = message.page * PAGE_SIZE + len(message.rows)
        if len(message.rows) < PAGE_SIZE and end < self.count:
            # Articles went away since the count was taken (pruned, unsubscribed): the list
            # ends here. Without this the missing rows would be asked for again and again.
            self.count = end
            self.virtual_size = Size(1, end)
            self.cursor = max(0, min(self.cursor, end - 1))
        self.refresh()

    # --- drawing ---------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _row_styles(self) -> RowStyles:
        # Resolved once per theme/focus change, not once per row.
        if self._styles is None:
            self._styles = self._resolve_styles()
        return self._styles

    def _resolve_styles(self) -> RowStyles:
        return RowStyles(
            unread=self.get_component_rich_style("article-list--unread", partial=True),
            read=self.get_component_rich_style("article-list--read", partial=True),
            feed=self.get_component_rich_style("article-list--feed", partial=True),
            age=self.get_component_rich_style("article-list--age", partial=True),
            star=self.get_component_rich_style("article-list--star", partial=True),
        )

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_offset.y) + y
        base = self.rich_style
        if self.count == 0:
            # Wrapped, not cut: the list can be narrow when three panes share the screen.
            style = self.get_component_rich_style("article-list--placeholder", partial=True)
            lines = Text(self.empty_text, style=style).wrap(self.app.console, max(1, width - 1))
            text = Text(" ") + lines[y] if y < len(lines) else Text("")
        elif index >= self.count:
            return Strip.blank(width, base)
        else:
            summary = self.cached(index)
            if summary is None:
                self._request_page(index // PAGE_SIZE)
                text = Text(
                    "  …",
                    style=self.get_component_rich_style("article-list--placeholder", partial=True),
                )
            else:
                text = article_row(summary, width, self.clock(), self._row_styles())
            if index == self.cursor:
                # The cursor's style sets both colours, so it wins over every span's colour:
                # a star or a muted feed name keeps the row's contrast.
                # Not partial: a translucent background must be blended with the pane's.
                text.stylize(self.get_component_rich_style("article-list--cursor"))
        text.truncate(width, pad=True)
        segments = list(text.render(self.app.console))
        strip = Strip(segments).apply_style(base) if segments else Strip([Segment(" " * width)])
        return strip.crop_extend(0, width, base)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(1, self.count)
        self._scroll_cursor_into_view()

    # --- cursor ----------------------------------------------------------------------
    def move_cursor(self, index: int) -> None:
        """Put the cursor on ``index`` (clamped) and keep it on screen."""
        if self.count == 0:
            return
        self.cursor = max(0, min(index, self.count - 1))
        self._scroll_cursor_into_view()
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_target_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        self.move_cursor(0)

    def action_bottom(self) -> None:
        self.move_cursor(self.count - 1)

    def action_open(self) -> None:
        if self.count:
            self.post_message(self.OpenRequested(self.cursor))

    def action_back(self) -> None:
        self.post_message(self.BackRequested())

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < self.count:
            self.move_cursor(index)
            if event.chain >= 2:
                self.post_message(self.OpenRequested(index))
