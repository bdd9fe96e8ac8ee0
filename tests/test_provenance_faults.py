"""The smaller faults, each closed: untrusted or tampered parents are refused at signing,
source types are never guessed, PKCS#12 and DER import, gc with a dry run, and a ledger
check that catches truncation against its signed checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.provenance.actions import (
    ALGORITHMIC,
    COMPOSITE_SYNTHETIC,
    COMPOSITE_TRAINED,
    TRAINED,
    UnknownSource,
    source_type_for,
)
from aktion.provenance.certs import make_local_ca
from aktion.provenance.errors import SigningError
from aktion.provenance.identity import Identity, create_identity, identity_for_production
from aktion.provenance.ledger import Ledger
from aktion.provenance.step_signing import sign_outputs
from test_provenance_support import (  # noqa: F401
    home,
    identity,
    make_production,
    mp4_boxes,
    production,
    write_mp4,
)
from test_provenance_tamper import made

_register()
runner = CliRunner()


def aktion(*args: object, **kw: object):
    return runner.invoke(app, [str(a) for a in args], **kw)


@pytest.mark.parametrize(("kind", "backend", "parts", "want"), [
    ("render", "previz", [], ALGORITHMIC),
    ("layout", "previz", [], ALGORITHMIC),
    ("sheet", "storyboard", [ALGORITHMIC, ALGORITHMIC], COMPOSITE_SYNTHETIC),
    ("sheet", "storyboard", [ALGORITHMIC, TRAINED], COMPOSITE_TRAINED),
    ("cut", "editor", [ALGORITHMIC], COMPOSITE_SYNTHETIC),
    ("keyframe", "diffusers", [], TRAINED),
    ("motion", "fal", [], TRAINED),
])
def test_source_types_follow_what_made_the_pixels(kind: str, backend: str, parts: list[str],
                                                  want: str) -> None:
    assert source_type_for(kind, backend, parts) == want


def test_an_unknown_backend_must_say_what_it_is() -> None:
    with pytest.raises(UnknownSource, match="record `digital_source_type`"):
        source_type_for("keyframe", "acme-painter", [])
    assert source_type_for("keyframe", "acme-painter", [], model_id="acme/v2") == TRAINED
    assert source_type_for("keyframe", "acme", [], declared="digitalCapture") == "digitalCapture"
    with pytest.raises(UnknownSource, match="not an IPTC term"):
        source_type_for("keyframe", "acme", [], declared="magic")


def test_signing_refuses_an_unknown_source(production: Path, identity: Identity,  # noqa: F811
                                           tmp_path: Path) -> None:
    clip = write_mp4(tmp_path / "c.mp4")
    with pytest.raises(SigningError, match="acme-painter"):
        sign_outputs(production, "keyframe", "k", {"video": clip}, {},
                     {"step_kind": "keyframe", "step_key": "k", "backend": "acme-painter"},
                     identity)


def test_a_tampered_parent_is_refused_at_signing(production: Path, identity: Identity,  # noqa: F811
                                                 ) -> None:
    parent = made(production, identity, "shot")
    data = bytearray(parent.read_bytes())
    _, at, size = next(b for b in mp4_boxes(bytes(data)) if b[0] == "mdat")
    data[at + size // 2] ^= 0x01
    parent.write_bytes(bytes(data))
    with pytest.raises(SigningError, match="ingredient .*invalid.*refusing"):
        made(production, identity, "cut", kind="cut", parents={"shot:1": parent})
    assert not any(e.step_kind == "cut" for e in Ledger.for_production(production).entries())


def test_an_untrusted_parent_is_refused_at_signing(
    production: Path, identity: Identity, tmp_path: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with monkeypatch.context() as mp:
        mp.setenv("AKTION_HOME", str(tmp_path / "elsewhere"))
        stranger = create_identity("stranger")
    theirs = made(production, stranger, "theirs")
    with pytest.raises(SigningError, match="not trusted"):
        made(production, identity, "cut", kind="cut", parents={"shot:1": theirs})


def _p12(tmp_path: Path, passphrase: bytes | None) -> Path:
    ca = make_local_ca("p12")
    enc = (serialization.BestAvailableEncryption(passphrase) if passphrase
           else serialization.NoEncryption())
    data = pkcs12.serialize_key_and_certificates(b"p12", ca.key, ca.chain[0],
                                                 [*ca.chain[1:], ca.anchor], enc)
    path = tmp_path / "id.p12"
    path.write_bytes(data)
    return path


def test_identity_import_pkcs12_with_passphrase_from_env_or_prompt(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    path = _p12(tmp_path, b"s3cret-pass")
    monkeypatch.setenv("AKTION_P12_PASSPHRASE", "wrong")
    r = aktion("identity", "import", "--p12", path, "--name", "a")
    assert r.exit_code == 1 and "PKCS#12" in r.output and "Traceback" not in r.output
    monkeypatch.setenv("AKTION_P12_PASSPHRASE", "s3cret-pass")
    r = aktion("identity", "import", "--p12", path, "--name", "a", "--trust")
    assert r.exit_code == 0, r.output
    monkeypatch.delenv("AKTION_P12_PASSPHRASE")
    r = aktion("identity", "import", "--p12", path, "--name", "b", input="s3cret-pass\n")
    assert r.exit_code == 0, r.output
    assert "aktion trust add --identity b" in r.output  # imported roots are not trusted
    names = json.loads(aktion("trust", "list", "--json").output)
    assert [a["label"] for a in names] == ["identity a"]
    assert b"s3cret" not in b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def test_identity_import_der(tmp_path: Path, home: Path) -> None:  # noqa: F811
    ca = make_local_ca("der")
    cert, key, root = tmp_path / "cert.der", tmp_path / "key.der", tmp_path / "root.der"
    cert.write_bytes(ca.chain[0].public_bytes(serialization.Encoding.DER))
    key.write_bytes(ca.key.private_bytes(serialization.Encoding.DER,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
    root.write_bytes(ca.anchor.public_bytes(serialization.Encoding.DER))
    r = aktion("identity", "import", "--cert", cert, "--key", key, "--anchor", root,
               "--name", "der")
    assert r.exit_code == 0, r.output
    r = aktion("trust", "add", root, "--label", "der root")
    assert r.exit_code == 0 and "der root" in aktion("trust", "list").output
    r = aktion("trust", "add", cert)  # a signing certificate is not a root
    assert r.exit_code == 1 and "not a CA certificate" in r.output


def test_identity_tsa_setting(home: Path) -> None:  # noqa: F811
    create_identity("t")
    assert aktion("identity", "tsa", "http://127.0.0.1:9/tsa", "--name", "t").exit_code == 0
    assert "tsa http://127.0.0.1:9/tsa" in aktion("identity", "list").output
    r = aktion("identity", "tsa", "ftp://x", "--name", "t")
    assert r.exit_code == 1 and "http(s)" in r.output


def test_ledger_verify_catches_truncation_and_deletion(tmp_path: Path, home: Path) -> None:  # noqa: F811
    prod = make_production(tmp_path / "prod")
    aktion("identity", "create", "--production", prod)
    ident = identity_for_production(prod)
    made(prod, ident, "a"), made(prod, ident, "b")
    r = aktion("ledger", "verify", "--production", prod)
    assert r.exit_code == 0 and "matches its signed checkpoint" in r.output
    ledger = prod / ".aktion" / "ledger.jsonl"
    lines = ledger.read_bytes().splitlines(keepends=True)
    ledger.write_bytes(lines[0])
    r = aktion("ledger", "verify", "--production", prod, "--json")
    assert r.exit_code == 1 and any("truncated" in p for p in json.loads(r.output)["problems"])
    ledger.unlink()
    r = aktion("ledger", "verify", "--production", prod)
    assert r.exit_code == 1 and "deleted or emptied" in r.output


def test_gc_removes_only_unreferenced_blobs(tiny: Path, home: Path) -> None:  # noqa: F811
    """A render leaves each backend's unsigned output beside the signed one; those and a
    stray blob go, and everything the cache or the ledger names stays."""
    from aktion.provenance.verify import verify_asset
    from test_canvas import render

    assert aktion("identity", "create", "-p", tiny).exit_code == 0
    first = render(tiny)[1]
    assert first.ok
    blobs = tiny / ".aktion" / "blobs"
    stray = blobs / "ff" / ("f" * 64 + ".mp4")
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"left over")
    before = sorted(p for p in blobs.rglob("*") if p.is_file())
    r = aktion("gc", "--production", tiny, "--dry-run")
    assert r.exit_code == 0 and "would remove" in r.output and stray.name in r.output
    assert sorted(p for p in blobs.rglob("*") if p.is_file()) == before  # a dry run
    r = aktion("gc", "--production", tiny)
    assert r.exit_code == 0 and not stray.exists()
    gone = [p for p in before if not p.exists()]
    assert len(gone) >= 2 and f"removed {len(gone)} of {len(before)} blobs" in r.output
    again = render(tiny)[1]  # nothing the cache needs was collected
    assert again.ok and again.count("cached") == len(again.outcomes)
    assert verify_asset(tiny / "out" / "roof.mp4", production=tiny).ok
    assert "removed 0 of" in aktion("gc", "--production", tiny).output
