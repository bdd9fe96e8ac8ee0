"""The tamper suite: each way of faking an asset's history is caught by ``verify_asset``."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from aktion.provenance.assertion import StepAssertion, script_slice
from aktion.provenance.identity import Identity, create_identity
from aktion.provenance.ledger import Entry, Ledger
from aktion.provenance.step_signing import ledger_append, sign_outputs
from aktion.provenance.verify import verify_asset
from test_provenance_support import (  # noqa: F401
    CANARY,
    home,
    identity,
    mp4_boxes,
    production,
    sdk_read,
    write_mp4,
    write_png,
)

SCRIPT_TEXT = "Vex faces Kade."


def made(production: Path, identity: Identity, name: str, *, kind: str = "render",  # noqa: F811
         parents: dict[str, Path] | None = None, shade: int = 0, png: bool = False,
         params: dict | None = None) -> Path:
    """Run the engine's signing hooks on a fresh file, as a step would."""
    work = production / ".aktion" / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    out = write_png(work / f"{name}.png", shade=shade) if png else write_mp4(
        work / f"{name}.mp4", shade=shade)
    data = StepAssertion(step_kind=kind, step_key=f"key-{name}", step_id=f"{kind}:{name}",
                         backend="previz", seed=3, parameters=params or {},
                         script=script_slice((3, 3), SCRIPT_TEXT))
    outputs = sign_outputs(production, kind, f"key-{name}", {"video": out}, parents or {},
                           data, identity)
    ledger_append(production, kind, f"key-{name}", parents or {}, outputs, identity)
    return out


@pytest.fixture
def clip(production: Path, identity: Identity) -> Path:  # noqa: F811
    return made(production, identity, "shot1")


def test_an_untouched_asset_passes(clip: Path, production: Path) -> None:  # noqa: F811
    v = verify_asset(clip, production=production)
    assert v.ok, v.problems
    assert v.status == "trusted" and v.hard_binding == "match" and v.ledger_entry == 0
    assert v.trail is not None and v.trail.step["step_key"] == "key-shot1"
    assert v.trail.script_status == "unchanged"
    assert sdk_read(clip)["validation_state"] in ("Valid", "Trusted")  # the SDK's own reader


def test_flipped_byte_in_media_data(clip: Path, production: Path) -> None:  # noqa: F811
    data = bytearray(clip.read_bytes())
    _, at, size = next(b for b in mp4_boxes(bytes(data)) if b[0] == "mdat")
    data[at + size // 2] ^= 0x01
    clip.write_bytes(bytes(data))
    v = verify_asset(clip, production=production)
    assert not v.ok and v.status == "invalid" and v.hard_binding == "mismatch"
    assert any("in no ledger entry" in p for p in v.problems)  # the digest changed too


def test_removed_manifest(clip: Path, production: Path) -> None:  # noqa: F811
    data = clip.read_bytes()
    _, at, size = next(b for b in mp4_boxes(data) if b[0] == "uuid")
    clip.write_bytes(data[:at] + data[at + size :])
    v = verify_asset(clip, production=production)
    assert not v.ok and v.status == "unsigned"
    assert any("no C2PA manifest" in p for p in v.problems)


def test_manifest_transplanted_onto_another_clip(
    clip: Path, production: Path, tmp_path: Path,  # noqa: F811
) -> None:
    donor = clip.read_bytes()
    _, at, size = next(b for b in mp4_boxes(donor) if b[0] == "uuid")
    other = write_mp4(tmp_path / "other.mp4", shade=120).read_bytes()
    _, _, ftyp = next(b for b in mp4_boxes(other) if b[0] == "ftyp")
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(other[:ftyp] + donor[at : at + size] + other[ftyp:])
    v = verify_asset(fake, production=production)
    assert not v.ok and v.status == "invalid" and v.hard_binding == "mismatch"


def png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    out, i = [], 8
    while i < len(data):
        (n,) = struct.unpack(">I", data[i : i + 4])
        out.append((data[i + 4 : i + 8], i, 12 + n))
        i += 12 + n
    return out


def test_png_manifest_transplant_and_removal(
    production: Path, identity: Identity, tmp_path: Path,  # noqa: F811
) -> None:
    signed = made(production, identity, "layout1", kind="layout", png=True)
    data = signed.read_bytes()
    _, at, size = next(c for c in png_chunks(data) if c[0] == b"caBX")
    plain = write_png(tmp_path / "plain.png", shade=77).read_bytes()
    fake = tmp_path / "fake.png"
    fake.write_bytes(plain[:33] + data[at : at + size] + plain[33:])  # after IHDR
    assert verify_asset(fake, production=production).status == "invalid"
    stripped = tmp_path / "stripped.png"
    stripped.write_bytes(data[:at] + data[at + size :])
    assert verify_asset(stripped, production=production).status == "unsigned"


def test_edited_ledger_entry(clip: Path, production: Path) -> None:  # noqa: F811
    ledger = Ledger.for_production(production)
    ledger.path.write_bytes(ledger.path.read_bytes().replace(b'"render"', b'"keyframe"'))
    v = verify_asset(clip, production=production)
    assert not v.ok and v.status == "trusted"
    assert any("ledger: entry 0 (line 1)" in p and "edited" in p for p in v.problems)


def test_deleted_ledger_entry(production: Path, identity: Identity) -> None:  # noqa: F811
    first, second = made(production, identity, "a"), made(production, identity, "b")
    ledger = Ledger.for_production(production)
    lines = ledger.path.read_bytes().splitlines(keepends=True)
    ledger.path.write_bytes(lines[1])
    v = verify_asset(second, production=production)
    assert not v.ok and any("expected index 0" in p for p in v.problems)
    assert any("in no ledger entry" in p for p in verify_asset(first, production=production)
               .problems)


def test_rewritten_ledger_is_caught_by_the_head_the_asset_pinned(
    production: Path, identity: Identity,  # noqa: F811
) -> None:
    made(production, identity, "a")
    second = made(production, identity, "b")  # its manifest pins entry 0
    ledger = Ledger.for_production(production)
    entries = ledger.entries()
    forged = Entry(**{**entries[0].__dict__, "step_key": "forged", "hash": ""})
    forged = Entry(**{**forged.__dict__, "hash": forged.computed_hash()})
    again = Entry(**{**entries[1].__dict__, "prev": forged.hash, "hash": ""})
    again = Entry(**{**again.__dict__, "hash": again.computed_hash()})
    ledger.path.write_bytes(forged.line() + again.line())
    assert ledger.verify().ok  # a consistent rewrite fools the chain alone...
    v = verify_asset(second, production=production)
    assert not v.ok and any("rewritten" in p for p in v.problems)  # ...not the signed pin


def test_signed_by_another_identity_is_untrusted(
    production: Path, identity: Identity, tmp_path: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with monkeypatch.context() as mp:  # made on another machine, trusted there only
        mp.setenv("AKTION_HOME", str(tmp_path / "elsewhere"))
        stranger = create_identity("stranger")
    clip = made(production, stranger, "intruder")
    v = verify_asset(clip, production=production)
    assert not v.ok and v.status == "untrusted" and v.hard_binding == "match"
    assert v.to_json()["status"] == "untrusted"


def test_canary_secrets_never_reach_any_output_byte(
    production: Path, identity: Identity, tmp_path: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AKTION_TEST_API_KEY", CANARY)
    monkeypatch.setenv("AKTION_TEST_TOKEN", CANARY + "-token")
    params = {"api_key": CANARY, "prompt": f"rain, neon, key={CANARY}-token",
              "headers": {"Authorization": f"Bearer {CANARY}"}, "steps": 2}
    still = made(production, identity, "kf", kind="keyframe", png=True, params=params)
    clip = made(production, identity, "shot", parents={"keyframe": still}, params=params)
    cut = made(production, identity, "cut", kind="cut", parents={"shot": clip}, params=params)
    assert verify_asset(cut, production=production).ok
    written = [p for p in production.rglob("*") if p.is_file()]
    assert cut in written and (production / ".aktion" / "ledger.jsonl") in written
    for path in written:
        assert CANARY.encode() not in path.read_bytes(), path
