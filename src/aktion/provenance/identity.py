"""Signing identities: who signs a production's assets, with the key kept elsewhere.

An identity is a public certificate chain, the trust anchor a verifier needs, and
a way to sign: a private key file (mode 0600, under ``aktion_home()``, never in a
production folder) or a callback into a KMS or HSM that never reveals the key.
A production records only the public half (``identity/cert.pem`` and
``identity/anchor.pem``), so it can be shared, diffed and published.
"""

from __future__ import annotations

import importlib
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import c2pa
from cryptography import x509

from .atomic import write_atomic
from .certs import (
    alg_for,
    certs_pem,
    check_chain,
    fingerprint,
    key_pem,
    load_certs,
    load_key,
    make_local_ca,
)
from .errors import IdentityError
from .home import identities_dir, identity_dir, is_inside
from .raw_sign import sign_bytes

KEY_FILE, CHAIN_FILE, ANCHOR_FILE, META_FILE = "key.pem", "chain.pem", "anchor.pem", "identity.json"
PRODUCTION_DIR, PRODUCTION_CERT, PRODUCTION_ANCHOR = "identity", "cert.pem", "anchor.pem"
SignCallback = Callable[[bytes], bytes]
_ALGS = {a.name.lower(): a for a in c2pa.C2paSigningAlg}


@dataclass(frozen=True)
class Identity:
    """The public chain (leaf first), its anchor, and exactly one way to sign."""

    name: str
    chain_pem: str
    anchor_pem: str
    alg: str = "es256"
    key_path: Path | None = None
    sign_callback: SignCallback | None = None
    tsa_url: str | None = None  # an RFC 3161 time-stamp authority the user configured

    @cached_property
    def chain(self) -> list[x509.Certificate]:
        return load_certs(self.chain_pem)

    @property
    def leaf(self) -> x509.Certificate:
        return self.chain[0]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.leaf)

    @classmethod
    def from_callback(cls, name: str, chain_pem: str, anchor_pem: str,
                      callback: SignCallback, alg: str | None = None,
                      tsa_url: str | None = None) -> Identity:
        """An identity whose key lives in a KMS/HSM: ``callback(data) -> signature``.

        For ECDSA the signature may be DER (what most KMS APIs return) or raw r||s.
        """
        chain = load_certs(chain_pem)
        check_chain(chain, load_certs(anchor_pem))
        return cls(name, chain_pem, anchor_pem, alg or alg_for(chain[0].public_key()),
                   sign_callback=callback, tsa_url=tsa_url)

    def signer(self) -> c2pa.Signer:
        """A fresh c2pa Signer (the SDK consumes one per signature). With a TSA set,
        the SDK asks it for an RFC 3161 time-stamp on every signature."""
        alg = _ALGS[self.alg]
        if self.sign_callback is not None:
            return c2pa.Signer.from_callback(self.sign_callback, alg, self.chain_pem,
                                             self.tsa_url)
        if self.key_path is None:
            raise IdentityError(f"identity {self.name!r} has neither a key file nor a callback")
        key = _read_private(self.key_path)
        info = c2pa.C2paSignerInfo(alg, self.chain_pem.encode(), key, self.tsa_url)
        return c2pa.Signer.from_info(info)

    def sign(self, data: bytes) -> bytes:
        """A detached signature over ``data`` with this identity's key (DER for ECDSA):
        how ledger entries and checkpoints are signed."""
        if self.sign_callback is not None:
            return sign_bytes(None, self.alg, data, self.sign_callback,
                              self.leaf.public_key())
        if self.key_path is None:
            raise IdentityError(f"identity {self.name!r} has neither a key file nor a callback")
        return sign_bytes(load_key(_read_private(self.key_path)), self.alg, data)


# --- on disk -----------------------------------------------------------------------------

def _read_private(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise IdentityError(f"private key {path} is missing") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise IdentityError(
            f"private key {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    return path.read_bytes()


_write = write_atomic


def inside_production(path: Path) -> Path | None:
    """The production folder (one with ``aktion.toml``) that contains ``path``, if any."""
    p = Path(path).expanduser().resolve()
    for folder in (p, *p.parents):
        if (folder / "aktion.toml").is_file():
            return folder
    return None


def _prepare_dir(name: str, directory: Path | None, force: bool) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise IdentityError(f"identity name {name!r}: use letters, digits, - and _")
    folder = Path(directory).expanduser() if directory else identity_dir(name)
    production = inside_production(folder)
    if production is not None:
        raise IdentityError(
            f"{folder} is inside the production {production}: private keys must live "
            "outside production folders (default ~/.config/aktion/identities)"
        )
    if (folder / KEY_FILE).exists() and not force:
        raise IdentityError(f"identity {name!r} already exists in {folder} (use --force)")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


def _save(folder: Path, name: str, chain_pem: str, anchor_pem: str, key: bytes,
          origin: str, tsa_url: str | None = None) -> Identity:
    _write(folder / KEY_FILE, key, 0o600)
    _write(folder / CHAIN_FILE, chain_pem.encode(), 0o644)
    _write(folder / ANCHOR_FILE, anchor_pem.encode(), 0o644)
    leaf = load_certs(chain_pem)[0]
    meta = {"name": name, "alg": alg_for(leaf.public_key()), "fingerprint": fingerprint(leaf),
            "origin": origin, "not_after": leaf.not_valid_after_utc.isoformat()}
    if tsa_url:
        meta["tsa_url"] = check_tsa_url(tsa_url)
    _write(folder / META_FILE, (json.dumps(meta, indent=2) + "\n").encode(), 0o644)
    return load_identity(name, directory=folder)


def check_tsa_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise IdentityError(f"time-stamp authority {url!r}: expected an http(s):// URL")
    return url


def set_tsa(name: str, url: str | None, *, directory: Path | None = None) -> Identity:
    """Time-stamp this identity's signatures with the TSA at ``url`` (None: stop)."""
    folder = Path(directory).expanduser() if directory else identity_dir(name)
    ident = load_identity(name, directory=folder)
    meta = _meta(folder)
    meta.pop("tsa_url", None)
    if url:
        meta["tsa_url"] = check_tsa_url(url)
    _write(folder / META_FILE, (json.dumps(meta, indent=2) + "\n").encode(), 0o644)
    return load_identity(ident.name, directory=folder)


def _meta(folder: Path) -> dict:
    try:
        data = json.loads((folder / META_FILE).read_text())
    except FileNotFoundError:
        return {}
    except ValueError as e:
        raise IdentityError(f"{folder / META_FILE}: not valid JSON ({e})") from None
    return data if isinstance(data, dict) else {}


def create_identity(name: str = "default", *, directory: Path | None = None,
                    intermediate: bool = False, force: bool = False,
                    tsa_url: str | None = None, trust: bool = True) -> Identity:
    """A new local CA and ES256 signing certificate; only the leaf key is kept.

    With ``trust`` its root joins the user's trust store: you made it here, so what
    it signs verifies as yours on this machine (``aktion trust remove`` undoes it)."""
    folder = _prepare_dir(name, directory, force)
    ca = make_local_ca(name, intermediate=intermediate)
    ident = _save(folder, name, certs_pem(ca.chain), certs_pem([ca.anchor]), key_pem(ca.key),
                  "local-ca", tsa_url)
    if trust:
        trust_identity(ident)
    return ident


def trust_identity(ident: Identity) -> list:
    """Add an identity's root to the user's trust store; returns the anchors added."""
    from .trust import TrustStore

    return TrustStore().add(load_certs(ident.anchor_pem), label=f"identity {ident.name}",
                            source="identity created or imported on this machine")


def import_identity(name: str, chain_pem: str, key: bytes, anchor_pem: str, *,
                    directory: Path | None = None, force: bool = False,
                    tsa_url: str | None = None) -> Identity:
    """Bring your own certificate chain and key; both are checked before anything is saved.

    ``key`` is PEM or DER (PKCS#8 or traditional), unencrypted."""
    chain = load_certs(chain_pem)
    check_chain(chain, load_certs(anchor_pem))
    private = load_key(key)
    if private.public_key() != chain[0].public_key():
        raise IdentityError("the private key does not belong to the signing certificate")
    folder = _prepare_dir(name, directory, force)
    return _save(folder, name, chain_pem, anchor_pem, key_pem(private), "imported", tsa_url)


def load_identity(name: str = "default", *, directory: Path | None = None) -> Identity:
    folder = Path(directory).expanduser() if directory else identity_dir(name)
    try:
        chain_pem = (folder / CHAIN_FILE).read_text()
        anchor_pem = (folder / ANCHOR_FILE).read_text()
    except FileNotFoundError:
        raise IdentityError(
            f"no identity {name!r} in {folder}; create one with `aktion identity create`"
        ) from None
    chain = load_certs(chain_pem)
    check_chain(chain, load_certs(anchor_pem))
    return Identity(name, chain_pem, anchor_pem, alg_for(chain[0].public_key()),
                    key_path=folder / KEY_FILE, tsa_url=_meta(folder).get("tsa_url"))


def list_identities() -> list[Identity]:
    root = identities_dir()
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if (folder / CHAIN_FILE).is_file():
            try:
                found.append(load_identity(folder.name, directory=folder))
            except IdentityError:
                continue
    return found


# --- the public half, recorded in a production -------------------------------------------

def production_identity_dir(production_root: Path) -> Path:
    return Path(production_root) / PRODUCTION_DIR


def install_identity(production_root: Path, identity: Identity) -> Path:
    """Record the identity's public chain and add its anchor to the production's anchors.

    Earlier anchors stay, so assets signed before a change of identity still verify.
    """
    if identity.key_path is not None and is_inside(identity.key_path, production_root):
        raise IdentityError("the identity's private key is inside the production folder")
    folder = production_identity_dir(production_root)
    folder.mkdir(parents=True, exist_ok=True)
    anchors = production_anchors(production_root)
    for cert in load_certs(identity.anchor_pem):
        if cert not in anchors:
            anchors.append(cert)
    _write(folder / PRODUCTION_ANCHOR, certs_pem(anchors).encode(), 0o644)
    _write(folder / PRODUCTION_CERT, identity.chain_pem.encode(), 0o644)
    return folder


def production_anchors(production_root: Path) -> list[x509.Certificate]:
    path = production_identity_dir(production_root) / PRODUCTION_ANCHOR
    return load_certs(path.read_bytes()) if path.is_file() else []


def _from_plugin(target: str, production_root: Path) -> Identity:
    """``AKTION_SIGNER=module:function``: a KMS/HSM adapter returning a callback Identity."""
    module, _, attr = target.partition(":")
    try:
        factory = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise IdentityError(f"AKTION_SIGNER={target}: cannot load it ({e})") from None
    identity = factory(Path(production_root))
    if not isinstance(identity, Identity):
        raise IdentityError(f"AKTION_SIGNER={target} returned {type(identity).__name__}, "
                            "not an Identity")
    return identity


def identity_for_production(production_root: Path) -> Identity:
    """The identity whose certificate the production records: from ``AKTION_SIGNER``
    (a KMS/HSM adapter), the local identity ``AKTION_IDENTITY`` names, or the local
    identity with that certificate."""
    cert_path = production_identity_dir(production_root) / PRODUCTION_CERT
    if not cert_path.is_file():
        raise IdentityError(
            f"{production_root} has no signing identity; run "
            f"`aktion identity create --production {production_root}`"
        )
    wanted = fingerprint(load_certs(cert_path.read_bytes())[0])
    named = os.environ.get("AKTION_IDENTITY")
    plugin = os.environ.get("AKTION_SIGNER")
    if plugin:
        candidates = [_from_plugin(plugin, production_root)]
    else:
        candidates = [load_identity(named)] if named else list_identities()
    for identity in candidates:
        if identity.fingerprint == wanted:
            return identity
    raise IdentityError(
        f"no identity here holds the key for {cert_path} (fingerprint {wanted[:16]}…); "
        "import it with `aktion identity import`, or record yours with `aktion identity use`"
    )
