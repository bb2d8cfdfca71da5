"""The command palette (Ctrl+P): every main-screen action by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui_reader.ui.screens.main import MainScreen

# (title, action on the main screen, help)
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Refresh all feeds", "refresh_all", "Fetch every feed in the background"),
    ("Refresh this feed", "refresh_feed", "Fetch the selected feed"),
    ("Search articles", "search", "Full-text search of the stored articles"),
    ("Add a URL", "add_url", "Subscribe to a feed or save a page"),
    ("Cycle filter", "cycle_filter", "Unread, starred, all"),
    ("Toggle read", "toggle_read", "Mark the article read or unread"),
    ("Toggle star", "toggle_star", "Star or unstar the article"),
    ("Open in browser", "open_browser", "Open the article's URL in the web browser"),
    ("Copy URL", "copy_url", "Copy the article's URL to the clipboard"),
    ("List links", "links", "Numbered links of the article"),
    ("Mark all read", "mark_all_read", "The whole list, or everything below the cursor"),
    ("Undo mark all read", "undo_mark_read", "Mark the last mark-all-read's articles unread"),
    ("Remove feed", "remove_feed", "Unsubscribe from the feed under the feeds pane's cursor"),
    ("Rename feed", "rename_feed", "A title of your own for the feed under the cursor"),
    ("Tag feed", "tag_feed", "Edit the tags of the feed under the cursor"),
    ("Toggle pictures", "toggle_pictures", "Show or hide the pictures in articles (i)"),
    ("Show log", "show_log", "Errors of this session"),
    ("Toggle theme", "app.toggle_theme", "Light or dark"),
    ("Help", "app.help", "Every key"),
)


class ReaderCommands(Provider):
    """Offers the reader's actions by name."""

    def _main_screen(self) -> MainScreen | None:
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _runner(self, action: str) -> Callable[[], Awaitable[Any]] | None:
        screen = self._main_screen()
        if screen is None:
            return None
        if action.startswith("app."):
            return partial(self.app.run_action, action.removeprefix("app."))
        return partial(screen.run_action, action)

    async def discover(self) -> Hits:
        for title, action, help_text in COMMANDS:
            runner = self._runner(action)
            if runner is not None:
                yield DiscoveryHit(title, runner, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                runner = self._runner(action)
                if runner is not None:
                    yield Hit(score, matcher.highlight(title), runner, help=help_text)
