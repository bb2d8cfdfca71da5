"""URLs as people type them: ``example.org/feed`` means ``https://example.org/feed``."""

from __future__ import annotations

import re

# A host name with at least one dot (or localhost), an optional port, then a path or nothing.
_BARE_HOST = re.compile(
    r"^(?:localhost|\[[0-9a-f:.]+\]|[\w-]+(?:\.[\w-]+)+)(?::\d{1,5})?(?:[/?#]|$)",
    re.IGNORECASE,
)


def looks_like_bare_host(text: str) -> bool:
    """True when ``text`` has no scheme and starts like a host name (``lwn.net/…``)."""
    text = text.strip()
    return "://" not in text and bool(_BARE_HOST.match(text))


def with_scheme(text: str) -> str:
    """``text`` stripped, with ``https://`` in front when it was typed without a scheme.

    Anything else (another scheme, a word with no dot) is returned as it is, so the caller's
    own check refuses it with its usual message.
    """
    text = text.strip()
    if text.startswith("//"):
        return "https:" + text
    return f"https://{text}" if looks_like_bare_host(text) else text
