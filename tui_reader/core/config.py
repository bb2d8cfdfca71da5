"""``config.toml``: the user's settings, validated with errors that point at the line.

A missing file means the defaults. Every key is optional::

    [fetch]
    concurrency = 32          # requests in flight at once
    per_host = 4              # ... and to one host
    connect_timeout = 10.0    # seconds
    read_timeout = 20.0       # seconds
    deadline = 60.0           # seconds for a whole request, however slowly the body trickles
    max_mb = 20               # largest page accepted (after decompression), in megabytes
    feed_max_mb = 200         # largest feed document accepted (100,000 items are ~40 MB)
    pages = true              # fetch and clean each new article's page when refreshing
    retries = 2               # retries of a request that failed with a 5xx or no answer
    refresh_on_start = false  # the app refreshes every feed when it starts
    refresh_minutes = 0       # ... and every N minutes while it runs (0: never)
    images = true             # keep each article's pictures for offline reading
    images_max_mb = 10        # largest picture accepted, in megabytes
    images_per_article = 40   # pictures kept per article (the rest show their alt text)
    images_cache_mb = 500     # all pictures together; the oldest go first beyond this
    images_deadline = 30.0    # seconds for one picture, however slowly it trickles

    [store]
    retention_days = 60       # read, unstarred articles older than this are deleted (0: never)

    [reader]
    mark_read_on_open = true
    images = "auto"           # how pictures are drawn: "auto", "kitty", "sixel", "cells" or
                              # "off"; "auto" uses the Kitty or Sixel graphics protocol when the
                              # terminal answers that it has it, else Unicode half blocks

    [theme]
    name = "textual-dark"     # any Textual theme name (or, at the top: theme = "...")

    [keys]                    # binding id = comma-separated keys
    refresh = "r,f5"

    [sync]                    # one reading state with a feed server (see below)
    kind = "greader"          # "greader" (Google Reader API) or "fever"
    url = "https://rss.example.org/api/greader.php"
    user = "me"
    password_command = "pass show rss"  # its first line of output is the password
    days = 14                 # a first sync takes unread, starred and this many days

    [extract."example.org"]   # a site rule: this host and every host under it
    body = "div.post-body"    # the element holding the article (CSS selector)
    drop = [".share", ".promo"]  # elements removed before anything else

The sync password is never written into this file or any other by tui-reader: it comes
from ``password_command`` (split like a shell line, run without a shell, 30 seconds at most),
else from ``$TUI_READER_SYNC_PASSWORD``, else it is asked for on the terminal; see
:mod:`tui_reader.core.sync.account`. ``[sync]`` without ``kind``, ``url`` and ``user`` is an
error naming the missing key.

An invalid file raises :class:`~tui_reader.core.errors.ConfigError` naming the file, the key
and its line, never a traceback. A site rule that cannot be used (a selector that does not
parse, an unknown key) does not stop the program: that rule is left out and the problem,
one line naming the domain, is listed in :attr:`Config.rule_errors` for the CLI and the app
to show.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader.core import paths
from tui_reader.core.errors import ConfigError

if TYPE_CHECKING:
    from tui_reader.core.extract.rules import SiteRule


@dataclass(frozen=True, slots=True)
class Config:
    """The settings in effect (defaults where the file says nothing)."""

    concurrency: int = 32
    per_host: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    retention_days: int = 60
    mark_read_on_open: bool = True
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    fetch_pages: bool = True
    deadline: float = 60.0
    """Seconds a single request may take in all, body included."""
    max_mb: int = 20
    """The largest page (or other response) accepted, after decompression, in MB."""
    feed_max_mb: int = 200
    """The largest feed document accepted, after decompression, in MB: an archive feed of
    100,000 items is about 40 MB, far above any page, and is stored whole."""
    retries: int = 2
    """How often a failed request (connection error, 5xx, 429) is retried."""
    refresh_on_start: bool = False
    """The app refreshes every feed as it starts (never when offline)."""
    refresh_minutes: int = 0
    """The app refreshes every feed this often, in minutes (0: never; never when offline)."""
    sync_kind: str | None = None
    """``[sync] kind``: ``"greader"`` or ``"fever"`` (``None``: no sync)."""
    sync_url: str = ""
    sync_user: str = ""
    sync_password_command: str | None = None
    sync_days: int = 14
    """A first sync takes the unread and starred items and those of the last N days."""
    fetch_images: bool = True
    """Refreshes keep each article's pictures (see :mod:`tui_reader.core.pictures`)."""
    images_max_mb: int = 10
    """The largest picture accepted, after decompression, in MB."""
    images_per_article: int = 40
    """Pictures fetched per article; the others are listed with the reason."""
    images_cache_mb: int = 500
    """The most all stored pictures may take, in MB; the oldest are removed beyond it."""
    images_deadline: float = 30.0
    """Seconds one picture may take in all, body included."""
    images: str = "auto"
    """How the reader draws pictures: one of :data:`IMAGE_MODES`."""
    path: Path | None = None
    """The file this was read from (``None`` for the defaults)."""
    site_rules: dict[str, SiteRule] = field(default_factory=dict)
    """``[extract."domain"]`` rules by domain (see :mod:`tui_reader.core.extract.rules`)."""
    rule_errors: tuple[str, ...] = ()
    """One line per site rule left out because it cannot be used."""


# (section, key) -> (Config field, expected type, lower bound for numbers)
_FIELDS: dict[tuple[str, str], tuple[str, type, float | None]] = {
    ("fetch", "concurrency"): ("concurrency", int, 1),
    ("fetch", "per_host"): ("per_host", int, 1),
    ("fetch", "connect_timeout"): ("connect_timeout", float, 0.1),
    ("fetch", "read_timeout"): ("read_timeout", float, 0.1),
    ("fetch", "pages"): ("fetch_pages", bool, None),
    ("fetch", "retries"): ("retries", int, 0),
    ("fetch", "deadline"): ("deadline", float, 1.0),
    ("fetch", "max_mb"): ("max_mb", int, 1),
    ("fetch", "feed_max_mb"): ("feed_max_mb", int, 1),
    ("fetch", "refresh_on_start"): ("refresh_on_start", bool, None),
    ("fetch", "refresh_minutes"): ("refresh_minutes", int, 0),
    ("fetch", "images"): ("fetch_images", bool, None),
    ("fetch", "images_max_mb"): ("images_max_mb", int, 1),
    ("fetch", "images_per_article"): ("images_per_article", int, 0),
    ("fetch", "images_cache_mb"): ("images_cache_mb", int, 1),
    ("fetch", "images_deadline"): ("images_deadline", float, 1.0),
    ("store", "retention_days"): ("retention_days", int, 0),
    ("reader", "mark_read_on_open"): ("mark_read_on_open", bool, None),
    ("reader", "images"): ("images", str, None),
    ("theme", "name"): ("theme", str, None),
    ("sync", "kind"): ("sync_kind", str, None),
    ("sync", "url"): ("sync_url", str, None),
    ("sync", "user"): ("sync_user", str, None),
    ("sync", "password_command"): ("sync_password_command", str, None),
    ("sync", "days"): ("sync_days", int, 1),
}
SYNC_KINDS = ("greader", "fever")
IMAGE_MODES = ("auto", "kitty", "sixel", "cells", "off")
"""The values of ``[reader] images``."""
# (section, key) -> the values a string key accepts
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {("reader", "images"): IMAGE_MODES}
_SECTIONS = frozenset(section for section, _ in _FIELDS) | {"keys", "extract"}
_RULE_KEYS = ("body", "drop")
_TYPE_NAMES: dict[type, str] = {
    int: "an integer",
    float: "a number",
    bool: "true or false",
    str: "a string",
}
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _find_line(text: str, section: str | None, key: str | None) -> int | None:
    """The 1-based line where ``[section]`` defines ``key`` (or the header when key is None)."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            current = header.group(1).strip().strip("\"'")
            if key is None and current == section:
                return number
            continue
        if key is None:
            continue
        if current == section or (section is None and current is None):
            if re.match(
                rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""", line
            ):
                return number
    # `fetch.concurrency = 3` at the top level is valid TOML too.
    if key is not None and section is not None:
        dotted = re.compile(rf"^\s*{re.escape(section)}\s*\.\s*{re.escape(key)}\s*=")
        for number, line in enumerate(text.splitlines(), start=1):
            if dotted.match(line):
                return number
    return None


def _fail(path: Path, text: str, section: str | None, key: str | None, problem: str) -> ConfigError:
    line = _find_line(text, section, key)
    where = f"{path}" + (f", line {line}" if line else "")
    name = ".".join(p for p in (section, key) if p)
    return ConfigError(f"{where}: {name}: {problem}" if name else f"{where}: {problem}")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _check(value: Any, expected: type, low: float | None) -> Any:
    """``value`` converted to ``expected``, or raise ValueError with what is wrong."""
    wrong = ValueError(f"must be {_TYPE_NAMES[expected]}, not {_describe(value)}")
    if expected is bool:
        if not isinstance(value, bool):
            raise wrong
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
    elif expected is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong
        value = float(value)
    elif expected is str:
        if not isinstance(value, str):
            raise wrong
        return value
    if low is not None and value < low:
        raise ValueError(f"must be at least {low:g}, not {_describe(value)}")
    return value


def load_config(path: Path | None = None) -> Config:
    """Read and validate the configuration file (``paths.config_path()`` by default).

    Raises:
        ConfigError: the file cannot be read, is not valid TOML, has a key of the wrong type
            or a key this version does not know.
    """
    if path is None:
        try:
            path = paths.config_path()
        except OSError as exc:
            raise ConfigError(
                f"cannot create the config directory ({exc.strerror or exc})"
            ) from exc
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line L, column C)"; keep it on one line.
        raise ConfigError(f"{path}: invalid TOML: {' '.join(str(exc).split())}") from exc
    values: dict[str, Any] = {"path": path}
    for section, table in data.items():
        if section not in _SECTIONS:
            line = _find_line(text, section, None) or _find_line(text, None, section)
            where = f"{path}" + (f", line {line}" if line else "")
            known = ", ".join(f"[{s}]" for s in sorted(_SECTIONS))
            raise ConfigError(f"{where}: unknown section or key {section!r} (known: {known})")
        if section == "theme" and isinstance(table, str):
            values["theme"] = table  # `theme = "nord"` is the natural short form
            continue
        if not isinstance(table, dict):
            raise _fail(path, text, None, section, f"must be a table like [{section}]")
        if section == "extract":
            values["site_rules"], values["rule_errors"] = _site_rules(path, text, table)
            continue
        if section == "keys":
            keymap: dict[str, str] = {}
            for binding, keys in table.items():
                if not isinstance(keys, str) or not keys.strip():
                    raise _fail(
                        path,
                        text,
                        "keys",
                        binding,
                        'must be a string of comma-separated keys like "r,f5", '
                        f"not {_describe(keys)}",
                    )
                keymap[binding] = ",".join(k.strip() for k in keys.split(",") if k.strip())
            values["keymap"] = keymap
            continue
        for key, value in table.items():
            spec = _FIELDS.get((section, key))
            if spec is None:
                known = ", ".join(k for s, k in _FIELDS if s == section)
                raise _fail(
                    path, text, section, key, f"unknown key (known in [{section}]: {known})"
                )
            name, expected, low = spec
            try:
                values[name] = _check(value, expected, low)
            except ValueError as exc:
                raise _fail(path, text, section, key, str(exc)) from None
            choices = _CHOICES.get((section, key))
            if choices is not None and value not in choices:
                shown = ", ".join(f'"{choice}"' for choice in choices)
                raise _fail(
                    path, text, section, key, f"must be one of {shown}, not {_describe(value)}"
                )
    if "sync" in data:
        _check_sync(path, text, values)
    return Config(**values)


def _check_sync(path: Path, text: str, values: dict[str, Any]) -> None:
    """A ``[sync]`` table must say which protocol, where and as whom."""
    kind = values.get("sync_kind")
    if kind is None:
        raise _fail(path, text, "sync", None, 'kind is missing (kind = "greader" or "fever")')
    if kind not in SYNC_KINDS:
        raise _fail(path, text, "sync", "kind", f'must be "greader" or "fever", not {kind!r}')
    url = values.get("sync_url", "")
    if not url.lower().startswith(("http://", "https://")):
        raise _fail(path, text, "sync", "url" if url else None, "url must be an http(s) URL")
    if not values.get("sync_user"):
        raise _fail(path, text, "sync", None, "user is missing")


def _rule_line(text: str, domain: str, key: str | None) -> int | None:
    """The line of ``[extract."domain"]`` (or of ``key`` in it, or of an inline table)."""
    quoted = rf"""(?:{re.escape(domain)}|"{re.escape(domain)}"|'{re.escape(domain)}')"""
    header = re.compile(rf"^\s*\[\s*extract\s*\.\s*{quoted}\s*\]")
    inline = re.compile(rf"^\s*(?:extract\s*\.\s*)?{quoted}\s*=")
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if inline.match(line):
            return number
        if not header.match(line):
            continue
        if key is None:
            return number
        name = re.escape(key)
        for offset, inner in enumerate(lines[number:], start=number + 1):
            if _TABLE_HEADER.match(inner):
                break
            if re.match(rf"""^\s*(?:{name}|"{name}"|'{name}')\s*=""", inner):
                return offset
        return number
    return None


def _selector_problem(selector: object) -> str | None:
    """Why ``selector`` cannot be used, quoting it (cleaned and cut), or ``None``."""
    from tui_reader.core.extract.rules import check_selector
    from tui_reader.core.sanitize import clean_line

    reason = check_selector(selector)
    if reason is None:
        return None
    if isinstance(selector, str) and clean_line(selector):
        return f"{clean_line(selector)[:80]!r} {reason}"
    return f"{_describe(selector)} {reason}"


def _site_rules(
    path: Path, text: str, table: dict[str, Any]
) -> tuple[dict[str, SiteRule], tuple[str, ...]]:
    """The usable rules of ``[extract]``, and one line per rule that is not."""
    from tui_reader.core.extract.rules import SiteRule, normalize_domain
    from tui_reader.core.sanitize import clean_line

    rules: dict[str, SiteRule] = {}
    errors: list[str] = []
    for raw_domain, spec in table.items():

        def problem(key: str | None, what: str, domain: str = str(raw_domain)) -> None:
            line = _rule_line(text, domain, key)
            where = f"{path}" + (f", line {line}" if line else "")
            name = f'[extract."{clean_line(domain)[:100]}"]' + (f" {key}" if key else "")
            errors.append(f"{where}: {name}: {what} (the rule is ignored)")

        domain = normalize_domain(str(raw_domain))
        if domain is None:
            problem(None, 'not a domain name (write it like [extract."example.org"])')
            continue
        if not isinstance(spec, dict):
            problem(None, f"must be a table with body and drop, not {_describe(spec)}")
            continue
        unknown = [key for key in spec if key not in _RULE_KEYS]
        if unknown:
            key = clean_line(unknown[0])[:40]
            problem(key, f"unknown key {key!r} (known: body, drop)")
            continue
        body = spec.get("body")
        drop = spec.get("drop", [])
        if isinstance(drop, str):
            drop = [drop]  # one selector needs no list
        if body is not None and (bad := _selector_problem(body)):
            problem("body", bad)
            continue
        if not isinstance(drop, list):
            problem("drop", f"must be a list of CSS selectors, not {_describe(drop)}")
            continue
        bad_drop = next((p for p in map(_selector_problem, drop) if p), None)
        if bad_drop:
            problem("drop", bad_drop)
            continue
        if body is None and not drop:
            problem(None, "has neither body nor drop")
            continue
        rules[domain] = SiteRule(domain=domain, body=body, drop=tuple(drop))
    return rules, tuple(errors)
