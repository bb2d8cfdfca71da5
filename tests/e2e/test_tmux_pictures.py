"""End to end: an article's pictures in a real terminal (tmux), offline, drawn in cells.

A local HTTP server serves a feed whose item links to a page of paragraphs and figures (a PNG
and a JPEG made with Pillow, each with a caption, and a third figure whose picture the server
does not have). The CLI fetches the feed, which stores the page and its pictures; the server
goes away, and the app shows the article at 120x40: half-block cells in colour between the
paragraphs, the caption under each picture, the missing one as its alt text, and ``i`` hides
the pictures.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests import picturemaker
from tests.e2e import test_tmux
from tests.httpserver import LocalServer
from tests.integration.site import Item, rss

pytestmark = pytest.mark.tmux

terminal = test_tmux.terminal  # the fixture: tmux sessions of our own, killed afterwards

UPPER_HALF = "▀"
# A half block with both its colours set: 256-colour or truecolor, foreground then background.
_COLOURED_CELL = re.compile(r"\x1b\[38;(?:5;\d+|2;\d+;\d+;\d+)m\x1b\[48;(?:5;\d+|2;\d+;\d+;\d+)m▀")


def story_site(server: LocalServer) -> str:
    """The feed's URL; its one article has two pictures and a figure whose picture is gone."""
    server.add(
        "/pics/salt.png", picturemaker.png(400, 240, (200, 30, 30)), content_type="image/png"
    )
    server.add("/pics/dyke.jpg", picturemaker.jpeg(400, 240), content_type="image/jpeg")
    page = picturemaker.story_page(
        "Salt pans at dawn",
        [
            (server.url("/pics/salt.png"), "A red salt heap"),
            (server.url("/pics/dyke.jpg"), "The dyke in blue"),
            (server.url("/pics/gone.png"), "A lost photo of the harbour"),
        ],
    )
    server.add("/story.html", page, content_type="text/html; charset=utf-8")
    item = Item(guid="salt-1", title="Salt pans at dawn", link=server.url("/story.html"))
    server.add("/feed.xml", rss("Coast news", [item]), content_type="application/rss+xml")
    return server.url("/feed.xml")


def fetch_story(tmp_path: Path, script: str) -> Path:
    data = tmp_path / "data"
    env = {
        **os.environ,
        "TUI_READER_DATA_DIR": str(data),
        "TUI_READER_CONFIG_DIR": str(tmp_path / "config"),
        "TUI_READER_LOG_DIR": str(tmp_path / "log"),
    }
    with LocalServer() as server:
        feed = story_site(server)
        for command in (["add", feed], ["fetch"]):
            done = subprocess.run(
                [script, *command], env=env, capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, done.stderr
    return data


def plain(line: str) -> str:
    return re.sub(r"\x1b\[[0-9;:]*[A-Za-z]", "", line)


def open_story(term: test_tmux.Tmux) -> None:
    term.wait_for(lambda s: "Salt pans at dawn" in s, "the article list")
    term.keys("/")
    term.wait_for(lambda s: "Search articles" in s, "the search dialog")
    term.type("salt")
    term.keys("Enter")
    term.wait_for(lambda s: "search: salt" in s, "the search results")
    term.keys("Enter")
    term.wait_for(lambda s: "Space Page" in s, "the reader")
    term.keys("g")


def screen_with_escapes(term: test_tmux.Tmux) -> list[str]:
    return term.tmux("capture-pane", "-p", "-e", "-t", term.session).splitlines()


def read_down(term: test_tmux.Tmux, until: str) -> list[list[str]]:
    """Each screen (lines with colours) from the top of the article down to ``until``."""
    screens: list[list[str]] = []
    for _ in range(12):
        screen = screen_with_escapes(term)
        screens.append(screen)
        if any(until in plain(line) for line in screen):
            return screens
        term.keys("Space")
        term.wait_for(lambda s, before=screen: s.splitlines() != [plain(x) for x in before],
                      "the next page")  # fmt: skip
    raise AssertionError(f"{until!r} never came into view")


def wait_for_cells(term: test_tmux.Tmux) -> None:
    term.wait_for(lambda s: UPPER_HALF in s, "the first picture drawn in cells")


def test_pictures_drawn_in_cells_between_paragraphs_offline(tmp_path: Path, terminal) -> None:
    script = test_tmux.console_script()
    data = fetch_story(tmp_path, script)

    term = terminal()
    term.env["TUI_READER_DATA_DIR"] = str(data)
    term.start([script, "--offline"])
    open_story(term)
    wait_for_cells(term)
    screens = read_down(term, "Paragraph 2.")

    def find(screen: list[str], needle: str) -> int:
        return next((n for n, line in enumerate(screen) if needle in plain(line)), -1)

    # Each picture: coloured half blocks after the paragraph before it, its caption right
    # below, then the next paragraph; the two pictures in their own colours.
    colours: list[set[str]] = []
    for number, before in ((0, "min read"), (1, "Paragraph 0.")):
        screen = next(
            s for s in screens if find(s, before) >= 0 and find(s, f"Caption {number}") > 0
        )
        above, caption = find(screen, before), find(screen, f"Caption {number}")
        drawn = [n for n in range(above, caption) if _COLOURED_CELL.search(screen[n])]
        assert len(drawn) >= 4, f"picture {number} is not drawn before its caption"
        assert drawn[-1] == caption - 1, "the caption is not right below its picture"
        assert find(screen, f"Paragraph {number}.") in (-1, *range(caption + 1, len(screen)))
        colours.append({m for n in drawn for m in _COLOURED_CELL.findall(screen[n])})
    assert colours[0].isdisjoint(colours[1]), "both pictures drawn in the same colours"
    text = [plain(line) for screen in screens for line in screen]
    for alt in ("A red salt heap", "The dyke in blue"):
        assert not any(f"[image: {alt}]" in line for line in text), "a stored picture is missing"

    # The figure the server did not have: its alt text and caption, no cells around them.
    last = screens[-1]
    lost = find(last, "[image: A lost photo of the harbour]")
    assert lost > 0 and find(last, "Caption 2") >= lost
    assert not any(UPPER_HALF in plain(line) for line in last[lost - 1 : lost + 3])
    assert find(last, "Paragraph 2.") > lost
    assert all(len(line) <= 120 for line in text), "a line overflows the terminal"

    # i hides the pictures for the session: the alt texts come back, no cells anywhere.
    term.keys("g", "i")
    hidden = term.wait_for(lambda s: UPPER_HALF not in s and "[image: A red salt heap]" in s,
                           "the pictures hidden")  # fmt: skip
    assert "Caption 0" in hidden
    term.keys("i")
    wait_for_cells(term)
    term.keys("q")
    term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")


@pytest.mark.parametrize(
    "extra",
    [{"TEXTUAL_COLOR_SYSTEM": "standard", "TERM": "xterm-16color"}, {"NO_COLOR": "1"}],
    ids=["16-colours", "no-color"],
)
def test_pictures_with_few_colours_read_as_greys(tmp_path: Path, terminal, extra) -> None:
    script = test_tmux.console_script()
    data = fetch_story(tmp_path, script)

    term = terminal()
    term.env["TUI_READER_DATA_DIR"] = str(data)
    term.env.update(extra)
    term.start([script, "--offline"])
    open_story(term)
    if "NO_COLOR" in extra:
        # No colour at all: the picture's light and dark in shade characters.
        screen = term.wait_for(lambda s: any(c in s for c in "░▒▓█"), "the picture in shades")
        assert UPPER_HALF not in screen
    else:
        wait_for_cells(term)
        lines = screen_with_escapes(term)
        cells = [line for line in lines if UPPER_HALF in line]
        colours = {int(c) for line in cells for c in re.findall(r"\x1b\[(?:[0-9;]*;)?(\d+)m", line)}
        # Only the four greys of the 16-colour palette (30/37/90/97 and their backgrounds),
        # never a hue a theme may redefine.
        hues = colours & ({31, 32, 33, 34, 35, 36, 41, 42, 43, 44, 45, 46}
                          | set(range(91, 97)) | set(range(101, 107)))  # fmt: skip
        assert cells and not hues, colours
    assert "Caption 0" in term.screen()
    term.keys("q")
    term.wait_for(lambda s: "EXIT-STATUS=0" in s, "the app to quit")
