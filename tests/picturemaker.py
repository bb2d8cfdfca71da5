"""Pictures generated with Pillow for the picture tests (and hostile ones made by hand)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png(width: int = 64, height: int = 48, color: tuple[int, ...] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if len(color) == 4 else "RGB"
    Image.new(mode, (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48, *, mode: str = "RGB", quality: int = 90) -> bytes:
    out = io.BytesIO()
    color: tuple[int, ...] = (0, 255, 255, 0) if mode == "CMYK" else (30, 120, 200)
    image = Image.new(mode, (width, height), color)
    # Some texture, so that a truncated file really misses pixel data.
    for x in range(0, width, 4):
        image.putpixel((x, x % height), color[::-1][: len(color)])
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def gif(width: int = 32, height: int = 32, frames: int = 3) -> bytes:
    out = io.BytesIO()
    images = [Image.new("P", (width, height), n % 256) for n in range(frames)]
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=10, loop=0)
    return out.getvalue()


def webp(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 10)).save(out, "WEBP")
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` (a decompression bomb's head).

    Its one data chunk holds a few compressed rows: the file is a few hundred bytes.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * min(width, 1000)) * 4)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def many_frame_gif(frames: int = 10_000, size: int = 64) -> bytes:
    """An animated GIF of ``frames`` frames, written frame by frame (fast, small)."""
    first = io.BytesIO()
    Image.new("P", (size, size), 1).save(first, "GIF")
    data = first.getvalue()
    # Header + logical screen + global palette of the single-frame file, then its frame
    # (image descriptor onward) repeated, each behind a graphic control extension.
    palette_size = 3 * (2 ** ((data[10] & 0x07) + 1)) if data[10] & 0x80 else 0
    head = data[: 13 + palette_size]
    frame = data[13 + palette_size : -1]  # without the trailer
    while frame.startswith(b"!"):  # drop extensions Pillow wrote, keep the image
        length = 2
        while frame[length + 1] != 0:
            length += frame[length + 1] + 1
        frame = frame[length + 2 :]
    control = b"!\xf9\x04\x00\x01\x00\x00\x00"
    loop = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    return head + loop + (control + frame) * frames + b";"


PARAGRAPH = (
    "The tide came in slowly over the salt pans that morning, and the workers waited on the "
    "dykes with their long rakes, talking about the price of grey salt and the summer ahead. "
)


def story_page(title: str, figures: list[tuple[str, str]], *, lead: str | None = None) -> bytes:
    """An article page with enough text to be kept, and a figure after each paragraph."""
    meta = f'<meta property="og:image" content="{lead}">' if lead else ""
    parts = [f"<h1>{title}</h1>", f"<p>{PARAGRAPH * 3}</p>"]
    for n, (src, alt) in enumerate(figures):
        parts.append(
            f'<figure><img src="{src}" alt="{alt}"><figcaption>Caption {n}</figcaption></figure>'
        )
        parts.append(f"<p>Paragraph {n}. {PARAGRAPH}</p>")
    body = "".join(parts)
    return (
        f"<!doctype html><html><head><title>{title}</title>{meta}</head>"
        f"<body><article>{body}</article></body></html>"
    ).encode()
