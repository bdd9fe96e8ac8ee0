"""BVH import of the common naming schemes, and of broken files: every rig a performer
comes rigged in retargets by its bone directions; every broken file is one line naming
the file and line, and no move is written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.previz import bvh, bvh_names
from aktion.previz.moves import MoveLibrary
from aktion.previz.skeleton import INDEX, Skeleton
from aktion.production.cast import Build
from conftest import write_production

_register()
runner = CliRunner()
RIGS = Path(__file__).parent / "fixtures" / "bvh"

# rig file -> the BVH joint each scheme's naming must give for these Aktion joints
SCHEMES = {
    "cmu_punch.bvh": {"l_shoulder": "LeftArm", "l_elbow": "LeftForeArm", "l_hip": "LeftUpLeg",
                      "l_knee": "LeftLeg", "r_wrist": "RightHand"},
    "biovision_walk.bvh": {"l_shoulder": "LeftShoulder", "l_elbow": "LeftElbow",
                           "l_wrist": "LeftWrist", "l_hip": "LeftHip", "l_knee": "LeftKnee",
                           "l_ankle": "LeftAnkle", "r_shoulder": "RightShoulder"},
    "mixamo_walk.bvh": {"l_shoulder": "mixamorig:LeftArm", "l_elbow": "mixamorig:LeftForeArm",
                        "l_hip": "mixamorig:LeftUpLeg", "r_knee": "mixamorig:RightLeg",
                        "pelvis": "mixamorig:Hips"},
    "bvhio_walk.bvh": {"l_shoulder": "LeftUpArm", "l_elbow": "LeftLowArm",
                       "l_hip": "LeftUpLeg", "l_knee": "LeftLowLeg", "r_ankle": "RightFoot"},
}
LIMBS = (("r_shoulder", "r_elbow"), ("r_elbow", "r_wrist"), ("l_shoulder", "l_elbow"),
         ("l_hip", "l_knee"), ("l_knee", "l_ankle"), ("r_hip", "r_knee"), ("r_knee", "r_ankle"))


@pytest.mark.parametrize("rig", list(SCHEMES))
def test_each_naming_scheme_finds_the_limbs(rig: str) -> None:
    clip = bvh.read(RIGS / rig)
    found = bvh.mapping(clip)
    for joint, name in SCHEMES[rig].items():
        assert clip.names[found[joint]] == name, (joint, clip.names[found[joint]])


@pytest.mark.parametrize("rig", list(SCHEMES))
def test_each_rig_retargets_by_its_bone_directions(rig: str) -> None:
    """The move, posed on the Aktion skeleton, points its limbs as the file's own forward
    kinematics does, on frames where the 24 fps move meets a frame of the clip."""
    clip = bvh.read(RIGS / rig)
    data = bvh.move_data(clip, "m")
    move = MoveLibrary.load(extra={"m": data})["m"]
    skel = Skeleton.from_build(Build(height=1.7))
    src = clip.positions()
    index = bvh.mapping(clip)
    right = src[0, index["r_hip"]] - src[0, index["l_hip"]]
    right[1] = 0
    right /= np.linalg.norm(right)
    basis = np.stack([np.cross([0.0, 1.0, 0.0], right), [0.0, 1.0, 0.0], right])
    rate = 1 / clip.frame_time
    step = 4 if round(rate) == 30 else 1  # 4 frames at 24 fps = 5 at 30
    checked = 0
    for f24 in range(0, int(move.duration) + 1, step):
        f_src = round(f24 * rate / 24)
        if f_src >= clip.frames:
            break
        angles, _ = move.sample(np.array([float(f24)]))
        ours = skel.pose(angles, np.zeros((1, 3)), np.zeros(1), grounded=np.zeros(1))[0]
        for a, b in LIMBS:
            d_src = basis @ (src[f_src, index[b]] - src[f_src, index[a]])
            d_our = ours[INDEX[b]] - ours[INDEX[a]]
            cos = d_src @ d_our / np.linalg.norm(d_src) / np.linalg.norm(d_our)
            assert np.degrees(np.arccos(np.clip(cos, -1, 1))) < 6, (rig, f24, a, b)
        checked += 1
    assert checked >= 3


def test_the_biovision_clip_imports_into_the_production_by_name(tmp_path: Path) -> None:
    """455 frames at 30 fps, ZXY, LeftHip/LeftKnee naming: imported from inside the
    production with a title for a name, it lands in moves/ as a valid move with a
    normal file mode, and the production still checks."""
    root = write_production(tmp_path / "p")
    old = os.umask(0o022)
    cwd = Path.cwd()
    try:
        os.chdir(root)
        made = runner.invoke(app, ["moves", "import", str(RIGS / "biovision_walk.bvh"),
                                   "--name", "My Walk"])
    finally:
        os.chdir(cwd)
        os.umask(old)
    assert made.exit_code == 0, made.output
    out = root / "moves" / "my_walk.yaml"
    assert out.is_file() and "my_walk" in made.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    move = MoveLibrary.for_production(root)["my_walk"]
    assert move.duration == pytest.approx(454 / 30 * 24, abs=1)
    checked = runner.invoke(app, ["check", str(root)])
    assert checked.exit_code == 0, checked.output


def test_reimporting_keeps_the_mode_of_the_move_it_replaces(tmp_path: Path) -> None:
    moves = tmp_path / "moves"
    first = bvh.import_bvh(RIGS / "bvhio_walk.bvh", into=moves)
    first.chmod(0o640)
    again = bvh.import_bvh(RIGS / "bvhio_walk.bvh", into=moves)
    assert again == first and stat.S_IMODE(again.stat().st_mode) == 0o640


def test_outside_a_production_the_import_asks_where(tmp_path: Path) -> None:
    cwd = Path.cwd()
    try:
        os.chdir(tmp_path)
        r = runner.invoke(app, ["moves", "import", str(RIGS / "cmu_punch.bvh")])
    finally:
        os.chdir(cwd)
    assert r.exit_code == 2 and "not a production folder" in r.output
    assert not (tmp_path / "moves").exists()


def test_a_rig_of_its_own_is_mapped_by_a_table_of_the_users(tmp_path: Path) -> None:
    """German joint names: refused with a pointer to --map, then imported with a table."""
    text = (RIGS / "bvhio_walk.bvh").read_text()
    german = {"Hips": "Becken", "LeftUpLeg": "OberschenkelL", "LeftLowLeg": "UnterschenkelL",
              "RightUpLeg": "OberschenkelR", "RightLowLeg": "UnterschenkelR",
              "LeftFoot": "FussL", "RightFoot": "FussR"}
    for old, new in german.items():
        text = text.replace(f" {old}\n", f" {new}\n")
    rig = tmp_path / "rig.bvh"
    rig.write_text(text)
    r = runner.invoke(app, ["moves", "import", str(rig), "--into", str(tmp_path / "moves")])
    assert r.exit_code == 2 and "no BVH joint for pelvis" in r.output and "--map" in r.output
    table = tmp_path / "names.yaml"
    table.write_text("pelvis: [Becken]\nl_hip: [OberschenkelL]\nl_knee: [UnterschenkelL]\n"
                     "r_hip: [OberschenkelR]\nr_knee: [UnterschenkelR]\n"
                     "l_ankle: [FussL]\nr_ankle: [FussR]\n")
    r = runner.invoke(app, ["moves", "import", str(rig), "--into", str(tmp_path / "moves"),
                            "--map", str(table)])
    assert r.exit_code == 0, r.output
    clip = bvh.read(rig)
    found = bvh.mapping(clip, bvh_names.load(table))
    assert clip.names[found["l_knee"]] == "UnterschenkelL"
    assert clip.names[found["l_shoulder"]] == "LeftUpArm"  # the built-in names still apply
    bad = tmp_path / "bad.yaml"
    bad.write_text("pelvis: [Becken]\nschwanz: [Tail]\n")
    r = runner.invoke(app, ["moves", "import", str(rig), "--into", str(tmp_path / "moves"),
                            "--map", str(bad)])
    assert r.exit_code == 2 and "bad.yaml:2" in r.output and "not an Aktion joint" in r.output


def _motion_edit(old: str, new: str, count: int = 1):
    def edit(text: str) -> str:
        head, motion = text.split("MOTION\n", 1)
        assert old in motion, old
        return head + "MOTION\n" + motion.replace(old, new, count)
    return edit


def _frame0(value: str):
    def edit(text: str) -> str:
        lines = text.splitlines()
        at = lines.index("MOTION") + 3
        parts = lines[at].split()
        parts[4] = value
        lines[at] = " ".join(parts)
        return "\n".join(lines) + "\n"
    return edit


def _hier(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)
    return edit


def _drop_last_value(text: str) -> str:
    lines = text.rstrip("\n").splitlines()
    lines[-1] = lines[-1].rsplit(" ", 1)[0]
    return "\n".join(lines) + "\n"


def _drop_last_line(text: str) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[:-1]) + "\n"


# case -> (edit of bvhio_walk.bvh, line the error names, words it says)
MOTION_LINE = (RIGS / "bvhio_walk.bvh").read_text().splitlines().index("MOTION") + 1
BROKEN = {
    "nan in frame 0": (_frame0("nan"), MOTION_LINE + 3, "frame 0: nan"),
    "inf in frame 0": (_frame0("inf"), MOTION_LINE + 3, "frame 0: inf"),
    "huge value": (_frame0("1e308"), MOTION_LINE + 3, "finite numbers"),
    "not a number": (_frame0("12,5"), MOTION_LINE + 3, "`12,5` is not a number"),
    "zero frames": (_motion_edit("Frames: 48", "Frames: 0"), MOTION_LINE + 1,
                    "at least one frame"),
    "negative frames": (_motion_edit("Frames: 48", "Frames: -4"), MOTION_LINE + 1,
                        "at least one frame"),
    "frames not a number": (_motion_edit("Frames: 48", "Frames: many"), MOTION_LINE + 1,
                            "not a whole number"),
    "frames past the limit": (_motion_edit("Frames: 48", "Frames: 9000000"), MOTION_LINE + 1,
                              "at most 30000"),
    "zero frame time": (_motion_edit("Frame Time: 0.041667", "Frame Time: 0"),
                        MOTION_LINE + 2, "positive number of seconds"),
    "negative frame time": (_motion_edit("Frame Time: 0.041667", "Frame Time: -0.04"),
                            MOTION_LINE + 2, "positive number of seconds"),
    "nan frame time": (_motion_edit("Frame Time: 0.041667", "Frame Time: nan"),
                       MOTION_LINE + 2, "Frame Time"),
    "clip too long": (_motion_edit("Frame Time: 0.041667", "Frame Time: 4"), MOTION_LINE + 1,
                      "at most 120 s"),
    "unknown channel": (_hier("Zrotation Xrotation Yrotation\n\t\tJOINT Neck",
                              "Zrotation Wrotation Yrotation\n\t\tJOINT Neck"), 9,
                        "unknown channel `Wrotation`"),
    "channel count wrong": (_hier("CHANNELS 3 Zrotation Xrotation Yrotation\n\t\tJOINT Neck",
                                  "CHANNELS 9 Zrotation Xrotation Yrotation\n\t\tJOINT Neck"),
                            9, "expected 1 to 6 channels"),
    "offset nan": (_hier("OFFSET 0.0000 5.2000 0.0000", "OFFSET 0.0000 nan 0.0000"), 8,
                   "Chest OFFSET"),
    "truncated last line": (_drop_last_value, MOTION_LINE + 3 + 47, "frame 47 has"),
    "missing frame line": (_drop_last_line, MOTION_LINE + 3 + 46, "47 frame lines"),
    "no motion": (lambda t: t.split("MOTION")[0], None, "no MOTION section"),
    "not bvh": (lambda t: "<html>" + t, 1, "does not start with HIERARCHY"),
    "unbalanced braces": (_hier("\t\tJOINT Neck\n\t\t{", "\t\tJOINT Neck\n\t\t"), 12,
                          "after joint Neck"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_bvh_is_one_line_and_no_move(case: str, tmp_path: Path) -> None:
    edit, line, words = BROKEN[case]
    src = tmp_path / "walk.bvh"
    src.write_text(edit((RIGS / "bvhio_walk.bvh").read_text()))
    moves = tmp_path / "moves"
    r = runner.invoke(app, ["moves", "import", str(src), "--into", str(moves)])
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    where = f"walk.bvh:{line}:" if line is not None else "walk.bvh"
    flat = " ".join(r.output.split())
    assert where in flat and words in flat, r.output
    assert not moves.exists() or not list(moves.iterdir())


def test_a_bvh_over_the_size_limit_is_refused_unread(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from aktion.previz import bvh_parse

    monkeypatch.setattr(bvh_parse, "MAX_BYTES", 10_000)
    with pytest.raises(bvh.BvhError, match="MB"):
        bvh.read(RIGS / "bvhio_walk.bvh")  # 17 KB
    with pytest.raises(bvh.BvhError, match="not a regular file"):
        bvh.read(tmp_path)


def test_move_names_from_titles() -> None:
    assert bvh.move_name("My Walk") == "my_walk"
    assert bvh.move_name("  Sprint (take 2)!") == "sprint_take_2"
    with pytest.raises(bvh.BvhError, match="no letters"):
        bvh.move_name("!!!")


def test_the_keys_kept_hold_every_frame_of_the_clip() -> None:
    """Dense mocap is keyed where the move's curves need it: every frame of the clip,
    sampled from the move, stays within the tolerance of the retargeted clip."""
    clip = bvh.read(RIGS / "biovision_walk.bvh")
    angles, root = bvh.retarget(clip)
    data = bvh.move_data(clip, "walk")
    assert len(data["keys"]) < len(angles)
    move = MoveLibrary.load(extra={"walk": data})["walk"]
    got, got_root = move.sample(np.arange(len(angles), dtype=np.float64))
    body = [INDEX[j] for j in bvh.BODY]
    assert np.abs(got[:, body] - angles[:, body]).max() <= bvh.ANGLE_TOLERANCE + 0.01
    assert np.abs(got_root[:, :3] - root[:, :3]).max() <= bvh.ROOT_TOLERANCE + 0.001


def test_move_files_read_the_same_from_the_compiled_cache(tmp_path: Path, monkeypatch) -> None:
    """Move files come from the compiled cache (parsed once per content): what it gives is
    what the line-keeping reader gives, for every built-in move and an imported one, cold
    and warm; a broken file says its line both times."""
    from aktion.previz import moves
    from aktion.production.yamlio import plain, read_yaml

    monkeypatch.setenv("AKTION_CACHE", str(tmp_path / "cache"))
    imported = bvh.import_bvh(RIGS / "mixamo_walk.bvh", into=tmp_path)
    for path in [*sorted(moves.PACKAGE_MOVES.glob("*.yaml")), imported]:
        expected = moves.MoveFile.model_validate(plain(read_yaml(path)))
        assert moves._read_spec(path) == expected, path  # cold: parsed and kept
        assert moves._read_spec(path) == expected, path  # warm: from the cache
    assert any((tmp_path / "cache").rglob("*")), "nothing was kept in the cache"
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: Move.1\nname: broken\nduration: 10\nkeys:\n"
                      "  - {t: 0, joints: {l_knee: [.nan, 0, 0]}}\n")
    for _ in range(2):
        with pytest.raises(moves.MoveError, match="broken.yaml:5"):
            moves._read_spec(broken)
