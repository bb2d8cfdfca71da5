"""``tui-reader read`` on hostile input: stdout and stderr bytes carry nothing a terminal obeys."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.hostile.clirun import run_cli, run_cli_tty, strip_sgr
from tests.hostile.corpus import CANARIES, CORPUS_DIR, PAGE_FILES, deep_nesting, error_body
from tests.hostile.payloads import (
    BAD_URLS,
    MARKUP,
    OSC0,
    OSC52,
    assert_all_clean,
    assert_clean,
    assert_clean_bytes,
    assert_safe_link,
    walk_strings,
)
from tests.httpserver import LocalServer


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("name", PAGE_FILES)
def test_read_file_output_is_clean(name: str, fmt: str, tmp_path: Path) -> None:
    result = run_cli("read", str(CORPUS_DIR / name), "--format", fmt, home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    assert_clean_bytes(result.stdout, f"{name} --format {fmt} stdout")
    out = result.stdout.decode()
    assert "CANARYALPHA" in out
    if fmt == "json":
        data = json.loads(out)
        assert_all_clean(data, f"{name} json")
        for path, value in walk_strings(data):
            if path.endswith((".href", ".url", ".src", ".lead_image")):
                assert_safe_link(value, path)


def test_read_file_keeps_markup_literal(tmp_path: Path) -> None:
    text = run_cli("read", str(CORPUS_DIR / "page.html"), "-f", "text", home=tmp_path)
    out = text.stdout.decode()
    for canary in CANARIES:
        assert canary in out
    assert MARKUP["click_quit"] in out and MARKUP["bold_red"] in out


def test_read_stdin_is_clean(tmp_path: Path) -> None:
    data = (CORPUS_DIR / "page.html").read_bytes()
    result = run_cli("read", "-", "--format", "text", stdin=data, home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert_clean_bytes(result.stdout + result.stderr, "stdin")


@pytest.mark.parametrize("name", PAGE_FILES)
def test_read_markdown_on_a_terminal_emits_only_colours(name: str, tmp_path: Path) -> None:
    # On a terminal rich renders the markdown; its own SGR colours are the only escapes allowed.
    result = run_cli_tty("read", str(CORPUS_DIR / name), home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode("utf-8")
    assert "\x1b]" not in out, "an OSC sequence reached the terminal"
    assert_clean(strip_sgr(out).replace("\r", ""), f"{name} on a tty")
    assert "CANARYALPHA" in out
    if name == "page.html":
        assert "[@click=app.quit]" in strip_sgr(out)


def test_read_deeply_nested_file(tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    page.write_bytes(deep_nesting(10_000))
    result = run_cli("read", str(page), "-f", "json", home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert_clean_bytes(result.stdout, "deep")
    assert "CANARYALPHA" in result.stdout.decode()


# A command line cannot carry NUL.
ARGV_URLS = {name: url for name, url in BAD_URLS.items() if "\x00" not in url}


@pytest.mark.parametrize("url", list(ARGV_URLS.values()), ids=list(ARGV_URLS))
def test_read_refuses_bad_scheme_arguments(url: str, tmp_path: Path) -> None:
    result = run_cli("read", url, home=tmp_path)
    line = result.assert_one_line_error()
    assert_clean(line, "stderr")
    assert result.stdout == b""


def test_read_hostile_file_name_error_is_clean(tmp_path: Path) -> None:
    result = run_cli("read", str(tmp_path / f"missing{OSC52}{OSC0}\u202e.html"), home=tmp_path)
    assert_clean(result.assert_one_line_error(), "stderr")


def test_read_url_error_body_and_headers_stay_out_of_the_terminal(
    http_server: LocalServer, tmp_path: Path
) -> None:
    http_server.add(
        "/boom",
        error_body(),
        status=500,
        headers={"Content-Type": "text/html", "X-Evil": "\x1b]52;c;eA==\x07"},
    )
    http_server.add("/plain", b"\x1b]0;x\x07 not html", content_type="text/x-\x1b[2Jevil")
    for path in ("/boom", "/plain"):
        result = run_cli("read", http_server.url(path), home=tmp_path)
        line = result.assert_one_line_error()
        assert_clean(line, f"stderr for {path}")
        assert "PWNED" not in line and "Internal error" not in line
        assert result.stdout == b""


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<b>x</b>"]
)
def test_read_url_redirect_to_other_scheme_is_refused(
    http_server: LocalServer, tmp_path: Path, target: str
) -> None:
    http_server.redirect("/go", target)
    result = run_cli("read", http_server.url("/go"), "-f", "text", home=tmp_path)
    line = result.assert_one_line_error()
    assert_clean(line, "stderr")
    assert b"root:x:0" not in result.stdout + result.stderr


def test_read_url_serves_hostile_page_cleanly(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add_file("/page", "hostile/page.html", "text/html; charset=utf-8")
    result = run_cli("read", http_server.url("/page"), "-f", "json", home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert_clean_bytes(result.stdout + result.stderr, "url page")
    assert_all_clean(json.loads(result.stdout), "url page json")


def _limit_memory() -> None:
    import resource

    # A process that inflated the bomb in memory would die here rather than take the machine.
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))


@pytest.mark.slow
def test_read_url_gzip_bomb_is_refused(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add_gzip_bomb("/bomb", inflated=2 * 1024**3)
    result = run_cli("read", http_server.url("/bomb"), home=tmp_path, preexec=_limit_memory)
    assert_clean(result.assert_one_line_error(), "stderr")


@pytest.mark.slow
def test_read_url_50_mb_body_is_refused(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add_huge("/huge", 50 * 1024 * 1024, announce_length=False)
    result = run_cli("read", http_server.url("/huge"), home=tmp_path, preexec=_limit_memory)
    assert_clean(result.assert_one_line_error(), "stderr")


def test_cli_is_installed() -> None:
    # The tests drive `python -m tui_reader`; make sure that is the same entry point.
    assert shutil.which("python3")


# --- the feed commands on a store filled from the hostile corpus -----------------------------


def _hostile_store(server: LocalServer, home: Path) -> Path:
    """Subscribe to every corpus feed (served by ``server``) through the CLI and fetch them."""
    from tests.hostile.corpus import FEED_FILES
    from tests.hostile.test_store import serve_corpus_feed, serve_hostile_pages

    serve_hostile_pages(server)
    for name in FEED_FILES:
        result = run_cli("add", serve_corpus_feed(server, name), home=home)
        assert result.returncode == 0, result.stderr.decode()
        assert_clean_bytes(result.stdout + result.stderr, f"add {name}")
    return home


def test_feed_commands_print_only_clean_text(http_server: LocalServer, tmp_path: Path) -> None:
    home = _hostile_store(http_server, tmp_path)
    http_server.add("/err", error_body(), status=500, content_type="text/html")
    added = run_cli("add", http_server.url("/err"), home=home)
    assert_clean(added.assert_one_line_error(), "add error")
    commands = [
        ("feeds",),
        ("fetch",),
        ("search", "Title"),
        ("search", "CANARYALPHA"),
        ("search", "\x1b]52;c;eA==\x07"),
        ("export-opml",),
    ]
    for args in commands:
        result = run_cli(*args, home=home)
        assert result.returncode in (0, 1), (args, result.stderr.decode())
        assert b"Traceback" not in result.stderr
        assert_clean_bytes(result.stdout, f"{args} stdout")
        assert_clean_bytes(result.stderr, f"{args} stderr")
        if args[0] == "feeds":
            assert MARKUP["click_quit"].encode() in result.stdout
        if args[0] == "export-opml":
            assert b"javascript:" not in result.stdout and b"file:" not in result.stdout
    # On a terminal the same commands use rich: still nothing but colours.
    for args in [("feeds",), ("search", "Title")]:
        tty = run_cli_tty(*args, home=home)
        out = tty.stdout.decode("utf-8")
        assert "\x1b]" not in out, f"{args}: an OSC sequence reached the terminal"
        assert_clean(strip_sgr(out).replace("\r", ""), f"{args} on a tty")
        assert "[@click=app.quit]" in strip_sgr(out) or args[0] == "search"


def test_import_of_hostile_opml_stores_only_http_feeds(tmp_path: Path) -> None:
    result = run_cli(
        "import-opml", str(CORPUS_DIR / "subscriptions-wellformed.opml"), home=tmp_path
    )
    assert result.returncode == 0, result.stderr.decode()
    assert_clean_bytes(result.stdout + result.stderr, "import")
    feeds = run_cli("feeds", home=tmp_path)
    assert_clean_bytes(feeds.stdout + feeds.stderr, "feeds")
    out = feeds.stdout.decode()
    assert out.count("https://good.example/feed") == 3
    assert "javascript:" not in out and "file:" not in out and "vbscript" not in out.lower()
    bad = run_cli("import-opml", str(CORPUS_DIR / "subscriptions.opml"), home=tmp_path)
    if bad.returncode:
        assert_clean(bad.assert_one_line_error(), "import error")


QUERIES = [
    '"',
    '""""',
    "a OR",
    "NEAR(",
    "*",
    "-",
    "title:x",
    "'; DROP TABLE articles; --",
    "\x1b]0;x\x07 Article",
    "[@click=app.quit]x[/]",
    "\u202eArticle",
    "a" * 5000,
]


def test_search_with_hostile_queries(tmp_path: Path) -> None:
    from tests.hostile.storecheck import integrity
    from tests.hostile.test_crash import make_store

    data = tmp_path / "data"
    before = make_store(data, feeds=1, per_feed=20)
    for query in QUERIES:
        result = run_cli("search", query, "--data-dir", str(data), home=tmp_path)
        assert result.returncode in (0, 1), (query, result.stderr.decode())
        assert b"Traceback" not in result.stderr
        if result.returncode:
            assert_clean(result.assert_one_line_error(), "search error")
        assert_clean_bytes(result.stdout, f"search {query[:20]!r}")
    assert integrity(data) == "ok"
    listed = run_cli("search", "Article", "--data-dir", str(data), "-n", "100", home=tmp_path)
    assert listed.stdout.decode().count("Article") >= len(before)


@pytest.mark.parametrize(
    "url",
    [*ARGV_URLS.values(), "http://127.0.0.1:9/\x1b]52;c;eA==\x07feed", "http://[::1"],
    ids=[*ARGV_URLS, "escape-in-http", "broken-ipv6"],
)
def test_add_refuses_hostile_urls_in_one_line(url: str, tmp_path: Path) -> None:
    result = run_cli("add", url, home=tmp_path)
    assert_clean(result.assert_one_line_error(), "add error")
    feeds = run_cli("feeds", home=tmp_path)
    assert_clean_bytes(feeds.stdout + feeds.stderr, "feeds")
    assert b"javascript" not in feeds.stdout.lower() and b"file:" not in feeds.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("feeds",),
        ("search", "Damaged"),
        ("export-opml",),
        ("read", "https://crash.example/0/0", "--offline", "-f", "text"),
        ("read", "https://crash.example/0/0", "--offline", "-f", "json"),
        ("read", "https://crash.example/0/0", "--offline", "-f", "markdown"),
    ],
    ids=["feeds", "search", "export-opml", "read-text", "read-json", "read-markdown"],
)
def test_cli_output_from_a_damaged_store_is_clean(args: tuple[str, ...], tmp_path: Path) -> None:
    # Text that bypassed the ingestion boundary (an old version, a hand-edited or damaged
    # store) is cleaned again on its way to stdout.
    import sqlite3

    from tests.hostile.payloads import ALL_ESCAPES
    from tests.hostile.test_crash import make_store

    data = tmp_path / "data"
    make_store(data, feeds=1, per_feed=5)
    body = {
        "title": "Damaged " + ALL_ESCAPES,
        "byline": "By " + ALL_ESCAPES,
        "url": "https://crash.example/0/0",
        "blocks": [{"kind": "paragraph", "spans": [{"text": "Para " + ALL_ESCAPES}]}],
    }
    conn = sqlite3.connect(data / "tui-reader.sqlite3")
    with conn:
        conn.execute(
            "UPDATE articles SET title = ?, author = ?, article_json = ?, "
            "url = 'https://crash.example/0/0' WHERE id = (SELECT min(id) FROM articles)",
            ("Damaged " + ALL_ESCAPES, "By " + ALL_ESCAPES, json.dumps(body)),
        )
        conn.execute("UPDATE feeds SET title = ?, last_error = ?", ("F " + ALL_ESCAPES, OSC52))
    conn.close()
    result = run_cli(*args, "--data-dir", str(data), home=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert_clean_bytes(result.stdout, f"{args} stdout")
    assert_clean_bytes(result.stderr, f"{args} stderr")
    if args[-1] == "json":
        assert_all_clean(json.loads(result.stdout), "json")
