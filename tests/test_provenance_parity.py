"""Aktion's verdict is the C2PA SDK's own class, for files in every state the SDK can be
brought to, built with the SDK itself (not with Aktion's signing code).

The SDK's class comes straight from its Reader: ``Trusted`` -> trusted, ``Valid`` ->
untrusted, ``Invalid`` -> invalid, no manifest -> unsigned, any other error ->
unreadable; both read with the same trust anchors (the user's store).
"""

from __future__ import annotations

import datetime as dt
import json
import struct
import time
import wave
from collections.abc import Callable
from pathlib import Path

import c2pa
import cv2
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from aktion.provenance import certs as C
from aktion.provenance.identity import Identity, create_identity
from aktion.provenance.trust import TrustStore
from aktion.provenance.verify import verify_asset
from test_provenance_support import home, write_mp4, write_png  # noqa: F401

CLASSES = {"Trusted": "trusted", "Valid": "untrusted", "Invalid": "invalid"}


def manifest(extra: list[dict] | None = None) -> dict:
    created = {"action": "c2pa.created",
               "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/"
                                    "algorithmicMedia"}
    return {"claim_generator_info": [{"name": "parity", "version": "1"}], "title": "parity",
            "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [created]}},
                           *(extra or [])]}


def sdk_sign(src: Path, dst: Path, fmt: str, signer: c2pa.Signer, *, m: dict | None = None,
             parent: Path | None = None, prep: Callable[[c2pa.Builder], None] | None = None,
             ) -> Path:
    builder = c2pa.Builder(m or manifest(),
                           c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}}))
    if prep:
        prep(builder)
    if parent is not None:
        with parent.open("rb") as f:
            builder.add_ingredient({"title": "parent", "relationship": "parentOf"}, "image/png", f)
    with src.open("rb") as s, dst.open("w+b") as o:
        builder.sign(signer, fmt, s, o)
    return dst


def sdk_class(path: Path) -> str:
    ctx = c2pa.Context.from_dict({"trust": {"user_anchors": TrustStore().pem()},
                                  "verify": {"verify_trust": True,
                                             "remote_manifest_fetch": False}})
    try:
        with path.open("rb") as f:
            reader = c2pa.Reader(path.suffix.lstrip("."), f, context=ctx)
            state = json.loads(reader.json())["validation_state"]
            reader.close()
    except c2pa.C2paError.ManifestNotFound:
        return "unsigned"
    except c2pa.C2paError:
        return "unreadable"
    return CLASSES[state]


def signer_of(chain_pem: str, key: ec.EllipticCurvePrivateKey) -> c2pa.Signer:
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256, chain_pem.encode(), C.key_pem(key), None))


def flip(path: Path, dst: Path, find: bytes, offset: int, value: int | None = None) -> Path:
    data = bytearray(path.read_bytes())
    at = data.find(find) + offset
    data[at] = value if value is not None else data[at] ^ 0x01
    dst.write_bytes(bytes(data))
    return dst


class Files:
    """Builds each file in a folder, signed by ``me`` (trusted) unless said otherwise."""

    def __init__(self, tmp: Path, me: Identity):
        self.tmp, self.me = tmp, me
        self.png = write_png(tmp / "raw.png", 16)

    def sign(self, name: str, **kw: object) -> Path:
        return sdk_sign(self.png, self.tmp / name, "image/png", self.me.signer(), **kw)

    def trusted(self) -> Path:
        return self.sign("trusted.png")

    def untrusted(self) -> Path:
        ca = C.make_local_ca("someone else")
        return sdk_sign(self.png, self.tmp / "untrusted.png", "image/png",
                        signer_of(C.certs_pem(ca.chain), ca.key))

    def expired(self) -> Path:
        now = dt.datetime.now(dt.UTC)
        root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
            ec.SECP256R1())
        rn = C._name("short root", "local signing root")
        root = C._issue(rn, root_key, rn, root_key, 30, 0, ca=True)
        leaf = (x509.CertificateBuilder().subject_name(C._name("short", "signing"))
                .issuer_name(rn).public_key(key.public_key()).serial_number(9)
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(seconds=1))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(C._usage(sign_certs=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    root_key.public_key()), False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                               False)
                .sign(root_key, hashes.SHA256()))
        TrustStore().add([root], label="short", source="test")
        out = sdk_sign(self.png, self.tmp / "expired.png", "image/png",
                       signer_of(C.certs_pem([leaf]), key))
        while dt.datetime.now(dt.UTC) <= leaf.not_valid_after_utc + dt.timedelta(seconds=1):
            time.sleep(0.2)  # until a fixed instant has passed: no timing assertion
        return out

    def data_hash_mismatch(self) -> Path:
        return flip(self.trusted(), self.tmp / "datahash.png", b"IDAT", 10)

    def claim_signature_mismatch(self) -> Path:
        signed = self.trusted()
        data = signed.read_bytes()
        at = data.find(b"caBX")
        (size,) = struct.unpack(">I", data[at - 4 : at])
        return flip(signed, self.tmp / "claimsig.png", b"caBX", 4 + size - 10)

    def edited_assertion(self) -> Path:
        return flip(self.trusted(), self.tmp / "assertion.png", b"c2pa.created", 5, ord("X"))

    def tampered_ingredient(self) -> Path:
        return self.sign("child.png", parent=self.data_hash_mismatch())

    def remote_manifest(self) -> Path:
        def remote(b: c2pa.Builder) -> None:
            b.set_no_embed()
            b.set_remote_url("http://127.0.0.1:9/manifest.c2pa")
        return self.sign("remote.png", prep=remote)

    def extra_identity_assertion(self) -> Path:
        identity = {"label": "cawg.identity", "data": {
            "signer_payload": {"referenced_assertions": [
                {"url": "self#jumbf=c2pa.assertions/c2pa.actions.v2"}],
                "sig_type": "cawg.x509.cose"}, "signature": "AAAA", "pad1": ""}}
        return self.sign("identity.png", m=manifest([identity]))

    def wav(self) -> Path:
        raw = self.tmp / "raw.wav"
        with wave.open(str(raw), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes((np.sin(np.arange(8000) / 5) * 8000).astype("<i2").tobytes())
        return sdk_sign(raw, self.tmp / "signed.wav", "audio/wav", self.me.signer())

    def pdf(self) -> Path:
        from reportlab.pdfgen import canvas

        raw = self.tmp / "raw.pdf"
        page = canvas.Canvas(str(raw))
        page.drawString(72, 720, "EXT. ROOF - NIGHT")
        page.save()
        return sdk_sign(raw, self.tmp / "signed.pdf", "application/pdf", self.me.signer())

    def svg(self) -> Path:
        raw = self.tmp / "raw.svg"
        raw.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
                       '<rect width="8" height="8" fill="red"/></svg>\n')
        return sdk_sign(raw, self.tmp / "signed.svg", "image/svg+xml", self.me.signer())

    def jpeg(self) -> Path:
        raw = self.tmp / "raw.jpg"
        cv2.imwrite(str(raw), np.full((16, 16, 3), 90, np.uint8))
        return sdk_sign(raw, self.tmp / "signed.jpg", "image/jpeg", self.me.signer())

    def mp4(self) -> Path:
        return sdk_sign(write_mp4(self.tmp / "raw.mp4"), self.tmp / "signed.mp4", "video/mp4",
                        self.me.signer())

    def unsigned(self) -> Path:
        return self.png


STATES = {  # state -> the class the SDK gives it (checked against the SDK as well)
    "trusted": "trusted", "untrusted": "untrusted", "expired": "invalid",
    "data_hash_mismatch": "invalid", "claim_signature_mismatch": "invalid",
    "edited_assertion": "invalid", "tampered_ingredient": "trusted",
    "remote_manifest": "unreadable", "extra_identity_assertion": "invalid",
    "wav": "trusted", "pdf": "trusted", "svg": "trusted", "jpeg": "trusted", "mp4": "trusted",
    "unsigned": "unsigned",
}


@pytest.mark.parametrize("state", list(STATES))
def test_verdict_is_the_sdks_class(state: str, tmp_path: Path, home: Path) -> None:  # noqa: F811
    files = Files(tmp_path, create_identity("me"))
    path = getattr(files, state)()
    sdk = sdk_class(path)
    assert sdk == STATES[state]
    v = verify_asset(path)
    assert v.status == sdk, v.to_json()
    if sdk == "invalid":
        assert v.codes and any(c in " ".join(v.problems) for c in v.codes)
    if state == "trusted":
        assert v.ok and v.anchor is not None and v.anchor["label"] == "identity me"
    if state == "tampered_ingredient":  # the SDK keeps the parent trusted; Aktion says why not ok
        assert not v.ok and any("ingredient" in p for p in v.problems), v.problems
