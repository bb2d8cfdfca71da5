"""The main screen: feeds tree, article list and reader, and every action on articles.

Store reads and writes run in thread workers and network calls in async workers; both report
back with messages (``tui_reader.ui.messages``) and only handlers here touch widgets. From 140
columns the three panes sit side by side; from 100 the feeds pane folds away while the list
or the reader has the focus (two panes, each wide enough to read); below 100 only the focused
pane is shown, so the reader takes the whole screen and Escape goes back to the list.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Literal, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Tree
from textual.worker import get_current_worker

from tui_reader.core.errors import TuiReaderError
from tui_reader.core.library import Library, View
from tui_reader.core.models import ArticleSummary, FeedInfo, RefreshProgress, StoredArticle
from tui_reader.core.sanitize import clean_line, safe_url
from tui_reader.ui import gcpause
from tui_reader.ui.host import ReaderHost
from tui_reader.ui.messages import (
    ArticleLoaded,
    FeedsLoaded,
    FlagsChanged,
    LibraryChanged,
    RefreshDone,
    RefreshStep,
    SearchDone,
)
from tui_reader.ui.search import ORDER_LABELS, SearchSource
from tui_reader.ui.selection import Selection
from tui_reader.ui.widgets.article_list import PAGE_SIZE, ArticleList, ArticleSource
from tui_reader.ui.widgets.standin import READER_HINT, PaneStandin
from tui_reader.ui.widgets.status import StatusLine

# The feeds tree, the reader and the footer are mounted after the first frame, so their
# modules are imported then too (see _finish_screen).
if TYPE_CHECKING:
    from tui_reader.core.storage.sqlite import SearchOrder
    from tui_reader.ui.widgets.feed_tree import FeedTree
    from tui_reader.ui.widgets.reader_pane import ReaderPane

logger = logging.getLogger("tui_reader.ui")

Pane = Literal["feeds", "articles", "reader"]
PANES: tuple[Pane, ...] = ("feeds", "articles", "reader")
NARROW_BELOW = 100
MINUTE = 60.0
"""Seconds in a minute of ``refresh_minutes`` (a name, so tests can shorten it)."""
STORE_POLL_SECONDS = 5.0
"""How often the app looks whether another process changed the store."""
# Below this width three panes would leave a cramped list and reader: the feeds pane folds
# away (Tab, shift+Tab or h from the list bring it back, beside the list).
THREE_PANES_FROM = 140
LIVE_RELOAD_EVERY = 2.0
"""Seconds between re-reads of the list while a refresh stores feed after feed."""
VIEW_CYCLE: dict[View, View] = {"unread": "starred", "starred": "all", "all": "unread"}


def _about(what: str, url: str, exc: BaseException) -> str:
    """``what`` with the URL, unless the error already names it (once is enough)."""
    return what if clean_line(url) in str(exc) else f"{what} {clean_line(url)}"


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
        Binding("O", "search_order", "Order", id="search_order",
                tooltip="Search results: newest first or best matches first"),
        Binding("A", "mark_all_read", "All read", show=False, id="mark_all_read",
                tooltip="Mark the list, or all below the cursor, read"),
        Binding("u", "undo_mark_read", "Undo", show=False, id="undo_mark_read",
                tooltip="Undo the last mark-all-read"),
    ]  # fmt: skip

    @dataclass
    class ListLoaded(Message):
        source: ArticleSource
        count: int
        first_page: list[ArticleSummary]
        cursor: int
        focus: bool
        keep_ids: tuple[int | None, int | None] | None = None
        follow: int | None = None

    @dataclass
    class CursorTo(Message):
        index: int

    @dataclass
    class NoMoreUnread(Message):
        """``n`` found nothing more in this list; the next feed may have some."""

        open_it: bool

    @dataclass
    class MarkedRead(Message):
        """A mark-all-read (or its undo) was stored."""

        ids: list[int]
        undone: bool = False

    @dataclass
    class StoreChanged(Message):
        """Another process (a ``fetch`` from cron) changed the store."""

    def __init__(self) -> None:
        super().__init__()
        self.selection = Selection("view", "all", title="All")
        self.search_query: str | None = None
        self.search_order: SearchOrder = "newest"
        self.open_index: int | None = None
        self.pane: Pane = "articles"
        self.back_stack: list[tuple[StoredArticle, int | None]] = []
        """Articles left by following a link, newest last: ``h``/Esc returns to them."""
        self.last_marked: list[int] = []
        """The articles the last mark-all-read changed (``u`` marks them unread again)."""
        self._unread_after_load: bool | None = None
        self._store_marker: tuple[object, ...] | None = None
        self._last_live_reload = 0.0
        self._panes_mounted = False

    @property
    def reader_app(self) -> ReaderHost:
        return cast("ReaderHost", self.app)

    @property
    def library(self) -> Library:
        return self.reader_app.library

    def compose(self) -> ComposeResult:
        # The layout classes are set before the panes mount, so the first styling of the
        # panes already uses them: setting them on mount would restyle every pane twice
        # before the first frame.
        self._set_classes(self._width_classes(self.app.size.width), update=False)
        self._set_classes(self._pane_classes("articles"), update=False)
        # The first frame shows the titles: the feeds tree, the reader and the footer, which
        # cost more to style and draw than the list, come right after it (see _finish_screen).
        with Horizontal(id="panes"):
            yield PaneStandin(classes="feeds-standin")
            yield ArticleList(clock=self.reader_app.clock, id="articles")
            yield PaneStandin(READER_HINT, classes="reader-standin")
        yield StatusLine(offline=self.reader_app.offline, id="status")

    def _finish_screen(self) -> None:
        """After the first frame: the real feeds tree and reader, and the footer."""
        from tui_reader.ui.widgets.keybar import KeyBar

        if not self.is_attached:
            return  # quit before this came round: the screen is already being taken down
        self._mount_panes()
        if not self.query(KeyBar):
            self.mount(KeyBar(id="keys"))

    def _mount_panes(self) -> None:
        """Put the feeds tree and the reader in place of their stand-ins (once)."""
        if self._panes_mounted or not self.is_attached:
            return
        self._panes_mounted = True
        from tui_reader.ui.widgets.feed_tree import FeedTree
        from tui_reader.ui.widgets.reader_pane import ReaderPane

        panes = self.query_one("#panes", Horizontal)
        standins = self.query(PaneStandin)
        for standin in standins:
            # Out of the layout at once: removal itself completes later.
            standin.display = False
        panes.mount(FeedTree(id="feeds"), before=0)
        panes.mount(ReaderPane(id="reader"))
        standins.remove()

    @property
    def feed_tree(self) -> FeedTree:
        from tui_reader.ui.widgets.feed_tree import FeedTree

        self._mount_panes()  # an early key may ask for it before the first frame is done
        return self.query_one(FeedTree)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def reader(self) -> ReaderPane:
        from tui_reader.ui.widgets.reader_pane import ReaderPane

        self._mount_panes()
        return self.query_one(ReaderPane)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        # Launched from the command line, the collector is paused until the first frame.
        self.call_after_refresh(gcpause.resume)
        self.call_after_refresh(self._finish_screen)
        self._apply_width(self.app.size.width)
        self.show_pane("articles")
        self._start_timers()
        startup, self.reader_app.startup = self.reader_app.startup, None
        if startup is None:
            self.reload_list()
            self.load_feeds()
            return
        source = LibrarySource(self.library, self.selection)
        self.article_list.set_source(source, startup.count, startup.first_page)
        self.status.set_view(source.label, startup.count)
        # The titles are ready: the feeds tree (counts from a scan of the store) is filled in
        # after the first frame, so that frame does not wait for it.
        self.call_after_refresh(self.load_feeds)

    def _start_timers(self) -> None:
        config = getattr(self.library, "config", None)
        minutes = getattr(config, "refresh_minutes", 0)
        if not self.reader_app.offline:
            if getattr(config, "refresh_on_start", False):
                self.call_after_refresh(self._timed_refresh)
            if minutes > 0:
                self.set_interval(minutes * MINUTE, self._timed_refresh, name="timed-refresh")
        # Articles a `fetch` from cron stores while the app is open show up by themselves.
        self.set_interval(STORE_POLL_SECONDS, self._poll_store, name="store-poll")

    # --- panes -----------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    @staticmethod
    def _width_classes(width: int) -> dict[str, bool]:
        medium = NARROW_BELOW <= width < THREE_PANES_FROM
        return {"-narrow": width < NARROW_BELOW, "-medium": medium}

    @staticmethod
    def _pane_classes(pane: Pane) -> dict[str, bool]:
        return {f"-pane-{name}": name == pane for name in PANES}

    def _apply_width(self, width: int) -> None:
        self._set_classes(self._width_classes(width))

    def _set_classes(self, wanted: dict[str, bool], *, update: bool = True) -> None:
        """Set several classes with one style update (each update restyles every pane)."""
        if all(self.has_class(name) == present for name, present in wanted.items()):
            return
        for name, present in wanted.items():
            self.set_class(present, name, update=False)
        if update:
            self.update_node_styles()

    def show_pane(self, pane: Pane) -> None:
        """Focus ``pane`` (and, on narrow terminals, show only it)."""
        self.pane = pane
        self._set_classes(self._pane_classes(pane))
        widget = self.pane_widget(pane)
        if self.focused is not widget:
            widget.focus()
            if self.has_class("-narrow") or self.has_class("-medium"):
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
        # The panes' ids are their names (the feeds tree and reader are mounted late).
        name = event.widget.id
        if name in PANES and self.pane != name:
            self.pane = name
            self._set_classes({f"-pane-{other}": other == name for other in PANES})

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
        self._show_marks_waiting()

    def _show_marks_waiting(self) -> None:
        """The sync queue's length in the status line (feeds reload after every mark)."""
        if not self.library.sync_configured:
            return
        try:
            self.status.set_marks_waiting(self.library.marks_waiting())
        except Exception:  # noqa: BLE001 - a count that cannot be read is not worth an error
            pass

    def reload_list(
        self,
        *,
        cursor: int = 0,
        focus: bool = False,
        keep: bool = False,
        follow: int | None = None,
    ) -> None:
        """Re-read the current selection (or search) from the store.

        With ``keep`` the cursor stays on the same article (and J/K keep working from the
        open one) when it is still on the first page.
        """
        source: ArticleSource
        if self.search_query is not None and isinstance(self.article_list.source, SearchSource):
            source = self.article_list.source
        else:
            source = LibrarySource(self.library, self.selection)
            old = self.article_list.source
            if isinstance(old, LibrarySource) and old.selection == self.selection:
                # Rows whose flags changed while shown stay shown across a reload.
                for kept in old._keep():
                    source.keep_showing(kept)
        keep_ids: tuple[int | None, int | None] | None = None
        if keep:
            at_cursor = self.article_list.cached(self.article_list.cursor)
            opened = self.reader.stored
            keep_ids = (
                at_cursor.id if at_cursor is not None else None,
                opened.summary.id if opened is not None and self.open_index is not None else None,
            )
        if follow is not None:
            keep_ids = keep_ids or (None, None)
        self._load_list(source, cursor, focus, keep_ids, follow)

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _load_list(
        self,
        source: ArticleSource,
        cursor: int,
        focus: bool,
        keep_ids: tuple[int | None, int | None] | None = None,
        follow: int | None = None,
    ) -> None:
        try:
            count = source.count()
            first = source.fetch(PAGE_SIZE, 0)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not read the articles", exc)
            return
        self.post_message(self.ListLoaded(source, count, first, cursor, focus, keep_ids, follow))

    def on_main_screen_list_loaded(self, message: ListLoaded) -> None:
        cursor = message.cursor
        if message.keep_ids:
            # After a refresh new rows push old ones down: follow the article, not the row.
            cursor_id, open_id = message.keep_ids
            where = {row.id: index for index, row in enumerate(message.first_page)}
            cursor = where.get(cursor_id, cursor) if cursor_id is not None else cursor
            self.open_index = where.get(open_id) if open_id is not None else None
            if message.follow is not None and message.follow in where:
                # An article just opened from elsewhere (a link): the list shows it.
                cursor = where[message.follow]
                self.open_index = cursor
        self.article_list.set_source(message.source, message.count, message.first_page, cursor)
        noun = "result" if isinstance(message.source, SearchSource) else "article"
        self.status.set_view(message.source.label, message.count, noun)
        self.refresh_bindings()  # the search order key comes and goes with search results
        if message.focus:
            self.show_pane("articles")
        if self._unread_after_load is not None:
            open_it, self._unread_after_load = self._unread_after_load, None
            self._find_unread(-1, 1, open_it)

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
        self.back_stack.clear()
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
        self.back_stack.clear()  # a new reading starts from the list
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

    def on_reader_pane_back_requested(self) -> None:
        self.save_position()
        if self.back_stack:
            stored, index = self.back_stack.pop()
            # Rows may have moved since (the followed page joined the list): look again.
            index = self._row_of(stored.summary.id, index)
            self.open_index = index
            if index is not None:
                self.article_list.move_cursor(index)
            self.reader.show(stored, stored.position)
            return
        self.show_pane("articles")

    def _row_of(self, article_id: int, hint: int | None) -> int | None:
        """The list row of ``article_id`` among the loaded rows (near ``hint`` first)."""
        article_list = self.article_list
        near: list[int] = [] if hint is None else [hint, hint + 1, hint - 1]
        for index in [*near, *range(min(article_list.count, PAGE_SIZE * 4))]:
            row = article_list.cached(index) if 0 <= index < article_list.count else None
            if row is not None and row.id == article_id:
                return int(index)
        return None

    @on(ArticleList.BackRequested)
    def _list_back(self) -> None:
        if self.search_query is not None:
            self.search_query = None
            self._load_list(LibrarySource(self.library, self.selection), 0, True)
            return
        self.show_pane("feeds")

    def on_reader_pane_step_requested(self, event: ReaderPane.StepRequested) -> None:
        current = self.open_index if self.open_index is not None else self.article_list.cursor
        target = current + event.step
        if 0 <= target < self.article_list.count:
            self.open_article(target)
        else:
            self.notify("No more articles in this list.", markup=False)

    def save_position(self) -> None:
        """Remember where the open article was read to."""
        reader = self.reader
        stored = reader.stored
        if stored is None:
            return
        if reader.view == "cleaned":
            if not reader.laid_out:
                return
            position = reader.position
        else:
            # The position belongs to the cleaned text: where it was left, not this view's.
            position = reader.cleaned_position
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
        if url is None:
            return
        from tui_reader.ui.browser import console_browser_command

        command = console_browser_command(url)
        if command is None:
            self._open_in_browser(url)
        else:
            self._run_in_terminal(command)

    def _run_in_terminal(self, command: list[str]) -> None:
        """Hand the terminal to a terminal browser until it exits, then redraw."""
        import subprocess

        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                result = subprocess.run(command, check=False)
        except SuspendNotSupported:
            self.reader_app.report_error("Cannot hand the terminal to a browser here", None)
            return
        except OSError as exc:
            self.reader_app.report_error(f"Could not start {clean_line(command[0])}", exc)
            return
        self.app.refresh(layout=True)
        if result.returncode not in (0, None):
            self.notify(
                f"{clean_line(command[0])} exited with status {result.returncode}",
                markup=False,
                severity="warning",
            )

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        import webbrowser

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
        # The same rule as o, y, m and s: the article being read, else the row under the
        # cursor; nothing in the feeds pane.
        summary = self._require_summary()
        if summary is None:
            return
        stored = self.reader.stored
        if stored is not None and stored.summary.id == summary.id:
            self._show_links(stored)
        else:
            self._load_links(summary.id)

    @work(thread=True, exclusive=True, group="links", exit_on_error=False)
    def _load_links(self, article_id: int) -> None:
        try:
            stored = self.library.article(article_id)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not read the article", exc)
            return
        self.app.call_from_thread(self._show_links, stored)

    def _show_links(self, stored: StoredArticle) -> None:
        from tui_reader.ui.screens.links import LinksScreen

        reading = self.pane == "reader" and self.reader.stored is not None
        origin = self.reader.stored if reading else None

        def chosen(url: str | None) -> None:
            self.follow_link(url, came_from=origin)

        self.app.push_screen(LinksScreen(stored.article.links()), chosen)

    def follow_link(self, url: str | None, came_from: StoredArticle | None = None) -> None:
        """Fetch, clean, store and show the page at ``url`` (http(s) only).

        ``came_from`` is the article being read when the link was chosen: Back returns to it.
        """
        if url is None:
            return
        safe = safe_url(url, fetchable=True)
        if safe is None:
            self.notify("Only http(s) links can be opened.", markup=False, severity="warning")
            logger.warning("refused a non-http(s) link: %r", url[:200])
            return
        self.save_position()
        if came_from is not None and self.reader.stored is not None:
            came_from = self.reader.stored  # with the position just saved
        self.status.set_activity(f"opening {safe}")
        self._open_url(safe, came_from)

    @work(exclusive=True, group="open-url", exit_on_error=False)
    async def _open_url(self, url: str, came_from: StoredArticle | None = None) -> None:
        try:
            stored = await self.library.open_url(url)
        except Exception as exc:  # noqa: BLE001
            self.status.set_activity("")
            self.reader_app.report_error(_about("Could not open", url, exc), exc)
            return
        self.status.set_activity("")
        if self.reader_app.mark_read_on_open and not stored.summary.read:
            # Opened like any other article, so read like any other.
            self._keep_in_view(stored.summary.id)
            try:
                # In a thread: a store busy with a cron fetch must not freeze the screen.
                await asyncio.to_thread(self.library.set_read, stored.summary.id, True)
            except Exception as exc:  # noqa: BLE001 - a read-only store can still be read
                self.reader_app.report_error("Could not mark the article read", exc)
            else:
                stored = replace(stored, summary=replace(stored.summary, read=True))
        if came_from is not None and came_from.summary.id != stored.summary.id:
            self.back_stack.append((came_from, self.open_index))
        self.post_message(ArticleLoaded(stored, None))
        self.post_message(LibraryChanged(article_id=stored.summary.id))

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
        if step > 0:
            self.post_message(self.NoMoreUnread(open_it))
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
            InputDialog(
                "Search articles",
                'words (all must match), "a phrase", prefix*',
                self.search_query or "",
            ),
            self.search,
        )

    def search(self, query: str | None) -> None:
        if query:
            self.status.set_activity("searching…")
            self._search(SearchSource(self.library, query, self.search_order))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The order key only means something while search results are listed; elsewhere it
        # stays out of the footer and the key does nothing.
        if action == "search_order":
            return isinstance(self.article_list.source, SearchSource)
        return True

    def action_search_order(self) -> None:
        """Show the same search in the other order (newest first / best matches first)."""
        source = self.article_list.source
        if not isinstance(source, SearchSource):
            return
        source = source.reordered()
        self.search_order = source.order  # the next search keeps the order chosen
        self.status.set_activity(f"searching, {ORDER_LABELS[source.order]}…")
        self._search(source)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, source: SearchSource) -> None:
        # Only the count and the first page are read here; the list reads further pages
        # as they scroll into view.
        try:
            count = source.count()
            first_page = source.fetch(PAGE_SIZE, 0) if count else []
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.status.set_activity, "")
            self.reader_app.report_error("Search failed", exc)
            return
        self.post_message(SearchDone(source, count, first_page))

    def on_search_done(self, message: SearchDone) -> None:
        source = message.source
        self.status.set_activity("")
        self.search_query = source.query
        self.open_index = None
        self.article_list.set_source(source, message.count, message.first_page)
        self.status.set_view(source.label, message.count, "result")
        self.show_pane("articles")
        self.refresh_bindings()
        if not message.count:
            self.notify(f"Nothing found for {source.query}", markup=False)

    # --- refresh and add -------------------------------------------------------------
    def action_refresh_all(self) -> None:
        self._start_refresh(None, "all feeds")

    def action_refresh_feed(self) -> None:
        under = self._tree_feed() if self.pane == "feeds" else None
        if under is not None:
            self._start_refresh([under.id], clean_line(under.title) or "this feed")
            return
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

        if feed_ids is None and self.library.sync_configured:
            await self._sync_first()
        try:
            report = await self.library.refresh(
                feed_ids, pages=self.library.config.fetch_pages, progress=progress
            )
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Refresh failed", exc)
            self.post_message(RefreshDone(None))
            return
        self.post_message(RefreshDone(report))

    async def _sync_first(self) -> None:
        """Sync with the server of ``[sync]`` before a refresh of every feed.

        A failure goes to the log and one status line; the refresh goes on regardless.
        """
        from tui_reader.core.sync.base import SyncError

        self.status.set_activity("syncing…")
        try:
            report = await self.library.sync()
        except (SyncError, TuiReaderError) as exc:
            line = f"sync failed: {clean_line(str(exc))}"
            self.reader_app.record_error(line)
            self.status.set_activity(f"{line} (e: log)")
            self.notify(line, markup=False, severity="warning")
            return
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Sync failed", exc)
            return
        self.status.set_activity(
            f"synced: {report.new_articles} new, {report.marks_sent} marks sent"
        )

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
        from tui_reader.core.typed_url import with_scheme

        url = with_scheme(url)
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
            self.reader_app.report_error(_about("Could not add", url, exc), exc)
            return
        self.status.set_activity("")
        self.notify(clean_line(result.message) or f"Added {clean_line(result.title)}",
                    markup=False)  # fmt: skip
        self.post_message(LibraryChanged())

    def on_library_changed(self, message: LibraryChanged) -> None:
        self.load_feeds()
        self.reload_list(cursor=self.article_list.cursor, keep=True, follow=message.article_id)

    def action_show_log(self) -> None:
        self.reader_app.action_show_log()

    def action_toggle_pictures(self) -> None:
        # The reader's i key, for the command palette (whichever pane has the focus).
        self.reader.action_toggle_pictures()

    # --- mark all read ---------------------------------------------------------------
    def action_mark_all_read(self) -> None:
        from tui_reader.ui.screens.choice import ChoiceDialog

        answers: list[tuple[str, str]] = []
        if self.pane == "feeds":
            node = self.feed_tree.cursor_node
            data = node.data if node is not None else None
            if data is None:
                self.notify("No feed selected.", markup=False, severity="warning")
                return
            name = data.title or data.view.capitalize()
            answers.append(("tree", f"Every unread article of {name}"))
        else:
            source = self.article_list.source
            if source is None or self.article_list.count == 0:
                self.notify("No articles here.", markup=False, severity="warning")
                return
            answers.append(("list", f"Everything in this list ({source.label})"))
            if self.article_list.cursor < self.article_list.count - 1:
                answers.append(("older", "Everything below the cursor (older articles)"))
        answers.append(("cancel", "Cancel"))
        self.app.push_screen(ChoiceDialog("Mark as read", answers), self._mark_chosen)

    def _mark_chosen(self, choice: str | None) -> None:
        if choice in (None, "cancel"):
            return
        if choice == "tree":
            node = self.feed_tree.cursor_node
            data = node.data if node is not None else None
            if data is not None:
                view = data.view if data.kind == "view" else "all"
                self._mark_selection(view, data.feed_id, data.tag, None)
            return
        source = self.article_list.source
        below = None
        if choice == "older":
            row = self.article_list.cached(self.article_list.cursor)
            if row is None:
                return
            below = row.id
        if isinstance(source, LibrarySource):
            sel = source.selection
            self._mark_selection(sel.view, sel.feed_id, sel.tag, below)
        elif source is not None:
            start = self.article_list.cursor + 1 if choice == "older" else 0
            self._mark_rows(source, start)

    @work(thread=True, exclusive=True, group="mark-all", exit_on_error=False)
    def _mark_selection(
        self, view: View, feed_id: int | None, tag: str | None, below: int | None
    ) -> None:
        try:
            ids = self.library.mark_read_where(view=view, feed_id=feed_id, tag=tag, below=below)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not mark the articles read", exc)
            return
        self.post_message(self.MarkedRead(ids))

    @work(thread=True, exclusive=True, group="mark-all", exit_on_error=False)
    def _mark_rows(self, source: ArticleSource, start: int) -> None:
        """Mark read the unread rows of a fixed list (search results) from ``start`` on."""
        try:
            rows = source.fetch(max(0, source.count() - start), start)
            ids = [row.id for row in rows if not row.read]
            self.library.mark_all_read(ids)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not mark the articles read", exc)
            return
        self.post_message(self.MarkedRead(ids))

    def action_undo_mark_read(self) -> None:
        if not self.last_marked:
            self.notify("Nothing to undo.", markup=False)
            return
        ids, self.last_marked = self.last_marked, []
        self._unmark(ids)

    @work(thread=True, exclusive=True, group="mark-all", exit_on_error=False)
    def _unmark(self, ids: list[int]) -> None:
        try:
            self.library.mark_unread(ids)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not undo", exc)
            return
        self.post_message(self.MarkedRead(ids, undone=True))

    def on_main_screen_marked_read(self, message: MarkedRead) -> None:
        count = len(message.ids)
        plural = "" if count == 1 else "s"
        if message.undone:
            self.notify(f"{count} article{plural} unread again.", markup=False)
        else:
            self.last_marked = message.ids
            hint = " (u undoes)" if count else ""
            self.notify(f"Marked {count} article{plural} read{hint}.", markup=False)
        stored = self.reader.stored
        if stored is not None and stored.summary.id in message.ids:
            summary = replace(stored.summary, read=not message.undone)
            self.reader.stored = replace(stored, summary=summary)
        self.load_feeds()
        self.reload_list(cursor=self.article_list.cursor, keep=True)

    # --- unread navigation across feeds ----------------------------------------------
    def on_main_screen_no_more_unread(self, message: NoMoreUnread) -> None:
        following = self._next_feed_with_unread()
        if following is None:
            self.notify("No more unread articles.", markup=False)
            return
        self.selection = Selection(
            "feed", self.selection.view, feed_id=following.id,
            title=clean_line(following.title) or following.url,
        )  # fmt: skip
        self.feed_tree.select_data(self.selection)
        self.search_query = None
        self.open_index = None
        self.back_stack.clear()
        self._unread_after_load = message.open_it
        self.notify(f"Next feed: {clean_line(following.title)}", markup=False)
        self._load_list(LibrarySource(self.library, self.selection), 0, False)

    def _next_feed_with_unread(self) -> FeedInfo | None:
        """The first feed after the shown one, in the tree's order, with unread articles."""
        if self.selection.kind != "feed" or self.search_query is not None:
            return None
        order: list[FeedInfo] = []
        by_id = {feed.id: feed for feed in self.feed_tree.feeds}
        for node in self.feed_tree._walk(self.feed_tree.root):
            data = node.data
            if data is not None and data.kind == "feed" and data.feed_id in by_id:
                feed = by_id[data.feed_id]
                if feed not in order:
                    order.append(feed)
        ids = [feed.id for feed in order]
        if self.selection.feed_id not in ids:
            return None
        start = ids.index(self.selection.feed_id)
        for feed in order[start + 1 :]:
            if feed.unread > 0:
                return feed
        return None

    def on_reader_pane_end_reached(self) -> None:
        # Space on the last page of an article: on to the next unread one.
        self.action_next_unread(1)

    # --- feeds: remove, rename, tag, last error --------------------------------------
    def _tree_feed(self) -> FeedInfo | None:
        node = self.feed_tree.cursor_node
        data = node.data if node is not None else None
        if data is None or data.kind != "feed":
            return None
        return next((f for f in self.feed_tree.feeds if f.id == data.feed_id), None)

    def _require_tree_feed(self) -> FeedInfo | None:
        feed = self._tree_feed() if self.pane == "feeds" else None
        if feed is None:
            self.notify("Select a feed in the feeds pane first.", markup=False,
                        severity="warning")  # fmt: skip
        return feed

    def action_remove_feed(self) -> None:
        feed = self._require_tree_feed()
        if feed is None:
            return
        from tui_reader.ui.screens.choice import ChoiceDialog

        name = clean_line(feed.title) or feed.url
        question = f"Unsubscribe from {name} and delete its {feed.total} articles?"
        answers = [("keep", "No, keep it"), ("remove", "Yes, remove the feed")]

        def chosen(choice: str | None) -> None:
            if choice == "remove" and self.library.sync_configured:
                self._remove_synced_feed(feed.id, name)
            elif choice == "remove":
                self._remove_feed(feed.id, name)

        self.app.push_screen(ChoiceDialog(question, answers), chosen)

    @work(thread=True, group="feed-edit", exit_on_error=False)
    def _remove_feed(self, feed_id: int, name: str) -> None:
        try:
            self.library.remove_feed(feed_id)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not remove the feed", exc)
            return
        self.app.call_from_thread(self._feed_removed, feed_id, name)

    @work(group="feed-edit", exit_on_error=False)
    async def _remove_synced_feed(self, feed_id: int, name: str) -> None:
        """Unsubscribe on the sync server too (else the next sync brings the feed back)."""
        try:
            await self.library.remove_synced_feed(feed_id)
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not remove the feed", exc)
            return
        self._feed_removed(feed_id, name)

    def _feed_removed(self, feed_id: int, name: str) -> None:
        self.notify(f"Removed {name}", markup=False)
        if self.selection.feed_id == feed_id:
            self.selection = Selection("view", self.selection.view,
                                       title=self.selection.view.capitalize())  # fmt: skip
            self.reader.clear()
        self.load_feeds()
        self.reload_list()

    def action_rename_feed(self) -> None:
        feed = self._require_tree_feed()
        if feed is not None:
            question = "Rename the feed (empty: its own title again)"
            self._ask_feed_edit(feed.id, "title", question, feed.title)

    def action_tag_feed(self) -> None:
        feed = self._require_tree_feed()
        if feed is not None:
            question = f"Tags of {clean_line(feed.title)} (comma-separated; empty: none)"
            self._ask_feed_edit(feed.id, "tags", question, ", ".join(feed.tags))

    def _ask_feed_edit(self, feed_id: int, what: str, question: str, value: str) -> None:
        from tui_reader.ui.screens.choice import EditDialog

        def chosen(answer: str | None) -> None:
            if answer is not None:  # None is Escape; an empty answer clears
                self._edit_feed(feed_id, what, answer)

        self.app.push_screen(EditDialog(question, value), chosen)

    @work(thread=True, group="feed-edit", exit_on_error=False)
    def _edit_feed(self, feed_id: int, what: str, value: str) -> None:
        try:
            if what == "title":
                self.library.rename_feed(feed_id, value or None)
            else:
                self.library.set_tags(feed_id, [t.strip() for t in value.split(",")])
        except Exception as exc:  # noqa: BLE001
            self.reader_app.report_error("Could not change the feed", exc)
            return
        self.post_message(LibraryChanged())

    @on(Tree.NodeHighlighted, "#feeds")
    def _feed_highlighted(self, event: Tree.NodeHighlighted[Selection]) -> None:
        data = event.node.data
        feed = None
        if data is not None and data.kind == "feed":
            feed = next((f for f in self.feed_tree.feeds if f.id == data.feed_id), None)
        error = clean_line(feed.last_error) if feed is not None and feed.last_error else ""
        # The row carries a "!"; the reason itself, when the feed is under the cursor.
        self.feed_tree.tooltip = f"Last error: {error}" if error else None
        if self.pane == "feeds":
            self.status.set_activity(f"last error: {error}" if error else "")

    # --- refresh on a timer, and the store changing underneath -----------------------
    def _timed_refresh(self) -> None:
        if self.reader_app.offline:
            return
        if any(w.group == "refresh" and not w.is_finished for w in self.workers):
            return  # the one under way will do
        self.status.set_activity("refreshing all feeds…")
        self._refresh(None)

    def _poll_store(self) -> None:
        if any(w.group in ("refresh", "store-poll") and not w.is_finished for w in self.workers):
            return  # a refresh of our own reloads when it ends
        self._check_store()

    @work(thread=True, exclusive=True, group="store-poll", exit_on_error=False)
    def _check_store(self) -> None:
        try:
            marker = self.library.store.change_marker()
        except Exception as exc:  # noqa: BLE001 - tried again at the next tick
            logger.warning("could not look at the store: %s", exc)
            return
        previous, self._store_marker = self._store_marker, marker
        if previous is not None and marker != previous:
            self.post_message(self.StoreChanged())

    def on_main_screen_store_changed(self, message: StoreChanged) -> None:
        self.load_feeds()
        if self.search_query is None:
            self.reload_list(cursor=self.article_list.cursor, keep=True)
