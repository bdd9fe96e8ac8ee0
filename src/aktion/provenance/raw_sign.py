"""Detached signatures with a signing identity's key, for what C2PA does not carry.

The ledger's entries and checkpoints are signed with the same key and algorithm
as the production's manifests (ES256 by default), so one certificate, trusted
through the user's trust store, vouches for both.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .errors import IdentityError

_HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def _hash(alg: str) -> hashes.HashAlgorithm:
    return _HASHES[alg[-3:]]() if alg[-3:] in _HASHES else hashes.SHA256()


def _pss(alg: str) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(_hash(alg)), salt_length=_hash(alg).digest_size)


def _der(sig: bytes, public_key: object) -> bytes:
    """ECDSA signatures as DER: a KMS may hand back raw r||s instead."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        size = (public_key.curve.key_size + 7) // 8
        if len(sig) == 2 * size:
            return encode_dss_signature(int.from_bytes(sig[:size], "big"),
                                        int.from_bytes(sig[size:], "big"))
    return sig


def sign_bytes(key: object, alg: str, data: bytes,
               callback: Callable[[bytes], bytes] | None = None,
               public_key: object = None) -> bytes:
    if callback is not None:
        return _der(callback(data), public_key)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(_hash(alg)))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, _pss(alg), _hash(alg))
    raise IdentityError(f"cannot sign with a {type(key).__name__}")


def verify_bytes(public_key: object, alg: str, data: bytes, sig: bytes) -> bool:
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(sig, data, ec.ECDSA(_hash(alg)))
        elif isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(sig, data)
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(sig, data, _pss(alg), _hash(alg))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True
