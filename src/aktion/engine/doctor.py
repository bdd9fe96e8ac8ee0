"""A full check-up of a production's store: every blob, every cache row, the ledger.

A render trusts a blob whose stat has not changed since it was last hashed; the
doctor trusts nothing. It re-hashes every blob, quarantines those that fail their
digest, forgets every cache row whose outputs are gone (so the next render makes
them again), and reads the ledger's chain. Nothing is deleted: bad blobs move to
``.aktion/quarantine/`` for inspection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aktion.provenance.ledger import Ledger, LedgerReport

from .blobstore import LocalBlobs, Output, blob_name
from .store import Store


@dataclass
class Checkup:
    blobs: int = 0  # blobs hashed
    corrupt: list[str] = field(default_factory=list)  # blob names that failed their digest
    rows: int = 0  # cache rows read
    forgotten: list[str] = field(default_factory=list)  # step ids whose outputs are gone
    ledger: LedgerReport | None = None

    @property
    def healthy(self) -> bool:
        return not (self.corrupt or self.forgotten) and (self.ledger is None or self.ledger.ok)


def checkup(store: Store, production_root: Path, repair: bool = True) -> Checkup:
    """Hash every blob and check every cache row; with ``repair``, quarantine and forget."""
    found = Checkup()
    bad: set[str] = set()
    for name in store.blobstore.names():
        found.blobs += 1
        digest = name.split("/")[-1].split(".")[0]
        if store.blobstore.digest_of(name) != digest:
            bad.add(name)
            found.corrupt.append(name)
            if repair and isinstance(store.blobstore, LocalBlobs):
                store.quarantine_blob(store.blobstore.root / name)
    rows = store.db.execute("SELECT key, step_id, outputs FROM actions").fetchall()
    for key, step_id, outputs in rows:
        found.rows += 1
        outs = [Output(**o) for o in json.loads(outputs).values()]
        if any(blob_name(o) in bad or not store.has(o) for o in outs):
            found.forgotten.append(step_id)
            if repair and not store.readonly:
                with store.db:
                    store.db.execute("DELETE FROM actions WHERE key = ?", (key,))
    ledger = Ledger.for_production(production_root)
    if ledger.path.exists():
        found.ledger = ledger.verify()
    return found
