"""The move library: every built-in move loads, samples and renders; users add moves as files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from aktion.previz.moves import MoveError, MoveLibrary
from aktion.previz.skeleton import INDEX, JOINTS
from aktion.previz.stage import Stage
from aktion.production.board import SetDesign, Shot
from aktion.production.cast import Character, Palette
from aktion.production.choreo import Beat

REQUIRED = (
    "idle", "guard", "walk", "run", "jab", "cross", "hook", "uppercut", "front_kick",
    "roundhouse", "block", "dodge", "duck", "hit_head", "hit_body", "fall", "get_up",
)  # fmt: skip

CAST = {
    "vex": Character(id="vex", name="VEX"),
    "kade": Character(id="kade", name="KADE", palette=Palette(primary="#2e86c1")),
}


def _stage(beats: list[Beat], library: MoveLibrary, frames: int = 40) -> Stage:
    shot = Shot(
        id="M1", lines=(1, 1), size="FS", duration=frames,
        blocking=[{"who": "vex", "at": (-0.6, 0.0)}, {"who": "kade", "at": (0.6, 0.0),
                                                        "facing": 180}],
    )  # fmt: skip
    return Stage(shot, SetDesign(), CAST, beats, library, fps=24, width=160, height=96)


def _beat(name: str, library: MoveLibrary) -> Beat:
    move = library[name]
    if move.kind == "strike":
        return Beat(t=2, who="vex", move=name, target="kade", hit="body")
    if move.travel is not None:
        return Beat(t=2, who="vex", move=name, to=(-1.5, 0.5))
    return Beat(t=2, who="vex", move=name)


def test_the_built_in_library_has_the_core_moves() -> None:
    library = MoveLibrary.load()
    assert set(REQUIRED) <= set(library.names())
    assert library.names() == sorted(library.names())


def test_strikes_declare_contact_effector_and_phases() -> None:
    library = MoveLibrary.load()
    for name in ("jab", "cross", "hook", "uppercut", "front_kick", "roundhouse"):
        move = library[name]
        assert move.kind == "strike"
        assert move.effector in JOINTS
        assert 0 < move.contact < move.duration
        a, b = move.phases["contact"]
        assert a <= move.contact <= b
        assert {"anticipation", "contact", "recovery"} <= set(move.phases)
    assert library["front_kick"].effector.endswith("ankle")


@pytest.mark.parametrize("name", REQUIRED)
def test_every_move_samples_and_renders(name: str) -> None:
    library = MoveLibrary.load()
    move = library[name]
    angles, root = move.sample(np.linspace(0, move.duration, 25))
    assert angles.shape == (25, len(JOINTS), 3) and root.shape == (25, 4)
    assert np.isfinite(angles).all() and np.isfinite(root).all()
    stage = _stage([_beat(name, library)], library)
    perf, camera = stage.perform()
    assert np.isfinite(perf.poses).all()
    renderer = stage.renderer(perf.poses, camera, perf.characters)
    for i in (0, perf.frames // 2, perf.frames - 1):
        img = renderer.frame(i)
        assert img.shape == (96, 160, 3) and img.dtype == np.uint8
        assert img.std() > 5  # something is drawn, not a flat fill


def test_a_strike_starts_and_ends_in_its_base_pose() -> None:
    library = MoveLibrary.load()
    guard = library["guard"].first_pose()
    jab = library["jab"]
    np.testing.assert_allclose(jab.first_pose(), guard)
    end, _ = jab.sample(np.array([jab.duration]))
    np.testing.assert_allclose(end[0], guard, atol=1e-9)
    peak, _ = jab.sample(np.array([jab.contact]))
    assert not np.allclose(peak[0], guard)


def test_a_loop_repeats_seamlessly() -> None:
    walk = MoveLibrary.load()["walk"]
    u = np.array([0.0, walk.duration, 2 * walk.duration, 0.25])
    angles, _ = walk.sample(u)
    np.testing.assert_allclose(angles[0], angles[1], atol=1e-9)
    np.testing.assert_allclose(angles[0], angles[2], atol=1e-9)
    step = np.abs(angles[3] - angles[0]).max()
    assert 0 < step < 5  # a quarter frame moves a little, never a pop


SPIN = """\
schema: Move.1
name: spin_fist
description: "A spinning back fist, added by the production."
kind: strike
duration: 18
base: guard
contact: 9
effector: r_wrist
phases: {anticipation: [0, 5], contact: [5, 11], recovery: [11, 18]}
keys:
  - t: 0
  - t: 9
    joints:
      r_shoulder: [-70, 0, 20]
      r_elbow: [0, 0, 10]
    turn: 160
  - t: 18
    turn: 360
"""


def test_a_move_file_added_at_run_time_loads_and_renders(tmp_path: Path) -> None:
    (tmp_path / "spin_fist.yaml").write_text(SPIN)
    library = MoveLibrary.load(extra_dirs=[tmp_path])
    assert "spin_fist" in library.names() and "jab" in library.names()
    move = library["spin_fist"]
    assert move.effector == "r_wrist" and move.contact == 9
    stage = _stage([Beat(t=3, who="vex", move="spin_fist", target="kade", hit="head")], library)
    perf, camera = stage.perform()
    assert [c.move for c in perf.contacts] == ["spin_fist"]
    assert perf.contacts[0].frame == 3 + 9
    img = stage.renderer(perf.poses, camera, perf.characters).frame(12)
    assert img.shape == (96, 160, 3)


def test_a_production_move_overrides_a_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "jab.yaml").write_text(SPIN.replace("spin_fist", "jab"))
    library = MoveLibrary.load(extra_dirs=[tmp_path])
    assert library["jab"].duration == 18
    assert library["jab"].source == str(tmp_path / "jab.yaml")


def test_moves_can_also_arrive_as_data() -> None:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(SPIN)
    library = MoveLibrary.load(extra={"spin_fist": data})
    assert library["spin_fist"].contact == 9


def test_a_mirrored_move_swaps_sides() -> None:
    library = MoveLibrary.load(extra={"jab_southpaw": {
        "schema": "Move.1", "name": "jab_southpaw", "mirror": "jab"}})  # fmt: skip
    jab, south = library["jab"], library["jab_southpaw"]
    assert south.effector == "r_wrist" and south.contact == jab.contact
    a, _ = jab.sample(np.array([jab.contact]))
    b, _ = south.sample(np.array([jab.contact]))
    np.testing.assert_allclose(b[0, INDEX["r_shoulder"]], a[0, INDEX["l_shoulder"]] * [-1, -1, 1])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("schema: Move.1\nname: bad\nduration: 10\nkeys:\n  - t: 0\n    joints: {r_elbo: [0, 0, 1]}\n",
         "unknown joint `r_elbo`"),
        ("schema: Move.1\nname: bad\nkeys:\n  - t: 0\n", "duration"),
        ("schema: Move.1\nname: bad\nduration: 10\nkind: strike\nkeys:\n  - t: 0\n",
         "contact"),
        ("schema: Move.1\nname: bad\nduration: 10\nkeys:\n  - t: 0\n  - t: 12\n",
         "beyond the duration"),
        ("schema: Move.1\nname: bad\nduration: 10\nbase: nothing\nkeys:\n  - t: 0\n",
         "`base: nothing` is not a move"),
        ("schema: Move.1\nname: bad\nduration: [oops\n", "YAML syntax"),
        ("schema: Move.1\nname: other\nduration: 10\nkeys:\n  - t: 0\n", "the file name"),
    ],
)  # fmt: skip
def test_a_malformed_move_file_is_named_in_the_error(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(MoveError) as info:
        MoveLibrary.load(extra_dirs=[tmp_path])
    message = str(info.value)
    assert str(path) in message
    assert needle in message


def test_the_error_points_at_the_line() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bad.yaml"
        path.write_text("schema: Move.1\nname: bad\nduration: 10\nkeys:\n  - t: 0\n"
                        "  - t: 4\n    joints: {nope: [0, 0, 0]}\n")  # fmt: skip
        with pytest.raises(MoveError) as info:
            MoveLibrary.load(extra_dirs=[d])
        assert f"{path}:7" in str(info.value)
