"""The content-addressed store: blobs by sha256 plus an action cache in SQLite.

Blobs live in sharded folders (``blobs/ab/abcd....mp4``), or under a shared
location every worker reaches (see ``blobstore``), and are written temp-file,
fsync, rename. A step is recorded in the action cache only after every
output it produced is durable, so a crash can lose work but never fake it.

A cache hit is only as good as its blobs, so a local blob is re-hashed before it
is reused unless its size, mtime and inode still match the moment it was last
hashed (a stat-and-digest record, so an unchanged rerun hashes nothing). A blob
that no longer matches its digest is moved to ``quarantine/`` and its step runs
again. A damaged cache database is moved aside and rebuilt; a production that
cannot be written to is opened read-only, so it can still be planned, explained,
checked and exported.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .blobstore import (
    Blobs,
    CorruptBlob,
    LocalBlobs,
    Output,
    blob_name,
    file_digest,
    no_room,
    open_blobs,
)

__all__ = ["STORE_DIR", "Action", "CorruptBlob", "Output", "Store", "StoreError", "file_digest"]

STORE_DIR = ".aktion"
log = logging.getLogger("aktion.store")
SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    key TEXT PRIMARY KEY, step_id TEXT NOT NULL, outputs TEXT NOT NULL,
    record TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS last_run (
    step_id TEXT PRIMARY KEY, key TEXT NOT NULL, parts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS verified (
    name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL);
"""


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says why, in one line."""


def write_failure(what: Path | str, e: BaseException) -> StoreError:
    """One clear line for a failed write: no room, no permission, or the OS's words."""
    if no_room(e):
        return StoreError(f"no space left to write {what}: free some disk space and run again "
                          "(finished steps are kept)")
    if isinstance(e, PermissionError):
        return StoreError(f"cannot write {what}: permission denied")
    return StoreError(f"cannot write {what}: {getattr(e, 'strerror', None) or e}")


@dataclass(frozen=True)
class Action:
    key: str
    step_id: str
    outputs: dict[str, Output]
    record: dict[str, Any]


def configured_blobs(production_root: Path) -> str | None:
    """The ``store`` setting (``[render] store = ...``), a relative folder made absolute."""
    from aktion.production.errors import ProductionError
    from aktion.production.load import load_settings

    try:
        location = load_settings(production_root).store
    except ProductionError:
        return None
    if not location or "://" in location:
        return location or None
    return str((Path(production_root) / location).resolve())


class Store:
    """One production's store, under ``<production>/.aktion``."""

    def __init__(self, root: Path, blobs: str | Path | None = None):
        """``blobs``: where blobs live when not in ``<root>/blobs`` (a path or fsspec URL)."""
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.tmp = self.root / "tmp"
        self.quarantine = self.root / "quarantine"
        self.notices: list[str] = []  # what the store repaired or could not, for the user
        self.readonly = not _writable(self.root)
        if self.readonly:
            self._notice(f"{self.root} is read-only: nothing will be rendered or cached")
        else:
            self.blobs.mkdir(parents=True, exist_ok=True)
            self.tmp.mkdir(parents=True, exist_ok=True)
        self.blobstore: Blobs = open_blobs(blobs) if blobs else LocalBlobs(
            self.blobs, create=not self.readonly)
        self.db = self._open_db()
        self._checked: dict[str, tuple[int, int, int]] = {}  # blob -> stat when it matched

    def _open_db(self) -> sqlite3.Connection:
        path = self.root / "cache.sqlite"
        if self.readonly:
            if not path.is_file():
                db = sqlite3.connect(":memory:")
                db.executescript(SCHEMA)
                return db
            db = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
            try:
                _check_db(db)
            except sqlite3.DatabaseError as e:
                db.close()
                self._notice(f"{path} is damaged ({e}) and read-only: using no cache")
                db = sqlite3.connect(":memory:")
                db.executescript(SCHEMA)
            return db
        try:
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            _check_db(db)
            db.executescript(SCHEMA)
            return db
        except sqlite3.DatabaseError as e:
            if not _damaged(e):
                raise write_failure(path, e) from None
            db.close()
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                part = path.with_name(path.name + suffix)
                if part.exists():
                    os.replace(part, aside.with_name(aside.name + suffix))
            self._notice(
                f"the action cache {path.name} was damaged ({e}); moved it to {aside.name} "
                "and started a new one: steps will run again, identical outputs are reused")
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            return db

    @classmethod
    def for_production(cls, production_root: Path, blobs: str | Path | None = None) -> Store:
        """The production's store, its blobs where ``aktion.toml`` says unless ``blobs`` does."""
        root = Path(production_root)
        return cls(root / STORE_DIR, blobs if blobs is not None else configured_blobs(root))

    def close(self) -> None:
        self.db.close()

    # blobs ---------------------------------------------------------------
    def blob_path(self, out: Output) -> Path:
        """The blob's file, for a store whose blobs are on this machine."""
        if not isinstance(self.blobstore, LocalBlobs):
            raise TypeError(f"blobs live at {self.blobstore.url}; use fetch()")
        return self.blobstore.path(out)

    def fetch(self, out: Output, into: Path) -> Path:
        """A local file with the blob's bytes, verified; raises CorruptBlob otherwise."""
        return self.blobstore.fetch(out, into)

    def workdir(self) -> Path:
        """A private scratch folder for a running step, inside the store's filesystem."""
        return Path(tempfile.mkdtemp(dir=self.tmp, prefix="step-"))

    def put_file(self, path: Path) -> Output:
        """Move a finished file into the store by content; durable when this returns."""
        return self.blobstore.put_file(Path(path))

    def has(self, out: Output) -> bool:
        return self.blobstore.has(out)

    def intact(self, out: Output) -> bool:
        """Is the blob there with exactly the bytes its digest names?

        Local blobs are re-hashed unless their stat still matches the last time they were
        hashed; a corrupt one is quarantined, so the step that made it runs again. Remote
        blobs are checked against their digest whenever they are fetched."""
        if not isinstance(self.blobstore, LocalBlobs):
            return self.has(out)
        name = blob_name(out)
        path = self.blobstore.path(out)
        try:
            st = path.stat()
        except FileNotFoundError:
            return False
        now = (st.st_size, st.st_mtime_ns, st.st_ino)
        row = self._checked.get(name) or self.db.execute(
            "SELECT size, mtime_ns, inode FROM verified WHERE name = ?", (name,)).fetchone()
        if row is not None and tuple(row) == now and st.st_size == out.size:
            self._checked[name] = now
            return True
        if st.st_size == out.size and file_digest(path) == out.digest:
            self._mark_verified(name, st)
            return True
        self.quarantine_blob(path)
        return False

    def _notice(self, message: str) -> None:
        """Something the user should know (a repair, a fallback): kept and logged."""
        self.notices.append(message)
        log.warning(message)

    def _mark_verified(self, name: str, st: os.stat_result) -> None:
        self._checked[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
        if self.readonly:
            return
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO verified VALUES (?, ?, ?, ?)",
                            (name, st.st_size, st.st_mtime_ns, st.st_ino))

    def quarantine_blob(self, path: Path) -> Path | None:
        """Move a blob that fails its digest out of the way (kept for inspection)."""
        self._notice(f"blob {path.name} does not match its digest: quarantined, "
                            "its step runs again")
        if self.readonly:
            return None
        self.quarantine.mkdir(parents=True, exist_ok=True)
        dest = self.quarantine / f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}"
        os.replace(path, dest)
        name = f"{path.parent.name}/{path.name}"
        self._checked.pop(name, None)
        with self.db:
            self.db.execute("DELETE FROM verified WHERE name = ?", (name,))
        return dest

    # action cache --------------------------------------------------------
    def lookup(self, key: str) -> Action | None:
        row = self.db.execute(
            "SELECT key, step_id, outputs, record FROM actions WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        outputs = {n: Output(**o) for n, o in json.loads(row[2]).items()}
        action = Action(row[0], row[1], outputs, json.loads(row[3]))
        return action if all(self.intact(o) for o in outputs.values()) else None

    def record(
        self, key: str, step_id: str, outputs: dict[str, Output], record: dict[str, Any],
        parts: dict[str, str],
    ) -> None:
        """Mark a step done. Call only once every output is in the store (just hashed)."""
        assert all(self.has(o) for o in outputs.values()), "outputs must be durable first"
        if self.readonly:
            raise StoreError(f"{self.root} is read-only: cannot record {step_id}")
        blob = json.dumps({n: o.__dict__ for n, o in outputs.items()}, sort_keys=True)
        try:
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO actions VALUES (?, ?, ?, ?, ?)",
                    (key, step_id, blob, json.dumps(record, sort_keys=True), time.time()),
                )
                self.db.execute(
                    "INSERT OR REPLACE INTO last_run VALUES (?, ?, ?)",
                    (step_id, key, json.dumps(parts, sort_keys=True)),
                )
                if isinstance(self.blobstore, LocalBlobs):
                    for o in outputs.values():
                        st = self.blobstore.path(o).stat()
                        self.db.execute("INSERT OR REPLACE INTO verified VALUES (?, ?, ?, ?)",
                                        (blob_name(o), st.st_size, st.st_mtime_ns, st.st_ino))
                        self._checked[blob_name(o)] = (st.st_size, st.st_mtime_ns, st.st_ino)
        except sqlite3.DatabaseError as e:
            raise write_failure(self.root / "cache.sqlite", e) from None

    def last_run(self, step_id: str) -> tuple[str, dict[str, str]] | None:
        row = self.db.execute(
            "SELECT key, parts FROM last_run WHERE step_id = ?", (step_id,)
        ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    # maintenance ---------------------------------------------------------
    def clean_tmp(self) -> None:
        """Drop scratch left by a crashed run; nothing in tmp is ever an output."""
        if not self.tmp.is_dir():
            return
        for p in self.tmp.iterdir():
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)

    def verify(self) -> list[str]:
        """Re-hash every blob and check every recorded output exists; returns problems."""
        problems = []
        for name in self.blobstore.names():
            blob = name.split("/")[-1]
            if self.blobstore.digest_of(name) != blob.split(".")[0]:
                problems.append(f"blob {blob} does not match its digest")
        for key, step_id, outputs in self.db.execute("SELECT key, step_id, outputs FROM actions"):
            for n, o in json.loads(outputs).items():
                if not self.has(Output(**o)):
                    problems.append(f"{step_id} ({key[:12]}): output {n} missing")
        return problems


class _Corrupt(sqlite3.DatabaseError):
    """quick_check found damage."""


def _check_db(db: sqlite3.Connection) -> None:
    """Raise DatabaseError unless the cache database is sound (cheap: it is small)."""
    result = db.execute("PRAGMA quick_check(1)").fetchone()
    if not result or result[0] != "ok":
        raise _Corrupt(result[0] if result else "quick_check returned nothing")


def _damaged(e: sqlite3.DatabaseError) -> bool:
    """The file is not a sound database (move it aside), as opposed to a write failing."""
    name = getattr(e, "sqlite_errorname", "") or ""
    return isinstance(e, _Corrupt) or name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _writable(folder: Path) -> bool:
    """Can this process create files in ``folder`` (or make it)? Tried, not guessed: root
    ignores mode bits but not a read-only mount."""
    probe_dir = folder
    while not probe_dir.exists():
        probe_dir = probe_dir.parent
    try:
        fd, probe = tempfile.mkstemp(dir=probe_dir, prefix=".aktion-probe-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True
