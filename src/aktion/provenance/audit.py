"""The ledger checked as a forger would attack it, not only as a crash would damage it.

``Ledger.verify`` finds what breaks the hash chain. This adds what the chain alone
cannot show: each entry is signed by the key of a certificate that leads to an
anchor in the user's trust store (a stranger can recompute hashes, not sign with
a trusted key); the signed checkpoint still matches the ledger (else it was cut
short or rewritten); and a production that has signed anything has a ledger
(deleting or emptying it is an error, not a fresh start).
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

from cryptography import x509

from .certs import fingerprint, load_certs
from .checkpoint import Checkpoint, checkpoint_path, read_checkpoint
from .errors import IdentityError
from .ledger import Entry, Ledger, LedgerReport
from .raw_sign import verify_bytes
from .trust import TrustStore


def chain_anchor(chain: list[x509.Certificate], anchors: list[x509.Certificate],
                 at: dt.datetime | None = None) -> x509.Certificate | None:
    """The anchor that issued the top of ``chain`` (each link's signature checked), if
    the chain links and every certificate was valid at ``at``; else None."""
    if not all(_issued(child, parent) for child, parent in pairwise(chain)):
        return None
    if at is not None and not all(c.not_valid_before_utc <= at <= c.not_valid_after_utc
                                  for c in chain):
        return None
    return next((a for a in anchors if _issued(chain[-1], a)), None)


def _issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except Exception:  # noqa: BLE001 - a wrong key type, name or signature: not issued by it
        return False
    return True


def _when(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


class _Signers:
    """Signer fingerprint -> its chain (from the ledger's signers folder), checked once."""

    def __init__(self, ledger: Ledger, trust: TrustStore):
        self.ledger = ledger
        self.anchors = trust.certificates()
        self.trust = trust
        self.chains: dict[str, list[x509.Certificate] | None] = {}

    def chain(self, fp: str) -> list[x509.Certificate] | None:
        if fp not in self.chains:
            pem = self.ledger.signer_chain(fp)
            try:
                chain = load_certs(pem) if pem else None
            except IdentityError:
                chain = None
            self.chains[fp] = chain if chain and fingerprint(chain[0]) == fp else None
        return self.chains[fp]

    def check(self, what: str, fp: str, alg: str, data: bytes, sig: bytes,
              time: str) -> str | None:
        """None if ``sig`` is a good signature by a trusted signer, else what is wrong."""
        chain = self.chain(fp)
        if chain is None:
            return f"{what}: its signer {fp[:16]}… has no certificate in {self.ledger.signers_dir}"
        if not sig or not verify_bytes(chain[0].public_key(), alg, data, sig):
            return f"{what}: the signature does not match (forged or edited)"
        who = chain[0].subject.rfc4514_string()
        if chain_anchor(chain, self.anchors) is None:
            return f"{what}: signed by {who}, which you do not trust (see `aktion trust list`)"
        at = _when(time)
        if at is None or chain_anchor(chain, self.anchors, at) is None:
            return f"{what}: {who}'s certificate was not valid at its time {time}"
        return None


def signed_assets(production: Path) -> list[Path]:
    """Published files in ``out/`` that carry a C2PA manifest: proof the production signs."""
    from .credentials import has_manifest, media_type

    out = Path(production) / "out"
    found = []
    for p in sorted(out.iterdir()) if out.is_dir() else []:
        fmt = media_type(p)
        if fmt is not None and p.is_file() and has_manifest(p, fmt):
            found.append(p)
    return found


def audit_ledger(production: Path, trust: TrustStore | None = None) -> LedgerReport:
    """Chain, signatures, checkpoint and presence: everything ``ledger verify`` reports."""
    trust = trust or TrustStore()
    ledger = Ledger.for_production(production)
    report = ledger.verify()
    signers = _Signers(ledger, trust)
    for entry in report.parsed:
        if entry.v < 2 or not entry.sig:
            report.problems.append(f"entry {entry.index}: unsigned (written by an older "
                                   "Aktion, or its signature was removed)")
            continue
        why = signers.check(f"entry {entry.index}", entry.signer, entry.alg,
                            entry.signed_bytes(), entry.signature(), entry.time)
        if why:
            report.problems.append(why)
    cp = read_checkpoint(ledger)
    if isinstance(cp, str):
        report.problems.append(cp)
    elif cp is not None:
        report.checkpoint = {"index": cp.index, "hash": cp.hash, "time": cp.time}
        report.problems.extend(_against_checkpoint(cp, report.parsed, signers, ledger))
    elif report.parsed:
        report.problems.append(f"{checkpoint_path(ledger)} is missing: the ledger's signed "
                               "checkpoint was deleted, so truncation cannot be ruled out")
    if not report.parsed and cp is None:
        assets = signed_assets(production)
        if assets:
            state = "empty" if ledger.path.exists() else "missing"
            report.problems.append(
                f"the ledger is {state} but the production has signed assets "
                f"({', '.join(p.name for p in assets[:3])}): it was deleted or emptied")
    return report


def _against_checkpoint(cp: Checkpoint, entries: list[Entry], signers: _Signers,
                        ledger: Ledger) -> list[str]:
    problems = []
    why = signers.check("the checkpoint", cp.signer, cp.alg, cp.signed_bytes(), cp.signature(),
                        cp.time)
    if why:
        return [why]
    if not entries:
        state = "empty" if ledger.path.exists() else "missing"
        return [(f"the ledger is {state}, but its signed checkpoint records {cp.index + 1} "
                 "entries: it was deleted or emptied")]
    if entries[0].hash != cp.genesis:
        problems.append("the ledger's first entry is not the one its signed checkpoint names: "
                        "the ledger was replaced")
    at = next((e for e in entries if e.index == cp.index), None)
    if at is None:
        problems.append(f"the ledger ends at entry {entries[-1].index}, but its signed "
                        f"checkpoint records entry {cp.index}: it was truncated")
    elif at.hash != cp.hash:
        problems.append(f"entry {cp.index} differs from the one the signed checkpoint "
                        "records: the ledger was rewritten")
    elif entries[-1].index > cp.index:
        problems.append(f"entries after {cp.index} were added without a new signed "
                        "checkpoint")
    return problems
