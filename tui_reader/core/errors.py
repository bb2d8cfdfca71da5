"""The package's exceptions.

Every error the core raises on purpose derives from :class:`TuiReaderError`, so callers (the
CLI, the app) can catch one type and show its message as a single line::

    TuiReaderError
    ├── ExtractError        a page could not be turned into an article
    ├── FetchError          a network fetch failed (message says why)
    │   ├── HTTPStatusError     the server answered 4xx/5xx
    │   ├── ContentTypeError    the body is not what was asked for
    │   ├── TooLargeError       the body (or its decompressed form) exceeds the cap
    │   ├── DeferredError       the server asked us to come back later (``until``)
    │   └── UnsafeURLError      a non-http(s) URL or redirect
    ├── FeedError           a feed or OPML document could not be parsed
    ├── StorageError        the SQLite store failed (wraps sqlite3.Error)
    ├── NotStoredError      offline, and the thing asked for is not in the store
    └── ConfigError         config.toml is invalid (names the key and line)
"""

from __future__ import annotations


class TuiReaderError(Exception):
    """Base class of every error raised on purpose by tui-reader."""


class ExtractError(TuiReaderError):
    """The input could not be parsed as an HTML document."""


class FetchError(TuiReaderError):
    """A network fetch failed; the message is one line naming the URL and the reason."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class ContentTypeError(FetchError):
    """The response body is not of a type we can use."""


class TooLargeError(FetchError):
    """The response body exceeded the size cap (compressed or decompressed)."""


class DeferredError(FetchError):
    """The server answered ``Retry-After`` with a wait longer than we allow.

    Not a failure of the resource: ``until`` (UTC epoch seconds) is when to ask again.
    """

    def __init__(self, message: str, until: float) -> None:
        super().__init__(message)
        self.until = until


class UnsafeURLError(FetchError):
    """A URL, or a redirect target, uses a scheme other than http(s)."""


class FeedError(TuiReaderError):
    """A feed or OPML document could not be parsed."""


class StorageError(TuiReaderError):
    """The local store failed; wraps :class:`sqlite3.Error`."""


class NotStoredError(TuiReaderError):
    """Offline mode was asked for something that is not in the local store."""


class ConfigError(TuiReaderError):
    """The configuration file is invalid."""
