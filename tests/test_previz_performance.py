"""Solving a shot: blocking, facing, locomotion, strikes that land, reactions on the contact frame."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aktion.previz.moves import MoveLibrary
from aktion.previz.performance import solve, zone_point
from aktion.previz.skeleton import INDEX, JOINTS, Skeleton
from aktion.production.board import Shot
from aktion.production.cast import Build, Character
from aktion.production.choreo import Beat

CAST = {
    "vex": Character(id="vex", name="VEX", build=Build(height=1.7)),
    "kade": Character(id="kade", name="KADE", build=Build(height=1.92, bulk=1.3)),
    "rio": Character(id="rio", name="RIO"),
}


@pytest.fixture(scope="module")
def library() -> MoveLibrary:
    return MoveLibrary.load()


def _shot(frames: int = 48, gap: float = 1.3, **extra) -> Shot:
    blocking = [{"who": "kade", "at": (gap / 2, 0.2), "facing": 180},
                {"who": "vex", "at": (-gap / 2, 0.0), "facing": 0}]  # fmt: skip
    return Shot(id="P1", lines=(1, 1), duration=frames, blocking=blocking, **extra)


def test_rest_pose_stands_on_the_floor_at_full_height() -> None:
    for build in (Build(), Build(height=1.5, bulk=1.4), Build(height=2.1, shoulders=0.5)):
        rest = Skeleton.from_build(build).rest()
        assert rest.shape == (len(JOINTS), 3)
        top_of_head = rest[INDEX["head"], 1] + 0.11 * build.height / 1.78
        assert top_of_head == pytest.approx(build.height, rel=0.03)
        assert min(rest[INDEX["l_ankle"], 1], rest[INDEX["r_toe"], 1]) > 0
        assert rest[INDEX["r_toe"], 1] == pytest.approx(0.014 * build.height, abs=1e-6)
        width = rest[INDEX["r_shoulder"], 2] - rest[INDEX["l_shoulder"], 2]
        assert width == pytest.approx(build.shoulders * 0.9)


def test_facing_follows_the_floor_plan() -> None:
    skel = Skeleton.from_build(Build())
    zeros = np.zeros((2, len(JOINTS), 3))
    pos = skel.pose(zeros, np.zeros((2, 3)), np.array([0.0, 90.0]))
    nose = pos[:, INDEX["nose"]] - pos[:, INDEX["head"]]
    assert nose[0, 0] > 0.05 and abs(nose[0, 2]) < 1e-9  # facing 0 looks along +x
    assert nose[1, 2] > 0.05 and abs(nose[1, 0]) < 1e-9  # facing 90 looks along +z
    # the right side of a character facing +x is +z
    assert pos[0, INDEX["r_shoulder"], 2] > 0 > pos[0, INDEX["l_shoulder"], 2]


def test_positive_shoulder_flexion_raises_the_arm_forward() -> None:
    skel = Skeleton.from_build(Build())
    angles = np.zeros((1, len(JOINTS), 3))
    angles[0, INDEX["r_shoulder"]] = (0, 0, 90)
    pos = skel.pose(angles, np.zeros((1, 3)), np.zeros(1))[0]
    arm = pos[INDEX["r_wrist"]] - pos[INDEX["r_shoulder"]]
    assert arm[0] == pytest.approx(0.332 * 1.78, rel=1e-3)
    assert abs(arm[1]) < 1e-9


def test_characters_come_in_blocking_order_where_the_board_puts_them(library) -> None:
    perf = solve(_shot(), [], CAST, library, 24)
    assert perf.characters == ["kade", "vex"]
    assert perf.poses.shape == (48, 2, len(JOINTS), 3) and perf.poses.dtype == np.float32
    pelvis = perf.poses[0, :, INDEX["pelvis"]]
    np.testing.assert_allclose(pelvis[:, [0, 2]], [[0.65, 0.2], [-0.65, 0.0]], atol=0.02)
    assert perf.contacts == []


def test_a_hit_starts_the_reaction_on_the_contact_frame(library) -> None:
    beat = {"t": 10, "who": "vex", "move": "cross", "target": "kade"}
    hit = solve(_shot(), [Beat(**beat, hit="head")], CAST, library, 24)
    miss = solve(_shot(), [Beat(**beat)], CAST, library, 24)
    (contact,) = hit.contacts
    assert (contact.striker, contact.target, contact.zone, contact.move) == (
        "vex", "kade", "head", "cross")  # fmt: skip
    assert contact.frame == 10 + library["cross"].contact
    assert miss.contacts == []
    k = hit.characters.index("kade")
    c = contact.frame
    np.testing.assert_array_equal(hit.poses[:c, k], miss.poses[:c, k])
    assert np.abs(hit.poses[c, k] - miss.poses[c, k]).max() > 0.005
    head_back = hit.poses[c + 3, k, INDEX["head"]] - miss.poses[c + 3, k, INDEX["head"]]
    assert np.linalg.norm(head_back) > 0.05


@pytest.mark.parametrize(("move", "zone"), [("jab", "head"), ("cross", "body"),
                                             ("hook", "head"), ("uppercut", "head"),
                                             ("front_kick", "body"), ("roundhouse", "head"),
                                             ("roundhouse", "legs")])  # fmt: skip
def test_the_strike_lands_on_the_hit_zone(library, move: str, zone: str) -> None:
    for gap in (1.0, 1.8):
        perf = solve(_shot(gap=gap), [Beat(t=6, who="vex", move=move, target="kade", hit=zone)],
                     CAST, library, 24)  # fmt: skip
        (contact,) = perf.contacts
        v, k = perf.characters.index("vex"), perf.characters.index("kade")
        effector = perf.poses[contact.frame, v, INDEX[contact.effector]]
        target = zone_point(perf.poses[contact.frame, k], zone)
        assert np.linalg.norm(effector - target) < 0.2, (move, zone, gap)
        # not on the frame before the step-in was planned: the strike travels
        before = perf.poses[6, v, INDEX[contact.effector]]
        assert np.linalg.norm(before - target) > 0.3


def test_a_short_fighters_headbutt_springs_up_into_a_tall_face(library) -> None:
    cast = {"vex": Character(id="vex", name="VEX", build=Build(height=1.6)),
            "kade": Character(id="kade", name="KADE", build=Build(height=1.85))}
    beat = Beat(t=6, who="vex", move="headbutt", target="kade", hit="head")
    perf = solve(_shot(frames=40, gap=1.0), [beat], cast, library, 24)
    (contact,) = perf.contacts
    v, k = perf.characters.index("vex"), perf.characters.index("kade")
    head = perf.poses[contact.frame, v, INDEX["head"]]
    assert np.linalg.norm(head - zone_point(perf.poses[contact.frame, k], "head")) < 0.2
    toes = perf.poses[:, v, [INDEX["l_toe"], INDEX["r_toe"]], 1].min(axis=1)
    assert toes[contact.frame] > 0.05  # up off the floor into the blow
    assert toes[-1] == pytest.approx(toes[0], abs=0.01)  # and back down after it
    assert np.abs(np.diff(toes)).max() < 0.05  # eased, not a jump cut


def test_contact_scales_with_fps_and_speed(library) -> None:
    beat = Beat(t=12, who="vex", move="jab", target="kade", hit="body", speed=2.0)
    perf = solve(_shot(frames=60), [beat], CAST, library, 30)
    expected = 12 + round(library["jab"].contact * 30 / 24 / 2.0)
    assert perf.contacts[0].frame == expected
    k = perf.characters.index("kade")
    moved = np.abs(np.diff(perf.poses[:, k], axis=0)).max(axis=(1, 2))
    assert moved[: expected - 1].max() < 0.01  # kade holds guard until struck
    assert moved[expected - 1 :].max() > 0.01


def test_a_strike_turns_the_striker_to_face_the_target(library) -> None:
    shot = Shot(id="P2", lines=(1, 1), duration=30, blocking=[
        {"who": "vex", "at": (0, 0), "facing": 0}, {"who": "kade", "at": (0, 1.4)}])  # fmt: skip
    perf = solve(shot, [Beat(t=2, who="vex", move="jab", target="kade")], CAST, library, 24)
    v = perf.characters.index("vex")
    nose = perf.poses[20, v, INDEX["nose"]] - perf.poses[20, v, INDEX["head"]]
    heading = math.degrees(math.atan2(nose[2], nose[0]))
    assert 50 < heading < 130  # now looking along +z, toward kade


def test_walk_to_a_mark_moves_the_root_and_arrives(library) -> None:
    shot = Shot(id="P3", lines=(1, 1), duration=96, blocking=[{"who": "rio", "at": (0, 0)}])
    perf = solve(shot, [Beat(t=4, who="rio", move="walk", to=(2.0, 1.0))], CAST, library, 24)
    pelvis = perf.poses[:, 0, INDEX["pelvis"]]
    np.testing.assert_allclose(pelvis[:4, [0, 2]], 0.0, atol=0.02)
    np.testing.assert_allclose(pelvis[-1, [0, 2]], [2.0, 1.0], atol=0.05)
    assert np.abs(np.diff(pelvis[:, [0, 2]], axis=0)).max() < 0.1  # no jumps
    feet = perf.poses[:, 0, [INDEX["l_toe"], INDEX["r_toe"]], 1]
    assert feet.min() > -0.01  # grounded: never through the floor


def test_moves_blend_without_pops(library) -> None:
    beats = [Beat(t=4, who="vex", move="jab", target="kade"),
             Beat(t=12, who="vex", move="roundhouse", target="kade", hit="body"),
             Beat(t=20, who="kade", move="block"),
             Beat(t=40, who="vex", move="duck")]  # fmt: skip
    perf = solve(_shot(frames=72), beats, CAST, library, 24)
    step = np.linalg.norm(np.diff(perf.poses, axis=0), axis=-1)  # metres a joint moves per frame
    assert step.max() < 0.45


def test_a_fall_stays_down_until_the_get_up(library) -> None:
    beats = [Beat(t=2, who="vex", move="fall"), Beat(t=60, who="vex", move="get_up")]
    perf = solve(_shot(frames=120), beats, CAST, library, 24)
    v = perf.characters.index("vex")
    head_y = perf.poses[:, v, INDEX["head"], 1]
    assert head_y[40:60].max() < 0.5  # lying down
    assert head_y[-1] > 1.3  # back up
    assert perf.poses[:, v, :, 1].min() > -0.05


def test_unknown_moves_and_unblocked_characters_are_errors(library) -> None:
    with pytest.raises(ValueError, match="no move `moonwalk`"):
        solve(_shot(), [Beat(t=1, who="vex", move="moonwalk")], CAST, library, 24)
    with pytest.raises(ValueError, match="`rio` is not blocked"):
        solve(_shot(), [Beat(t=1, who="rio", move="jab")], CAST, library, 24)


def test_retiming_follows_the_time_map(library) -> None:
    perf = solve(_shot(), [Beat(t=10, who="vex", move="jab", target="kade", hit="head")],
                 CAST, library, 24)  # fmt: skip
    times = np.concatenate([np.arange(10.0), 10 + np.arange(38) * 0.5])
    slow = perf.retimed(times)
    assert slow.poses.shape == perf.poses.shape
    np.testing.assert_allclose(slow.poses[12], perf.poses[11], atol=1e-6)
    np.testing.assert_allclose(slow.poses[11], (perf.poses[10] + perf.poses[11]) / 2, atol=1e-5)
    assert slow.contacts[0].frame == 10 + 2 * (perf.contacts[0].frame - 10)


# --- a strike the choreography does not land: at the guard, short, or where they were ------


def _reach(perf, library, beat: Beat) -> tuple[int, np.ndarray, np.ndarray]:
    """The strike's contact frame, its limb there, and the target's joints there."""
    contact = beat.t + round(library[beat.move].contact)
    v, k = perf.characters.index(beat.who), perf.characters.index(beat.target)
    return contact, perf.poses[contact, v, INDEX[library[beat.move].effector]], \
        perf.poses[contact, k]


@pytest.mark.parametrize(("move", "tall", "short"), [("jab", "kade", "vex"),
                                                     ("swing", "kade", "vex"),
                                                     ("swing", "vex", "kade")])
def test_a_blocked_strike_meets_the_forearm(library, move: str, tall: str, short: str) -> None:
    from aktion.previz.plausibility import REACH

    # a two-handed swing reaches its straight arm at contact: a guard nearer than the face
    # is met by standing off to it, whoever is the taller
    cast = {tall: Character(id=tall, name=tall.upper(), build=Build(height=1.8)),
            short: Character(id=short, name=short.upper(), build=Build(height=1.62))}
    strike = Beat(t=6, who="vex", move=move, target="kade")
    perf = solve(_shot(frames=40), [strike, Beat(t=8, who="kade", move="block")], cast,
                 library, 24)
    _, fist, kade = _reach(perf, library, strike)
    forearm = min(np.linalg.norm(fist - (kade[INDEX[f"{s}_elbow"]] + 0.7 * (
        kade[INDEX[f"{s}_wrist"]] - kade[INDEX[f"{s}_elbow"]]))) for s in "lr")
    assert forearm < 0.12  # it lands on the guard, in front of the face, not on it
    assert np.linalg.norm(fist - zone_point(kade, "head")) > max(forearm, REACH)
    assert perf.contacts == []


@pytest.mark.parametrize(("move", "defence"), [("hook", "duck"), ("cross", "dodge"),
                                                ("jab", None), ("roundhouse", None)])
def test_a_strike_that_does_not_land_misses_head_and_body(library, move: str,
                                                          defence: str | None) -> None:
    from aktion.previz.plausibility import REACH

    strike = Beat(t=6, who="vex", move=move, target="kade")
    beats = [strike] + ([Beat(t=8, who="kade", move=defence)] if defence else [])
    perf = solve(_shot(), beats, CAST, library, 24)
    _, limb, kade = _reach(perf, library, strike)
    for zone in ("head", "body"):
        assert np.linalg.norm(limb - zone_point(kade, zone)) > REACH, (move, zone)
    landed = solve(_shot(), [strike.model_copy(update={"hit": "head"})], CAST, library, 24)
    _, limb, kade = _reach(landed, library, strike)
    assert np.linalg.norm(limb - zone_point(kade, "head")) <= REACH  # the same blow, landing


def test_covering_and_evasive_defences_are_told_apart(library) -> None:
    from aktion.previz.performance import evasive

    assert not evasive(library["block"]) and not evasive(library["parry"])
    assert evasive(library["duck"]) and evasive(library["dodge"]) and evasive(library["slip"])
