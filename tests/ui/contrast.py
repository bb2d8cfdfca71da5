"""Measure the WCAG contrast of every text cell the app has drawn.

The cells come from the screen's compositor (what would be written to the terminal), after
Textual's own line filters (``NO_COLOR`` turns colours to grey there). What the terminal then
does to a cell is modelled here:

* ``reverse`` swaps foreground and background;
* ``dim`` is drawn half-way between foreground and background (what terminals do with SGR 2);
* on a 16-colour terminal each colour becomes the nearest of the 16 standard colours, the way
  Rich downgrades it when writing, shown with Rich's standard palette.

Box-drawing lines, block elements (scrollbars) and blank cells carry no text and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color, ColorSystem, ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from textual.app import App

# What a terminal shows for "default" colours, when a cell has none (rare in Textual).
DEFAULT_FG = ColorTriplet(229, 229, 229)
DEFAULT_BG = ColorTriplet(0, 0, 0)

# Rich's standard palette: the colours a 16-colour downgrade matches against.
STANDARD_RGB = [
    (0, 0, 0), (170, 0, 0), (0, 170, 0), (170, 85, 0), (0, 0, 170), (170, 0, 170),
    (0, 170, 170), (170, 170, 170), (85, 85, 85), (255, 85, 85), (85, 255, 85),
    (255, 255, 85), (85, 85, 255), (255, 85, 255), (85, 255, 255), (255, 255, 255),
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cell:
    """One drawn text cell and its contrast."""

    x: int
    y: int
    char: str
    fg: tuple[int, int, int]
    bg: tuple[int, int, int]
    ratio: float
    line: str

    def describe(self) -> str:
        return (
            f"({self.x},{self.y}) {self.char!r} fg=#{bytes(self.fg).hex()} "
            f"bg=#{bytes(self.bg).hex()} {self.ratio:.2f}:1 in {self.line.strip()[:60]!r}"
        )


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """The WCAG 2 contrast ratio, 1..21."""
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(color: Color | None, default: ColorTriplet, system: ColorSystem) -> tuple[int, int, int]:
    if color is None or color.type == ColorType.DEFAULT:
        return tuple(default)  # type: ignore[return-value]
    if system == ColorSystem.STANDARD:
        downgraded = color.downgrade(ColorSystem.STANDARD)
        if downgraded.number is not None and downgraded.type == ColorType.STANDARD:
            return STANDARD_RGB[downgraded.number]
    return tuple(color.get_truecolor())  # type: ignore[return-value]


def _is_text(char: str) -> bool:
    if not char.strip():
        return False
    code = ord(char)
    # Box drawing and block elements (borders, scrollbars) are lines, not text; emoji are
    # drawn in their own colours, whatever the cell's foreground.
    return not (0x2500 <= code <= 0x259F or 0x1F300 <= code <= 0x1FAFF)


def cells(app: App[object], system: ColorSystem = ColorSystem.TRUECOLOR) -> list[Cell]:
    """Every text cell on the app's screen with its resolved colours and contrast."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    found: list[Cell] = []
    for y, line in enumerate(update.strips):  # type: ignore[attr-defined]
        segments: list[Segment] = [seg for strip in line for seg in strip if not seg.control]
        plain = "".join(seg.text for seg in segments)
        x = 0
        for segment in segments:
            style = segment.style
            fg = _rgb(style.color if style else None, DEFAULT_FG, system)
            bg = _rgb(style.bgcolor if style else None, DEFAULT_BG, system)
            if style is not None and style.reverse:
                fg, bg = bg, fg
            if style is not None and style.dim:
                fg = (
                    (fg[0] + bg[0]) // 2,
                    (fg[1] + bg[1]) // 2,
                    (fg[2] + bg[2]) // 2,
                )
            ratio = contrast(fg, bg)
            for char in segment.text:
                if _is_text(char):
                    found.append(Cell(x, y, char, fg, bg, ratio, plain))
                x += 1
    return found


def low_contrast(app: App[object], minimum: float, system: ColorSystem) -> list[Cell]:
    """The text cells below ``minimum``: one per run of equal colours on a line."""
    worst: dict[tuple[int, tuple[int, int, int], tuple[int, int, int]], Cell] = {}
    for cell in cells(app, system):
        if cell.ratio < minimum:
            worst.setdefault((cell.y, cell.fg, cell.bg), cell)
    return list(worst.values())
