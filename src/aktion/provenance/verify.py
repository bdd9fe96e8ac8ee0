"""Verify an asset: what the C2PA SDK says of it, whom the user trusts, and the ledger.

The status is the SDK's own class, never a guess from one status code:
``trusted`` (the SDK's ``Trusted``: valid, and signed under an anchor in the
user's trust store, which the verdict names), ``untrusted`` (``Valid``: intact
and validly signed, by someone the user has not trusted), ``invalid``
(``Invalid``, with the failing codes), ``unreadable`` (the SDK could not parse
the manifest or the asset) and ``unsigned`` (no manifest). Anchors never come
from the file or the folder around it: a production may only suggest one.

Inside a production the verdict adds the ledger: the file's digest and step key
are in a signed, intact ledger whose entry was signed by the manifest's signer.
Only a trusted asset with no such problem is ``ok``. A file whose manifest was
stripped, or that was re-encoded, is traced back through its invisible
watermark to the entry and original it came from (``recovered``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import c2pa
from cryptography import x509

from .assertion import current_slice_hash
from .audit import audit_ledger
from .certs import fingerprint, load_certs
from .context import make_context
from .credentials import sha256_file
from .errors import IdentityError
from .formats import sdk_format
from .identity import inside_production, production_anchors
from .ledger import Entry, Ledger, LedgerReport, pinned
from .trail import TrailNode, build_trail
from .trust import TrustStore

Status = Literal["trusted", "untrusted", "invalid", "unreadable", "unsigned"]
SDK_STATES: dict[str, Status] = {"Trusted": "trusted", "Valid": "untrusted",
                                 "Invalid": "invalid"}
BINDING_OK = ("assertion.dataHash.match", "assertion.bmffHash.match",
              "assertion.boxesHash.match", "assertion.collectionHash.match")


@dataclass
class Verdict:
    file: Path
    sha256: str
    status: Status
    validation_state: str | None = None
    hard_binding: str = "unknown"  # match, mismatch, unknown
    codes: list[str] = field(default_factory=list)  # the SDK's failing status codes
    failures: list[str] = field(default_factory=list)  # code: explanation
    signer: dict[str, Any] = field(default_factory=dict)
    anchor: dict[str, str] | None = None  # the trust-store anchor that made it trusted
    timestamp: str | None = None  # the RFC 3161 time the signature was stamped at
    manifest: str | None = None  # the active manifest's label
    trail: TrailNode | None = None
    production: Path | None = None
    ledger: LedgerReport | None = None
    ledger_entry: int | None = None
    recovered: dict[str, Any] | None = None  # what the watermark led back to
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "trusted" and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file), "sha256": self.sha256, "ok": self.ok, "status": self.status,
            "validation_state": self.validation_state, "hard_binding": self.hard_binding,
            "codes": self.codes, "failures": self.failures, "signer": self.signer,
            "anchor": self.anchor, "timestamp": self.timestamp, "manifest": self.manifest,
            "production": str(self.production) if self.production else None,
            "ledger": self.ledger.to_json() if self.ledger else None,
            "ledger_entry": self.ledger_entry, "recovered": self.recovered,
            "problems": self.problems,
            "trail": self.trail.to_json() if self.trail else None,
            "seconds": round(self.seconds, 4),
        }


def _codes(entries: list[dict[str, Any]] | None) -> list[str]:
    return [e.get("code", "?") for e in entries or []]


def _classify(store: dict[str, Any], verdict: Verdict) -> None:
    """The SDK's class, its failing codes, and whether the hard binding matched."""
    results = store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    verdict.codes = _codes(active.get("failure"))
    verdict.failures = [f"{f.get('code')}: {f.get('explanation', '')}"
                        for f in active.get("failure", [])]
    for delta in results.get("ingredientDeltas", []):
        for f in (delta.get("validationDeltas") or {}).get("failure", []):
            verdict.failures.append(f"ingredient {f.get('code')}: {f.get('explanation', '')}")
    if any(c.endswith("Hash.mismatch") for c in verdict.codes):
        verdict.hard_binding = "mismatch"
    elif set(_codes(active.get("success"))) & set(BINDING_OK):
        verdict.hard_binding = "match"
    state = store.get("validation_state")
    verdict.validation_state = state
    verdict.status = SDK_STATES.get(str(state), "invalid")


def _cert_info(cr: dict[str, Any], label: str | None) -> dict[str, Any]:
    for m in cr.get("manifests", []):
        if m.get("label") == label:
            return (m.get("signature") or {}).get("certificateInfo") or {}
    return {}


def _name_dict(name: x509.Name) -> dict[str, str]:
    return {a.rfc4514_attribute_name: str(a.value) for a in name}


def _serial(info: dict[str, Any]) -> int | None:
    try:
        return int(str(info.get("serialNumber")), 16)
    except ValueError:
        return None


def same_cert(cert: x509.Certificate, info: dict[str, Any]) -> bool:
    """Whether the manifest's signing certificate (issuer and serial) is ``cert``."""
    return (_serial(info) == cert.serial_number
            and info.get("issuer") == _name_dict(cert.issuer))


def _intermediates(production: Path | None) -> list[x509.Certificate]:
    """CA certificates the production's public files show (to name an anchor behind an
    intermediate); never trusted for that, only used to find the name."""
    found: list[x509.Certificate] = []
    if production is None:
        return found
    files = [production / "identity" / "cert.pem",
             *sorted((Ledger.for_production(production).signers_dir).glob("*.pem"))]
    for path in files:
        try:
            found += load_certs(path.read_bytes())[1:] if path.is_file() else []
        except (IdentityError, OSError):
            continue
    return found


def _name_anchor(verdict: Verdict, info: dict[str, Any], trust: TrustStore,
                 production: Path | None) -> None:
    issuer = info.get("issuer") or {}
    by_name = {json.dumps(_name_dict(c.subject), sort_keys=True): c
               for c in trust.certificates()}
    names = [issuer]
    names += [_name_dict(c.issuer) for c in _intermediates(production)
              if _name_dict(c.subject) == issuer]
    index = {a.fingerprint: a for a in trust.anchors()}
    for name in names:
        cert = by_name.get(json.dumps(name, sort_keys=True))
        if cert is not None and fingerprint(cert) in index:
            verdict.anchor = index[fingerprint(cert)].to_json()
            return


def _suggestion(verdict: Verdict, info: dict[str, Any], production: Path) -> None:
    issuer = info.get("issuer") or {}
    for cert in production_anchors(production):
        if _name_dict(cert.subject) == issuer:
            verdict.problems.append(
                f"the production suggests the anchor {cert.subject.rfc4514_string()} "
                f"(sha256 {fingerprint(cert)}); it is not trusted until you check that "
                f"fingerprint with its owner and run: aktion trust add --production "
                f"{production}")
            return


def _cross_check(verdict: Verdict, production: Path, trust: TrustStore,
                 info: dict[str, Any]) -> None:
    """The asset's digest and step key are in the ledger, signed by the manifest's signer,
    and the ledger is intact, signed and not cut short."""
    report = audit_ledger(production, trust)
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
        entry = (match or entries)[0]
        verdict.ledger_entry = entry.index
        _same_signer(verdict, entry, Ledger.for_production(production), info)
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


def _same_signer(verdict: Verdict, entry: Entry, ledger: Ledger, info: dict[str, Any]) -> None:
    pem = ledger.signer_chain(entry.signer)
    try:
        cert = load_certs(pem)[0] if pem else None
    except IdentityError:
        cert = None
    if cert is None:
        verdict.problems.append(f"ledger: entry {entry.index} names a signer "
                                f"{entry.signer[:16]}… whose certificate is not kept")
    elif info and not same_cert(cert, info):
        verdict.problems.append(
            f"ledger: entry {entry.index} was signed by {cert.subject.rfc4514_string()}, "
            "but the file's manifest by someone else")


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


def read_manifest(path: Path, fmt: str, anchors_pem: str | None,
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The SDK Reader's JSON report and its crJSON (certificate details); raises C2paError."""
    with Path(path).open("rb") as f:
        reader = c2pa.Reader(fmt, f, context=make_context(anchors_pem))
        try:
            return json.loads(reader.json()), json.loads(reader.crjson())
        finally:
            reader.close()


def verify_asset(path: Path, *, production: Path | None = None,
                 anchors_pem: str | None = None, trust: TrustStore | None = None,
                 recover: bool = True) -> Verdict:
    """Everything a person or a CI job needs to know about one file's provenance.

    ``anchors_pem`` (roots the caller names explicitly) replaces the user's trust store.
    """
    t0 = time.perf_counter()
    path = Path(path)
    trust = trust or TrustStore()
    verdict = Verdict(path, sha256_file(path), "unsigned", production=production)
    pem = anchors_pem if anchors_pem is not None else (trust.pem() or None)
    fmt = sdk_format(path)
    info: dict[str, Any] = {}
    if fmt is None:
        verdict.problems.append(f"{path.suffix or 'this file type'}: not a format the C2PA "
                                "SDK reads, so it cannot carry a manifest")
    else:
        try:
            store, cr = read_manifest(path, fmt, pem)
        except c2pa.C2paError.ManifestNotFound:
            verdict.problems.append("no C2PA manifest: the file is unsigned or it was stripped")
        except c2pa.C2paError as e:
            verdict.status = "unreadable"
            verdict.failures.append(str(e))
            verdict.problems.append(f"the manifest cannot be read: {e}")
        else:
            _classify(store, verdict)
            verdict.manifest = store.get("active_manifest")
            active = store.get("manifests", {}).get(verdict.manifest, {})
            verdict.signer = active.get("signature_info") or {}
            verdict.timestamp = verdict.signer.get("time")
            info = _cert_info(cr, verdict.manifest)
            verdict.trail = build_trail(store)
            _explain(verdict, trust if anchors_pem is None else None, info, production)
            if production is not None:
                _script_notes(verdict.trail, production)
    if production is not None and verdict.status != "unsigned":
        _cross_check(verdict, production, trust, info)
    if recover and production is not None and verdict.status in ("unsigned", "invalid"):
        from .recovery import recover_original

        verdict.recovered = recover_original(path, production, trust)
    verdict.seconds = time.perf_counter() - t0
    return verdict


def _explain(verdict: Verdict, trust: TrustStore | None, info: dict[str, Any],
             production: Path | None) -> None:
    if verdict.status == "trusted" and trust is not None:
        _name_anchor(verdict, info, trust, production)
    elif verdict.status == "untrusted":
        verdict.problems.append("signed validly, by an identity you do not trust "
                                "(see `aktion trust list`)")
        if production is not None:
            _suggestion(verdict, info, production)
    elif verdict.status == "invalid":
        verdict.problems.append("invalid: " + "; ".join(verdict.failures[:3]))
    ingredient = [f for f in verdict.failures if f.startswith("ingredient ")]
    for node in verdict.trail.walk()[1:] if verdict.trail else []:
        ingredient += [f"ingredient {node.title}: {f}" for f in node.failures]
    if verdict.status != "invalid" and ingredient:
        verdict.problems.append("an ingredient failed validation: " + "; ".join(ingredient[:3]))
