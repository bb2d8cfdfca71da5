"""What both sync protocols need on the wire: a server named safely, an answer read capped.

Each protocol module words its own errors; these helpers only say what happened.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tui_reader.core.sanitize import clean_line


def server_host(url: str, default: str) -> str:
    """The host (and port) of ``url`` for messages: never a ``user:password@`` written in it."""
    try:
        netloc = urlsplit(url.strip()).netloc
    except ValueError:
        return default
    return clean_line(netloc.rpartition("@")[2]) or default


async def read_capped(response: httpx.Response, limit: int) -> bytes | None:
    """The body of a streamed ``response``, or ``None`` once it is known to exceed ``limit``."""
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        return None
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
