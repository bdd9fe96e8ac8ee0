"""The user's trust store: the only anchors a verdict of "trusted" may rest on.

A file, or the production folder around it, can only *suggest* an anchor: a
stranger who re-signs a cut can put their own root beside it. So trust lives in
the user's configuration (``$AKTION_HOME/trust/``), and grows only by the user's
own act: ``aktion trust add`` of a PEM file (a root they checked, or the C2PA
trust list they downloaded), of a local identity's root, or of the root a
production suggests after they have checked its fingerprint. Each anchor is kept
as its own PEM file named by its sha256, with a label and where it came from.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509

from .atomic import write_atomic
from .certs import certs_pem, fingerprint, load_certs
from .errors import IdentityError
from .home import aktion_home

INDEX = "anchors.json"


def trust_dir() -> Path:
    return aktion_home() / "trust"


@dataclass(frozen=True)
class Anchor:
    """One trusted root: who it is, its fingerprint, and why the user trusts it."""

    fingerprint: str
    subject: str
    label: str
    source: str
    added: str
    not_after: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


class TrustStore:
    """The anchors in ``folder`` (default: the user's), read fresh on every call."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder else trust_dir()

    def _index(self) -> dict[str, dict[str, str]]:
        path = self.folder / INDEX
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text())
        except ValueError as e:
            raise IdentityError(f"{path}: not valid JSON ({e}); fix or remove it") from None
        return {a["fingerprint"]: a for a in data.get("anchors", [])}

    def anchors(self) -> list[Anchor]:
        return [Anchor(**a) for a in self._index().values()
                if (self.folder / f"{a['fingerprint']}.pem").is_file()]

    def certificates(self) -> list[x509.Certificate]:
        out = []
        for a in self.anchors():
            out.extend(load_certs((self.folder / f"{a.fingerprint}.pem").read_bytes()))
        return out

    def pem(self) -> str:
        return certs_pem(self.certificates())

    def has(self, cert: x509.Certificate) -> bool:
        return fingerprint(cert) in self._index()

    def add(self, certs: Iterable[x509.Certificate], *, label: str, source: str) -> list[Anchor]:
        """Trust these roots (CA certificates only); returns the ones newly added."""
        index = self._index()
        added = []
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for cert in certs:
            bc = _basic_constraints(cert)
            if bc is None or not bc.ca:
                raise IdentityError(
                    f"{cert.subject.rfc4514_string()} is not a CA certificate: trust the root "
                    "that issued it, not a signing certificate")
            fp = fingerprint(cert)
            if fp in index:
                continue
            write_atomic(self.folder / f"{fp}.pem", certs_pem([cert]).encode())
            anchor = Anchor(fp, cert.subject.rfc4514_string(), label, source,
                            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                            cert.not_valid_after_utc.isoformat())
            index[fp] = anchor.to_json()
            added.append(anchor)
        self._save(index)
        return added

    def remove(self, selector: str) -> list[Anchor]:
        """Forget the anchors whose fingerprint starts with ``selector`` or whose label is it."""
        index = self._index()
        gone = [Anchor(**a) for fp, a in index.items()
                if a["label"] == selector or (len(selector) >= 8 and fp.startswith(selector))]
        for a in gone:
            index.pop(a.fingerprint)
            (self.folder / f"{a.fingerprint}.pem").unlink(missing_ok=True)
        if gone:
            self._save(index)
        return gone

    def _save(self, index: dict[str, dict[str, str]]) -> None:
        body = {"anchors": sorted(index.values(), key=lambda a: (a["label"], a["fingerprint"]))}
        write_atomic(self.folder / INDEX, (json.dumps(body, indent=2) + "\n").encode())

    def issuer_of(self, issuer: str, candidates: Sequence[x509.Certificate] = ()) -> Anchor | None:
        """The trusted anchor that issued a certificate with issuer name ``issuer``
        (an RFC 4514 string), directly or through one of ``candidates`` (intermediates)."""
        by_subject = {c.subject.rfc4514_string(): c for c in self.certificates()}
        names = {issuer}
        for c in candidates:  # an intermediate the leaf names as its issuer
            if c.subject.rfc4514_string() == issuer:
                names.add(c.issuer.rfc4514_string())
        index = self._index()
        for name in names:
            cert = by_subject.get(name)
            if cert is not None:
                return Anchor(**index[fingerprint(cert)])
        return None


def _basic_constraints(cert: x509.Certificate) -> x509.BasicConstraints | None:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None


def read_bundle(path: Path) -> list[x509.Certificate]:
    """Certificates from a PEM bundle (a root, or a downloaded C2PA trust list) or one DER."""
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        return load_certs(data)
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise IdentityError(f"{path}: neither PEM certificates nor one DER certificate") from None
