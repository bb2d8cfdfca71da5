"""Drawing pictures in cells, with the Kitty protocol and with Sixel (ui/pictures.py)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from PIL import Image
from rich.color import ColorType
from rich.text import Text

from tui_reader.core.config import load_config
from tui_reader.core.errors import ConfigError
from tui_reader.ui import pictures

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 200, 0), (0, 0, 255), (255, 255, 255)


def quadrants() -> Image.Image:
    """40x40: red, green on top; blue, white below."""
    image = Image.new("RGB", (40, 40))
    image.paste(RED, (0, 0, 20, 20))
    image.paste(GREEN, (20, 0, 40, 20))
    image.paste(BLUE, (0, 20, 20, 40))
    image.paste(WHITE, (20, 20, 40, 40))
    return image


def cell_colors(line: Text) -> list[tuple[tuple[int, int, int], tuple[int, int, int]]]:
    found = []
    for span in line.spans:
        style = span.style
        assert not isinstance(style, str)
        assert style.color is not None and style.bgcolor is not None
        top = style.color.get_truecolor()
        bottom = style.bgcolor.get_truecolor()
        found.extend([(tuple(top), tuple(bottom))] * (span.end - span.start))
    return found  # type: ignore[return-value]


def test_cells_match_the_pixels_in_truecolor() -> None:
    drawn = pictures.draw(quadrants(), "cells", 80, 40, depth="truecolor")
    # 40 px at 10 px a cell: 4 columns; square pixels in 1:2 cells: 2 rows of 2 pixel rows.
    assert (drawn.columns, drawn.rows) == (4, 2)
    assert [line.plain for line in drawn.lines] == ["▀▀▀▀", "▀▀▀▀"]
    top, bottom = cell_colors(drawn.lines[0]), cell_colors(drawn.lines[1])
    assert top == [(RED, RED), (RED, RED), (GREEN, GREEN), (GREEN, GREEN)]
    assert bottom == [(BLUE, BLUE), (BLUE, BLUE), (WHITE, WHITE), (WHITE, WHITE)]


def test_each_cell_holds_two_pixel_rows() -> None:
    image = Image.new("RGB", (10, 2))
    image.paste(RED, (0, 0, 10, 1))
    image.paste(BLUE, (0, 1, 10, 2))
    drawn = pictures.draw(image, "cells", 80, 40)
    assert (drawn.columns, drawn.rows) == (1, 1)
    assert cell_colors(drawn.lines[0]) == [(RED, BLUE)]


@pytest.mark.parametrize("depth", ["256", "16"])
def test_fewer_colours_use_no_truecolor(depth: pictures.Depth) -> None:
    drawn = pictures.draw(quadrants(), "cells", 80, 40, depth=depth)
    types = set()
    for line in drawn.lines:
        for span in line.spans:
            assert not isinstance(span.style, str)
            for color in (span.style.color, span.style.bgcolor):
                assert color is not None
                types.add(color.type)
                if depth == "16":
                    assert color.number in (0, 8, 7, 15)  # greys only
    assert ColorType.TRUECOLOR not in types


def test_sixteen_colours_are_greys_by_lightness() -> None:
    image = Image.new("RGB", (10, 2))
    image.paste((0, 0, 0), (0, 0, 10, 1))
    image.paste(WHITE, (0, 1, 10, 2))
    style = pictures.draw(image, "cells", 80, 40, depth="16").lines[0].spans[0].style
    assert not isinstance(style, str)
    assert style.color is not None and style.bgcolor is not None
    assert (style.color.number, style.bgcolor.number) == (0, 15)


def test_no_color_sends_no_colour_at_all() -> None:
    drawn = pictures.draw(quadrants(), "cells", 80, 40, depth="none")
    assert all(not line.spans and not line.style for line in drawn.lines)
    # White is the lightest shade, the darker colours lighter ones.
    assert drawn.lines[1].plain[-1] == "█"
    assert drawn.lines[0].plain[0] != "█"


def test_color_depth_follows_the_terminal_and_no_color() -> None:
    assert pictures.color_depth("truecolor", {}) == "truecolor"
    assert pictures.color_depth("256", {}) == "256"
    assert pictures.color_depth("standard", {}) == "16"
    assert pictures.color_depth("truecolor", {"NO_COLOR": "1"}) == "none"


@pytest.mark.parametrize(
    ("size", "limits", "expected"),
    [
        ((1, 1), (80, 20), (1, 1)),  # a 1x1 picture is one cell
        ((10, 4000), (80, 20), (1, 20)),  # very tall: capped at the height, at least a column
        ((4000, 10), (80, 20), (80, 1)),  # very wide: the width, at least a row
        ((2000, 1000), (80, 10), (40, 10)),  # the height limits, the aspect is kept
        ((2000, 1000), (60, 20), (60, 15)),  # the width limits, the aspect is kept
        ((200, 100), (80, 20), (20, 5)),  # never larger than the picture itself
    ],
)
def test_fit_bounds(
    size: tuple[int, int], limits: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert pictures.fit(*size, *limits) == expected


@pytest.mark.parametrize("size", [(1, 1), (10, 4000), (3000, 2000)])
def test_drawn_lines_fit_the_limits(size: tuple[int, int]) -> None:
    image = Image.new("RGB", size, GREEN)
    drawn = pictures.draw(image, "cells", 30, 12)
    assert 1 <= drawn.rows <= 12 and len(drawn.lines) == drawn.rows
    assert all(1 <= line.cell_len <= 30 for line in drawn.lines)


def test_kitty_sends_the_picture_and_a_virtual_placement() -> None:
    drawn = pictures.draw(quadrants(), "kitty", 80, 40, image_id=0x123456)
    assert drawn.mode == "kitty" and drawn.image_id == 0x123456
    apc = re.compile(
        r"\x1b_G([a-zA-Z]=[^,;\x1b]+(?:,[a-zA-Z]=[^,;\x1b]+)*)(?:;([A-Za-z0-9+/=]*))?\x1b\\"
    )
    payload = ""
    for sequence in drawn.setup:
        match = apc.fullmatch(sequence)
        assert match, repr(sequence[:60])
        payload += match.group(2) or ""
    first = dict(pair.split("=") for pair in apc.fullmatch(drawn.setup[0]).group(1).split(","))  # type: ignore[union-attr]
    assert first["a"] == "t" and first["f"] == "100" and first["i"] == str(0x123456)
    assert first["q"] == "2"  # no answers that would arrive as key presses
    assert base64.b64decode(payload).startswith(b"\x89PNG")
    assert drawn.setup[-1] == "\x1b_Ga=p,U=1,i=1193046,c=4,r=2,q=2\x1b\\"
    # The placeholder cells: U+10EEEE plus row and column marks, the id in the colour.
    assert len(drawn.lines) == 2
    for line in drawn.lines:
        assert line.cell_len == 4
        assert line.plain.count(pictures.KITTY_PLACEHOLDER) == 4
        color = line.style.color  # type: ignore[union-attr]
        assert color is not None and tuple(color.get_truecolor()) == (0x12, 0x34, 0x56)
    assert drawn.lines[0].plain[1] == "\u0305" and drawn.lines[1].plain[1] == "\u030d"


def test_kitty_chunks_large_pictures() -> None:
    noise = Image.effect_noise((400, 400), 80).convert("RGB")
    sequences = pictures.kitty_transmit(
        pictures.png_bytes(noise, (400, 400)), image_id=9, columns=40, rows=20
    )
    assert len(sequences) > 3
    assert all(len(s) < 4200 for s in sequences)
    assert "m=1" in sequences[0] and "m=0" in sequences[-2]
    assert all(s.startswith("\x1b_Gm=") for s in sequences[1:-1])


def test_tmux_passthrough_doubles_the_escapes() -> None:
    wrapped = pictures.tmux_wrap("\x1b_Ga=d\x1b\\")
    assert wrapped == "\x1bPtmux;\x1b\x1b_Ga=d\x1b\x1b\\\x1b\\"


def test_sixel_is_well_formed() -> None:
    drawn = pictures.draw(quadrants(), "sixel", 80, 40)
    assert drawn.mode == "sixel" and len(drawn.setup) == 1
    data = drawn.setup[0]
    assert data.startswith('\x1bP0;1;0q"1;1;40;40') and data.endswith("\x1b\\")
    body = data[len("\x1bP0;1;0q") : -2]
    assert not re.search(r"[\x00-\x1f\x7f]", body)  # nothing but sixel characters inside
    colors = re.findall(r"#(\d+);2;(\d+);(\d+);(\d+)", body)
    assert {(r, g, b) for _, r, g, b in colors} >= {("100", "0", "0"), ("100", "100", "100")}
    # 40 pixel rows are 7 bands of six (the last one partly used).
    assert body.count("-") == 7
    # The blank cells kept for it are all spaces: nothing else is drawn there.
    assert [line.plain for line in drawn.lines] == ["    ", "    "]


def test_escapes_only_in_their_modes() -> None:
    cells = pictures.draw(quadrants(), "cells", 80, 40)
    assert cells.setup == ()
    assert all("\x1b" not in line.plain for line in cells.lines)
    kitty = pictures.draw(quadrants(), "kitty", 80, 40, image_id=5)
    assert all(pictures.KITTY_PLACEHOLDER not in line.plain for line in cells.lines)
    assert all("\x1bP" not in s for s in kitty.setup)
    sixel = pictures.draw(quadrants(), "sixel", 80, 40)
    assert all("\x1b_G" not in s for s in sixel.setup)


def test_load_flattens_transparency_and_refuses_non_images(tmp_path: Path) -> None:
    clear = tmp_path / "clear.png"
    Image.new("RGBA", (4, 4), (255, 0, 0, 0)).save(clear)
    assert pictures.load(clear).getpixel((0, 0)) == (0, 0, 0)
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"<html>not a picture</html>")
    with pytest.raises(pictures.PictureError):
        pictures.load(fake)
    with pytest.raises(pictures.PictureError):
        pictures.load(tmp_path / "missing.png")


def test_auto_uses_a_protocol_only_when_answered_and_not_in_tmux() -> None:
    choose = pictures.choose_mode
    assert choose("auto", kitty=False, sixel=False, environ={}) == "cells"
    assert choose("auto", kitty=True, sixel=True, environ={}) == "kitty"
    assert choose("auto", kitty=False, sixel=True, environ={}) == "sixel"
    assert choose("auto", kitty=True, sixel=False, environ={"TMUX": "/tmp/t,1,0"}) == "cells"
    assert choose("kitty", kitty=False, sixel=False, environ={}) == "cells"
    assert choose("kitty", kitty=True, sixel=False, environ={"TMUX": "x"}) == "kitty"
    assert choose("off", kitty=True, sixel=True, environ={}) == "off"


def test_config_images_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert load_config(path).images == "auto"
    path.write_text('[reader]\nimages = "cells"\n')
    assert load_config(path).images == "cells"
    path.write_text('[reader]\nmark_read_on_open = true\nimages = "ascii"\n')
    with pytest.raises(ConfigError, match=r"line 3: reader.images: must be one of .*'ascii'"):
        load_config(path)


def test_kitty_ids_of_a_256_colour_session_are_palette_indexes() -> None:
    from rich.console import Console

    # A 24-bit id as RGB: a 256-colour terminal would be sent a rounded colour (another id).
    wide = pictures.kitty_lines(0x123456, 2, 1)[0]
    assert wide.style.color.triplet == (0x12, 0x34, 0x56)  # type: ignore[union-attr]
    for image_id in (16, 200, 255):
        line = pictures.kitty_lines(image_id, 2, 1)[0]
        console = Console(color_system="256", force_terminal=True, width=20)
        with console.capture() as captured:
            console.print(line)
        assert f"\x1b[38;5;{image_id}m" in captured.get()


def test_no_color_never_picks_kitty() -> None:
    choose = pictures.choose_mode
    no_color = {"NO_COLOR": "1"}
    assert choose("auto", kitty=True, sixel=False, environ=no_color) == "cells"
    assert choose("kitty", kitty=True, sixel=False, environ=no_color) == "cells"
    assert choose("auto", kitty=True, sixel=True, environ=no_color) == "sixel"
    assert choose("auto", kitty=True, sixel=False, environ={}) == "kitty"
