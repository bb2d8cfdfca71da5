"""Pictures kept for offline reading: which an article has, fetching, checking and storing them.

An article's pictures are its lead image and the ``src`` of its figures, in that order, each
once. Only http(s) sources are fetched; any other (``data:``, ``javascript:``, ``file:``) is
refused, and the reader shows the figure's alt text. Fetching goes through the same
:class:`~tui_reader.core.fetch.Fetcher` as pages, with its own byte cap and a deadline of its
own (a picture that trickles in a byte a second must end).

What the web sends is not trusted to be what it says. The bytes must *be* PNG, JPEG, GIF or
WebP by their signature, whatever the Content-Type header claims; SVG is refused (it can carry
scripts and external references). The pixel count the header declares is checked before
anything is decoded, so a few hundred bytes declaring 40000x40000 pixels cost nothing; Pillow's
own guard is set too. Only the first frame of an animation is read; palette, CMYK and grey
images are converted to RGB (RGBA where there is transparency); a truncated file is refused.

What is kept is downscaled to what a reader can show (:data:`MAX_WIDTH` x :data:`MAX_HEIGHT`)
and written once, named by the SHA-256 of the stored bytes, as
``<data dir>/pictures/ab/abcdef....png`` (or ``.jpg``). The ``article_pictures`` table links
each (article, src) to its file or to the one-line reason there is none
(:mod:`tui_reader.core.storage.pictures`). Deleting articles deletes their rows;
:func:`sweep_files` then removes the files no row names, and :func:`prune_cache` keeps the
total under the configured size by removing the oldest pictures first.

Decoding and scaling run in a small thread pool: Pillow releases the interpreter while it
decodes and resamples, and a picture's bytes need not be copied into another process
(``bench/images.py`` compares both).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_reader.core.errors import FetchError, StorageError, TuiReaderError
from tui_reader.core.models import Article, StoredPicture
from tui_reader.core.sanitize import clean_line, safe_url
from tui_reader.core.storage.pictures import (
    PictureWrite,
    forget_pictures,
    picture_rows,
    record_pictures,
    referenced_hashes,
    stored_pictures,
    stored_sources,
)

if TYPE_CHECKING:
    from tui_reader.core.config import Config
    from tui_reader.core.fetch import Fetcher
    from tui_reader.core.storage import Store

log = logging.getLogger(__name__)

IMAGE_ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.9, */*;q=0.1"
MAX_PIXELS = 40_000_000
"""The largest pixel count a picture may declare (a 7000x5700 photo); decoding anything
larger would take hundreds of megabytes for one picture."""
MAX_WIDTH = 1600
"""Pictures wider than this are scaled down: no terminal shows more, even with the Kitty
protocol at a small font."""
MAX_HEIGHT = 4800
"""... and taller than this (a long infographic keeps a readable width)."""
JPEG_QUALITY = 85
DIRNAME = "pictures"
PRUNED = "removed to keep the picture cache under its size limit"

# Formats by their first bytes: what the bytes are, not what the server says they are.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"WEBP", 8, "WEBP"),
)
_SVG = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE svg|<svg)", re.I | re.S)
_HTML = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<!--)", re.I)
_HASH = re.compile(r"^[0-9a-f]{64}$")


class PictureError(TuiReaderError):
    """A picture that cannot be kept; the message is the one-line reason."""


@dataclass(frozen=True, slots=True)
class PicturePlan:
    """The pictures of an article: the sources to fetch and those refused outright."""

    wanted: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    """``(src, reason)``: sources that are not fetched (scheme, the per-article cap)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked, decoded and downscaled picture, encoded for storage."""

    data: bytes
    ext: str
    width: int
    height: int


def plan_pictures(article: Article, limit: int) -> PicturePlan:
    """The lead image and the figures' sources, in order, each once; at most ``limit``."""
    sources: list[str] = []
    if article.lead_image:
        sources.append(article.lead_image)
    for block in article.blocks:
        for inner in block.walk():
            if inner.kind == "figure" and inner.src:
                sources.append(inner.src)
    wanted: list[str] = []
    refused: list[tuple[str, str]] = []
    seen: set[str] = set()
    for src in sources:
        if src in seen:
            continue
        seen.add(src)
        if safe_url(src, fetchable=True) is None:
            scheme = src.split(":", 1)[0].lower() if ":" in src else ""
            what = f"a {clean_line(scheme)[:20]}: address" if scheme else "not an address"
            refused.append((src, f"refused: {what}, only http(s) pictures are fetched"))
        elif len(wanted) >= limit:
            refused.append((src, f"not fetched: the article has more than {limit} pictures"))
        else:
            wanted.append(src)
    return PicturePlan(tuple(wanted), tuple(refused))


def sniff(data: bytes) -> str | None:
    """The format the bytes are in (``PNG``, ``JPEG``, ``GIF``, ``WEBP``), or ``None``."""
    for magic, offset, name in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if name == "WEBP" and not data.startswith(b"RIFF"):
                continue
            return name
    return None


def _not_an_image(data: bytes, content_type: str | None) -> str:
    head = data[:512]
    if _SVG.match(head) or content_type == "image/svg+xml":
        return "SVG pictures are not shown (they can carry scripts)"
    sent = f" (sent as {clean_line(content_type)[:60]})" if content_type else ""
    if _HTML.match(head):
        return f"an HTML page, not a picture{sent}"
    return f"not a PNG, JPEG, GIF or WebP picture{sent}"


def prepare_picture(
    data: bytes,
    content_type: str | None = None,
    *,
    max_width: int = MAX_WIDTH,
    max_height: int = MAX_HEIGHT,
    max_pixels: int = MAX_PIXELS,
) -> Prepared:
    """Check, decode (the first frame), convert and downscale a picture; encode it to keep.

    Raises:
        PictureError: what is wrong with it, in one line.
    """
    from PIL import Image, ImageOps

    fmt = sniff(data)
    if fmt is None:
        raise PictureError(_not_an_image(data, content_type))
    # Pillow's own guard, in case some path reaches a decoder without our check below.
    if Image.MAX_IMAGE_PIXELS is None or Image.MAX_IMAGE_PIXELS > max_pixels:
        Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it; the check below says it better.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError:
        raise PictureError(f"{fmt} declares too many pixels (more than {max_pixels:,})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PictureError(f"a damaged {fmt} picture ({clean_line(str(exc))[:80]})") from None
    with image:
        width, height = image.size
        # Only the header has been read: refuse a bomb before a single row is decoded.
        if width <= 0 or height <= 0:
            raise PictureError(f"{fmt} declares no pixels ({width}x{height})")
        if width * height > max_pixels:
            raise PictureError(f"{fmt} declares {width}x{height} pixels (more than {max_pixels:,})")
        try:
            if fmt == "JPEG":
                # Decode straight at a reduced scale when the picture is far too large.
                image.draft("RGB", (max_width, max_height))
            image.seek(0)
            image.load()
            frame = ImageOps.exif_transpose(image) if fmt == "JPEG" else image
            return _encode(frame, fmt, max_width, max_height)
        except PictureError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
            reason = clean_line(str(exc))[:80]
            if "truncated" in reason:
                raise PictureError(f"a truncated {fmt} picture") from None
            raise PictureError(f"a damaged {fmt} picture ({reason})") from None
        except MemoryError:
            raise PictureError(f"{fmt} too large to decode") from None


def _encode(image: Any, fmt: str, max_width: int, max_height: int) -> Prepared:
    from PIL import Image

    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    converted = image.convert("RGBA" if alpha else "RGB")
    if alpha and converted.getextrema()[3][0] == 255:
        converted = converted.convert("RGB")  # an alpha channel that hides nothing
        alpha = False
    # Bicubic after a cheap integer reduction: a terminal shows a picture at a fraction of
    # these pixels, and Lanczos cost a third more time for no difference seen there.
    converted.thumbnail((max_width, max_height), Image.Resampling.BICUBIC, reducing_gap=2.0)
    out = io.BytesIO()
    # Drawings, charts and screenshots (PNG, GIF) stay lossless; photographs are JPEG.
    if alpha or fmt in ("PNG", "GIF"):
        converted.save(out, "PNG", optimize=False, compress_level=6)
        ext = "png"
    else:
        converted.save(out, "JPEG", quality=JPEG_QUALITY)
        ext = "jpg"
    return Prepared(out.getvalue(), ext, converted.width, converted.height)


# --- files ------------------------------------------------------------------------------


def pictures_dir(store: Store) -> Path:
    """Where the pictures of this store are kept: beside the store file."""
    return store.path.parent / DIRNAME


def picture_path(directory: Path, digest: str, ext: str) -> Path:
    return directory / digest[:2] / f"{digest}.{ext}"


def write_picture(directory: Path, prepared: Prepared) -> str:
    """Write the picture under its content hash (once) and return the hash."""
    digest = hashlib.sha256(prepared.data).hexdigest()
    path = picture_path(directory, digest, prepared.ext)
    if path.exists() and path.stat().st_size == len(prepared.data):
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed into place: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(prepared.data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def sweep_files(directory: Path, referenced: set[str]) -> int:
    """Remove the picture files no row names (and leftovers of interrupted writes)."""
    removed = 0
    if not directory.is_dir():
        return 0
    for sub in directory.iterdir():
        if not sub.is_dir():
            continue
        for path in sub.iterdir():
            digest = path.name.split(".", 1)[0]
            keep = _HASH.match(digest) is not None and digest in referenced
            if not keep:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
    return removed


def prune_cache(store: Store, directory: Path, max_bytes: int) -> int:
    """Remove the oldest pictures until the rest take at most ``max_bytes``; how many went.

    The rows of a removed picture keep a problem saying why it is gone.
    """
    pictures = stored_pictures(store)
    total = sum(size for _, _, size, _ in pictures)
    doomed: list[tuple[str, str]] = []
    for digest, ext, size, _ in pictures:
        if total <= max_bytes:
            break
        doomed.append((digest, ext))
        total -= size
    if not doomed:
        return 0
    forget_pictures(store, (d for d, _ in doomed), PRUNED)
    for digest, ext in doomed:
        picture_path(directory, digest, ext).unlink(missing_ok=True)
    return len(doomed)


def stored_picture(
    directory: Path, digest: str, ext: str, width: int, height: int
) -> StoredPicture:
    return StoredPicture(picture_path(directory, digest, ext), width, height)


# --- fetching ---------------------------------------------------------------------------

Decode = Callable[[bytes, "str | None"], Awaitable[Prepared]]


@dataclass(slots=True)
class KeptPictures:
    """What one article's pictures came to."""

    stored: int = 0
    problems: int = 0


class PictureKeeper:
    """Fetches, checks and stores articles' pictures, a bounded number at a time.

    Args:
        store: the store (rows are written through ``db``).
        config: the caps (bytes per picture, pictures per article, cache size, deadline).
        db: runs a store call on the writer thread and awaits it.
        decode: turns fetched bytes into a :class:`Prepared` picture off the event loop
            (default: a thread pool of two).
    """

    def __init__(
        self,
        store: Store,
        config: Config,
        db: Callable[..., Awaitable[Any]],
        *,
        decode: Decode | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.db = db
        self.directory = pictures_dir(store)
        self._executor: Executor | None = None
        self._decode = decode or self._decode_in_thread
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._inflight: dict[str, asyncio.Task[PictureWrite]] = {}
        self._inflight_loop: asyncio.AbstractEventLoop | None = None
        self._unrecorded: set[str] = set()
        self._recent: dict[str, PictureWrite] = {}
        """Pictures stored since the last tidy, by src (a refresh's articles share them)."""

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(max(1, min(8, self.config.concurrency // 4))))
        return self._slots[1]

    async def _decode_in_thread(self, data: bytes, content_type: str | None) -> Prepared:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(2, thread_name_prefix="tui-reader-pictures")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, lambda: prepare_picture(data, content_type)
        )

    async def cancel(self) -> None:
        """Stop the picture fetches under way (before the fetcher's client is closed)."""
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    async def keep(self, fetcher: Fetcher, article_id: int, article: Article) -> KeptPictures:
        """Fetch and store the pictures of an article that are not stored yet.

        Never raises for a picture: each one that cannot be kept is a row with its reason
        and one log line.
        """
        if not self.config.fetch_images:
            return KeptPictures()
        plan = plan_pictures(article, self.config.images_per_article)
        done = {
            row.src
            for row in await self.db(picture_rows, self.store, article_id)
            if row.hash is not None
        }
        title = clean_line(article.title)[:60] or f"article {article_id}"
        writes = [PictureWrite(src, problem=reason) for src, reason in plan.refused]
        outcome = KeptPictures(problems=len(writes))
        capped = sum(1 for _, reason in plan.refused if reason.startswith("not fetched"))
        for src, reason in plan.refused:
            if not reason.startswith("not fetched"):
                log.info("%s: picture %s: %s", title, clean_line(src)[:100], reason)
        if capped:
            log.info(
                "%s: %d pictures not fetched (more than %d in the article)",
                title,
                capped,
                self.config.images_per_article,
            )
        missing = [src for src in plan.wanted if src not in done]
        known = await self.db(stored_sources, self.store, missing)
        reused: list[PictureWrite] = []
        for src, row in known.items():
            assert row.hash is not None and row.ext is not None
            if picture_path(self.directory, row.hash, row.ext).is_file():
                reused.append(PictureWrite(src, row.hash, row.ext, row.width, row.height, row.size))
        taken = {write.src for write in reused}
        results = reused + list(
            await asyncio.gather(
                *(self._shared(fetcher, src) for src in missing if src not in taken)
            )
        )
        for write in results:
            writes.append(write)
            if write.hash is None:
                outcome.problems += 1
                log.info("%s: picture %s: %s", title, clean_line(write.src)[:100], write.problem)
            else:
                outcome.stored += 1
        try:
            await self.db(record_pictures, self.store, article_id, writes)
        finally:
            # Named by a row now (or its article is gone, and so may the file be).
            self._unrecorded.difference_update(w.hash for w in writes if w.hash is not None)
        return outcome

    async def _shared(self, fetcher: Fetcher, src: str) -> PictureWrite:
        """One fetch of ``src`` however many articles being refreshed at once show it."""
        recent = self._recent.get(src)
        if recent is not None:
            return recent  # stored moments ago for another article, maybe not yet recorded
        loop = asyncio.get_running_loop()
        if self._inflight_loop is not loop:
            self._inflight_loop, self._inflight = loop, {}
        task = self._inflight.get(src)
        if task is None:
            task = loop.create_task(self._one(fetcher, src))
            self._inflight[src] = task
            task.add_done_callback(lambda _: self._inflight.pop(src, None))
        # Shielded: one article's cancellation must not cancel the others' picture.
        write = await asyncio.shield(task)
        if write.hash is not None:
            self._recent[src] = write
        return write

    async def _one(self, fetcher: Fetcher, src: str) -> PictureWrite:
        config = self.config
        try:
            async with self._semaphore():
                try:
                    async with asyncio.timeout(config.images_deadline):
                        result = await fetcher.fetch(
                            src,
                            accept=IMAGE_ACCEPT,
                            max_bytes=config.images_max_mb * 1024 * 1024,
                        )
                except TimeoutError:
                    return PictureWrite(
                        src, problem=f"timed out after {config.images_deadline:g} s"
                    )
                prepared = await self._decode(result.content, result.content_type)
            digest = await asyncio.to_thread(write_picture, self.directory, prepared)
            # Written but not yet named by a row: a tidy meanwhile must not remove it.
            self._unrecorded.add(digest)
        except FetchError as exc:
            message = clean_line(str(exc))
            shown = clean_line(src)
            if message.startswith(shown + ": "):
                message = message[len(shown) + 2 :]  # the log line names the picture already
            return PictureWrite(src, problem=message or "could not be fetched")
        except PictureError as exc:
            return PictureWrite(src, problem=clean_line(str(exc)))
        except OSError as exc:
            return PictureWrite(src, problem=f"cannot be written ({exc.strerror or exc})")
        return PictureWrite(
            src,
            hash=digest,
            ext=prepared.ext,
            width=prepared.width,
            height=prepared.height,
            size=len(prepared.data),
        )

    async def tidy(self) -> None:
        """Remove unreferenced files and keep the cache under its size (after a refresh)."""
        self._recent = {}  # the files may go now: ask the store next time
        try:
            await self.db(
                prune_cache, self.store, self.directory, self.config.images_cache_mb * 1024 * 1024
            )
            referenced = await self.db(referenced_hashes, self.store)
            referenced |= self._unrecorded
            await asyncio.to_thread(sweep_files, self.directory, referenced)
        except (StorageError, OSError) as exc:
            log.info("pictures: cannot tidy the cache (%s)", clean_line(str(exc)))


def tidy_now(store: Store, config: Config) -> None:
    """:meth:`PictureKeeper.tidy`, synchronously (after removing a feed)."""
    directory = pictures_dir(store)
    prune_cache(store, directory, config.images_cache_mb * 1024 * 1024)
    sweep_files(directory, referenced_hashes(store))
