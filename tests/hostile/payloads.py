"""The hostile strings and URLs of the corpus, and the checks every surface must pass.

A payload is something a stranger can put into a title, an author, a link text, a URL or a
page body. :func:`unsafe_chars` is the one definition of "unclean" used by every test: what is
left after sanitizing must contain no escape, no C0 control but newline and tab, no DEL, no
C1 control and no bidi embedding/override/isolate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

# --- terminal escape and control payloads -----------------------------------------------------

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # write "echo pwned" to the clipboard
OSC0 = "\x1b]0;PWNED-TITLE\x1b\\"  # retitle the terminal window
OSC8 = "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"  # hidden hyperlink
CSI_CLEAR = "\x1b[2J\x1b[H"  # clear screen, cursor home
CSI_MOVE = "\x1b[10A\x1b[5;5H\x1b[K"  # cursor up, absolute move, erase line
CSI_SGR = "\x1b[31;1;5m"  # colours that would bleed into the rest of the screen
C1_CSI = "\x9b2J"  # 8-bit CSI: clear screen on terminals that honour C1
C1_OSC = "\x9d0;C1-TITLE\x9c"  # 8-bit OSC window title
C0 = "\x00\x01\x07\x08\x0b\x0c\x0e\x1f\x7f"  # NUL, SOH, BEL, BS, VT, FF, SO, US, DEL
BIDI = "\u202egnp.exe\u202c \u2066iso\u2069 \u2067rtl\u2069 \u2068fs\u2069 \u202a\u202b\u202d"

ESCAPES: dict[str, str] = {
    "osc52": OSC52,
    "osc0": OSC0,
    "osc8": OSC8,
    "csi_clear": CSI_CLEAR,
    "csi_move": CSI_MOVE,
    "csi_sgr": CSI_SGR,
    "c1_csi": C1_CSI,
    "c1_osc": C1_OSC,
    "c0": C0,
    "bidi": BIDI,
}
ALL_ESCAPES = "".join(ESCAPES.values())

# --- Textual / Rich markup: must be shown literally, never interpreted ------------------------

MARKUP: dict[str, str] = {
    "click_quit": "[@click=app.quit]x[/]",
    "bold_red": "[bold red]RED[/bold red]",
    "link_js": "[link=javascript:alert(1)]click me[/link]",
    "click_bell": "[@click=app.bell]ring[/]",
}
ALL_MARKUP = " ".join(MARKUP.values())

# --- links that must never survive ------------------------------------------------------------

BAD_URLS: dict[str, str] = {
    "javascript": "javascript:alert(1)",
    "javascript_mixed_case": "JaVaScRiPt:alert(2)",
    "javascript_leading_space": "  javascript:alert(3)",
    "javascript_newline": "java\nscript:alert(4)",
    "javascript_tab": "jav\tascript:alert(5)",
    "javascript_nul": "\x00javascript:alert(6)",
    "javascript_escape": "java\x1b[0mscript:alert(7)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==",
    "data_mixed_case": "DaTa:text/html,<script>alert(9)</script>",
    "file": "file:///etc/passwd",
    "file_host": "file://localhost/etc/shadow",
    "vbscript": "vbscript:msgbox(10)",
    "vbscript_mixed_case": "VbScRiPt:msgbox(11)",
}

# The same links as they are written inside HTML/XML attributes, where entities are decoded
# by the parser before any scheme check can see them.
BAD_URL_ATTRS: dict[str, str] = {
    "javascript": "javascript:alert(1)",
    "javascript_mixed_case": "JaVaScRiPt:alert(2)",
    "javascript_leading_space": "  javascript:alert(3)",
    "javascript_tab_entity": "jav&#x09;ascript:alert(5)",
    "javascript_newline_entity": "jav&#x0A;ascript:alert(12)",
    "javascript_char_entities": "&#106;&#97;vascript:alert(13)",
    "javascript_colon_entity": "javascript&#58;alert(14)",
    "javascript_nul_entity": "&#x0;javascript:alert(15)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==",
    "file": "file:///etc/passwd",
    "vbscript": "vbscript:msgbox(10)",
    "vbscript_mixed_case": "VbScRiPt:msgbox(11)",
}

# Text that must never appear in any output: the payloads of the URLs above and the contents
# of the local files an external entity or a file: link could pull in.
FORBIDDEN_SUBSTRINGS = (
    "javascript:",
    "vbscript:",
    "data:text",
    "file:",
    "alert(",
    "msgbox(",
    "root:x:0",
)

# --- the checks ---------------------------------------------------------------------------

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe_chars(text: str) -> list[str]:
    """The unsafe characters left in ``text`` (as ``U+XXXX``), empty when it is clean."""
    return [f"U+{ord(c):04X}" for c in _UNSAFE.findall(text)]


def assert_clean(text: str | None, where: str = "") -> None:
    """Fail, naming ``where`` and the characters, if ``text`` holds anything unsafe."""
    if text is None:
        return
    found = unsafe_chars(text)
    assert not found, f"{where}: unsafe characters {found} in {text[:200]!r}"


def assert_clean_bytes(data: bytes, where: str = "") -> None:
    """``data`` is UTF-8 and decodes to clean text."""
    text = data.decode("utf-8")  # raises on a raw 0x9b byte etc.
    assert_clean(text, where)


def url_scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def assert_safe_link(url: str | None, where: str = "", *, fetchable: bool = False) -> None:
    """``url`` is ``None`` or an absolute http(s) URL (mailto too unless ``fetchable``)."""
    if url is None:
        return
    assert_clean(url, where)
    allowed = {"http", "https"} if fetchable else {"http", "https", "mailto"}
    scheme = url_scheme(url)
    assert scheme in allowed, f"{where}: link with scheme {scheme!r}: {url!r}"
    if scheme in {"http", "https"}:
        assert urlsplit(url).netloc, f"{where}: link without a host: {url!r}"
    assert not any(ch.isspace() for ch in url), f"{where}: whitespace in link {url!r}"


def walk_strings(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every string in a nested structure of dicts/lists/tuples/dataclasses, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(key, f"{path}.<key>")
            yield from walk_strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{index}]")
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from walk_strings(getattr(value, name), f"{path}.{name}")


def assert_all_clean(value: Any, where: str = "") -> int:
    """Check every string inside ``value``; returns how many strings were checked."""
    count = 0
    for path, text in walk_strings(value):
        assert_clean(text, f"{where}{path}")
        count += 1
    return count


def assert_no_forbidden(texts: Iterable[str], where: str = "") -> None:
    for text in texts:
        lowered = "".join(text.split()).lower()
        for bad in FORBIDDEN_SUBSTRINGS:
            assert bad not in lowered, f"{where}: {bad!r} found in {text[:200]!r}"
