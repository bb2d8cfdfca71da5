"""``tui-reader read``: the installed command run in a subprocess, on files, stdin and URLs.

URLs are served by a real HTTP server on 127.0.0.1 started by the test; nothing here touches
the internet. Errors must be exactly one line on stderr, exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.httpserver import LocalServer

PAGES = Path(__file__).parent.parent / "data" / "pages"
SEED = PAGES / "seed-page.html"
SEED_EXPECTED = json.loads((PAGES / "seed-expected.json").read_text("utf-8"))
ANSI = re.compile(r"\x1b[\[\]]")
ARTICLE_FIELDS = {
    "title",
    "byline",
    "published",
    "site_name",
    "language",
    "url",
    "lead_image",
    "blocks",
    "text",
    "markdown",
}


def command() -> list[str]:
    script = shutil.which("tui-reader")
    if script and Path(script).resolve().parent == Path(sys.executable).resolve().parent:
        return [script]
    return [sys.executable, "-m", "tui_reader"]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def one_line_error(self) -> str:
        assert self.returncode == 1, (self.returncode, self.stdout[:500], self.stderr)
        assert "Traceback" not in self.stderr, self.stderr
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("tui-reader: error: "), self.stderr
        assert not ANSI.search(lines[0])
        return lines[0]


@pytest.fixture
def cli(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_READER_")}
    env["TUI_READER_DATA_DIR"] = str(tmp_path / "data")
    env["TUI_READER_CONFIG_DIR"] = str(tmp_path / "config")
    env["TUI_READER_LOG_DIR"] = str(tmp_path / "log")
    env.pop("PYTHONWARNINGS", None)
    env["NO_COLOR"] = "1"

    def run(*args: str, stdin: bytes | None = None, timeout: float = 60) -> Result:
        proc = subprocess.run(
            [*command(), *args],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=timeout,
            check=False,
        )
        return Result(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )

    return run


def seed_paragraphs() -> list[str]:
    return [b["text"] for b in SEED_EXPECTED["blocks"] if b["kind"] == "paragraph"]


# --- files and stdin ----------------------------------------------------------------------


def test_read_file_json_has_every_field(cli) -> None:
    result = cli("read", str(SEED), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert ARTICLE_FIELDS <= set(data)
    assert data["title"] == SEED_EXPECTED["title"]
    assert data["site_name"] == SEED_EXPECTED["site_name"]
    assert data["language"] == SEED_EXPECTED["language"]
    assert data["url"] == SEED_EXPECTED["url"]
    assert data["lead_image"] == "https://example.org/content/images/otan.jpg"
    assert data["byline"] is None and data["published"] is None
    kinds = [(b["kind"], " ".join(b["text"].split())) for b in data["blocks"]]
    expected = [(b["kind"], " ".join(b["text"].split())) for b in SEED_EXPECTED["blocks"]]
    assert [k for k in kinds if k[0] in ("heading", "paragraph")] == expected
    assert data["text"].startswith(seed_paragraphs()[0][:60])
    assert data["markdown"].startswith("# Elon Musk appelle au retrait des USA de l’OTAN\n")


def test_read_file_text(cli) -> None:
    result = cli("read", str(SEED), "--format", "text")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0] == SEED_EXPECTED["title"]
    assert lines[1] == ""
    for paragraph in seed_paragraphs():
        assert " ".join(paragraph.split()) in result.stdout
    for junk in SEED_EXPECTED["must_not_contain"]:
        assert junk not in result.stdout
    assert "#" not in lines[0] and "*" not in result.stdout[:200]


def test_read_markdown_when_piped_is_plain(cli) -> None:
    result = cli("read", str(SEED))
    assert result.returncode == 0, result.stderr
    assert not ANSI.search(result.stdout)
    assert result.stdout.startswith("# " + SEED_EXPECTED["title"] + "\n")
    assert "\n## Pour un retrait des USA de l’OTAN\n" in result.stdout
    assert result.stdout.endswith("\n")


def test_read_stdin(cli) -> None:
    from_stdin = cli("read", "-", "--format", "json", stdin=SEED.read_bytes())
    from_file = cli("read", str(SEED), "--format", "json")
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_read_windows_1252_file(cli) -> None:
    result = cli("read", str(PAGES / "legacy-cp1252.html"), "--format", "text")
    assert result.returncode == 0, result.stderr
    assert "s’est faite" in result.stdout and "25 €" in result.stdout
    assert "\ufffd" not in result.stdout


def test_read_hostile_page_prints_no_escape_sequences(cli, tmp_path: Path) -> None:
    page = tmp_path / "evil.html"
    evil = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x9b31m"
    sentence = "A sentence that is long enough, with a comma, to count as prose here. "
    page.write_text(
        f"<title>T{evil}itle</title><article><h1>T{evil}itle</h1>"
        + f"<p>{sentence * 3}{evil}</p>" * 5
        + "</article>",
        "utf-8",
    )
    for fmt in ("markdown", "text", "json"):
        result = cli("read", str(page), "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert (
            "\x1b" not in result.stdout
            and "\x9b" not in result.stdout
            and "\x07" not in result.stdout
        )


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_bad_file_is_one_line_error(cli, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "nothing-here.html"
    if kind == "directory":
        target.mkdir()
    result = cli("read", str(target))
    line = result.one_line_error()
    assert "nothing-here.html" in line
    assert result.stdout == ""


def test_file_url_is_refused(cli) -> None:
    result = cli("read", SEED.as_uri())
    result.one_line_error()
    assert result.stdout == ""


# --- URLs ---------------------------------------------------------------------------------


@pytest.fixture
def server(http_server: LocalServer) -> LocalServer:
    """The shared local HTTP server (``tests/conftest.py``)."""
    return http_server


def test_read_url(cli, server: LocalServer) -> None:
    server.add("/article.html", SEED.read_bytes(), content_type="text/html; charset=utf-8")
    result = cli("read", server.url("/article.html"), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == SEED_EXPECTED["title"]
    # The page's canonical URL wins over the address it was fetched from.
    assert data["url"] == SEED_EXPECTED["url"]
    paragraphs = [b for b in data["blocks"] if b["kind"] == "paragraph"]
    assert len(paragraphs) == 11
    assert len(server.requests_for("/article.html")) >= 1


def test_read_url_uses_header_charset(cli, server: LocalServer) -> None:
    body = (
        "<html><head><title>Caf\u00e9 notes</title></head><body><article>"
        + "<p>Un caf\u00e9 cr\u00e8me co\u00fbte 3 \u20ac, dit-on, \u00e0 la terrasse du coin.</p>"
        * 5
        + "</article></body></html>"
    ).encode("cp1252")
    server.add("/cp.html", body, content_type="text/html; charset=windows-1252")
    result = cli("read", server.url("/cp.html"), "--format", "text")
    assert result.returncode == 0, result.stderr
    assert "Un café crème coûte 3 €" in result.stdout


def test_read_url_404(cli, server: LocalServer) -> None:
    server.add("/gone.html", b"<h1>Not found</h1>", status=404, content_type="text/html")
    result = cli("read", server.url("/gone.html"))
    line = result.one_line_error()
    assert "404" in line
    assert result.stdout == ""


def test_read_url_pdf(cli, server: LocalServer) -> None:
    server.add(
        "/paper.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", content_type="application/pdf"
    )
    result = cli("read", server.url("/paper.pdf"))
    line = result.one_line_error()
    assert "pdf" in line.lower()
    assert result.stdout == ""


def test_read_url_connection_refused(cli) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The socket is closed: nothing listens on that port any more.
    result = cli("read", f"http://127.0.0.1:{port}/article.html")
    result.one_line_error()
    assert result.stdout == ""


# --- things that are not pages ------------------------------------------------------------

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title>'
    b"<item><title>One</title><link>https://example.org/1</link></item></channel></rss>"
)


def test_read_feed_file_is_refused(cli, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)
    line = cli("read", str(feed)).one_line_error()
    assert "feed" in line and "tui-reader add" in line


def test_read_binary_file_is_refused(cli, tmp_path: Path) -> None:
    binary = tmp_path / "program"
    binary.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)
    assert "binary" in cli("read", str(binary)).one_line_error()
    noise = tmp_path / "noise.html"
    noise.write_bytes(bytes(range(32)) * 64)
    assert "binary" in cli("read", str(noise)).one_line_error()


def test_read_url_of_a_feed_is_refused(cli, server: LocalServer) -> None:
    server.add("/feed.xml", RSS, content_type="application/rss+xml")
    line = cli("read", server.url("/feed.xml")).one_line_error()
    assert "feed" in line


def test_read_stored_summary_fetches_the_page_when_online(cli, server: LocalServer) -> None:
    # The page fails while the feed is first fetched, so only the feed's summary is stored.
    server.add_sequence(
        "/story.html",
        [
            {"status": 404, "body": b"not yet"},
            {"body": SEED.read_bytes(), "headers": {"Content-Type": "text/html; charset=utf-8"}},
        ],
    )
    item = (
        f"<item><title>Story</title><link>{server.url('/story.html')}</link>"
        "<description>Only the short summary.</description></item>"
    ).encode()
    server.add("/f.xml", RSS.replace(b"</channel>", item + b"</channel>"),
               content_type="application/rss+xml")  # fmt: skip
    assert cli("add", server.url("/f.xml")).returncode == 0
    offline = cli("read", server.url("/story.html"), "--offline", "--format", "text")
    assert offline.returncode == 0 and "Only the short summary." in offline.stdout
    online = cli("read", server.url("/story.html"), "--format", "text")
    assert online.returncode == 0, online.stderr
    assert seed_paragraphs()[0] in online.stdout
