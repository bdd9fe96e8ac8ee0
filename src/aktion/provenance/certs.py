"""X.509 for C2PA: a small local CA, and the rules a signing certificate must meet.

C2PA verifiers reject a self-signed signing certificate, a CA certificate, one
without a critical ``digitalSignature`` key usage, and one without an extended key
usage they accept. Checking these here turns a later, cryptic "Invalid" from the
SDK into a message that says what to fix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import IdentityError

EMAIL_PROTECTION = ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string
DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"
C2PA_CLAIM_SIGNING = "1.3.6.1.4.1.62558.2.1"
# emailProtection is accepted by C2PA verifiers with default settings; the other two
# are accepted by Aktion's own verifier (it lists them in ``trust.trust_config``).
ACCEPTED_EKUS = (EMAIL_PROTECTION, DOCUMENT_SIGNING, C2PA_CLAIM_SIGNING)

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class LocalCA:
    """A fresh signing certificate chain (leaf first), its root, and the leaf's key."""

    chain: list[x509.Certificate]
    anchor: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _name(common_name: str, unit: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Aktion"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
    ])


def _usage(*, sign_certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certs, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=sign_certs,
        crl_sign=sign_certs, encipher_only=False, decipher_only=False,
    )


def _issue(
    subject: x509.Name, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey, days: int, path_length: int | None, ca: bool,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(_usage(sign_certs=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def make_local_ca(name: str, *, intermediate: bool = False, leaf_days: int = 730,
                  ca_days: int = 3650) -> LocalCA:
    """Root (-> intermediate) -> ES256 leaf. Only the leaf's key is returned: the CA keys
    are dropped, so nothing on disk can mint more certificates under this anchor."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{name} root", "local signing root")
    root = _issue(root_name, root_key, root_name, root_key, ca_days, 1 if intermediate else 0,
                  ca=True)
    issuer, issuer_key, chain_tail = root_name, root_key, []
    if intermediate:
        mid_key = ec.generate_private_key(ec.SECP256R1())
        mid_name = _name(f"{name} intermediate", "local signing intermediate")
        mid = _issue(mid_name, mid_key, root_name, root_key, ca_days, 0, ca=True)
        issuer, issuer_key, chain_tail = mid_name, mid_key, [mid]
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _issue(_name(name, "signing"), leaf_key, issuer, issuer_key, leaf_days, None, ca=False)
    return LocalCA([leaf, *chain_tail], root, leaf_key)


# --- reading and describing ------------------------------------------------------------

def load_certs(pem: bytes | str) -> list[x509.Certificate]:
    """Certificates from PEM text, or from one DER certificate."""
    data = pem.encode() if isinstance(pem, str) else pem
    if b"-----BEGIN" not in data:
        try:
            return [x509.load_der_x509_certificate(data)]
        except ValueError:
            raise IdentityError("neither PEM certificates nor a DER certificate") from None
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as e:
        raise IdentityError(f"not a PEM certificate bundle: {e}") from None


def certs_pem(certs: Sequence[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_key(data: bytes) -> PrivateKey:
    """A private key from PEM or DER (PKCS#8 or traditional), unencrypted."""
    loader = (serialization.load_pem_private_key if b"-----BEGIN" in data
              else serialization.load_der_private_key)
    try:
        key = loader(data, password=None)
    except (ValueError, TypeError) as e:
        raise IdentityError(f"cannot read the private key (PEM or DER, unencrypted): {e}") from None
    if not isinstance(key, PrivateKey):
        raise IdentityError(f"unsupported private key type {type(key).__name__}")
    return key


@dataclass(frozen=True)
class Bundle:
    """What a PKCS#12 file holds: the key, the signing certificate, and the rest of the
    chain (intermediates and, often, the root)."""

    key: PrivateKey
    leaf: x509.Certificate
    others: list[x509.Certificate]


def load_pkcs12(data: bytes, passphrase: bytes | None) -> Bundle:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError) as e:
        hint = " (wrong passphrase?)" if "password" in str(e).lower() or passphrase else ""
        raise IdentityError(f"cannot read the PKCS#12 file{hint}: {e}") from None
    if key is None or cert is None:
        raise IdentityError("the PKCS#12 file holds no private key and certificate pair")
    if not isinstance(key, PrivateKey):
        raise IdentityError(f"unsupported private key type {type(key).__name__}")
    return Bundle(key, cert, list(others))


def split_chain(leaf: x509.Certificate, others: Sequence[x509.Certificate],
                ) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """Order a bag of certificates from leaf up; returns (chain, roots), roots being the
    self-issued CA certificates that would be the trust anchor."""
    chain, pool = [leaf], [c for c in others if c != leaf]
    roots = [c for c in pool if c.issuer == c.subject]
    pool = [c for c in pool if c not in roots]
    while pool:
        parent = next((c for c in pool if c.subject == chain[-1].issuer), None)
        if parent is None:
            break
        chain.append(parent)
        pool.remove(parent)
    return chain, roots


def fingerprint(cert: x509.Certificate) -> str:
    """sha256 of the certificate's DER: how the ledger names a signer."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def alg_for(public_key: object) -> str:
    """The C2PA signing algorithm for a key (ES256 for P-256, the default)."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        algs = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if public_key.curve.name in algs:
            return algs[public_key.curve.name]
        raise IdentityError(f"EC curve {public_key.curve.name} is not allowed by C2PA")
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(public_key, rsa.RSAPublicKey):
        return "ps256"
    raise IdentityError(f"unsupported key type {type(public_key).__name__}")


# --- the rules -------------------------------------------------------------------------

def _ext(cert: x509.Certificate, kind: type) -> x509.Extension | None:
    try:
        return cert.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def check_leaf(cert: x509.Certificate) -> None:
    """Raise IdentityError naming the first C2PA rule this signing certificate breaks."""
    who = cert.subject.rfc4514_string()
    if cert.issuer == cert.subject:
        raise IdentityError(f"{who}: a signing certificate must not be self-signed")
    bc = _ext(cert, x509.BasicConstraints)
    if bc is not None and bc.value.ca:
        raise IdentityError(f"{who}: a signing certificate must have CA:false")
    ku = _ext(cert, x509.KeyUsage)
    if ku is None or not ku.critical or not ku.value.digital_signature:
        raise IdentityError(f"{who}: needs a critical keyUsage with digitalSignature")
    if _ext(cert, x509.SubjectKeyIdentifier) is None:
        raise IdentityError(f"{who}: needs a subjectKeyIdentifier")
    if _ext(cert, x509.AuthorityKeyIdentifier) is None:
        raise IdentityError(f"{who}: needs an authorityKeyIdentifier")
    eku = _ext(cert, x509.ExtendedKeyUsage)
    oids = {o.dotted_string for o in eku.value} if eku is not None else set()
    if not oids & set(ACCEPTED_EKUS):
        raise IdentityError(
            f"{who}: needs an extended key usage C2PA accepts: emailProtection "
            f"({EMAIL_PROTECTION}), documentSigning or the C2PA claim-signing OID"
        )
    now = dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise IdentityError(
            f"{who}: not valid now (valid {cert.not_valid_before_utc:%Y-%m-%d} to "
            f"{cert.not_valid_after_utc:%Y-%m-%d})"
        )


def check_chain(chain: Sequence[x509.Certificate], anchors: Sequence[x509.Certificate]) -> None:
    """The leaf meets the C2PA rules and the chain links, signature by signature, to an
    anchor. The anchor itself is not part of the chain a signer embeds."""
    if not chain:
        raise IdentityError("the certificate chain is empty")
    check_leaf(chain[0])
    for child, parent in pairwise(chain):
        _check_issued(child, parent)
    top = chain[-1]
    if any(top == a for a in anchors):
        raise IdentityError("the chain must not include the trust anchor itself")
    for anchor in anchors:
        try:
            _check_issued(top, anchor)
        except IdentityError:
            continue
        return
    raise IdentityError(
        f"the chain does not lead to the trust anchor: {top.issuer.rfc4514_string()} "
        "is not among the anchors given"
    )


def _check_issued(child: x509.Certificate, parent: x509.Certificate) -> None:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature) as e:
        raise IdentityError(
            f"{child.subject.rfc4514_string()} is not issued by "
            f"{parent.subject.rfc4514_string()}: {e or 'bad signature'}"
        ) from None
