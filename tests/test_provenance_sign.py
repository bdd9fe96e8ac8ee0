"""Signing: manifests the C2PA SDK reads back, with the tree of parents inside the cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from aktion.provenance.actions import Action, Ingredient, ingredients_for
from aktion.provenance.assertion import LABEL, StepAssertion, script_slice
from aktion.provenance.credentials import sign_asset
from aktion.provenance.errors import SigningError
from aktion.provenance.identity import Identity
from test_provenance_support import (  # noqa: F401
    home,
    identity,
    production,
    sdk_read,
    write_mp4,
    write_png,
)

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def active(store: dict) -> dict:
    return store["manifests"][store["active_manifest"]]


def assertion(manifest: dict, label: str) -> dict:
    return next(a["data"] for a in manifest["assertions"] if a["label"].startswith(label))


def step(kind: str, key: str, **kw) -> dict:
    return StepAssertion(step_kind=kind, step_key=key, backend="previz", **kw).data()


def test_png_signed_and_read_by_the_sdk(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    src = write_png(tmp_path / "layout.png")
    dst = tmp_path / "signed.png"
    data = step("layout", "k1", seed=7, script=script_slice((3, 4), "Vex faces Kade.\n"),
                cast_locks={"vex": "ab" * 32}, board_sha256="cd" * 32)
    signed = sign_asset(src, dst, asset_kind="layout", digital_source_type="algorithmicMedia",
                        identity=identity, aktion_assertion=data)
    assert signed.path == dst and dst.stat().st_size < src.stat().st_size + 8000  # no thumbnail
    store = sdk_read(dst, identity.anchor_pem)
    assert store["validation_state"] == "Trusted"
    m = active(store)
    created = assertion(m, "c2pa.actions")["actions"][0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == IPTC + "algorithmicMedia"
    ours = assertion(m, LABEL)
    assert ours["step_key"] == "k1" and ours["seed"] == 7 and ours["cast_locks"]["vex"]
    assert ours["script"]["first_line"] == 3 and ours["script"]["last_line"] == 4
    assert len(ours["script"]["text_sha256"]) == 64
    assert not any(a["label"].startswith("c2pa.thumbnail") for a in m["assertions"])
    assert sdk_read(dst)["validation_state"] == "Valid"  # honest: no anchor, no trust


def test_cut_keeps_the_whole_tree(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    key = sign_asset(write_png(tmp_path / "k.png"), tmp_path / "key.png", asset_kind="keyframe",
                     digital_source_type="trainedAlgorithmicMedia", identity=identity,
                     aktion_assertion=step("keyframe", "kf"))
    shots = []
    for i in range(2):
        shots.append(tmp_path / f"shot{i}.mp4")
        sign_asset(write_mp4(tmp_path / f"raw{i}.mp4", shade=i * 40), shots[-1],
                   asset_kind="motion", digital_source_type="trainedAlgorithmicMedia",
                   identity=identity, ingredients=ingredients_for("motion", [key.path]),
                   aktion_assertion=step("motion", f"m{i}"))
    cut = tmp_path / "cut.mp4"
    sign_asset(write_mp4(tmp_path / "rawcut.mp4", seconds=2), cut, asset_kind="cut",
               digital_source_type="compositeWithTrainedAlgorithmicMedia", identity=identity,
               ingredients=ingredients_for("cut", shots, ["shot 1", "shot 2"]),
               aktion_assertion=step("cut", "c"))
    store = sdk_read(cut, identity.anchor_pem)
    assert store["validation_state"] == "Trusted"
    keys = {assertion(m, LABEL)["step_key"] for m in store["manifests"].values()}
    assert keys == {"kf", "m0", "m1", "c"}  # cut, both shots and their keyframe
    m = active(store)
    acts = assertion(m, "c2pa.actions")["actions"]
    assert [a["action"] for a in acts] == ["c2pa.created", "c2pa.edited"]
    assert acts[0]["digitalSourceType"] == IPTC + "compositeWithTrainedAlgorithmicMedia"
    assert len(acts[1]["parameters"]["ingredients"]) == 2  # ingredientIds resolved to links
    assert [i["relationship"] for i in m["ingredients"]] == ["componentOf", "componentOf"]
    assert all(i["active_manifest"] in store["manifests"] for i in m["ingredients"])


def test_restyle_opens_its_parent(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    clip = sign_asset(write_mp4(tmp_path / "a.mp4"), tmp_path / "clip.mp4", asset_kind="motion",
                      digital_source_type="trainedAlgorithmicMedia", identity=identity)
    out = tmp_path / "restyled.mp4"
    sign_asset(write_mp4(tmp_path / "b.mp4", shade=99), out, asset_kind="restyle",
               digital_source_type="trainedAlgorithmicMedia", identity=identity,
               ingredients=ingredients_for("restyle", [clip.path]))
    m = active(sdk_read(out, identity.anchor_pem))
    acts = assertion(m, "c2pa.actions")["actions"]
    assert [a["action"] for a in acts] == ["c2pa.opened", "c2pa.edited"]
    assert m["ingredients"][0]["relationship"] == "parentOf"


def test_explicit_actions_and_in_place_signing(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    png = write_png(tmp_path / "a.png")
    parent = sign_asset(write_png(tmp_path / "p.png", shade=50), tmp_path / "ps.png",
                        asset_kind="layout", digital_source_type="algorithmicMedia",
                        identity=identity)
    sign_asset(png, png, asset_kind="keyframe", digital_source_type="trainedAlgorithmicMedia",
               identity=identity, ingredients=[Ingredient(parent.path, "inputTo", "layout")],
               actions=[Action("c2pa.created", "trainedAlgorithmicMedia", ingredients=(0,))])
    m = active(sdk_read(png, identity.anchor_pem))
    assert m["ingredients"][0]["title"] == "layout"
    assert list(tmp_path.glob(".*tmp*")) == []


def test_a_failed_signature_writes_nothing(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    dst = tmp_path / "out.mp4"
    with pytest.raises(SigningError, match="signing failed"):
        sign_asset(bad, dst, asset_kind="motion", digital_source_type="trainedAlgorithmicMedia",
                   identity=identity)
    assert not dst.exists() and list(tmp_path.glob(".*tmp*")) == []
    with pytest.raises(SigningError, match="format"):
        sign_asset(tmp_path / "x.json", tmp_path / "y.json", asset_kind="camera",
                   digital_source_type="algorithmicMedia", identity=identity)


def test_parameters_round_trip_exactly(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    from aktion.provenance.assertion import read_step

    params = {"at": [-0.6, 0], "size": [64, 300], "lens": 28.5, "names": ["vex"]}
    data = StepAssertion(step_kind="layout", step_key="k", parameters=params).data()
    dst = tmp_path / "s.png"
    sign_asset(write_png(tmp_path / "a.png"), dst, asset_kind="layout",
               digital_source_type="algorithmicMedia", identity=identity, aktion_assertion=data)
    assert read_step(assertion(active(sdk_read(dst)), LABEL))["parameters"] == params
    with pytest.raises(SigningError, match="arrays of numbers"):
        sign_asset(write_png(tmp_path / "b.png"), tmp_path / "t.png", asset_kind="layout",
                   digital_source_type="algorithmicMedia", identity=identity,
                   aktion_assertion={"size": [64, 300]})


def test_signing_a_signed_file_again_is_refused(tmp_path: Path, identity: Identity) -> None:  # noqa: F811
    signed = sign_asset(write_png(tmp_path / "a.png"), tmp_path / "s.png", asset_kind="layout",
                        digital_source_type="algorithmicMedia", identity=identity)
    with pytest.raises(SigningError, match="already signed"):
        sign_asset(signed.path, tmp_path / "t.png", asset_kind="layout",
                   digital_source_type="algorithmicMedia", identity=identity)
