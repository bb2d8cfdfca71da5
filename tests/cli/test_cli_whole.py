"""``tui-reader read --whole`` and site rules in the CLI: the installed command in a subprocess.

URLs are served by a real HTTP server on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli import test_cli_read
from tests.httpserver import LocalServer

ANSI = test_cli_read.ANSI
cli = test_cli_read.cli  # the fixture: the installed command, in isolated directories

DATA = Path(__file__).resolve().parent.parent / "data"
SIDEBAR_STORY = DATA / "whole" / "sidebar-story.html"
RULES_PAGE = DATA / "whole" / "rules-blog.html"
HOSTILE = DATA / "hostile" / "page.html"
STORY = "The first frost came early this year"
BIO = "I have kept plot 14 on the Hill Lane allotments"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def feed_with(link: str) -> bytes:
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Allotment</title>"
        f"<item><guid>frost</guid><title>The first frost</title><link>{link}</link>"
        "<description>Frost, briefly.</description></item></channel></rss>"
    ).encode()


def test_help_describes_whole(cli) -> None:
    result = cli("read", "--help")
    assert result.returncode == 0
    assert "--whole" in result.stdout
    assert "whole page" in " ".join(result.stdout.split())


def test_whole_file_prints_every_block(cli) -> None:
    result = cli("read", "--whole", str(SIDEBAR_STORY), "--format", "text")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for part in (STORY, BIO, "Enter email to subscribe", "Blog powered by TypePad"):
        assert part in out
    assert "do not show me" not in out and "This paragraph is hidden" not in out
    assert out.index(BIO) < out.index(STORY)  # page order


def test_whole_stdin_and_json(cli) -> None:
    result = cli("read", "--whole", "-", "--format", "json", stdin=SIDEBAR_STORY.read_bytes())
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert STORY in data["text"] and BIO in data["text"]
    assert {block["kind"] for block in data["blocks"]} >= {"heading", "paragraph", "list"}


def test_whole_hostile_page_prints_text_not_escapes(cli) -> None:
    result = cli("read", "--whole", str(HOSTILE), "--format", "text")
    assert result.returncode == 0, result.stderr
    assert "CANARYALPHA" in result.stdout
    assert not UNSAFE.search(result.stdout.replace("\n", "").replace("\t", ""))
    assert "[bold red]RED[/bold red]" in result.stdout


def test_whole_stored_url_offline(cli, http_server: LocalServer) -> None:
    http_server.add_file("/frost.html", SIDEBAR_STORY, content_type="text/html; charset=utf-8")
    link = http_server.url("/frost.html")
    http_server.add("/feed.xml", feed_with(link), content_type="application/rss+xml")
    added = cli("add", http_server.url("/feed.xml"))
    assert added.returncode == 0, added.stderr
    fetched = len(http_server.requests)

    result = cli("--offline", "read", "--whole", link, "--format", "text")
    assert result.returncode == 0, result.stderr
    assert STORY in result.stdout and BIO in result.stdout
    assert "Blog powered by TypePad" in result.stdout
    assert len(http_server.requests) == fetched  # answered from the stored page


def test_whole_url_not_stored_offline_is_one_line(cli, http_server: LocalServer) -> None:
    result = cli("read", "--whole", "--offline", http_server.url("/nowhere.html"))
    line = result.one_line_error()
    assert "not in the store" in line and "--offline" in line
    assert http_server.requests == []


def test_whole_url_online_fetches_the_page(cli, http_server: LocalServer) -> None:
    http_server.add_file("/frost.html", SIDEBAR_STORY, content_type="text/html; charset=utf-8")
    result = cli("read", "--whole", http_server.url("/frost.html"), "--format", "text")
    assert result.returncode == 0, result.stderr
    assert STORY in result.stdout and BIO in result.stdout


def test_site_rule_applies_to_read(cli, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text(
        '[extract."knives.example"]\nbody = "div.post-body"\ndrop = [".deal"]\n', "utf-8"
    )
    page = tmp_path / "knives.html"
    page.write_text(
        RULES_PAGE.read_text("utf-8").replace(
            "</title>", '</title><link rel="canonical" href="https://www.knives.example/k">'
        ),
        "utf-8",
    )
    result = cli("read", str(page), "--format", "text")
    assert result.returncode == 0, result.stderr
    assert "Only two of the five locked open safely" in result.stdout
    assert "KNIVES30" not in result.stdout and "twenty years" not in result.stdout


def test_an_invalid_site_rule_is_one_line_on_stderr(cli, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text('[extract."broken.example"]\nbody = "div["\n', "utf-8")
    result = cli("read", str(SIDEBAR_STORY), "--format", "text")
    # The command still works; the rule is left out and said so, once, on one line.
    assert result.returncode == 0
    assert STORY in result.stdout or BIO in result.stdout
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("tui-reader: error: ")
    assert "broken.example" in line and "div[" in line and "line 2" in line
    assert not ANSI.search(line)


def test_a_body_that_matches_nothing_is_said_in_the_log(cli, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text(
        '[extract."notes.example.org"]\nbody = "div.no-such-thing"\n', "utf-8"
    )
    result = cli("read", str(SIDEBAR_STORY), "--format", "text")
    assert result.returncode == 0 and result.stderr == ""
    log = (tmp_path / "data" / "tui-reader.log").read_text("utf-8")
    assert "notes.example.org" in log and "div.no-such-thing" in log
    assert "matches nothing" in log
    # Without a rule there is nothing to log, and no log file is made.
    (config / "config.toml").unlink()
    (tmp_path / "data" / "tui-reader.log").unlink()
    assert cli("read", str(SIDEBAR_STORY)).returncode == 0
    assert not (tmp_path / "data" / "tui-reader.log").exists()


def test_read_url_keeps_the_page_of_a_stored_summary(cli, http_server: LocalServer) -> None:
    # The page fails while the feed is first fetched: only the feed's summary is stored.
    http_server.add_sequence(
        "/frost.html",
        [
            {"status": 404, "body": b"not yet"},
            {"body": SIDEBAR_STORY.read_bytes(),
             "headers": {"Content-Type": "text/html; charset=utf-8"}},
        ],
    )  # fmt: skip
    link = http_server.url("/frost.html")
    http_server.add("/feed.xml", feed_with(link), content_type="application/rss+xml")
    assert cli("add", http_server.url("/feed.xml")).returncode == 0
    before = cli("read", "--whole", "--offline", link)
    assert "its page is not in the store" in before.one_line_error()
    assert cli("read", link, "--format", "text").returncode == 0  # fetches the page
    after = cli("read", "--whole", "--offline", link, "--format", "text")
    assert after.returncode == 0, after.stderr
    assert STORY in after.stdout and BIO in after.stdout
