"""Search results as a source of the article list: every match, read a page at a time.

The list asks :class:`SearchSource` for the number of matches once and then for pages as the
reader scrolls, exactly as it does for a view of the store, so a query that matches 50,000
articles shows all of them without reading them all up front.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_reader.core.models import ArticleSummary

if TYPE_CHECKING:
    from tui_reader.core.library import Library
    from tui_reader.core.storage.sqlite import SearchOrder

ORDER_LABELS: dict[SearchOrder, str] = {"newest": "newest first", "relevance": "best first"}
OTHER_ORDER: dict[SearchOrder, SearchOrder] = {"newest": "relevance", "relevance": "newest"}


class SearchSource:
    """The matches of ``query`` in ``order`` (read from the store in thread workers)."""

    def __init__(self, library: Library, query: str, order: SearchOrder = "newest") -> None:
        self.library = library
        self.query = query
        self.order: SearchOrder = order

    @property
    def label(self) -> str:
        return f"search: {self.query} ({ORDER_LABELS[self.order]})"

    def count(self) -> int:
        return self.library.count_search(self.query)

    def fetch(self, limit: int, offset: int) -> list[ArticleSummary]:
        return self.library.search(self.query, limit=limit, offset=offset, order=self.order)

    def reordered(self) -> SearchSource:
        """The same query in the other order."""
        return SearchSource(self.library, self.query, OTHER_ORDER[self.order])
