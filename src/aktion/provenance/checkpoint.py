"""The signed checkpoint: the ledger's head, signed after every append, kept beside it.

Signed entries stop a forger from rewriting history without the key, but not
from cutting it short: a ledger with its last entries removed is still a valid,
signed chain. The checkpoint (``.aktion/checkpoint.json``) records the index and
hash of the newest entry, and of the first (which names this ledger), signed with
the same key. A ledger that ends before its checkpoint, or whose entry at that
index differs, was truncated or rewritten; a checkpoint with no ledger means the
ledger was deleted.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_atomic

if TYPE_CHECKING:
    from .ledger import Entry, Ledger, LedgerSigner

CHECKPOINT_FILE = "checkpoint.json"


@dataclass(frozen=True)
class Checkpoint:
    index: int
    hash: str
    genesis: str  # the hash of entry 0: which ledger this is
    time: str
    signer: str
    alg: str
    sig: str = ""

    def signed_bytes(self) -> bytes:
        body = {k: v for k, v in asdict(self).items() if k != "sig"}
        return b"aktion-ledger-checkpoint:" + json.dumps(
            body, sort_keys=True, separators=(",", ":")).encode()

    def signature(self) -> bytes:
        try:
            return base64.b64decode(self.sig, validate=True)
        except ValueError:
            return b""


def checkpoint_path(ledger: Ledger) -> Path:
    return ledger.path.parent / CHECKPOINT_FILE


def _first_hash(ledger: Ledger) -> str | None:
    with ledger.path.open("rb") as f:
        line = f.readline()
    try:
        first = json.loads(line)
    except ValueError:
        return None
    return first.get("hash") if isinstance(first, dict) else None


def write_checkpoint(ledger: Ledger, head: Entry, signer: LedgerSigner) -> Checkpoint:
    genesis = head.hash if head.index == 0 else (_first_hash(ledger) or "")
    cp = Checkpoint(head.index, head.hash, genesis, head.time, signer.fingerprint, signer.alg)
    sig = base64.b64encode(signer.sign(cp.signed_bytes())).decode()
    cp = Checkpoint(**{**asdict(cp), "sig": sig})
    write_atomic(checkpoint_path(ledger), (json.dumps(asdict(cp), indent=2) + "\n").encode())
    return cp


def read_checkpoint(ledger: Ledger) -> Checkpoint | str | None:
    """The checkpoint, None if there is none, or a sentence saying why it is unreadable."""
    path = checkpoint_path(ledger)
    if not path.is_file():
        return None
    try:
        data: Any = json.loads(path.read_bytes())
        cp = Checkpoint(**data)
    except (ValueError, TypeError) as e:
        return f"{path}: not a checkpoint ({e})"
    if not isinstance(cp.index, int) or not all(
            isinstance(v, str) for v in (cp.hash, cp.genesis, cp.signer, cp.alg, cp.sig)):
        return f"{path}: a field has the wrong type"
    return cp
