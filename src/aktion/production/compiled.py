"""A compiled cache of parsed source files, keyed by the exact bytes they were parsed from.

Parsing YAML in pure Python costs more than most commands do with the result: the move
library is forty files, a thousand-shot board is a thousand mappings. The same data as
JSON loads in a fraction of a millisecond through the standard library's C decoder. So a
parse is done once per content: an entry's name is a hash of the kind of parse, this
cache's format and the source bytes, which makes a stale entry impossible to serve (an
edited file is simply another entry). Entries are written atomically (temp file, fsync,
rename) and read defensively: a damaged or foreign entry is parsed again and replaced.

The cache lives in ``$AKTION_CACHE``, else ``$XDG_CACHE_HOME/aktion``, else
``~/.cache/aktion``; ``AKTION_CACHE=off`` turns it off. A folder that cannot be written
only means every run parses again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
FORMAT = 1
"""Bump when the shape of an entry changes: every old entry stops matching."""
ENV = "AKTION_CACHE"
KEEP = 512
"""Entries kept per folder; past that, the oldest half goes when a new one is written."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in ("off", "0", "none", "false"):
        return None
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "aktion"


def content_key(kind: str, sources: Sequence[bytes]) -> str:
    """The entry name for ``kind`` parsed from ``sources`` (lengths framed, so two
    sources cannot run together into a third)."""
    h = hashlib.sha256(f"{kind}\0{FORMAT}\0{len(sources)}\0".encode())
    for data in sources:
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def compiled(kind: str, sources: Sequence[bytes], build: Callable[[], T]) -> T:
    """``build()``'s result for these exact ``sources``, from the cache when it has it.

    ``build`` must be a pure function of ``sources`` returning plain data (dicts, lists,
    strings, numbers, booleans, None; mapping keys of any of those scalar kinds); a
    result that cannot be kept exactly is returned but not kept."""
    folder = cache_dir()
    if folder is None:
        return build()
    key = content_key(kind, sources)
    path = folder / f"{kind}-{key[:40]}.json"
    try:
        entry = json.loads(path.read_bytes())
        if isinstance(entry, dict) and entry.get("key") == key and "value" in entry:
            return _untag(entry["value"]) if entry.get("tagged") else entry["value"]
    except (OSError, ValueError, RecursionError):
        pass  # absent, unreadable or damaged: parse again
    value = build()
    _write(path, key, value)
    return value


def _dumps(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _write(path: Path, key: str, value: Any) -> None:
    try:
        text = _dumps({"key": key, "value": value})
        if not _same(json.loads(text)["value"], value):
            # e.g. integer keys: kept as [key, value] pairs, given back as they were
            text = _dumps({"key": key, "tagged": True, "value": _tag(value)})
            if not _same(_untag(json.loads(text)["value"]), value):
                return
    except (TypeError, ValueError, RecursionError):
        return
    from .yamlio import write_text_atomic  # temp file, fsync, rename

    try:
        write_text_atomic(path, text)
        _prune(path.parent)
    except OSError:
        pass  # a read-only or full disk: the next run parses again


TAG = "\u0000items"
"""The one key of a mapping kept as pairs (no YAML source has a key with a NUL in it)."""


def _tag(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and TAG not in value:
            return {k: _tag(v) for k, v in value.items()}
        return {TAG: [[k, _tag(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if TAG in value and len(value) == 1:
            return {k: _untag(v) for k, v in value[TAG]}
        return {k: _untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kinds all the way down (``1 == 1.0 == True`` is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            type(k) is type(j) and _same(a[k], b[j]) for k, j in zip(a, b, strict=True))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _prune(folder: Path) -> None:
    entries = list(folder.glob("*.json"))
    if len(entries) <= KEEP:
        return
    def age(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0
    for old in sorted(entries, key=age)[: len(entries) // 2]:
        old.unlink(missing_ok=True)
