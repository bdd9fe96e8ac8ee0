"""What a cast reference image must be, checked when the production loads.

A reference is read by identity adapters much later, on a GPU, in the middle of a
render; an MP4, an HTML page or a 30000x30000 pixel bomb named ``face.png`` should
fail at ``aktion check`` with the cast file's line, not there. Only the header is
read: no pixels are decoded.
"""

from __future__ import annotations

import warnings
from pathlib import Path

REFERENCE_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_REFERENCE_PIXELS = 64_000_000  # a 61-megapixel camera still fits; a pixel bomb does not
MAX_REFERENCE_BYTES = 64 << 20


def reference_problem(path: Path) -> str | None:
    """Why ``path`` is no usable reference image, or None when it is one."""
    from PIL import Image, UnidentifiedImageError

    size = path.stat().st_size
    if size > MAX_REFERENCE_BYTES:
        return f"is {size / (1 << 20):.0f} MB (at most {MAX_REFERENCE_BYTES >> 20} MB)"
    try:
        with warnings.catch_warnings():  # the size is judged below, in words
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:  # reads the header only
                fmt, (w, h) = im.format, im.size
    except (UnidentifiedImageError, OSError):
        return "is not an image"
    except Image.DecompressionBombError:
        return "is far too many pixels to open (a pixel bomb?)"
    if fmt not in REFERENCE_FORMATS:
        return f"is a {fmt} image"
    if w * h > MAX_REFERENCE_PIXELS:
        return f"is {w}x{h} pixels (at most {MAX_REFERENCE_PIXELS // 1_000_000} megapixels)"
    return None
