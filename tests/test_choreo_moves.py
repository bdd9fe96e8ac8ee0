"""The move library spans the action vocabulary: 30+ moves, each loads, samples and renders."""

from __future__ import annotations

import numpy as np
import pytest

from aktion.previz.moves import MoveLibrary
from aktion.previz.skeleton import INDEX, JOINTS, Skeleton
from aktion.previz.stage import Stage
from aktion.production.board import SetDesign, Shot
from aktion.production.cast import Character, Palette
from aktion.production.choreo import Beat

FAMILIES = {
    "striking": {"jab", "cross", "hook", "uppercut", "elbow", "knee", "spinning_backfist",
                 "headbutt"},
    "kicks": {"front_kick", "side_kick", "roundhouse", "sweep", "stomp"},
    "defence": {"block", "parry", "slip", "dodge", "duck"},
    "grappling": {"clinch", "grapple", "throw"},
    "falls": {"fall", "get_up", "stagger", "hit_head", "hit_body"},
    "locomotion": {"walk", "run", "sprint", "jump", "vault", "roll"},
    "weapons": {"draw", "swing", "aim", "fire", "reload"},
}  # fmt: skip
CAST = {
    "vex": Character(id="vex", name="VEX"),
    "kade": Character(id="kade", name="KADE", palette=Palette(primary="#2e86c1")),
}
LIBRARY = MoveLibrary.load()


def _stage(beat: Beat, frames: int = 36) -> Stage:
    shot = Shot(
        id="M1", lines=(1, 1), size="FS", duration=frames,
        blocking=[{"who": "vex", "at": (-0.6, 0.0)},
                  {"who": "kade", "at": (0.6, 0.0), "facing": 180}],
    )  # fmt: skip
    return Stage(shot, SetDesign(), CAST, [beat], LIBRARY, fps=24, width=96, height=64)


def test_the_library_has_thirty_moves_across_every_family() -> None:
    names = set(LIBRARY.names())
    assert len(names) >= 30
    for family, moves in FAMILIES.items():
        assert moves <= names, f"{family}: missing {moves - names}"


@pytest.mark.parametrize("name", sorted(set().union(*FAMILIES.values())))
def test_every_move_has_phases_and_renders(name: str) -> None:
    move = LIBRARY[name]
    if move.kind == "strike":
        assert move.effector in JOINTS and 0 < move.contact < move.duration
        a, b = move.phases["contact"]
        assert a <= move.contact <= b
    if move.kind in ("strike", "defense") or name in FAMILIES["grappling"]:
        assert {"anticipation", "contact", "recovery"} <= set(move.phases), name
    if move.kind == "strike":
        beat = Beat(t=2, who="vex", move=name, target="kade", hit="body")
    elif move.travel is not None:
        beat = Beat(t=2, who="vex", move=name, to=(-2.0, 0.5))
    else:
        beat = Beat(t=2, who="vex", move=name)
    stage = _stage(beat)
    perf, camera = stage.perform()
    assert np.isfinite(perf.poses).all()
    # the move does something: vex's pose leaves where it started
    moved = np.abs(perf.poses[:, 0] - perf.poses[0, 0]).max()
    assert moved > 0.05, f"{name} barely moves ({moved:.3f} m)"
    renderer = stage.renderer(perf.poses, camera, perf.characters)
    img = renderer.frame(perf.frames // 2)
    assert img.shape == (64, 96, 3) and img.std() > 5


def test_strikes_extend_forward_at_contact() -> None:
    """Straight strikes: on the contact frame the striking joint is further forward."""
    skel = Skeleton.from_build(CAST["vex"].build)
    for name in ("jab", "cross", "front_kick", "knee", "side_kick", "headbutt", "stomp"):
        move = LIBRARY[name]
        angles, _ = move.sample(np.array([0.0, move.contact]))
        pos = skel.pose(angles, np.zeros((2, 3)), np.zeros(2))
        forward = pos[:, INDEX[move.effector], 0] - pos[:, INDEX["pelvis"], 0]
        assert forward[1] > forward[0], f"{name}: forward reach {forward}"


def test_a_move_added_at_run_time_renders(tmp_path) -> None:
    (tmp_path / "flourish.yaml").write_text(
        "schema: Move.1\nname: flourish\nkind: action\nduration: 12\nbase: guard\n"
        "keys:\n  - t: 0\n  - t: 6\n    joints: {r_shoulder: [-40, 0, 150]}\n  - t: 12\n",
        encoding="utf-8",
    )
    library = MoveLibrary.load([tmp_path])
    assert "flourish" in library and len(library.names()) == len(LIBRARY.names()) + 1
    shot = Shot(id="M2", lines=(1, 1), size="FS", duration=16,
                blocking=[{"who": "vex", "at": (0.0, 0.0)}])  # fmt: skip

    def wrist_heights(beats: list[Beat]):
        stage = Stage(shot, SetDesign(), CAST, beats, library, fps=24, width=64, height=48)
        perf, _ = stage.perform()
        return perf.poses[:, 0, INDEX["r_wrist"], 1]

    flourish = wrist_heights([Beat(t=0, who="vex", move="flourish")])
    guard = wrist_heights([])
    # The new move raises the right hand well above where it rests in guard, then returns.
    assert (flourish[3:9] - guard[3:9]).min() > 0.2
    assert abs(flourish[12] - guard[12]) < abs(flourish[6] - guard[6])
