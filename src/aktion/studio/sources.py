"""Production source files as versions: read with an ETag, write only over that ETag.

Two tabs editing the same file must never lose a change silently: every write names
the version it was based on (``If-Match``), a stale one is refused with 409, and the
check and the atomic write happen under one lock so two writes cannot interleave.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException, Request

from aktion.production.yamlio import write_text_atomic

_LOCK = threading.Lock()


def etag_of(text: str | None) -> str:
    """The version of a file's text; a missing file has its own version."""
    if text is None:
        return '"absent"'
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def read_versioned(path: Path) -> tuple[str | None, str]:
    text = read_text(path)
    return text, etag_of(text)


def if_match(request: Request) -> str:
    """The version a write is based on; writing blind is refused (428)."""
    tag = request.headers.get("if-match")
    if not tag:
        raise HTTPException(428, "send If-Match with the ETag of the version you edited")
    return tag.strip()


def write_versioned(path: Path, base: str, change: Callable[[str | None], str]) -> str:
    """Apply ``change`` to the current text if it is still version ``base``; new ETag."""
    with _LOCK:
        current = read_text(path)
        if base != "*" and etag_of(current) != base:
            raise HTTPException(
                409, f"{path.name} changed since you loaded it (someone else saved): "
                     "reload, then apply your edit again")
        text = change(current)
        if text != current:
            write_text_atomic(path, text)
        return etag_of(text)
