"""Which files the C2PA SDK can read, whatever Aktion itself signs.

Verifying must not be limited to the formats Aktion writes: a signed PDF or SVG
handed to ``aktion verify`` is read by the SDK like any other. The format comes
from the file's extension when the SDK knows it, else from its first bytes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import c2pa

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"), (b"GIF8", "image/gif"),
)


@cache
def sdk_formats() -> frozenset[str]:
    return frozenset(t.lower() for t in c2pa.Reader.get_supported_mime_types())


def sniff(head: bytes) -> str | None:
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in head[:512]:
        return "image/svg+xml"
    return None


def sdk_format(path: Path) -> str | None:
    """The format name to hand the SDK's Reader for ``path``, or None if it reads none."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext and ext in sdk_formats():
        return ext
    try:
        with Path(path).open("rb") as f:
            fmt = sniff(f.read(512))
    except OSError:
        return None
    return fmt if fmt in sdk_formats() else None
