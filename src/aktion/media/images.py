"""Safe image I/O: check what a file really is, and how big, before decoding it.

Images arrive from users (cast references, uploads), so the format is read from
the content, never the extension, and the pixel count is checked from the header
before any pixel is decoded: a small file must not be able to claim gigapixels.
Writes are atomic, like every Aktion output.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .atomic import atomic_path
from .errors import MediaError

MAX_PIXELS = 40_000_000
"""Default cap: above an 8K frame (33 MP), far below what a decompression bomb claims."""

FORMATS = frozenset({"PNG", "JPEG", "WEBP"})

# Pillow's own bomb guard (which also covers code that calls Image.open directly)
# warns above this and refuses above twice this.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def open_image(
    path: Path | str,
    max_pixels: int = MAX_PIXELS,
    formats: Iterable[str] = FORMATS,
) -> Image.Image:
    """Open and fully decode an image if its content is an allowed format and size."""
    path = Path(path)
    allowed = sorted({f.upper() for f in formats})
    if not path.is_file():
        raise MediaError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path, formats=allowed)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise MediaError(f"{path}: image too large: {e}") from e
    except UnidentifiedImageError as e:
        raise MediaError(f"{path}: not a {'/'.join(allowed)} image{_sniff(path)}") from e
    with im:
        w, h = im.size
        if w * h > max_pixels:
            raise MediaError(f"{path}: {w}x{h} is {w * h} pixels, over the {max_pixels} limit")
        if im.format not in allowed:
            raise MediaError(f"{path}: {im.format} content, expected {'/'.join(allowed)}")
        try:
            im.load()
        except (OSError, ValueError, SyntaxError) as e:
            raise MediaError(f"{path}: truncated or corrupt {im.format}: {e}") from e
        out = im.copy()
    out.format = im.format
    return out


def read_array(path: Path | str, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """An image as an array: 16-bit grey stays uint16 (depth), grey uint8, else RGB uint8."""
    im = open_image(path, max_pixels)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        return np.asarray(im).astype(np.uint16)
    if im.mode == "L":
        return np.asarray(im)
    return np.asarray(im.convert("RGB"))


def write_png_atomic(path: Path | str, array: np.ndarray) -> Path:
    """Write an RGB/RGBA/grey uint8 or a 16-bit single-channel (depth) array as PNG."""
    path = Path(path)
    a = np.ascontiguousarray(array)
    if a.dtype == np.uint16 and a.ndim == 2:
        im = Image.fromarray(a)  # mode I;16: PNG keeps all 16 bits
    elif a.dtype == np.uint8 and (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        im = Image.fromarray(a)
    else:
        raise ValueError(
            f"{path}: PNG needs uint8 HxW, HxWx3 or HxWx4, or uint16 HxW; got {a.dtype} {a.shape}"
        )
    with atomic_path(path) as tmp:
        im.save(tmp, format="PNG")
    return path


def _sniff(path: Path) -> str:
    """A hint at what the file is instead, for the error message."""
    with path.open("rb") as f:
        start = f.read(512).lstrip().lower()
    if start.startswith((b"<svg", b"<?xml")) or b"<svg" in start:
        return " (it is SVG/XML, which is not accepted)"
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start:
        return " (it is HTML)"
    return ""
