"""Serving and accepting media safely: types come from content, never from names.

Responses carry ``nosniff`` and an explicit type; only raster images and video are
served inline. SVG, HTML or anything unknown would run script in the studio's
origin, so they are never served inline (an attachment at most).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_PIXELS = 25_000_000
IMAGE_TYPES = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"),
               "WEBP": ("image/webp", ".webp")}
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime"}
NOSNIFF = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


def sniff_image(path: Path, max_pixels: int = MAX_UPLOAD_PIXELS) -> str:
    """The image format read from the header; 415 if not allowed, 413 if too many pixels."""
    try:
        with Image.open(path, formats=list(IMAGE_TYPES)) as im:
            w, h = im.size
            fmt = str(im.format)
            if w * h > max_pixels:
                raise HTTPException(413, f"{w}x{h} image is over {max_pixels} pixels")
            im.verify()
    except HTTPException:
        raise
    except Image.DecompressionBombError:  # too many pixels for Pillow even to open
        raise HTTPException(413, f"image is over {max_pixels} pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise HTTPException(415, f"not a PNG, JPEG or WebP image ({type(e).__name__})") from None
    if fmt not in IMAGE_TYPES:
        raise HTTPException(415, f"{fmt} images are not accepted")
    return fmt


def image_response(path: Path) -> FileResponse:
    fmt = sniff_image(path, max_pixels=200_000_000)
    return FileResponse(path, media_type=IMAGE_TYPES[fmt][0], headers=NOSNIFF)


def video_response(path: Path) -> FileResponse:
    kind = VIDEO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise HTTPException(415, f"{path.suffix} is not a served video type")
    with path.open("rb") as f:
        head = f.read(12)
    if head[4:8] != b"ftyp" and head[:4] != b"\x1a\x45\xdf\xa3":
        raise HTTPException(415, "file content is not a video container")
    return FileResponse(path, media_type=kind, headers=NOSNIFF)


def store_media_response(path: Path) -> FileResponse:
    """A store blob: images and video inline by content, anything else as a download."""
    if path.suffix.lower() in VIDEO_TYPES:
        return video_response(path)
    if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"):
        return image_response(path)
    return FileResponse(path, media_type="application/octet-stream", filename=path.name,
                        headers=NOSNIFF, content_disposition_type="attachment")
