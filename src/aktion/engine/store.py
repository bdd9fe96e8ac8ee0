"""The content-addressed store: blobs by sha256 plus an action cache in SQLite.

Blobs live in sharded folders (``blobs/ab/abcd....mp4``), or under a shared
location every worker reaches (see ``blobstore``), and are written temp-file,
fsync, rename. A step is recorded in the action cache only after every
output it produced is durable, so a crash can lose work but never fake it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .blobstore import Blobs, CorruptBlob, LocalBlobs, Output, file_digest, open_blobs

__all__ = ["STORE_DIR", "Action", "CorruptBlob", "Output", "Store", "file_digest"]

STORE_DIR = ".aktion"


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
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.blobstore: Blobs = open_blobs(blobs) if blobs else LocalBlobs(self.blobs)
        self.db = sqlite3.connect(self.root / "cache.sqlite", timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS actions (
                key TEXT PRIMARY KEY, step_id TEXT NOT NULL, outputs TEXT NOT NULL,
                record TEXT NOT NULL, created REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS last_run (
                step_id TEXT PRIMARY KEY, key TEXT NOT NULL, parts TEXT NOT NULL);
            """
        )

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

    # action cache --------------------------------------------------------
    def lookup(self, key: str) -> Action | None:
        row = self.db.execute(
            "SELECT key, step_id, outputs, record FROM actions WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        outputs = {n: Output(**o) for n, o in json.loads(row[2]).items()}
        action = Action(row[0], row[1], outputs, json.loads(row[3]))
        return action if all(self.has(o) for o in outputs.values()) else None

    def record(
        self, key: str, step_id: str, outputs: dict[str, Output], record: dict[str, Any],
        parts: dict[str, str],
    ) -> None:
        """Mark a step done. Call only once every output is in the store."""
        assert all(self.has(o) for o in outputs.values()), "outputs must be durable first"
        blob = json.dumps({n: o.__dict__ for n, o in outputs.items()}, sort_keys=True)
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO actions VALUES (?, ?, ?, ?, ?)",
                (key, step_id, blob, json.dumps(record, sort_keys=True), time.time()),
            )
            self.db.execute(
                "INSERT OR REPLACE INTO last_run VALUES (?, ?, ?)",
                (step_id, key, json.dumps(parts, sort_keys=True)),
            )

    def last_run(self, step_id: str) -> tuple[str, dict[str, str]] | None:
        row = self.db.execute(
            "SELECT key, parts FROM last_run WHERE step_id = ?", (step_id,)
        ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    # maintenance ---------------------------------------------------------
    def clean_tmp(self) -> None:
        """Drop scratch left by a crashed run; nothing in tmp is ever an output."""
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
