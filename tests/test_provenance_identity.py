"""Identities: keys stay private and outside productions; bad certificates are refused."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from aktion.provenance.certs import certs_pem, key_pem, make_local_ca
from aktion.provenance.credentials import sign_asset
from aktion.provenance.errors import IdentityError, SigningError
from aktion.provenance.home import is_inside
from aktion.provenance.identity import (
    Identity,
    create_identity,
    identity_for_production,
    import_identity,
    install_identity,
    load_identity,
    trust_identity,
)
from aktion.provenance.redact import assert_clean
from aktion.provenance.verify import verify_asset
from test_provenance_support import (  # noqa: F401
    home,
    identity,
    production,
    sdk_read,
    write_png,
)


def signed_png(tmp_path: Path, ident: Identity, name: str = "s.png") -> Path:
    dst = tmp_path / name
    sign_asset(write_png(tmp_path / f"raw-{name}"), dst, asset_kind="layout",
               digital_source_type="algorithmicMedia", identity=ident)
    return dst


def test_key_is_private_and_outside_the_production(
    home: Path, production: Path, identity: Identity,  # noqa: F811
) -> None:
    assert identity.key_path is not None and is_inside(identity.key_path, home)
    assert not is_inside(identity.key_path, production)
    assert stat.S_IMODE(identity.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(identity.key_path.parent.stat().st_mode) == 0o700
    recorded = sorted(p.name for p in (production / "identity").iterdir())
    assert recorded == ["anchor.pem", "cert.pem"]
    for p in production.rglob("*"):
        if p.is_file():
            assert b"PRIVATE KEY" not in p.read_bytes(), p


def test_refuses_to_keep_a_key_inside_a_production(
    home: Path, production: Path,  # noqa: F811
) -> None:
    with pytest.raises(IdentityError, match="inside the production"):
        create_identity("x", directory=production / "keys")
    assert not (production / "keys" / "key.pem").exists()


def test_refuses_a_key_others_can_read(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    assert identity.key_path is not None
    identity.key_path.chmod(0o644)
    with pytest.raises(IdentityError, match="chmod 600"):
        signed_png(tmp_path, identity)


def test_intermediate_chain_is_trusted(tmp_path: Path, home: Path) -> None:  # noqa: F811
    ident = create_identity("chain", intermediate=True)
    assert len(ident.chain) == 2
    store = sdk_read(signed_png(tmp_path, ident), ident.anchor_pem)
    assert store["validation_state"] == "Trusted"


def test_production_finds_its_identity_by_fingerprint(
    production: Path, identity: Identity, home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    create_identity("other")
    assert identity_for_production(production).fingerprint == identity.fingerprint
    monkeypatch.setenv("AKTION_IDENTITY", "other")
    with pytest.raises(IdentityError, match="no identity here holds the key"):
        identity_for_production(production)


def test_a_new_identity_keeps_old_assets_trusted(
    tmp_path: Path, production: Path, identity: Identity, home: Path,  # noqa: F811
) -> None:
    old = signed_png(tmp_path, identity, "old.png")
    install_identity(production, create_identity("next"))
    assert verify_asset(old, production=production).status == "trusted"


def test_bring_your_own_certificate(tmp_path: Path, home: Path) -> None:  # noqa: F811
    ca = make_local_ca("byo")
    ident = import_identity("byo", certs_pem(ca.chain), key_pem(ca.key), certs_pem([ca.anchor]))
    assert load_identity("byo").fingerprint == ident.fingerprint
    assert sdk_read(signed_png(tmp_path, ident), ident.anchor_pem)["validation_state"] == "Trusted"
    other = make_local_ca("other")
    with pytest.raises(IdentityError, match="does not belong"):
        import_identity("bad", certs_pem(ca.chain), key_pem(other.key), certs_pem([ca.anchor]))
    with pytest.raises(IdentityError, match="does not lead to the trust anchor"):
        import_identity("bad", certs_pem(ca.chain), key_pem(ca.key), certs_pem([other.anchor]))


def _leaf(*, ca: bool = False, eku: bool = True, self_signed: bool = False):
    root_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "r")])
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "leaf")])
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder().subject_name(name)
         .issuer_name(name if self_signed else root_name).public_key(key.public_key())
         .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                      False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             root_key.public_key()), False))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(
            [x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
    return b.sign(key if self_signed else root_key, hashes.SHA256()), key


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"self_signed": True}, "self-signed"),
    ({"ca": True}, "CA:false"),
    ({"eku": False}, "extended key usage"),
])
def test_certificates_c2pa_would_reject_are_refused_up_front(
    home: Path, kwargs: dict, message: str,  # noqa: F811
) -> None:
    cert, key = _leaf(**kwargs)
    with pytest.raises(IdentityError, match=message):
        import_identity("bad", certs_pem([cert]), key_pem(key), certs_pem([cert]))


def test_kms_style_callback_signer(tmp_path: Path, production: Path) -> None:  # noqa: F811
    """The key never touches disk: a callback signs, as a KMS or HSM would."""
    ca = make_local_ca("kms")
    calls = []

    def kms_sign(data: bytes) -> bytes:
        calls.append(len(data))
        return ca.key.sign(data, ec.ECDSA(hashes.SHA256()))

    ident = Identity.from_callback("kms", certs_pem(ca.chain), certs_pem([ca.anchor]), kms_sign)
    install_identity(production, ident)
    trust_identity(ident)  # the user trusts the KMS key's root
    dst = signed_png(tmp_path, ident)
    assert calls and verify_asset(dst, production=production).status == "trusted"


_KMS = make_local_ca("plugin-kms")


def kms_identity(production_root: Path) -> Identity:
    """What a KMS adapter named by AKTION_SIGNER returns: certificates and a callback."""
    return Identity.from_callback(
        "kms", certs_pem(_KMS.chain), certs_pem([_KMS.anchor]),
        lambda data: _KMS.key.sign(data, ec.ECDSA(hashes.SHA256())))


def test_signer_plugin_is_used_for_the_production(
    tmp_path: Path, production: Path, home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    install_identity(production, kms_identity(production))
    trust_identity(kms_identity(production))
    monkeypatch.setenv("AKTION_SIGNER", "test_provenance_identity:kms_identity")
    ident = identity_for_production(production)
    assert ident.sign_callback is not None and ident.key_path is None
    assert verify_asset(signed_png(tmp_path, ident), production=production).status == "trusted"
    monkeypatch.setenv("AKTION_SIGNER", "test_provenance_identity:nothing_here")
    with pytest.raises(IdentityError, match="cannot load"):
        identity_for_production(production)


def test_secret_backstop_refuses_bytes_holding_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_SERVICE_KEY", "canary-backstop-123")
    with pytest.raises(SigningError):
        assert_clean(b"...canary-backstop-123...", "test bytes")
    assert_clean(b"harmless", "test bytes")
