"""The sanitizing boundary for text and URLs that come from the web.

Everything we store or show was written by a stranger, and a terminal obeys escape sequences:
``ESC ] 52`` writes the clipboard, ``ESC ] 0`` retitles the window, bidi overrides make text
read differently from how it is stored. :func:`clean_text` removes all of that and is applied
where data enters the store and again where it reaches a terminal. :func:`safe_url` is the
single place that decides which link schemes we keep.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

# Escape sequences are removed whole, so their parameters never leak as visible junk:
# CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (terminated by BEL or ST), and
# two-character ESC sequences. The 8-bit C1 forms (CSI = 0x9b, OSC = 0x9d, ...) likewise.
# A string sequence is removed through its terminator only when the terminator comes before
# the end of the line: an unterminated one loses just its introducer (the bare ESC or C1
# character goes with the other controls below). Eating "to the end" would delete real text
# whenever a stray introducer shows up, and one does in ordinary mojibake: UTF-8 "ß" read as
# Latin-1 is "Ã\x9f", an 8-bit APC.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                                  # CSI
  | \x1b[\]PX^_][^\n\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)         # OSC, DCS, SOS, PM, APC
  | \x9b[0-?]*[ -/]*[@-~]                                    # 8-bit CSI
  | [\x9d\x90\x98\x9e\x9f][^\n\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)  # 8-bit string introducers
  | \x1b[ -/]*[0-~]?                                         # other ESC sequences, lone ESC
    """,
    re.VERBOSE,
)

# C0 and C1 controls except tab and newline; DEL; bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), which can make a title display as something it is not.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
FETCHABLE_SCHEMES = frozenset({"http", "https"})


def clean_text(text: str) -> str:
    """Remove escape sequences, control characters and bidi controls from ``text``.

    Newlines and tabs are kept; carriage returns are turned into newlines first, so that
    ``\\r\\n`` line ends survive as line ends rather than vanishing.
    """
    if not text:
        return ""
    if text.isprintable():
        # Fast path: controls, ESC and bidi characters are all non-printable.
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """Like :func:`clean_text`, and fold all whitespace runs into single spaces.

    For one-line fields: titles, bylines, feed names, error messages quoting remote data.
    """
    if is_collapsed_line(text):
        return text  # the common case: most fields pass here more than once
    return " ".join(clean_text(text).split())


def is_collapsed_line(text: str) -> bool:
    """Whether ``text`` is one line with no control characters, no whitespace but single
    spaces, and none at either end: what :func:`clean_line` and collapsing whitespace
    would return unchanged."""
    # A printable string has no whitespace but the plain space, and no controls.
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def safe_url(url: str | None, base: str | None = None, *, fetchable: bool = False) -> str | None:
    """Resolve ``url`` against ``base`` and return it only if its scheme is allowed.

    Args:
        url: the URL as found in a page or a feed (may be relative).
        base: the document's URL, for relative links.
        fetchable: if true only http(s) is allowed (for things we will fetch or open in a
            browser); otherwise mailto links are kept too.

    Returns:
        The absolute, cleaned URL, or ``None`` when the scheme is not allowed or the URL is
        malformed.
    """
    if not url:
        return None
    url = "".join(clean_text(url).split())
    if not url:
        return None
    try:
        absolute = urljoin(base, url) if base else url
        parts = urlsplit(absolute)
    except ValueError:
        return None
    allowed = FETCHABLE_SCHEMES if fetchable else SAFE_LINK_SCHEMES
    scheme = parts.scheme.lower()
    if scheme not in allowed:
        return None
    if scheme in FETCHABLE_SCHEMES and not parts.netloc:
        return None
    return absolute


def is_fetchable_url(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a host."""
    return safe_url(url, fetchable=True) == "".join(url.split()) if url else False
