"""Plausibility: the example fight lands its blows on the beat; bad choreography is reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aktion.previz.moves import MoveLibrary
from aktion.previz.performance import solve, zone_point
from aktion.previz.plausibility import REACH, check_performance, check_production
from aktion.previz.schedule import build
from aktion.previz.skeleton import INDEX, Skeleton
from aktion.production.board import Shot
from aktion.production.cast import Character
from aktion.production.choreo import Beat
from aktion.production.load import load_production

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rooftop"
LIBRARY = MoveLibrary.load()


@pytest.fixture(scope="module")
def rooftop():
    return load_production(EXAMPLE, moves=LIBRARY.names())


def test_every_strike_in_the_example_lands_on_its_contact_frame(rooftop) -> None:
    fps = rooftop.settings.fps
    landed = 0
    for _, shot in rooftop.shots():
        beats = sorted(rooftop.beats(shot.id), key=lambda b: b.t)
        strikes = [b for b in beats if b.move and b.target and LIBRARY[b.move].contact is not None]
        if not strikes:
            continue
        cast = {c: rooftop.cast[c] for c in shot.characters}
        perf = solve(shot, beats, cast, LIBRARY, fps)
        marks = {m.who: (m.at[0], m.at[1]) for m in shot.blocking}
        clips, planned = build(perf.characters, beats, LIBRARY, fps, shot.duration, marks)
        for s in planned:
            if not s.hit or s.frame >= shot.duration:
                continue
            k, t = perf.characters.index(s.striker), perf.characters.index(s.target)
            eff = perf.poses[s.frame, k, INDEX[s.effector]]
            zone = zone_point(perf.poses[s.frame, t], s.zone)
            miss = float(np.linalg.norm(eff - zone))
            assert miss <= REACH, f"{shot.id}: {s.striker}'s {s.move} is {miss:.2f} m off"
            # the target's reaction clip starts on the contact frame ...
            reactions = [c for c in clips[s.target] if c.move.kind == "reaction"
                         and c.beat == s.beat]  # fmt: skip
            assert [c.start for c in reactions] == [s.frame], shot.id
            # ... and the target is moved by it from that frame on, not before
            still = perf.poses[s.frame - 1, t] - perf.poses[s.frame - 2, t]
            hit = perf.poses[s.frame + 3, t] - perf.poses[s.frame, t]
            assert np.abs(hit).max() > np.abs(still).max(), shot.id
            landed += 1
    assert landed >= 5


def test_the_example_has_no_missed_strikes_or_overlaps(rooftop) -> None:
    findings = check_production(rooftop)
    bad = [f for f in findings if f.check in ("reach", "solve", "overlap")]
    assert not bad, "\n".join(map(str, bad))
    # bones keep their length except where a speed ramp blends positions between frames
    ramped = {shot.id for _, shot in rooftop.shots()
              if any(b.camera == "speed_ramp" for b in rooftop.beats(shot.id))}  # fmt: skip
    assert {f.shot for f in findings if f.check == "bones"} <= ramped


def test_a_strike_out_of_reach_is_reported_with_its_beat_and_distance() -> None:
    shot = Shot(id="P1", lines=(1, 1), size="WS", duration=30,
                blocking=[{"who": "vex", "at": (-3.0, 0.0)},
                          {"who": "kade", "at": (3.0, 0.0), "facing": 180}])  # fmt: skip
    cast = {"vex": Character(id="vex", name="VEX"), "kade": Character(id="kade", name="KADE")}
    beats = [Beat(t=2, who="vex", move="jab", target="kade", hit="head", line=7)]
    perf = solve(shot, beats, cast, LIBRARY, 24)
    skeletons = {c: Skeleton.from_build(cast[c].build) for c in cast}
    contact = perf.contacts[0].frame
    findings = check_performance("P1", perf, skeletons, {contact: 7})
    reach = [f for f in findings if f.check == "reach"]
    assert len(reach) == 1 and reach[0].line == 7 and reach[0].frame == contact
    assert "vex's jab misses kade's head by" in reach[0].message


def test_overlap_ground_and_bones_are_caught() -> None:
    shot = Shot(id="P2", lines=(1, 1), size="WS", duration=12,
                blocking=[{"who": "vex", "at": (0.0, 0.0)},
                          {"who": "kade", "at": (0.1, 0.0), "facing": 180}])  # fmt: skip
    cast = {"vex": Character(id="vex", name="VEX"), "kade": Character(id="kade", name="KADE")}
    perf = solve(shot, [], cast, LIBRARY, 24)
    skeletons = {c: Skeleton.from_build(cast[c].build) for c in cast}
    assert {f.check for f in check_performance("P2", perf, skeletons)} == {"overlap"}
    perf.poses[5, 0, INDEX["l_wrist"]] += np.array([0.0, -2.0, 0.0], np.float32)
    checks = {f.check for f in check_performance("P2", perf, skeletons)}
    assert {"bones", "ground"} <= checks
