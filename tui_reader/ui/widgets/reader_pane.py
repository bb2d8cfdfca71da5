"""The reader pane: a cleaned article laid out in a thread, drawn line by line.

Laying out a long article (hundreds of KB of text) takes a while, so it happens in a thread
worker; the pane shows "Loading…" meanwhile and the UI keeps answering keys. Only the lines
on screen are turned into segments, when they are drawn.

Pictures: a figure whose picture is stored gets blank lines of the picture's height when the
article is laid out, so the text shows at once; a second worker decodes and scales each
picture (see :mod:`tui_reader.ui.pictures`) and fills those lines in place, which moves
nothing on screen. ``i`` hides or shows pictures for the session. The pane gets its pictures
from two callables the app supplies per article (:attr:`ReaderPane.picture_for`,
:attr:`ReaderPane.problem_for`).

``v`` cycles the open article between three views: the cleaned text, the feed's own text and
the whole page (every block of the page kept in the store, so it works offline). A view the
article does not have is skipped with a one-line notice; the header names the view shown.
"""

from __future__ import annotations

import os
import random
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.console import Console
from rich.segment import ControlType, Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_reader.core.models import Article, ArticleSummary, StoredArticle, StoredPicture
from tui_reader.core.sanitize import clean_line
from tui_reader.ui import pictures
from tui_reader.ui.render import BodyStyles, PictureSlot, article_layout, header_lines
from tui_reader.ui.widgets.standin import READER_HINT

if TYPE_CHECKING:
    from PIL.Image import Image

if TYPE_CHECKING:
    from tui_reader.core.library import Library

ViewName = Literal["cleaned", "feed", "whole"]
VIEWS: tuple[ViewName, ...] = ("cleaned", "feed", "whole")
VIEW_TITLES: dict[ViewName, str] = {
    "cleaned": "cleaned text",
    "feed": "feed text",
    "whole": "whole page",
}
_MISSING: dict[ViewName, str] = {"feed": "no feed text", "whole": "no stored page"}
# An article whose page was never cleaned shows the feed's own text as its cleaned text.
_FEED_IS_CLEANED = "it is the feed's own text"

PictureFor = Callable[[str], StoredPicture | None]
ProblemFor = Callable[[str], str | None]
_DRAWN_KEEP = 64
"""Drawn pictures kept per pane (each a few thousand cells): scrolling back and forth or
toggling pictures never decodes the same picture at the same size twice."""


def no_picture(src: str) -> StoredPicture | None:
    """The picture source of an article without stored pictures."""
    return None


def no_problem(src: str) -> str | None:
    """The problem source of an article without stored pictures."""
    return None


class ReaderPane(ScrollView, can_focus=True):
    """Shows one :class:`StoredArticle`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_line(1)", "Down", show=False, id="cursor_down",
                tooltip="Scroll down"),
        Binding("k,up", "scroll_line(-1)", "Up", show=False, id="cursor_up", tooltip="Scroll up"),
        Binding("space,pagedown", "page(1)", "Page", id="page_down", tooltip="Page down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="page_up", tooltip="Page up"),
        Binding("g,home", "top", "Top", show=False, id="top", tooltip="Top of the article"),
        Binding("G,end", "bottom", "Bottom", show=False, id="bottom", tooltip="End of the article"),
        Binding("h,escape", "back", "Back", id="back", tooltip="Back to the list"),
        Binding("J", "next_article", "Next", id="next_article", tooltip="Next article"),
        Binding("K", "previous_article", "Prev", id="previous_article",
                tooltip="Previous article"),
        Binding("v", "cycle_view", "View", show=False, id="cycle_view",
                tooltip="Cycle the view: cleaned text, feed text, whole page"),
        Binding("i", "toggle_pictures", "Pictures", id="toggle_pictures",
                tooltip="Show or hide pictures (for this session)"),
    ]  # fmt: skip

    COMPONENT_CLASSES = {
        "reader--title",
        "reader--meta",
        "reader--badge",
        "reader--heading",
        "reader--link",
        "reader--code",
        "reader--quote",
        "reader--figure",
        "reader--rule",
    }

    @dataclass
    class BackRequested(Message):
        """Back was pressed in the reader."""

    @dataclass
    class StepRequested(Message):
        """J/K: read the next (``step`` = 1) or previous (-1) article of the list."""

        step: int

    @dataclass
    class EndReached(Message):
        """Page down was pressed at the end of the article."""

    @dataclass
    class LaidOut(Message):
        token: int
        width: int
        lines: list[Text]
        slots: list[PictureSlot] = field(default_factory=list)
        found: dict[str, StoredPicture] = field(default_factory=dict)

    @dataclass
    class PictureDrawn(Message):
        """One picture of a laid-out article, drawn (``drawn``) or not (``problem``)."""

        token: int
        slot: PictureSlot
        drawn: pictures.Drawn | None
        problem: str | None = None

    @dataclass
    class ViewFound(Message):
        """The next view of an article, found (in a thread) after ``skipped`` ones."""

        article_id: int
        view: ViewName
        article: Article | None
        skipped: list[str]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stored: StoredArticle | None = None
        self.lines: list[Text] = [Text(READER_HINT)]
        self._strips: dict[int, Strip] = {}
        self._token = 0
        self._width = 0
        self._pending_position: float | None = None
        # A position being restored after a layout: set until the scroll is made (one
        # refresh later), so that a resize in between keeps it rather than the top.
        self._restoring: float | None = None
        self.laid_out = True
        self.view: ViewName = "cleaned"
        """Which view of the article is shown (see :data:`VIEWS`)."""
        self.cleaned: StoredArticle | None = None
        """The article as opened (its cleaned text), whatever view is shown."""
        self._view_label: str | None = None
        self._views: dict[tuple[int, ViewName], Article | None] = {}
        self.cleaned_position = 0.0
        """Where the cleaned text was left when another view was chosen (0..1)."""
        self._placeholder = True
        """The lines are a one-line message (wrapped when drawn), not a laid-out article."""
        self._wrapped: tuple[Text, int, list[Text]] | None = None
        self.picture_for: PictureFor = no_picture
        """The stored picture of a figure's ``src`` in the open article (store only, fast)."""
        self.problem_for: ProblemFor = no_problem
        """Why a figure of the open article has no stored picture, when that is known."""
        self.picture_mode: pictures.Mode | None = None
        """How pictures are drawn; ``None``: the app's ``picture_mode`` (else cells)."""
        self.pictures_shown = True
        """The session's ``i`` toggle."""
        self.color_depth: pictures.Depth | None = None
        """The colours half-block pictures use; ``None``: from the terminal and ``NO_COLOR``."""
        self.decode: Callable[[Path], Image] = pictures.load
        """Reads a stored picture's pixels (in a worker thread)."""
        self.cell_pixels = pictures.CELL_PIXELS
        self._slots: list[PictureSlot] = []
        self._sixels: dict[int, tuple[PictureSlot, str]] = {}
        self._drawn: OrderedDict[tuple[object, ...], pictures.Drawn] = OrderedDict()
        # Kitty image ids live in the terminal, shared with whatever else runs in it: start
        # at a random place so that two readers in one terminal do not replace each other's.
        self._next_image_id = random.randrange(1 << 16, 1 << 23)
        self._next_palette_id = random.randrange(len(pictures.KITTY_PALETTE_IDS))
        self._image_ids: dict[tuple[object, ...], int] = {}
        self._sent_ids: set[int] = set()

    # --- content ---------------------------------------------------------------------
    @property
    def stored(self) -> StoredArticle | None:
        """The article shown (or being laid out)."""
        return self._stored

    @stored.setter
    def stored(self, value: StoredArticle | None) -> None:
        old, self._stored = self._stored, value
        if old is None or value is None or old.summary.id != value.summary.id:
            return
        if (old.summary.read, old.summary.starred) != (value.summary.read, value.summary.starred):
            self._redo_header(old, value)

    def _redo_header(self, old: StoredArticle, new: StoredArticle) -> None:
        """Show the new read/starred state in the header without laying out the article again."""
        if self._placeholder or not self.laid_out or not self._width:
            return
        styles = self._styles()
        view = self._view_label
        before = len(header_lines(old, self._width, styles, view=view))
        self.lines[:before] = header_lines(new, self._width, styles, view=view)
        self._strips.clear()
        self.virtual_size = Size(self._width, len(self.lines))
        self.refresh()

    def show(
        self,
        stored: StoredArticle,
        position: float = 0.0,
        *,
        picture_for: PictureFor | None = None,
        problem_for: ProblemFor | None = None,
    ) -> None:
        """Lay out ``stored`` (in a thread) and scroll to ``position`` (0..1) when ready.

        The article's pictures come from ``picture_for``/``problem_for``, or when not given
        from the app's ``picture_callables(article_id)``.
        """
        if picture_for is None or problem_for is None:
            supplier = getattr(self.app, "picture_callables", None)
            found = supplier(stored.summary.id) if callable(supplier) else None
            if found is None:
                found = (no_picture, no_problem)
            picture_for = picture_for or found[0]
            problem_for = problem_for or found[1]
        self.picture_for, self.problem_for = picture_for, problem_for
        if self.cleaned is None or self.cleaned.summary.id != stored.summary.id:
            self._forget_terminal_pictures()
        self.cleaned = stored
        self.view = "cleaned"
        self._view_label = None
        self._views = {}
        self.cleaned_position = position
        self._display(stored, position)

    def _display(self, stored: StoredArticle, position: float) -> None:
        self.stored = stored
        self._pending_position = position
        self._restoring = None
        self.lines = [Text("Loading…")]
        self._placeholder = True
        self._strips.clear()
        self._slots = []
        self._sixels = {}
        self._width = 0
        self.laid_out = False
        self.virtual_size = Size(1, 1)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        self._relayout()

    def clear(self) -> None:
        self.stored = None
        self.cleaned = None
        self.view = "cleaned"
        self._view_label = None
        self._views = {}
        self.lines = [Text(READER_HINT)]
        self._placeholder = True
        self._strips.clear()
        self.virtual_size = Size(1, 1)
        self.refresh()

    def _styles(self) -> BodyStyles:
        def style(name: str) -> Style:
            return self.get_component_rich_style(f"reader--{name}", partial=True)

        return BodyStyles(
            title=style("title"),
            meta=style("meta"),
            badge=style("badge"),
            heading=style("heading"),
            link=style("link"),
            code=style("code"),
            quote=style("quote"),
            figure=style("figure"),
            rule=style("rule"),
            table_header=style("heading"),
            link_number=style("meta"),
        )

    def _relayout(self) -> None:
        if self.stored is None:
            return
        if self.scrollable_content_region.width < 2:
            # Hidden (narrow layout): lay out when the pane is shown and gets a size.
            return
        width = max(10, self.scrollable_content_region.width - 1)
        cell = getattr(self.app, "cell_pixels", None)
        if cell:
            self.cell_pixels = cell  # what the terminal said of itself
        self._token += 1
        self.laid_out = False
        # A picture takes at most half the pane's height: the text around it stays in view.
        max_rows = max(2, self.scrollable_content_region.height // 2)
        self._layout(self._token, self.stored, width, self._styles(), self._view_label, max_rows)

    def effective_mode(self) -> pictures.Mode:
        """How pictures are drawn now (``off`` while hidden with ``i``)."""
        mode = self.picture_mode or getattr(self.app, "picture_mode", None) or "cells"
        if not self.pictures_shown:
            return "off"
        return mode

    def _depth(self) -> pictures.Depth:
        if self.color_depth is not None:
            return self.color_depth
        return pictures.color_depth(self.app.console.color_system)

    @work(thread=True, exclusive=True, group="reader-layout", exit_on_error=False)
    def _layout(
        self,
        token: int,
        stored: StoredArticle,
        width: int,
        styles: BodyStyles,
        view: str | None = None,
        max_rows: int = 12,
    ) -> None:
        mode = self.effective_mode()
        found: dict[str, StoredPicture] = {}
        picture_for, problem_for, cell = self.picture_for, self.problem_for, self.cell_pixels
        if mode == "kitty":
            max_rows = min(max_rows, pictures.KITTY_MAX_CELLS)

        def picture_size(src: str, max_columns: int) -> tuple[int, int] | None:
            try:
                picture = picture_for(src)
            except Exception:  # noqa: BLE001 - a store error costs the picture, not the article
                return None
            if picture is None:
                return None
            found[src] = picture
            if mode == "kitty":
                max_columns = min(max_columns, pictures.KITTY_MAX_CELLS)
            return pictures.fit(picture.width, picture.height, max_columns, max_rows, cell)

        def picture_problem(src: str) -> str | None:
            try:
                return problem_for(src)
            except Exception:  # noqa: BLE001 - the alt text alone then
                return None

        try:
            lines, slots = article_layout(
                stored,
                width,
                styles,
                view=view,
                picture_size=picture_size if mode != "off" else None,
                picture_problem=picture_problem,
            )
        except Exception as exc:  # noqa: BLE001 - shown as text rather than a crash
            message = Text(f"This article could not be displayed: {exc}")
            lines = list(message.wrap(Console(width=width, color_system=None), width))
            slots = []
        self.post_message(self.LaidOut(token, width, lines, slots, found))

    @work(thread=True, exclusive=True, group="reader-pictures", exit_on_error=False)
    def _draw_pictures(
        self,
        token: int,
        slots: list[PictureSlot],
        found: dict[str, StoredPicture],
        mode: pictures.Mode,
        depth: pictures.Depth,
    ) -> None:
        """Decode and draw each picture, posting each as soon as it is ready."""
        decoded: dict[Path, Image] = {}
        for slot in slots:
            if token != self._token:
                return  # another article (or width) since: its own worker draws it
            picture = found[slot.src]
            key = (picture.path, slot.columns, slot.rows, mode, depth, self.cell_pixels)
            drawn = self._drawn.get(key)
            if drawn is None:
                try:
                    image = decoded.get(picture.path)
                    if image is None:
                        image = decoded[picture.path] = self.decode(picture.path)
                    image_id = 0
                    if mode == "kitty":
                        image_id = self._image_id(key, palette=depth != "truecolor")
                    drawn = pictures.draw_at(
                        image,
                        mode,
                        slot.columns,
                        slot.rows,
                        depth=depth,
                        image_id=image_id,
                        cell=self.cell_pixels,
                    )
                except Exception as exc:  # noqa: BLE001 - one picture lost, not the article
                    reason = clean_line(str(exc)) or type(exc).__name__
                    self.post_message(self.PictureDrawn(token, slot, None, reason))
                    continue
                self._drawn[key] = drawn
                while len(self._drawn) > _DRAWN_KEEP:
                    self._drawn.popitem(last=False)
            self.post_message(self.PictureDrawn(token, slot, drawn))

    def _image_id(self, key: tuple[object, ...], *, palette: bool = False) -> int:
        """The Kitty image id of a drawn picture; with ``palette`` one a 256-colour session
        can name in its placeholders (few of them: they are reused round the range)."""
        image_id = self._image_ids.get(key)
        if image_id is None:
            if palette:
                ids = pictures.KITTY_PALETTE_IDS
                image_id = ids[self._next_palette_id % len(ids)]
                self._next_palette_id += 1
            else:
                image_id = self._next_image_id
                if image_id in pictures.KITTY_PALETTE_IDS:
                    image_id = pictures.KITTY_PALETTE_IDS.stop
                self._next_image_id = image_id % ((1 << 24) - 1) + 1
            self._image_ids[key] = image_id
        return image_id

    def on_reader_pane_picture_drawn(self, message: PictureDrawn) -> None:
        message.stop()
        if message.token != self._token or self._placeholder:
            return
        slot, drawn = message.slot, message.drawn
        if slot.line + slot.rows > len(self.lines):
            return
        indent = Text(" " * slot.indent)
        if drawn is None:
            # The lines stay where they are (the reading position must not jump); the first
            # one says why the picture is missing.
            record = getattr(self.app, "record_error", None)
            if callable(record):
                record(
                    f"Picture {clean_line(slot.src)[:200]}: {message.problem or 'cannot be drawn'}"
                )
            reason = f"[image: {message.problem or 'cannot be drawn'}]"
            self.lines[slot.line] = Text.assemble(indent, (reason, self._styles().figure))
            self._strips.pop(slot.line, None)
            self.refresh()
            return
        if drawn.mode == "kitty" and drawn.image_id not in self._sent_ids:
            self._send_to_terminal(drawn.setup)
            self._sent_ids.add(drawn.image_id)
        if drawn.mode == "sixel":
            self._sixels[slot.line] = (slot, drawn.setup[0])
        for row, line in enumerate(drawn.lines[: slot.rows]):
            self.lines[slot.line + row] = Text.assemble(indent, line)
            self._strips.pop(slot.line + row, None)
        self.refresh()

    def _forget_terminal_pictures(self) -> None:
        """Free the Kitty pictures sent for the article being left (they are sent again if
        it is opened again)."""
        if self._sent_ids:
            self._send_to_terminal(tuple(pictures.kitty_delete(i) for i in self._sent_ids))
            self._sent_ids.clear()

    def on_unmount(self) -> None:
        self._forget_terminal_pictures()

    def _send_to_terminal(self, sequences: tuple[str, ...]) -> None:
        """Write escape sequences to the terminal, in order with the screen's updates."""
        driver = getattr(self.app, "_driver", None)
        if driver is None:
            return
        wrap = pictures.tmux_wrap if os.environ.get("TMUX") else None
        for sequence in sequences:
            # Through the driver, the same writer the screen updates go through, so a
            # picture is never split by a frame.
            driver.write(wrap(sequence) if wrap else sequence)

    def action_toggle_pictures(self) -> None:
        if self.effective_mode() == "off":
            self.pictures_shown = True
            if self.effective_mode() == "off":
                self.picture_mode = "cells"  # off in config.toml: the key shows them as cells
        else:
            self.pictures_shown = False
        self.notify("Pictures shown." if self.pictures_shown else "Pictures hidden.")
        if self.stored is not None and self.laid_out:
            self._pending_position = self._intended_position()
            self._relayout()

    def on_reader_pane_laid_out(self, message: LaidOut) -> None:
        message.stop()
        if message.token != self._token:
            return
        keep = self._pending_position
        if keep is None:
            keep = self.position
        self._pending_position = None
        self.lines = message.lines
        self._placeholder = False
        self._width = message.width
        self._strips.clear()
        self._slots = message.slots
        self._sixels = {}
        self.virtual_size = Size(message.width, len(self.lines))
        self.laid_out = True
        self.refresh()
        self._restoring = keep
        self.call_after_refresh(self._restore, keep)
        if message.slots:
            mode = self.effective_mode()
            self._draw_pictures(message.token, message.slots, message.found, mode, self._depth())

    def _intended_position(self) -> float:
        """Where the view is, or is about to be put back to (see ``_restoring``)."""
        return self._restoring if self._restoring is not None else self.position

    def _restore(self, position: float) -> None:
        if self._restoring != position:
            return  # a newer layout took over (it restores what this one would have)
        self._restoring = None
        self.scroll_to_position(position)

    def scroll_to_position(self, position: float) -> None:
        target = round(max(0.0, min(1.0, position)) * self.max_scroll_y)
        # Forced: just after a layout the scrollbar may not be shown yet (it is decided at the
        # next layout), and Textual refuses to scroll a widget without one; the size is
        # already known, so the target is right.
        self.scroll_to(y=target, animate=False, immediate=True, force=True)

    @property
    def position(self) -> float:
        """How far down the article the view is, 0..1."""
        if self.max_scroll_y <= 0:
            return 0.0
        return max(0.0, min(1.0, self.scroll_y / self.max_scroll_y))

    def on_resize(self, event: events.Resize) -> None:
        if self.stored is not None and self.scrollable_content_region.width - 1 != self._width:
            if self._pending_position is None:
                self._pending_position = self._intended_position()
            self._restoring = None
            self._relayout()

    # --- drawing ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_offset.y) + y
        base = self.rich_style
        if self._placeholder:
            lines = self._wrapped_message(max(1, width - 1))
            if index >= len(lines):
                return Strip.blank(width, base)
            segments = list(lines[index].render(self.app.console))
            return Strip(segments).apply_style(base).crop_extend(0, width, base)
        if index >= len(self.lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            segments = list(self.lines[index].render(self.app.console))
            strip = Strip(segments).apply_style(base)
            self._strips[index] = strip
        if index in self._sixels:
            return self._with_sixel(strip.crop_extend(0, width, base), index, y)
        return strip.crop_extend(0, width, base)

    def _with_sixel(self, strip: Strip, index: int, y: int) -> Strip:
        """The first line of a Sixel picture, carrying the picture when all of it is in view.

        A Sixel image is drawn at the cursor and covers the cells below it; drawn partly
        outside the pane it would spill over the footer, so until it is entirely in view its
        lines stay blank.
        """
        slot, data = self._sixels[index]
        if y < 0 or y + slot.rows > self.scrollable_content_region.height:
            return strip
        region = self.scrollable_content_region
        row, column = region.y + y + 1, region.x + slot.indent + 1
        # Save the cursor, draw at the line's place, restore: the rest of the frame is
        # written where Textual expects.
        escape = f"\x1b7\x1b[{row};{column}H{data}\x1b8"
        control = Segment(escape, None, [(ControlType.CURSOR_FORWARD, 0)])
        # First in the line: Textual cuts lines at cell offsets, and a zero-width segment at
        # the very end of a line falls outside every cut.
        return Strip([control, *strip], strip.cell_length)

    def _wrapped_message(self, width: int) -> list[Text]:
        """The one-line message wrapped to ``width``, once per message and width."""
        message = self.lines[0] if self.lines else Text()
        cached = self._wrapped
        if cached is None or cached[0] is not message or cached[1] != width:
            cached = (message, width, list(message.wrap(self.app.console, width)))
            self._wrapped = cached
        return cached[2]

    # --- keys ------------------------------------------------------------------------
    def action_scroll_line(self, step: int) -> None:
        self.scroll_to(y=self.scroll_y + step, animate=False, immediate=True)

    def action_page(self, step: int) -> None:
        if step > 0 and self.laid_out and self.scroll_y >= self.max_scroll_y:
            # Already on the last page: the screen moves on to the next unread article.
            self.post_message(self.EndReached())
            return
        page = max(1, self.scrollable_content_region.height - 2)
        self.scroll_to(y=self.scroll_y + step * page, animate=False, immediate=True)

    def action_top(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_bottom(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def action_back(self) -> None:
        self.post_message(self.BackRequested())

    def action_next_article(self) -> None:
        self.post_message(self.StepRequested(1))

    def action_previous_article(self) -> None:
        self.post_message(self.StepRequested(-1))

    # --- views -----------------------------------------------------------------------
    def action_cycle_view(self) -> None:
        cleaned = self.cleaned
        if cleaned is None:
            self.notify("Open an article first.", markup=False, severity="warning")
            return
        start = VIEWS.index(self.view)
        order = [VIEWS[(start + step) % len(VIEWS)] for step in range(1, len(VIEWS) + 1)]
        self._find_view(cleaned, order)

    def _library(self) -> Library | None:
        return getattr(self.app, "library", None)

    @work(thread=True, exclusive=True, group="reader-view", exit_on_error=False)
    def _find_view(self, cleaned: StoredArticle, order: list[ViewName]) -> None:
        """Find the first of ``order`` the article has (the cleaned text always is)."""
        article_id = cleaned.summary.id
        skipped: list[str] = []
        for view in order:
            if view == "cleaned":
                self.post_message(self.ViewFound(article_id, view, cleaned.article, skipped))
                return
            key = (article_id, view)
            if key not in self._views:
                try:
                    self._views[key] = self._load_view(cleaned, view)
                except Exception as exc:  # noqa: BLE001 - a damaged page is one skipped view
                    reason = clean_line(str(exc)) or type(exc).__name__
                    skipped.append(f"{VIEW_TITLES[view]}: {reason}")
                    continue
            if self._views[key] is None:
                feed_is_cleaned = view == "feed" and cleaned.summary_only
                skipped.append(_FEED_IS_CLEANED if feed_is_cleaned else _MISSING[view])
                continue
            self.post_message(self.ViewFound(article_id, view, self._views[key], skipped))
            return

    def _load_view(self, cleaned: StoredArticle, view: ViewName) -> Article | None:
        library = self._library()
        if library is None:
            return None
        if view == "feed":
            if cleaned.summary_only:
                return None  # the cleaned view already is the feed's text
            return library.feed_text(cleaned.summary.id)
        return library.whole_page(cleaned.summary.id)

    def on_reader_pane_view_found(self, message: ViewFound) -> None:
        message.stop()
        cleaned = self.cleaned
        if cleaned is None or cleaned.summary.id != message.article_id:
            return  # another article was opened meanwhile
        missing = "; ".join(message.skipped)
        if message.view == self.view:
            self.notify(
                f"Only the {VIEW_TITLES[self.view]} is available ({missing}).",
                markup=False,
                severity="warning",
            )
            return
        if missing:
            self.notify(
                f"Skipped ({missing}): showing the {VIEW_TITLES[message.view]}.", markup=False
            )
        if self.view == "cleaned" and self.laid_out:
            self.cleaned_position = self.position
        self.view = message.view
        self._view_label = VIEW_TITLES[message.view]
        if message.view == "cleaned":
            current = self.stored or cleaned
            back = replace(cleaned, summary=self._summary(), position=current.position)
            self._display(back, self.cleaned_position)
            return
        # Only the body changes: the header (title, byline, date) stays the article's own.
        blocks = message.article.blocks if message.article is not None else ()
        shown = replace(
            cleaned,
            summary=self._summary(),
            article=replace(cleaned.article, blocks=blocks),
            summary_only=False,
        )
        self._display(shown, 0.0)

    def _summary(self) -> ArticleSummary:
        """The open article's summary as it is now (flags may have changed since it opened)."""
        current = self.stored or self.cleaned
        assert current is not None
        return current.summary
