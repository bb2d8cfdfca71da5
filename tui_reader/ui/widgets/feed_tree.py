"""The feeds pane: All / Unread / Starred, then tags (collapsible) and feeds with unread counts.

Labels are always ``Text`` objects: ``Tree`` parses plain strings as markup, and feed titles
come from the web. Counts are of unread articles under the node, All included (the status
line gives the total of the view shown); only Starred counts its starred articles. A name
too long for the pane is cut with an ellipsis so that its count stays in sight, rather than
pushing it off to the right.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui_reader.core.models import FeedInfo
from tui_reader.core.sanitize import clean_line
from tui_reader.ui.selection import Selection as Selection


def _label(name: str, count: int, count_style: str = "") -> Text:
    label = Text(clean_line(name) or "(untitled)")
    if count:
        label.append(f" {count}", style=count_style)
    return label


def _suffix_length(label: Text, name: str) -> int:
    """How many characters at the end of ``label`` are its count and marks, not the name."""
    return len(label.plain) - len(clean_line(name) or "(untitled)")


class FeedTree(Tree[Selection]):
    """Feeds grouped by tag, with counts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down",
                tooltip="Next feed"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up", tooltip="Previous feed"),
        Binding("enter,l", "select_cursor", "Open", id="open", tooltip="Show this feed"),
        Binding("g,home", "scroll_home", "Top", show=False, id="top", tooltip="First feed"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="bottom", tooltip="Last feed"),
        Binding("d", "screen.remove_feed", "Remove", show=False, id="remove_feed",
                tooltip="Unsubscribe from the feed under the cursor (asks first)"),
        Binding("c", "screen.rename_feed", "Rename", show=False, id="rename_feed",
                tooltip="Give the feed a title of your own (refreshes keep it)"),
        Binding("T", "screen.tag_feed", "Tags", show=False, id="tag_feed",
                tooltip="Edit the feed's tags"),
    ]  # fmt: skip

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Feeds"), data=Selection("view", "all", title="All"), id=id)
        self.show_root = False
        self.guide_depth = 2
        self.feeds: list[FeedInfo] = []
        self._suffixes: dict[int, int] = {}
        """Per node id: the length of the label's count and marks, kept whole when cut."""

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
        self._suffixes.clear()
        root = self.root
        unread = sum(feed.unread for feed in feeds)
        # All counts its unread articles, like every other row (the status line has totals).
        self._add(root, "All", unread, Selection("view", "all", title="All"))
        self._add(root, "Unread", unread, Selection("view", "unread", title="Unread"))
        self._add(root, "Starred", starred, Selection("view", "starred", title="Starred"))
        tags = sorted({tag for feed in feeds for tag in feed.tags}, key=str.casefold)
        for tag in tags:
            tagged = [feed for feed in feeds if tag in feed.tags]
            node = self._add(
                root,
                f"#{tag}",
                sum(f.unread for f in tagged),
                Selection("tag", tag=tag, title=f"#{clean_line(tag)}"),
                expand=tag not in collapsed,
            )
            for feed in tagged:
                self._add_feed(node, feed)
        for feed in feeds:
            if not feed.tags:
                self._add_feed(root, feed)
        if current is not None:
            self.select_data(current)

    @staticmethod
    def _feed_selection(feed: FeedInfo) -> Selection:
        return Selection("feed", feed_id=feed.id, title=clean_line(feed.title) or feed.url)

    def _add(
        self,
        parent: TreeNode[Selection],
        name: str,
        count: int,
        data: Selection,
        *,
        expand: bool | None = None,
        error: bool = False,
    ) -> TreeNode[Selection]:
        label = _label(name, count, "bold" if data.view != "starred" else "")
        if error:
            label.append(" !", style="bold red")
        if expand is None:
            node = parent.add_leaf(label, data)
        else:
            node = parent.add(label, data, expand=expand)
        self._suffixes[node.id] = _suffix_length(label, name)
        return node

    def _add_feed(self, parent: TreeNode[Selection], feed: FeedInfo) -> None:
        self._add(
            parent,
            feed.title or feed.url,
            feed.unread,
            self._feed_selection(feed),
            error=bool(feed.last_error),
        )

    def render_label(self, node: TreeNode[Selection], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        room = self.scrollable_content_region.width - self._guide_width(node)
        if room <= 4 or label.cell_len <= room:
            return label
        # Cut the name, never the count: "A very long feed na… 12".
        keep = self._suffixes.get(node.id, 0)
        split = len(label.plain) - keep
        head, tail = label[:split], label[split:]
        head.truncate(max(1, room - tail.cell_len), overflow="ellipsis")
        return Text.assemble(head, tail)

    def _guide_width(self, node: TreeNode[Selection]) -> int:
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth += 1
            parent = parent.parent
        return depth * self.guide_depth

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
