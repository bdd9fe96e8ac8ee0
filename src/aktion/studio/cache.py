"""What the studio computes from a production's files, reused until their content changes.

Loading a production (parsing YAML, the script, the move library) takes hundreds of
milliseconds of pure Python; the pages ask for it on every view. So each value is kept
with the *content key* of the source files it was computed from: a request first
compares the files' ``stat`` with the last one (microseconds); only if one changed are
the files read and hashed, and only if their content changed is anything recomputed.
Concurrent requests for a value being computed wait for that one computation instead
of starting their own (a burst of 200 GETs costs one load, not 200).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
RACY_NS = 2_000_000_000  # coarser than any file system's timestamp tick
MISSING = object()
_CACHES: dict[Path, SourceCache] = {}
_CACHES_LOCK = threading.Lock()


def cache_for(root: Path) -> SourceCache:
    """The one cache of the production at ``root`` (shared by every app serving it)."""
    root = Path(root).resolve()
    with _CACHES_LOCK:
        if root not in _CACHES:
            _CACHES[root] = SourceCache(root)
        return _CACHES[root]


class SourceCache:
    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._stats: tuple[Any, ...] | None = None
        self._folders: list[str] = []
        self._trusted = False
        self._files: list[str] = []
        self._key = ""
        self._values: dict[str, tuple[str, Any]] = {}
        self._computing: dict[str, threading.Lock] = {}
        self._names_for: tuple[Any, dict[str, str]] | None = None

    # -- the content key ----------------------------------------------------------------

    def _names(self) -> dict[str, str]:
        """The source file names ``aktion.toml`` gives (re-read only when it changes)."""
        names = {"script": "script.fountain", "boards": "boards.yaml",
                 "choreo": "choreo.yaml", "cast_dir": "cast"}
        toml = self.root / "aktion.toml"
        try:
            st = toml.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            return names
        if self._names_for and self._names_for[0] == stamp:
            return self._names_for[1]
        from aktion.production.errors import ProductionError
        from aktion.production.load import load_settings

        try:
            settings = load_settings(self.root)
            names = {k: str(getattr(settings, k)) for k in names}
        except ProductionError:
            return names  # a broken aktion.toml is the loader's to report
        self._names_for = (stamp, names)
        return names

    def _scan(self) -> tuple[list[str], list[str]]:
        """The folders and files a production's load and plan read: settings, script,
        boards, choreography, canvas, the signing identity's certificate, the cast folder
        (files and references), its own moves."""
        root = self.root
        names = self._names()
        files = [root / "aktion.toml", *(root / names[k] for k in ("script", "boards", "choreo")),
                 root / "canvas.yaml", root / "identity" / "cert.pem"]  # signing is keyed
        folders = [root]
        for top in (root / names["cast_dir"], root / "moves"):
            if top.is_dir():
                for dirpath, dirnames, filenames in os.walk(top):
                    dirnames.sort()
                    folders.append(Path(dirpath))
                    files.extend(Path(dirpath) / n for n in sorted(filenames))
        return [str(p) for p in folders], [str(p) for p in files]

    def known_key(self) -> str | None:
        """The content key if the sources' stats show it unchanged, else None (nothing
        read or hashed: safe to call on the event loop)."""
        with self._lock:
            folders, files, known, trusted = (self._folders, self._files, self._stats,
                                              self._trusted)
        if trusted and known is not None and _stat_all(folders + files) == known:
            return self._key
        return None

    def key(self) -> str:
        """The content key of the production's sources now.

        Fast path: the same folders and files with the same ``stat`` as last time (a
        file added, removed or renamed changes its folder's). Otherwise the files are
        listed, read and hashed again."""
        fast = self.known_key()
        if fast is not None:
            return fast
        hashed_at = time.time_ns()
        folders, files = self._scan()
        stats = _stat_all(folders + files)
        digest = hashlib.sha256()
        for name in files:
            digest.update(os.path.relpath(name, self.root).encode() + b"\0")
            try:
                with open(name, "rb") as f:
                    digest.update(hashlib.file_digest(f, "sha256").digest())
            except OSError:
                digest.update(b"-")
        key = digest.hexdigest()
        # A file changed within a clock tick of being read could change again with the
        # same stat ("racily clean", as git calls it): trust stats only once they are old.
        newest = max((st[0] for st in stats if st is not None), default=0)
        with self._lock:
            self._folders, self._files, self._stats, self._key = folders, files, stats, key
            self._trusted = newest < hashed_at - RACY_NS
        return key

    # -- values -------------------------------------------------------------------------

    def peek(self, name: str) -> Any:
        """The value if its sources are unchanged by their stats, else ``MISSING``
        (nothing computed, read or hashed: for the event loop's fast path)."""
        key = self.known_key()
        with self._lock:
            hit = self._values.get(name)
        return hit[1] if hit is not None and hit[0] == key else MISSING

    def get(self, name: str, compute: Callable[[], T]) -> T:
        """The value for the current sources; computed once however many ask at once."""
        with self._lock:
            gate = self._computing.setdefault(name, threading.Lock())
        with gate:
            key = self.key()
            with self._lock:
                hit = self._values.get(name)
            if hit is not None and hit[0] == key:
                return hit[1]
            value = compute()
            with self._lock:
                self._values[name] = (key, value)
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._stats = None


def _stat_all(paths: list[str]) -> tuple[Any, ...]:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append(None)
    return tuple(out)
