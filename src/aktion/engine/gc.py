"""Collect blobs nothing refers to: ``aktion gc``.

A blob is kept when a cache entry lists it among a step's outputs, or when the
ledger names its digest as an input or output of a signed step (the original a
watermark leads back to must stay findable). Everything else in a local store
is removed, or only listed with a dry run. It holds the render lock, so it never
collects a blob a running render has written but not recorded yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aktion.provenance.ledger import Ledger

from .blobstore import LocalBlobs
from .run import render_lock
from .store import Store


@dataclass
class Collected:
    blobs: int = 0
    kept: int = 0
    unreferenced: list[str] = field(default_factory=list)  # blob names removed (or to be)
    bytes: int = 0


def referenced(store: Store, production_root: Path) -> set[str]:
    """Every digest a cache entry or a ledger entry refers to."""
    keep: set[str] = set()
    for (outputs,) in store.db.execute("SELECT outputs FROM actions").fetchall():
        keep |= {o["digest"] for o in json.loads(outputs).values()}
    for entry in Ledger.for_production(production_root).entries():
        keep |= set(entry.inputs.values()) | set(entry.outputs.values())
    return keep


def collect(production_root: Path, *, dry_run: bool = False) -> Collected:
    store = Store.for_production(production_root)
    try:
        if not isinstance(store.blobstore, LocalBlobs):
            raise ValueError(  # noqa: TRY004 - a setting the user chose, not a type error
                f"blobs live at {store.blobstore.url}: gc collects local stores only")
        found = Collected()
        with render_lock(store):
            keep = referenced(store, production_root)
            for name in list(store.blobstore.names()):
                found.blobs += 1
                digest = name.split("/")[-1].split(".")[0]
                if digest in keep:
                    found.kept += 1
                    continue
                path = store.blobstore.root / name
                found.unreferenced.append(name)
                found.bytes += path.stat().st_size
                if not dry_run:
                    path.unlink(missing_ok=True)
        return found
    finally:
        store.close()
