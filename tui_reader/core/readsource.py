"""Resolve a URL to an :class:`Article` for ``tui-reader read``: store first, then network."""

from __future__ import annotations

from tui_reader.core.errors import (
    ContentTypeError,
    FetchError,
    HTTPStatusError,
    NotStoredError,
    UnsafeURLError,
)
from tui_reader.core.models import Article
from tui_reader.core.sanitize import safe_url


def article_for_url(url: str, *, data_dir: str | None = None, offline: bool = False) -> Article:
    """Fetch ``url`` and extract its article.

    Raises:
        NotStoredError: ``offline`` is set and the URL is not stored.
        FetchError: the page could not be fetched, or is not HTML.
    """
    if safe_url(url, fetchable=True) is None:
        raise UnsafeURLError(f"{url}: only http(s) URLs can be fetched")
    if offline:
        raise NotStoredError(f"{url}: not in the store (offline)")
    import httpx

    from tui_reader.core.extract import extract

    try:
        response = httpx.get(url, follow_redirects=True, timeout=20)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 400:
        raise HTTPStatusError(f"{url}: HTTP {response.status_code}", response.status_code)
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and "html" not in ctype and "xml" not in ctype:
        raise ContentTypeError(f"{url}: not an HTML page ({ctype})")
    return extract(response.content, url=str(response.url))
