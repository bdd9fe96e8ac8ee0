"""Verify an asset: signature, hard binding, trust, and the production's ledger.

Trust is reported as it is: ``trusted`` (valid, and signed under one of the
production's anchors), ``untrusted`` (intact and validly signed, by someone the
production does not vouch for), ``invalid`` (the file or its manifest was
changed, or the signature is bad), ``unsigned`` (no manifest). Only a trusted
asset whose digest and step key are in an intact ledger passes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import c2pa

from .assertion import current_slice_hash
from .certs import certs_pem
from .context import make_context
from .credentials import media_type, sha256_file
from .identity import inside_production, production_anchors
from .ledger import Ledger, LedgerReport, pinned
from .trail import TrailNode, build_trail

Status = Literal["trusted", "untrusted", "invalid", "unsigned"]
UNTRUSTED_CODES = frozenset({"signingCredential.untrusted"})
BINDING_OK = ("assertion.dataHash.match", "assertion.bmffHash.match", "assertion.boxesHash.match")


@dataclass
class Verdict:
    file: Path
    sha256: str
    status: Status
    validation_state: str | None = None
    hard_binding: str = "unknown"  # match, mismatch, unknown
    failures: list[str] = field(default_factory=list)
    signer: dict[str, Any] = field(default_factory=dict)
    trail: TrailNode | None = None
    production: Path | None = None
    ledger: LedgerReport | None = None
    ledger_entry: int | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "trusted" and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file), "sha256": self.sha256, "ok": self.ok, "status": self.status,
            "validation_state": self.validation_state, "hard_binding": self.hard_binding,
            "failures": self.failures, "signer": self.signer,
            "production": str(self.production) if self.production else None,
            "ledger": self.ledger.to_json() if self.ledger else None,
            "ledger_entry": self.ledger_entry, "problems": self.problems,
            "trail": self.trail.to_json() if self.trail else None,
            "seconds": round(self.seconds, 4),
        }


def _codes(entries: list[dict[str, Any]] | None) -> list[str]:
    return [e.get("code", "?") for e in entries or []]


def _classify(store: dict[str, Any], verdict: Verdict) -> None:
    results = store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    failures = [f"{f.get('code')}: {f.get('explanation', '')}" for f in active.get("failure", [])]
    codes = set(_codes(active.get("failure")))
    for delta in results.get("ingredientDeltas", []):
        dfail = (delta.get("validationDeltas") or {}).get("failure", [])
        codes |= set(_codes(dfail))
        failures += [f"ingredient {f.get('code')}: {f.get('explanation', '')}" for f in dfail]
    verdict.failures = failures
    success = set(_codes(active.get("success")))
    if any(c.endswith("Hash.mismatch") for c in codes):
        verdict.hard_binding = "mismatch"
    elif success & set(BINDING_OK):
        verdict.hard_binding = "match"
    state = store.get("validation_state")
    verdict.validation_state = state
    if state == "Trusted" and not codes:
        verdict.status = "trusted"
    elif state in ("Valid", "Trusted") and codes <= UNTRUSTED_CODES:
        verdict.status = "untrusted"
    else:
        verdict.status = "invalid"


def _cross_check(verdict: Verdict, production: Path) -> None:
    """The asset's digest and step key are in the ledger, and the ledger is intact."""
    ledger = Ledger.for_production(production)
    report = ledger.verify()
    verdict.ledger = report
    verdict.problems += [f"ledger: {p}" for p in report.problems]
    step = verdict.trail.step if verdict.trail else {}
    entries = [e for e in report.parsed if verdict.sha256 in e.outputs.values()]
    if not entries:
        verdict.problems.append("ledger: this file's sha256 is in no ledger entry")
    else:
        key = step.get("step_key")
        match = [e for e in entries if e.step_key == key]
        if not match:
            verdict.problems.append(
                f"ledger: the entry for this file has step key {entries[0].step_key[:16]}…, "
                f"the manifest says {str(key)[:16]}…")
        verdict.ledger_entry = (match or entries)[0].index
    pin = step.get("ledger_head")
    if isinstance(pin, dict):
        why = pinned(report.parsed, int(pin.get("index", -1)), str(pin.get("hash", "")))
        if why:
            verdict.problems.append(f"ledger: {why}")
    keys = {e.step_key for e in report.parsed}
    for node in verdict.trail.walk()[1:] if verdict.trail else []:
        k = node.step.get("step_key")
        if k:
            node.in_ledger = k in keys


def _script_notes(trail: TrailNode, production: Path) -> None:
    for node in trail.walk():
        script = node.step.get("script")
        if not isinstance(script, dict) or "first_line" not in script:
            continue
        a, b = int(script["first_line"]), int(script.get("last_line", script["first_line"]))
        now = current_slice_hash(production / script.get("file", "script.fountain"), (a, b))
        if now is None:
            node.script_status = "missing"
        else:
            node.script_status = "unchanged" if now == script.get("text_sha256") else "changed"


def find_production(path: Path) -> Path | None:
    return inside_production(Path(path).parent) or inside_production(Path.cwd())


def verify_asset(path: Path, *, production: Path | None = None,
                 anchors_pem: str | None = None) -> Verdict:
    """Everything a person or a CI job needs to know about one file's provenance."""
    t0 = time.perf_counter()
    path = Path(path)
    verdict = Verdict(path, sha256_file(path), "unsigned", production=production)
    if anchors_pem is None and production is not None:
        anchors_pem = certs_pem(production_anchors(production)) or None
    if anchors_pem is None:
        verdict.problems.append("no trust anchor: pass --production (its identity/anchor.pem)")
    fmt = media_type(path)
    if fmt is None:
        verdict.problems.append(f"{path.suffix or 'this file type'}: cannot carry a manifest")
        verdict.seconds = time.perf_counter() - t0
        return verdict
    try:
        with path.open("rb") as f:
            reader = c2pa.Reader(fmt, f, context=make_context(anchors_pem))
            store = json.loads(reader.json())
            reader.close()
    except c2pa.C2paError.ManifestNotFound:
        verdict.problems.append("no C2PA manifest: the file is unsigned or it was stripped")
    except c2pa.C2paError as e:
        verdict.status = "invalid"
        verdict.failures.append(str(e))
        verdict.problems.append(f"the manifest cannot be read: {e}")
    else:
        _classify(store, verdict)
        active = store.get("manifests", {}).get(store.get("active_manifest"), {})
        verdict.signer = active.get("signature_info") or {}
        verdict.trail = build_trail(store)
        if verdict.status == "untrusted":
            verdict.problems.append("signed by an identity this production does not trust")
        elif verdict.status == "invalid":
            verdict.problems.append("the file or its manifest was altered, or the signature "
                                    "is bad: " + "; ".join(verdict.failures[:3]))
        if production is not None:
            _script_notes(verdict.trail, production)
    if production is not None:
        _cross_check(verdict, production)
    verdict.seconds = time.perf_counter() - t0
    return verdict
