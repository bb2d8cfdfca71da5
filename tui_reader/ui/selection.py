"""What the list shows: a view (all, unread, starred), optionally narrowed to a feed or a tag.

Its own module, so that the main screen has it without importing the feeds tree, which is
only mounted after the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_reader.core.library import View


@dataclass(frozen=True, slots=True)
class Selection:
    """What a tree node selects: a view, optionally narrowed to a feed or a tag."""

    kind: str  # "view", "feed" or "tag"
    view: View = "all"
    feed_id: int | None = None
    tag: str | None = None
    title: str = ""
