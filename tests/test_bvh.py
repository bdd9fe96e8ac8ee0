"""BVH: a CMU-style clip imports as a move, renders, exports, and re-imports unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aktion.previz import bvh
from aktion.previz.moves import MoveLibrary
from aktion.previz.skeleton import INDEX, JOINTS, Skeleton
from aktion.previz.stage import Stage
from aktion.production.board import SetDesign, Shot
from aktion.production.cast import Build, Character

FIXTURE = Path(__file__).parent / "fixtures" / "bvh" / "cmu_punch.bvh"
VEX = Character(id="vex", name="VEX", build=Build(height=1.7))


def _render(library: MoveLibrary, move: str, frames: int = 24):
    shot = Shot(id="B1", lines=(1, 1), size="FS", duration=frames,
                blocking=[{"who": "vex", "at": (0.3, -0.2), "facing": 30}])  # fmt: skip
    from aktion.production.choreo import Beat

    stage = Stage(shot, SetDesign(), {"vex": VEX}, [Beat(t=0, who="vex", move=move)], library,
                  fps=24, width=64, height=48)  # fmt: skip
    perf, _ = stage.perform()
    return perf


def test_the_fixture_parses_with_cmu_names_and_zyx_channels() -> None:
    clip = bvh.read(FIXTURE)
    assert clip.frames == 24 and clip.frame_time == pytest.approx(1 / 30, rel=1e-4)
    assert clip.channels[0][3:] == ["Zrotation", "Yrotation", "Xrotation"]
    m = bvh.mapping(clip)
    assert clip.names[m["r_elbow"]] == "RightForeArm" and clip.names[m["l_hip"]] == "LeftUpLeg"


def test_retargeting_keeps_the_bone_directions() -> None:
    """The imported move, posed on the Aktion skeleton, points its limbs like the clip."""
    clip = bvh.read(FIXTURE)
    data = bvh.move_data(clip, "cmu_punch")
    move = MoveLibrary.load(extra={"cmu_punch": data})["cmu_punch"]
    skel = Skeleton.from_build(VEX.build)
    src = clip.positions()
    index = bvh.mapping(clip)
    right = src[0, index["r_hip"]] - src[0, index["l_hip"]]
    forward = np.cross([0.0, 1.0, 0.0], right / np.linalg.norm(right))
    basis = np.stack([forward, [0.0, 1.0, 0.0], right / np.linalg.norm(right)])
    for f24 in (0, 9, 17):
        f30 = round(f24 * 30 / 24)
        angles, _ = move.sample(np.array([float(f24)]))
        ours = skel.pose(angles, np.zeros((1, 3)), np.zeros(1), grounded=np.zeros(1))[0]
        for a, b in (
            ("r_shoulder", "r_elbow"),
            ("r_elbow", "r_wrist"),
            ("l_hip", "l_knee"),
            ("l_knee", "l_ankle"),
            ("l_shoulder", "l_elbow"),
            ("spine", "chest"),
        ):
            d_src = basis @ (src[f30, index[b]] - src[f30, index[a]])
            d_our = ours[INDEX[b]] - ours[INDEX[a]]
            cos = d_src @ d_our / np.linalg.norm(d_src) / np.linalg.norm(d_our)
            assert np.degrees(np.arccos(np.clip(cos, -1, 1))) < 6, (f24, a, b)


def test_import_render_export_reimport_round_trip(tmp_path: Path) -> None:
    path = bvh.import_bvh(FIXTURE, into=tmp_path / "moves")
    assert path.name == "cmu_punch.yaml"
    library = MoveLibrary.load([tmp_path / "moves"])
    perf = _render(library, "cmu_punch")
    poses = perf.poses[:, 0].astype(np.float64)
    text = bvh.export(poses, Skeleton.from_build(VEX.build), fps=24)
    assert text.startswith("HIERARCHY\nROOT pelvis") and "\nMOTION\nFrames: 24\n" in text
    out = tmp_path / "shot.bvh"
    out.write_text(text, encoding="utf-8")
    again = bvh.read(out)
    assert sorted(n for n in again.names if not n.endswith("_end")) == sorted(JOINTS)
    positions = again.positions() / bvh.CM
    joints = [again.names.index(n) for n in JOINTS]
    np.testing.assert_allclose(positions[:, joints], poses, atol=1e-4)
    # and the exported clip imports again as a move of the same motion
    data = bvh.move_data(again, "round_trip")
    lib2 = MoveLibrary.load(extra={"round_trip": data})
    first = perf.poses[0, 0]
    angles, _ = lib2["round_trip"].sample(np.array([12.0]))
    skel = Skeleton.from_build(VEX.build)
    mid = skel.pose(angles, np.zeros((1, 3)), np.zeros(1), grounded=np.zeros(1))[0]
    ref = poses[12] - poses[12, 0]
    # same body shape up to the facing: compare distances between joints
    dm = np.linalg.norm(mid[:, None] - mid[None], axis=-1)
    dr = np.linalg.norm(ref[:, None] - ref[None], axis=-1)
    assert np.abs(dm - dr).max() < 0.02
    assert np.isfinite(first).all()


def test_the_cli_lists_imports_and_exports(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aktion.cli import _register, app

    _register()
    runner = CliRunner()
    listed = runner.invoke(app, ["moves"])
    assert listed.exit_code == 0 and "spinning_backfist" in listed.output
    made = runner.invoke(app, ["moves", "import", str(FIXTURE), "--name", "punch_mocap",
                               "--into", str(tmp_path / "moves")])  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "punch_mocap" in MoveLibrary.load([tmp_path / "moves"])
    example = Path(__file__).resolve().parents[1] / "examples" / "rooftop"
    out = runner.invoke(app, ["export-bvh", str(example), "sh110", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    clip = bvh.read(tmp_path / "sh110-kade.bvh")
    assert clip.frames > 0 and np.isfinite(clip.positions()).all()
