"""The feeds pane: All / Unread / Starred, then tags (collapsible) and feeds with unread counts.

Labels are always ``Text`` objects: ``Tree`` parses plain strings as markup, and feed titles
come from the web.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui_reader.core.library import View
from tui_reader.core.models import FeedInfo
from tui_reader.core.sanitize import clean_line


@dataclass(frozen=True, slots=True)
class Selection:
    """What a tree node selects: a view, optionally narrowed to a feed or a tag."""

    kind: str  # "view", "feed" or "tag"
    view: View = "all"
    feed_id: int | None = None
    tag: str | None = None
    title: str = ""


def _label(name: str, count: int, count_style: str = "") -> Text:
    label = Text(clean_line(name) or "(untitled)")
    if count:
        label.append(f" {count}", style=count_style)
    return label


class FeedTree(Tree[Selection]):
    """Feeds grouped by tag, with counts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down",
                tooltip="Next feed"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up", tooltip="Previous feed"),
        Binding("enter,l", "select_cursor", "Open", id="open", tooltip="Show this feed"),
        Binding("g,home", "scroll_home", "Top", show=False, id="top", tooltip="First feed"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="bottom", tooltip="Last feed"),
    ]  # fmt: skip

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Feeds"), data=Selection("view", "all", title="All"), id=id)
        self.show_root = False
        self.guide_depth = 2
        self.feeds: list[FeedInfo] = []

    def load(self, feeds: list[FeedInfo], starred: int) -> None:
        """Rebuild the tree, keeping the cursor on the same selection and tags' expansion."""
        self.feeds = feeds
        current = self.cursor_node.data if self.cursor_node is not None else None
        collapsed = {
            node.data.tag
            for node in self._tag_nodes()
            if node.data is not None and not node.is_expanded
        }
        self.clear()
        root = self.root
        total = sum(feed.total for feed in feeds)
        unread = sum(feed.unread for feed in feeds)
        root.add_leaf(_label("All", total), Selection("view", "all", title="All"))
        root.add_leaf(_label("Unread", unread, "bold"), Selection("view", "unread", title="Unread"))
        root.add_leaf(_label("Starred", starred), Selection("view", "starred", title="Starred"))
        tags = sorted({tag for feed in feeds for tag in feed.tags}, key=str.casefold)
        for tag in tags:
            tagged = [feed for feed in feeds if tag in feed.tags]
            node = root.add(
                _label(f"#{tag}", sum(f.unread for f in tagged), "bold"),
                Selection("tag", tag=tag, title=f"#{clean_line(tag)}"),
                expand=tag not in collapsed,
            )
            for feed in tagged:
                node.add_leaf(self._feed_label(feed), self._feed_selection(feed))
        for feed in feeds:
            if not feed.tags:
                root.add_leaf(self._feed_label(feed), self._feed_selection(feed))
        if current is not None:
            self.select_data(current)

    @staticmethod
    def _feed_selection(feed: FeedInfo) -> Selection:
        return Selection("feed", feed_id=feed.id, title=clean_line(feed.title) or feed.url)

    @staticmethod
    def _feed_label(feed: FeedInfo) -> Text:
        label = _label(feed.title or feed.url, feed.unread, "bold")
        if feed.last_error:
            label.append(" !", style="bold red")
        return label

    def _tag_nodes(self) -> list[TreeNode[Selection]]:
        return [n for n in self.root.children if n.data is not None and n.data.kind == "tag"]

    def select_data(self, wanted: Selection) -> None:
        """Move the cursor to the node showing the same feed/tag/view as ``wanted``."""
        for node in self._walk(self.root):
            data = node.data
            if data is None:
                continue
            same = (data.kind, data.feed_id, data.tag) == (wanted.kind, wanted.feed_id, wanted.tag)
            if same and (data.kind != "view" or data.view == wanted.view):
                self.move_cursor(node)
                return

    def _walk(self, node: TreeNode[Selection]) -> list[TreeNode[Selection]]:
        found: list[TreeNode[Selection]] = []
        for child in node.children:
            found.append(child)
            found.extend(self._walk(child))
        return found
