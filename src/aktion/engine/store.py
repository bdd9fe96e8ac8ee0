"""The content-addressed store: blobs by sha256 plus an action cache in SQLite.

Blobs live in sharded folders (``blobs/ab/abcd....mp4``) and are written
temp-file, fsync, rename. A step is recorded in the action cache only after every
output it produced is durable, so a crash can lose work but never fake it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STORE_DIR = ".aktion"


@dataclass(frozen=True)
class Output:
    digest: str
    ext: str
    size: int


@dataclass(frozen=True)
class Action:
    key: str
    step_id: str
    outputs: dict[str, Output]
    record: dict[str, Any]


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    """One production's store, under ``<production>/.aktion``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.tmp = self.root / "tmp"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
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
    def for_production(cls, production_root: Path) -> Store:
        return cls(Path(production_root) / STORE_DIR)

    def close(self) -> None:
        self.db.close()

    # blobs ---------------------------------------------------------------
    def blob_path(self, out: Output) -> Path:
        return self.blobs / out.digest[:2] / f"{out.digest}{out.ext}"

    def workdir(self) -> Path:
        """A private scratch folder for a running step, inside the store's filesystem."""
        return Path(tempfile.mkdtemp(dir=self.tmp, prefix="step-"))

    def put_file(self, path: Path) -> Output:
        """Move a finished file into the store by content; durable when this returns."""
        path = Path(path)
        with path.open("rb") as f:
            os.fsync(f.fileno())
        d = file_digest(path)
        out = Output(d, path.suffix.lower(), path.stat().st_size)
        dest = self.blob_path(out)
        if dest.exists() and dest.stat().st_size == out.size:
            path.unlink()
            return out
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)
        _fsync_dir(dest.parent)
        return out

    def has(self, out: Output) -> bool:
        p = self.blob_path(out)
        return p.is_file() and p.stat().st_size == out.size

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
        for shard in sorted(self.blobs.iterdir()):
            for blob in sorted(shard.iterdir()):
                name = blob.name.split(".")[0]
                if file_digest(blob) != name:
                    problems.append(f"blob {blob.name} does not match its digest")
        for key, step_id, outputs in self.db.execute("SELECT key, step_id, outputs FROM actions"):
            for n, o in json.loads(outputs).items():
                if not self.has(Output(**o)):
                    problems.append(f"{step_id} ({key[:12]}): output {n} missing")
        return problems
