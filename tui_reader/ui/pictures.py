"""Drawing a stored picture in terminal cells: half blocks, the Kitty protocol or Sixel.

Three ways to draw, all at a size in cells chosen by :func:`fit`:

``cells``
    Unicode upper half blocks (``▀``): the foreground colour is the upper pixel, the
    background the lower one, so each cell shows two pixel rows. Works everywhere, tmux
    included. With a truecolor terminal the pixels keep their colours; with 256 colours they
    map to the xterm palette (its colour cube and grey ramp); with 16 colours they become four
    greys, because photos mapped to the eight hues a theme redefines read as noise while a grey
    picture still shows its shapes; with ``NO_COLOR`` no colour is sent at all and shade
    characters (``░▒▓█``) draw the picture's light and dark.
``kitty``
    The Kitty graphics protocol with Unicode placeholders: the picture is sent to the terminal
    once, and the text cells it covers hold ``U+10EEEE`` with combining marks naming row and
    column. The terminal draws the picture where those cells are, so it scrolls with the text
    like any other line of the pane.
``sixel``
    A DEC Sixel image (at most 255 colours), drawn over blank cells kept for it.

Everything here works on a :class:`PIL.Image.Image` and returns strings and
:class:`rich.text.Text`; the reader pane decides when and where to show them. Decoding and
scaling (:func:`load`, :func:`cells_lines`, :func:`kitty_image`, :func:`sixel_image`) are meant
for a worker thread.
"""

from __future__ import annotations

import base64
import io
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rich.color import Color, ColorSystem
from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    # Pillow is imported when a picture is first drawn, not when the app starts.
    from PIL import Image

Mode = Literal["kitty", "sixel", "cells", "off"]
Depth = Literal["truecolor", "256", "16", "none"]

CELL_PIXELS = (10, 20)
"""A terminal cell's size in pixels when the terminal does not say: about twice as tall as wide."""

MAX_PIXELS = 40_000_000
"""A stored picture is already downscaled; anything larger is refused rather than decoded."""

# Combining marks that number rows and columns of Kitty placeholders (the protocol's table,
# made of the marks of combining class 230 that take part in no canonical decomposition). Only
# the first 129 are used: later entries differ between Unicode versions, and a picture of more
# than 129 cells in either direction is never drawn (see KITTY_MAX_CELLS).
_DIACRITICS = (
    0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A, 0x034B,
    0x034C, 0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365, 0x0366, 0x0367,
    0x0368, 0x0369, 0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F, 0x0483, 0x0484, 0x0485,
    0x0486, 0x0487, 0x0592, 0x0593, 0x0594, 0x0595, 0x0597, 0x0598, 0x0599, 0x059C, 0x059D,
    0x059E, 0x059F, 0x05A0, 0x05A1, 0x05A8, 0x05A9, 0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610,
    0x0611, 0x0612, 0x0613, 0x0614, 0x0615, 0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065A,
    0x065B, 0x065D, 0x065E, 0x06D6, 0x06D7, 0x06D8, 0x06D9, 0x06DA, 0x06DB, 0x06DC, 0x06DF,
    0x06E0, 0x06E1, 0x06E2, 0x06E4, 0x06E7, 0x06E8, 0x06EB, 0x06EC, 0x0730, 0x0732, 0x0733,
    0x0735, 0x0736, 0x073A, 0x073D, 0x073F, 0x0740, 0x0741, 0x0743, 0x0745, 0x0747, 0x0749,
    0x074A, 0x07EB, 0x07EC, 0x07ED, 0x07EE, 0x07EF, 0x07F0, 0x07F1, 0x07F3, 0x0816, 0x0817,
    0x0818, 0x0819, 0x081B, 0x081C, 0x081D, 0x081E, 0x081F, 0x0820, 0x0821, 0x0822, 0x0823,
    0x0825, 0x0826, 0x0827, 0x0829, 0x082A, 0x082B, 0x082C, 0x082D,
)  # fmt: skip
KITTY_MAX_CELLS = len(_DIACRITICS)
KITTY_PLACEHOLDER = "\U0010eeee"


class PictureError(Exception):
    """A stored picture that cannot be drawn (unreadable, not an image, too large)."""


# --- what the terminal can do --------------------------------------------------------


def color_depth(console_system: str | None, environ: Mapping[str, str] | None = None) -> Depth:
    """The colours pictures may use, from Rich's colour system and ``NO_COLOR``."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return "none"
    if console_system == "truecolor":
        return "truecolor"
    if console_system == "256":
        return "256"
    if console_system in ("standard", "windows"):
        return "16"
    return "none"


def choose_mode(
    setting: str,
    *,
    kitty: bool,
    sixel: bool,
    environ: Mapping[str, str] | None = None,
) -> Mode:
    """The drawing mode for ``[reader] images`` given what the terminal answered.

    ``kitty``/``sixel`` say whether the terminal answered the protocol's query. ``auto``
    uses a protocol only when it did, and never inside tmux (which drops the protocols unless
    it is told to pass them through): there it draws cells. A mode named in the config is
    used as asked, except that a protocol nobody answered for falls back to cells.
    """
    env = os.environ if environ is None else environ
    if setting == "off":
        return "off"
    if setting == "cells":
        return "cells"
    if env.get("NO_COLOR"):
        # Kitty placeholders name their picture by colour: with no colour sent, none.
        kitty = False
    if setting == "kitty":
        return "kitty" if kitty else "cells"
    if setting == "sixel":
        return "sixel" if sixel else "cells"
    if env.get("TMUX"):
        return "cells"
    if kitty:
        return "kitty"
    if sixel:
        return "sixel"
    return "cells"


# --- size --------------------------------------------------------------------------------


def fit(
    width: int,
    height: int,
    max_columns: int,
    max_rows: int,
    cell: tuple[int, int] = CELL_PIXELS,
) -> tuple[int, int]:
    """``(columns, rows)`` of cells for a ``width`` x ``height`` picture.

    Never larger than the picture at one pixel per screen pixel, never wider than
    ``max_columns`` or taller than ``max_rows``, at least one cell; the aspect ratio is kept
    with the cell's own proportions (``cell`` = its width and height in pixels).
    """
    width, height = max(1, width), max(1, height)
    cell_w, cell_h = max(1, cell[0]), max(1, cell[1])
    max_columns, max_rows = max(1, max_columns), max(1, max_rows)
    columns = min(max_columns, max(1, math.ceil(width / cell_w)))
    rows = max(1, round(columns * (height / width) * (cell_w / cell_h)))
    if rows > max_rows:
        rows = max_rows
        columns = max(1, min(max_columns, round(rows * (cell_h / cell_w) * (width / height))))
    return columns, rows


# --- decoding ----------------------------------------------------------------------------


def load(path: Path) -> Image.Image:
    """The picture at ``path`` as RGB pixels, flattened onto black where it is transparent.

    Raises:
        PictureError: the file is missing, not an image, or has too many pixels.
    """
    from PIL import Image

    try:
        with Image.open(path) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise PictureError(f"too large ({opened.width}x{opened.height} pixels)")
            opened.seek(0)  # the first frame of an animation
            if opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info:
                rgba = opened.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (0, 0, 0))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                return flat
            return opened.convert("RGB")
    except PictureError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PictureError(f"cannot be drawn ({exc.__class__.__name__})") from exc


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    from PIL import Image

    if image.size == size:
        return image
    # Averaging (BOX) keeps thin lines of charts visible where other filters lose them,
    # and it is the fastest of Pillow's downscaling filters.
    return image.resize(size, Image.Resampling.BOX)


# --- cells -------------------------------------------------------------------------------

_GREYS_16 = (0, 8, 7, 15)  # black, bright black, white, bright white: dark to light
_SHADES = " ░▒▓█"
UPPER_HALF = "▀"


def _luma(pixel: tuple[int, int, int]) -> float:
    red, green, blue = pixel
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def _color(pixel: tuple[int, int, int], depth: Depth) -> Color:
    if depth == "truecolor":
        return Color.from_rgb(*pixel)
    if depth == "256":
        return Color.from_rgb(*pixel).downgrade(ColorSystem.EIGHT_BIT)
    level = min(len(_GREYS_16) - 1, int(_luma(pixel) * len(_GREYS_16)))
    return Color.from_ansi(_GREYS_16[level])


def cells_lines(image: Image.Image, columns: int, rows: int, depth: Depth) -> list[Text]:
    """``image`` drawn in ``columns`` x ``rows`` half-block cells, one ``Text`` per row."""
    scaled = _resized(image.convert("RGB"), (columns, rows * 2))
    pixels = scaled.load()
    assert pixels is not None
    lines: list[Text] = []
    styles: dict[tuple[object, object], Style] = {}
    for row in range(rows):
        line = Text(no_wrap=True, end="")
        for column in range(columns):
            top = pixels[column, row * 2]
            bottom = pixels[column, row * 2 + 1]
            assert isinstance(top, tuple) and isinstance(bottom, tuple)
            if depth == "none":
                level = (_luma(top) + _luma(bottom)) / 2  # type: ignore[arg-type]
                line.append(_SHADES[min(len(_SHADES) - 1, int(level * len(_SHADES)))])
                continue
            key = (top, bottom)
            style = styles.get(key)
            if style is None:
                style = Style(
                    color=_color(top, depth),  # type: ignore[arg-type]
                    bgcolor=_color(bottom, depth),  # type: ignore[arg-type]
                )
                styles[key] = style
            line.append(UPPER_HALF, style)
        lines.append(line)
    return lines


# --- kitty -------------------------------------------------------------------------------


def _apc(control: str, payload: str = "") -> str:
    return f"\x1b_G{control};{payload}\x1b\\" if payload else f"\x1b_G{control}\x1b\\"


def tmux_wrap(sequence: str) -> str:
    """``sequence`` wrapped for tmux to pass through (``allow-passthrough on``)."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def kitty_transmit(png: bytes, image_id: int, columns: int, rows: int) -> list[str]:
    """The escape sequences that send ``png`` as image ``image_id`` and place it virtually
    over ``columns`` x ``rows`` cells (drawn where placeholder cells name it).

    ``q=2`` keeps the terminal from answering: answers would arrive as keys.
    """
    data = base64.standard_b64encode(png).decode("ascii")
    chunks = [data[start : start + 4096] for start in range(0, len(data), 4096)] or [""]
    sequences: list[str] = []
    for index, chunk in enumerate(chunks):
        more = 1 if index < len(chunks) - 1 else 0
        if index == 0:
            control = f"a=t,f=100,t=d,i={image_id},q=2,m={more}"
        else:
            control = f"m={more},q=2"
        sequences.append(_apc(control, chunk))
    sequences.append(_apc(f"a=p,U=1,i={image_id},c={columns},r={rows},q=2"))
    return sequences


def kitty_delete(image_id: int) -> str:
    """Frees image ``image_id`` and its placements in the terminal."""
    return _apc(f"a=d,d=I,i={image_id},q=2")


KITTY_PALETTE_IDS = range(16, 256)
"""Image ids that a placeholder names with a 256-colour index (``38;5;N``) rather than an RGB
colour: what a session without truecolor (Kitty over ssh, where ``COLORTERM`` is seldom passed)
can still send unchanged. The first 16 are left out: themes remap those."""


def kitty_lines(image_id: int, columns: int, rows: int) -> list[Text]:
    """The placeholder cells of image ``image_id``: the foreground colour carries the id.

    An id in :data:`KITTY_PALETTE_IDS` is sent as a 256-colour index, any other as a 24-bit
    RGB colour (which a 256-colour session would round to the palette, naming another id).
    """
    if not 0 < image_id < 1 << 24:
        raise ValueError("a placeholder image id takes 24 bits")
    if columns > KITTY_MAX_CELLS or rows > KITTY_MAX_CELLS:
        raise ValueError(f"at most {KITTY_MAX_CELLS} cells each way")
    if image_id in KITTY_PALETTE_IDS:
        color = Color.from_ansi(image_id)
    else:
        color = Color.from_rgb((image_id >> 16) & 255, (image_id >> 8) & 255, image_id & 255)
    style = Style(color=color)
    lines: list[Text] = []
    for row in range(rows):
        mark = chr(_DIACRITICS[row])
        # Every cell names its row and column, so any part of a line redrawn on its own
        # still lands in the right place.
        cells = "".join(
            KITTY_PLACEHOLDER + mark + chr(_DIACRITICS[column]) for column in range(columns)
        )
        lines.append(Text(cells, style=style, no_wrap=True, end=""))
    return lines


def png_bytes(image: Image.Image, size: tuple[int, int]) -> bytes:
    """``image`` scaled to ``size`` pixels, as PNG."""
    buffer = io.BytesIO()
    _resized(image, size).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


# --- sixel -------------------------------------------------------------------------------


def sixel_image(image: Image.Image, size: tuple[int, int]) -> str:
    """``image`` scaled to ``size`` pixels as one Sixel sequence (DCS ``q`` … ST)."""
    from PIL import Image

    scaled = _resized(image.convert("RGB"), size)
    indexed = scaled.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    palette = indexed.getpalette() or []
    width, height = indexed.size
    data = indexed.tobytes()
    used = sorted(set(data))
    parts = ["\x1bP0;1;0q", f'"1;1;{width};{height}']
    for index in used:
        red, green, blue = palette[index * 3 : index * 3 + 3]
        # Sixel colours are percentages.
        parts.append(f"#{index};2;{red * 100 // 255};{green * 100 // 255};{blue * 100 // 255}")
    for band in range(0, height, 6):
        band_rows = [data[(band + dy) * width : (band + dy + 1) * width]
                     for dy in range(min(6, height - band))]  # fmt: skip
        first = True
        for index in used:
            bits = bytearray(width)
            present = False
            for dy, row in enumerate(band_rows):
                for x in range(width):
                    if row[x] == index:
                        bits[x] |= 1 << dy
                        present = True
            if not present:
                continue
            if not first:
                parts.append("$")  # back to the band's start for the next colour
            first = False
            parts.append(f"#{index}")
            parts.append(_sixel_runs(bits))
        parts.append("-")
    parts.append("\x1b\\")
    return "".join(parts)


def _sixel_runs(bits: bytearray) -> str:
    """One colour's row of sixels, runs of four or more repeated with ``!n``."""
    out: list[str] = []
    start = 0
    while start < len(bits):
        end = start
        while end < len(bits) and bits[end] == bits[start]:
            end += 1
        char = chr(63 + bits[start])
        count = end - start
        out.append(f"!{count}{char}" if count >= 4 else char * count)
        start = end
    return "".join(out)


# --- one picture, ready to draw ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drawn:
    """A picture laid out for one width: the lines that stand in the text, and for the
    protocols the escape sequences the terminal needs before those lines show it."""

    lines: list[Text]
    columns: int
    rows: int
    mode: Mode
    setup: tuple[str, ...] = ()
    """Kitty: the transmission, sent once. Sixel: the image, drawn over the blank ``lines``."""
    image_id: int = 0


def draw(
    image: Image.Image,
    mode: Mode,
    max_columns: int,
    max_rows: int,
    *,
    depth: Depth = "truecolor",
    image_id: int = 0,
    cell: tuple[int, int] = CELL_PIXELS,
) -> Drawn:
    """``image`` drawn in ``mode`` at most ``max_columns`` x ``max_rows`` cells."""
    if mode == "kitty":
        max_columns = min(max_columns, KITTY_MAX_CELLS)
        max_rows = min(max_rows, KITTY_MAX_CELLS)
    columns, rows = fit(image.width, image.height, max_columns, max_rows, cell)
    return draw_at(image, mode, columns, rows, depth=depth, image_id=image_id, cell=cell)


def draw_at(
    image: Image.Image,
    mode: Mode,
    columns: int,
    rows: int,
    *,
    depth: Depth = "truecolor",
    image_id: int = 0,
    cell: tuple[int, int] = CELL_PIXELS,
) -> Drawn:
    """``image`` drawn in ``mode`` over exactly ``columns`` x ``rows`` cells."""
    pixels = (columns * cell[0], rows * cell[1])
    if mode == "kitty":
        png = png_bytes(image, pixels)
        return Drawn(
            kitty_lines(image_id, columns, rows),
            columns,
            rows,
            mode,
            tuple(kitty_transmit(png, image_id, columns, rows)),
            image_id,
        )
    if mode == "sixel":
        blank = [Text(" " * columns, no_wrap=True, end="") for _ in range(rows)]
        return Drawn(blank, columns, rows, mode, (sixel_image(image, pixels),))
    return Drawn(cells_lines(image, columns, rows, depth), columns, rows, "cells")
