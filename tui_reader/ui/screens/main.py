"""The main screen: feeds tree, article list and reader, and every action on articles.

Store reads and writes run in thread workers and network calls in async workers; both report
back with messages (``tui_reader.ui.messages``) and only handlers here touch widgets. On wide
terminals the three panes sit side by side; below 100 columns only the focused pane is shown,
so the reader takes the whole screen and Escape goes back to the list.
"""

from __future__ import annotations

import logging
import threading
import time
import webbrowser
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Literal, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Tree
from textual.worker import get_current_worker

from tui_reader.core.library import Library, View
from tui_reader.core.models import ArticleSummary, RefreshProgress
from tui_reader.core.sanitize import clean_line, safe_url
from tui_reader.ui.messages import (
    ArticleLoaded,
    FeedsLoaded,
    FlagsChanged,
    LibraryChanged,
    RefreshDone,
    RefreshStep,
    SearchDone,
)
from tui_reader.ui.widgets.article_list import PAGE_SIZE, ArticleList, ArticleSource, ResultsSource
from tui_reader.ui.widgets.feed_tree import FeedTree, Selection
from tui_reader.ui.widgets.reader_pane import ReaderPane
from tui_reader.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp

logger = logging.getLogger("tui_reader.ui")

Pane = Literal["feeds", "articles", "reader"]
PANES: tuple[Pane, ...] = ("feeds", "articles", "reader")
NARROW_BELOW = 100
LIVE_RELOAD_EVERY = 2.0
"""Seconds between re-reads of the list while a refresh stores feed after feed."""
VIEW_CYCLE: dict[View, View] = {"unread": "starred", "starred": "all", "all": "unread"}


class LibrarySource:
    """The rows of one selection (view, feed or tag) of the store."""

    def __init__(self, library: Library, selection: Selection) -> None:
        self.library = library
        self.selection = selection
        # Articles whose read/star flag changed while this view is shown stay in it (as in
        # other readers), so that offsets, the count and the rows under the cursor hold.
        self._kept: dict[int, None] = {}
        self._lock = threading.Lock()

    def keep_showing(self, article_id: int) -> None:
        """Keep ``article_id`` in this view even once it no longer matches the filter."""
        with self._lock:
            self._kept[article_id] = None

    def _keep(self) -> tuple[int, ...]:
        with self._lock:
            return tuple(self._kept)

    @property
    def label(self) -> str:
        sel = self.selection
        if sel.kind == "view":
            return sel.title or sel.view.capitalize()
        return f"{sel.title} · {sel.view}"

    def count(self) -> int:
        sel = self.selection
        return self.library.count_articles(
            view=sel.view, feed_id=sel.feed_id, tag=sel.tag, keep=self._keep()
        )

    def fetch(self, limit: int, offset: int) -> list[ArticleSummary]:
        sel = self.selection
        return self.library.articles(
            view=sel.view,
            feed_id=sel.feed_id,
            tag=sel.tag,
            limit=limit,
            offset=offset,
            keep=self._keep(),
        )


class MainScreen(Screen[None]):
    """Tree, list, reader, status line and footer."""

    AUTO_FOCUS = "#articles"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "switch_pane(1)", "Pane", id="switch_pane", tooltip="Next pane"),
        Binding("shift+tab", "switch_pane(-1)", "Pane", show=False, id="switch_pane_back",
                tooltip="Previous pane"),
        Binding("n", "next_unread(1)", "Unread", id="next_unread",
                tooltip="Next unread article"),
        Binding("N", "next_unread(-1)", "Prev unread", show=False, id="previous_unread",
                tooltip="Previous unread article"),
        Binding("m", "toggle_read", "Read", id="toggle_read", tooltip="Toggle read/unread"),
        Binding("s", "toggle_star", "Star", id="toggle_star", tooltip="Toggle the star"),
        Binding("o", "open_browser", "Browser", id="open_browser",
                tooltip="Open in the web browser"),
        Binding("y", "copy_url", "Copy", id="copy_url",
                tooltip="Copy the article's URL"),
        Binding("L", "links", "Links", id="links",
                tooltip="List the article's links"),
        Binding("slash", "search", "Search", id="search", tooltip="Full-text search"),
        Binding("f", "cycle_filter", "Filter", id="cycle_filter",
                tooltip="Cycle unread / starred / all"),
        Binding("r", "refresh_all", "Refresh", id="refresh", tooltip="Refresh all feeds"),
        Binding("R", "refresh_feed", "Feed", id="refresh_feed",
                tooltip="Refresh the current feed"),
        Binding("a", "add_url", "Add", id="add_url",
                tooltip="Add a feed or a page by URL"),
        Binding("e", "show_log", "Log", id="show_log",
                tooltip="Errors of this session"),
    ]  # fmt: skip

    @dataclass
    class ListLoaded(Message):
        source: ArticleSource
        count: int
        first_page: list[ArticleSummary]
        cursor: int
        focus: bool
        keep_ids: tuple[int | None, int | None] | None = None

    @dataclass
    class CursorTo(Message):
        index: int

    def __init__(self) -> None:
        super().__init__()
        self.selection = Selection("view", "all", title="All")
        self.search_query: str | None = None
        self.open_index: int | None = None
        self.pane: Pane = "articles"
        self._last_live_reload = 0.0

    @property
    def reader_app(self) -> ReaderApp:
        return cast("ReaderApp", self.app)

    @property
    def library(self) -> Library:
        return self.reader_app.library

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield FeedTree(id="feeds")
            yield ArticleList(clock=self.reader_app.clock, id="articles")
            yield ReaderPane(id="reader")
        yield StatusLine(offline=self.reader_app.offline, id="status")

    @property
    def feed_tree(self) -> FeedTree:
        return self.query_one(FeedTree)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def reader(self) -> ReaderPane:
        return self.query_one(ReaderPane)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        # The footer (a widget per key) is the costliest part of the first frame: mounting it
        # just after that frame puts the article titles on screen sooner.
        self.call_after_refresh(self._mount_footer)
        self._apply_width(self.app.size.width)
        self.show_pane("articles")
        startup, self.reader_app.startup = self.reader_app.startup, None
        if startup is None:
            self.reload_list()
            self.load_feeds()
            return
        source = LibrarySource(self.library, self.selection)
        self.article_list.set_source(source, startup.count, startup.first_page)
        self.status.set_view(source.label, startup.count)
        self.load_feeds()

    async def _mount_footer(self) -> None:
        await self.mount(Footer(compact=True))
        self.refresh_bindings()  # a footer mounted late has not seen the bindings yet

    # --- panes -----------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_BELOW, "-narrow")

    def show_pane(self, pane: Pane) -> None:
        """Focus ``pane`` (and, on narrow terminals, show only it)."""
        self.pane = pane
        for name in PANES:
            self.set_class(name == pane, f"-pane-{name}")
        widget = self.pane_widget(pane)
        if self.focused is not widget:
            widget.focus()
            if self.has_class("-narrow"):
                # The pane was hidden until the class change above is applied.
                self.call_after_refresh(widget.focus)

    def pane_widget(self, pane: Pane) -> FeedTree | ArticleList | ReaderPane:
        if pane == "feeds":
            return self.feed_tree
        if pane == "articles":
            return self.article_list
        return self.reader

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Clicking a pane focuses it; keep the narrow-layout classes in step.
        for name, widget_type in (("feeds", FeedTree), ("articles", ArticleList),
                                  ("reader", ReaderPane)):  # fmt: skip
            if isinstance(event.widget, widget_type) and self.pane != name:
                self.pane = cast(Pane, name)
                for other in PANES:
                    self.set_class(other == name, f"-pane-{other}")

    def action_switch_pane(self, step: int) -> None:
        index = PANES.index(self.pane)
        self.show_pane(PANES[(index + step) % len(PANES)])

    # --- loading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def load_feeds(self) -> None:
        try:
            feeds = self.library.feeds()
            starred = self.library.count_articles(view="starred")
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not read the feeds", exc)
            return
        self.post_message(FeedsLoaded(feeds, starred))

    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        self.feed_tree.load(message.feeds, message.starred)
        self.feed_tree.select_data(self.selection)

    def reload_list(self, *, cursor: int = 0, focus: bool = False, keep: bool = False) -> None:
        """Re-read the current selection (or search) from the store.

        With ``keep`` the cursor stays on the same article (and J/K keep working from the
        open one) when it is still on the first page.
        """
        source: ArticleSource
        if self.search_query is not None and isinstance(self.article_list.source, ResultsSource):
            source = self.article_list.source
        else:
            source = LibrarySource(self.library, self.selection)
        keep_ids: tuple[int | None, int | None] | None = None
        if keep:
            at_cursor = self.article_list.cached(self.article_list.cursor)
            opened = self.reader.stored
            keep_ids = (
                at_cursor.id if at_cursor is not None else None,
                opened.summary.id if opened is not None and self.open_index is not None else None,
            )
        self._load_list(source, cursor, focus, keep_ids)

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _load_list(
        self,
        source: ArticleSource,
        cursor: int,
        focus: bool,
        keep_ids: tuple[int | None, int | None] | None = None,
    ) -> None:
        try:
            count = source.count()
            first = source.fetch(PAGE_SIZE, 0)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not read the articles", exc)
            return
        self.post_message(self.ListLoaded(source, count, first, cursor, focus, keep_ids))

    def on_main_screen_list_loaded(self, message: ListLoaded) -> None:
        cursor = message.cursor
        if message.keep_ids:
            # After a refresh new rows push old ones down: follow the article, not the row.
            cursor_id, open_id = message.keep_ids
            where = {row.id: index for index, row in enumerate(message.first_page)}
            cursor = where.get(cursor_id, cursor) if cursor_id is not None else cursor
            self.open_index = where.get(open_id) if open_id is not None else None
        self.article_list.set_source(message.source, message.count, message.first_page, cursor)
        self.status.set_view(message.source.label, message.count)
        if message.focus:
            self.show_pane("articles")

    @on(Tree.NodeSelected, "#feeds")
    def _feed_selected(self, event: Tree.NodeSelected[Selection]) -> None:
        data = event.node.data
        if data is None:
            return
        if data.kind == "view":
            self.selection = data
        else:
            self.selection = replace(data, view=self.selection.view)
        self.search_query = None
        self.open_index = None
        self._load_list(LibrarySource(self.library, self.selection), 0, True)

    def action_cycle_filter(self) -> None:
        view = VIEW_CYCLE[self.selection.view]
        if self.selection.kind == "view":
            self.selection = Selection("view", view, title=view.capitalize())
            self.feed_tree.select_data(self.selection)
        else:
            self.selection = replace(self.selection, view=view)
        self.search_query = None
        self.open_index = None
        self._load_list(LibrarySource(self.library, self.selection), 0, False)

    # --- opening ---------------------------------------------------------------------
    @on(ArticleList.OpenRequested)
    def _open_requested(self, event: ArticleList.OpenRequested) -> None:
        self.open_article(event.index)

    def open_article(self, index: int) -> None:
        self.save_position()
        self._open_article(index)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_article(self, index: int) -> None:
        try:
            summary = self.article_list.fetch_row(index)
            if summary is None:
                return
            stored = self.library.article(summary.id)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not open the article", exc)
            return
        if self.reader_app.mark_read_on_open and not stored.summary.read:
            self._keep_in_view(summary.id)
            try:
                self.library.set_read(summary.id, True)
            except Exception as exc:  # noqa: BLE001 - a read-only store can still be read
                self.reader_app.report_error("Could not mark the article read", exc)
            else:
                stored = replace(stored, summary=replace(stored.summary, read=True))
                self.post_message(FlagsChanged(stored.summary))
        self.post_message(ArticleLoaded(stored, index))

    def on_article_loaded(self, message: ArticleLoaded) -> None:
        if message.index is not None:
            self.open_index = message.index
            self.article_list.move_cursor(message.index)
        self.reader.show(message.stored, message.stored.position)
        self.show_pane("reader")

    @on(ReaderPane.BackRequested)
    def _reader_back(self) -> None:
        self.save_position()
        self.show_pane("articles")

    @on(ArticleList.BackRequested)
    def _list_back(self) -> None:
        if self.search_query is not None:
            self.search_query = None
            self._load_list(LibrarySource(self.library, self.selection), 0, True)
            return
        self.show_pane("feeds")

    @on(ReaderPane.StepRequested)
    def _step(self, event: ReaderPane.StepRequested) -> None:
        current = self.open_index if self.open_index is not None else self.article_list.cursor
        target = current + event.step
        if 0 <= target < self.article_list.count:
            self.open_article(target)
        else:
            self.notify("No more articles in this list.", markup=False)

    def save_position(self) -> None:
        """Remember where the open article was read to."""
        stored = self.reader.stored
        if stored is None or not self.reader.laid_out:
            return
        position = self.reader.position
        if abs(position - stored.position) < 1e-6:
            return
        self.reader.stored = replace(stored, position=position)
        self._save_position(stored.summary.id, position)

    @work(thread=True, group="position", exit_on_error=False)
    def _save_position(self, article_id: int, position: float) -> None:
        try:
            self.library.save_position(article_id, position)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not save the reading position", exc)

    # --- the current article ---------------------------------------------------------
    def current_summary(self) -> ArticleSummary | None:
        """The article being read (reader focused) or under the list cursor."""
        if self.pane == "reader" and self.reader.stored is not None:
            return self.reader.stored.summary
        if self.pane == "feeds":
            return None
        return self.article_list.cached(self.article_list.cursor)

    def _require_summary(self) -> ArticleSummary | None:
        summary = self.current_summary()
        if summary is None:
            self.notify("No article selected.", markup=False, severity="warning")
        return summary

    def action_toggle_read(self) -> None:
        summary = self._require_summary()
        if summary is not None:
            self._set_flag(summary, "read", not summary.read)

    def action_toggle_star(self) -> None:
        summary = self._require_summary()
        if summary is not None:
            self._set_flag(summary, "starred", not summary.starred)

    @work(thread=True, group="flags", exit_on_error=False)
    def _set_flag(self, summary: ArticleSummary, flag: str, value: bool) -> None:
        self._keep_in_view(summary.id)
        try:
            if flag == "read":
                self.library.set_read(summary.id, value)
            else:
                self.library.set_starred(summary.id, value)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not change the article", exc)
            return
        if flag == "read":
            changed = replace(summary, read=value)
        else:
            changed = replace(summary, starred=value)
        self.post_message(FlagsChanged(changed))

    def _keep_in_view(self, article_id: int) -> None:
        source = self.article_list.source
        if isinstance(source, LibrarySource):
            source.keep_showing(article_id)

    def on_flags_changed(self, message: FlagsChanged) -> None:
        self.article_list.update_summary(message.summary)
        stored = self.reader.stored
        if stored is not None and stored.summary.id == message.summary.id:
            self.reader.stored = replace(stored, summary=message.summary)
        self.load_feeds()

    def _current_url(self) -> str | None:
        summary = self._require_summary()
        if summary is None:
            return None
        url = summary.url
        stored = self.reader.stored
        if stored is not None and stored.summary.id == summary.id and stored.article.url:
            url = url or stored.article.url
        safe = safe_url(url, fetchable=True)
        if safe is None:
            self.notify("This article has no http(s) link.", markup=False, severity="warning")
        return safe

    def action_open_browser(self) -> None:
        url = self._current_url()
        if url is not None:
            self._open_in_browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not start a web browser", exc)
            return
        if not opened:
            self.reader_app.report_error("Could not start a web browser", None)

    def action_copy_url(self) -> None:
        url = self._current_url()
        if url is not None:
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {clean_line(url)}", markup=False)

    # --- links -----------------------------------------------------------------------
    def action_links(self) -> None:
        stored = self.reader.stored
        if stored is None:
            self.notify("Open an article first.", markup=False, severity="warning")
            return
        from tui_reader.ui.screens.links import LinksScreen

        self.app.push_screen(LinksScreen(stored.article.links()), self.follow_link)

    def follow_link(self, url: str | None) -> None:
        """Fetch, clean, store and show the page at ``url`` (http(s) only)."""
        if url is None:
            return
        safe = safe_url(url, fetchable=True)
        if safe is None:
            self.notify("Only http(s) links can be opened.", markup=False, severity="warning")
            logger.warning("refused a non-http(s) link: %r", url[:200])
            return
        self.save_position()
        self.status.set_activity(f"opening {safe}")
        self._open_url(safe)

    @work(exclusive=True, group="open-url", exit_on_error=False)
    async def _open_url(self, url: str) -> None:
        try:
            stored = await self.library.open_url(url)
        except Exception as exc:  # noqa: BLE001
            self.status.set_activity("")
            self.reader_app.report_error(f"Could not open {url}", exc)
            return
        self.status.set_activity("")
        self.post_message(ArticleLoaded(stored, None))
        self.post_message(LibraryChanged())

    # --- unread navigation -----------------------------------------------------------
    def action_next_unread(self, step: int) -> None:
        start = self.article_list.cursor
        if self.pane == "reader" and self.open_index is not None:
            start = self.open_index
        self._find_unread(start, step, self.pane == "reader")

    @work(thread=True, exclusive=True, group="nav", exit_on_error=False)
    def _find_unread(self, start: int, step: int, open_it: bool) -> None:
        article_list = self.article_list
        worker = get_current_worker()
        index = start + step
        try:
            while 0 <= index < article_list.count:
                if worker.is_cancelled:  # a newer n/N press replaced this search
                    return
                summary = article_list.fetch_row(index)
                if summary is not None and not summary.read:
                    self.post_message(self.CursorTo(index if not open_it else -index - 1))
                    return
                index += step
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not read the articles", exc)
            return
        self.app.call_from_thread(self.notify, "No more unread articles.", markup=False)

    def on_main_screen_cursor_to(self, message: CursorTo) -> None:
        if message.index < 0:
            self.open_article(-message.index - 1)
        else:
            self.article_list.move_cursor(message.index)

    # --- search ----------------------------------------------------------------------
    def action_search(self) -> None:
        from tui_reader.ui.screens.dialogs import InputDialog

        self.app.push_screen(
            InputDialog("Search articles", 'words, "a phrase", prefix*', self.search_query or ""),
            self.search,
        )

    def search(self, query: str | None) -> None:
        if query:
            self.status.set_activity("searching…")
            self._search(query)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str) -> None:
        try:
            results = self.library.search(query)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.status.set_activity, "")
            self.reader_app.report_error("Search failed", exc)
            return
        self.post_message(SearchDone(query, results))

    def on_search_done(self, message: SearchDone) -> None:
        self.status.set_activity("")
        self.search_query = message.query
        self.open_index = None
        source = ResultsSource(f"search: {message.query}", message.results)
        self.article_list.set_source(source, len(message.results), message.results[:PAGE_SIZE])
        self.status.set_view(source.label, len(message.results))
        self.show_pane("articles")
        if not message.results:
            self.notify(f"Nothing found for {message.query}", markup=False)

    # --- refresh and add -------------------------------------------------------------
    def action_refresh_all(self) -> None:
        self._start_refresh(None, "all feeds")

    def action_refresh_feed(self) -> None:
        feed_id = self.selection.feed_id if self.selection.kind == "feed" else None
        if feed_id is None:
            summary = self.current_summary()
            feed_id = summary.feed_id if summary is not None else None
        if feed_id is None:
            self.notify("Select a feed (or an article of it) first.", markup=False)
            return
        self._start_refresh([feed_id], "this feed")

    def _start_refresh(self, feed_ids: list[int] | None, what: str) -> None:
        if self.reader_app.offline:
            self.notify("Offline: refresh is not available.", markup=False, severity="warning")
            self.status.set_activity("offline, not refreshing")
            return
        if any(w.group == "refresh" and not w.is_finished for w in self.workers):
            # Starting another would cancel the one under way (and its feeds' writes).
            self.notify("A refresh is already running.", markup=False)
            return
        self.status.set_activity(f"refreshing {what}…")
        self._refresh(feed_ids)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh(self, feed_ids: list[int] | None) -> None:
        def progress(step: RefreshProgress) -> None:
            self.post_message(RefreshStep(step))

        try:
            report = await self.library.refresh(
                feed_ids, pages=self.library.config.fetch_pages, progress=progress
            )
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Refresh failed", exc)
            self.post_message(RefreshDone(None))
            return
        self.post_message(RefreshDone(report))

    def on_refresh_step(self, message: RefreshStep) -> None:
        step = message.progress
        self.status.set_activity(f"refreshing {step.done}/{step.total} {step.feed_title}")
        # Each feed's articles are stored as soon as it is read: show them while the rest
        # of the refresh goes on (at most every couple of seconds, to keep reading calm).
        now = time.monotonic()
        if step.new_articles and now - self._last_live_reload >= LIVE_RELOAD_EVERY:
            self._last_live_reload = now
            self.load_feeds()
            self.reload_list(cursor=self.article_list.cursor, keep=True)

    def on_refresh_done(self, message: RefreshDone) -> None:
        report = message.report
        if report is None:
            self.status.set_activity("refresh failed (e: log)")
        else:
            for source, reason in report.failures:
                self.reader_app.record_error(f"{clean_line(source)}: {clean_line(reason)}")
            for source, notice in report.notices:
                self.reader_app.error_lines.append(f"{clean_line(source)}: {clean_line(notice)}")
            failed = len(report.failures)
            summary = f"{report.new_articles} new"
            if failed:
                summary += f", {failed} failed (e: log)"
            self.status.set_activity(f"refreshed: {summary}")
            self.notify(f"Refresh done: {summary}", markup=False,
                        severity="warning" if failed else "information")  # fmt: skip
        self.load_feeds()
        self.reload_list(cursor=self.article_list.cursor, keep=True)

    def action_add_url(self) -> None:
        from tui_reader.ui.screens.dialogs import InputDialog

        self.app.push_screen(InputDialog("Add a feed or a page (URL)", "https://…"), self.add_url)

    def add_url(self, url: str | None) -> None:
        if not url:
            return
        if safe_url(url, fetchable=True) is None:
            self.notify("Only http(s) URLs can be added.", markup=False, severity="warning")
            return
        if self.reader_app.offline:
            self.notify("Offline: cannot add a URL.", markup=False, severity="warning")
            return
        self.status.set_activity(f"adding {url}")
        self._add(url)

    @work(exclusive=True, group="add", exit_on_error=False)
    async def _add(self, url: str) -> None:
        try:
            result = await self.library.add(url)
        except Exception as exc:  # noqa: BLE001
            self.status.set_activity("")
            self.reader_app.report_error(f"Could not add {url}", exc)
            return
        self.status.set_activity("")
        self.notify(clean_line(result.message) or f"Added {clean_line(result.title)}",
                    markup=False)  # fmt: skip
        self.post_message(LibraryChanged())

    def on_library_changed(self, message: LibraryChanged) -> None:
        self.load_feeds()
        self.reload_list(cursor=self.article_list.cursor, keep=True)

    def action_show_log(self) -> None:
        self.reader_app.action_show_log()
