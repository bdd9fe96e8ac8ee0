"""Content digests of files: the one sha256 every layer uses (locks, blobs, credentials)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def digest_file(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks so large media need little memory."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
