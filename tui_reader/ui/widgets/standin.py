"""Stand-ins that hold the place of the feeds and reader panes in the app's first frame.

The first frame only has to show the article titles. The feeds tree is empty until the store
has been scanned for its counts, and the reader shows a one-line hint until an article is
opened, yet both widgets cost more to style and draw than everything else on the screen (the
tree and the reader's many component styles, the reader's scrolling). A stand-in draws what
the empty pane would (the same width, border, background and hint) and is swapped for the
real pane right after the first frame, or as soon as something asks for that pane.
"""

from __future__ import annotations

from textual.widgets import Static

READER_HINT = "Select an article and press Enter to read it."
"""What the reader pane says while no article is open."""


class PaneStandin(Static):
    """Draws an empty pane; its classes (``feeds-standin``, ``reader-standin``) size it."""

    def __init__(self, text: str = "", *, classes: str) -> None:
        super().__init__(text, markup=False, classes=classes)
