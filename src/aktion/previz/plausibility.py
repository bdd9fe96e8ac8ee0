"""Plausibility checks on solved performances: what a fight choreographer would flag.

Each shot is solved as previz would render it, then checked for: bones that
change length, feet that slide while planted, body parts under the floor,
strikes that miss their target zone on the contact frame (by how much), and
two characters occupying the same space. ``aktion check`` reports the findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .moves import MoveLibrary
from .performance import Performance, zone_point
from .skeleton import BONES, INDEX, JOINTS, Skeleton

REACH = 0.25  # m: a strike's effector must be this close to the zone's centre on contact
BONE_TOLERANCE = 0.005  # m a bone may stretch before it is flagged
GROUND_TOLERANCE = 0.03  # m of a body surface allowed below the floor
PLANTED = 0.04  # m: an ankle this close to its lowest is planted
SLIDE = 0.08  # m a planted foot may drift over a plant (blends and step-ins are small)
PERSONAL = 0.30  # m: two torsos closer than this occupy the same space


@dataclass(frozen=True)
class Finding:
    """One problem, located: shot, frame, who, and what was measured against what."""

    check: str  # bones, feet, ground, reach, overlap
    shot: str
    frame: int
    message: str
    who: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.shot} frame {self.frame}" + (f" line {self.line}" if self.line else "")
        return f"{where}: {self.message}"


def check_performance(
    shot_id: str, perf: Performance, skeletons: dict[str, Skeleton],
    lines: dict[int, int | None] | None = None,
) -> list[Finding]:  # fmt: skip
    """Findings for one solved shot (``lines``: contact frame -> the beat's script line)."""
    out: list[Finding] = []
    poses = perf.poses.astype(np.float64)
    a, b = np.array(BONES).T
    for k, who in enumerate(perf.characters):
        p = poses[:, k]
        lengths = np.linalg.norm(p[:, b] - p[:, a], axis=-1)
        stretch = np.abs(lengths - lengths[0]).max(0)
        worst = int(np.argmax(stretch))
        if stretch[worst] > BONE_TOLERANCE:
            f = int(np.argmax(np.abs(lengths[:, worst] - lengths[0, worst])))
            out.append(Finding("bones", shot_id, f, f"{who}'s {JOINTS[b[worst]]} bone "
                               f"changes length by {stretch[worst] * 100:.1f} cm", who))  # fmt: skip
        skel = skeletons.get(who)
        if skel is not None:
            mask = skel.clearance >= 0
            low = p[:, mask, 1] - skel.clearance[mask]
            f = int(np.argmin(low.min(1)))
            if low[f].min() < -GROUND_TOLERANCE:
                out.append(Finding("ground", shot_id, f, f"{who} is {-low[f].min() * 100:.0f} cm "
                                   "below the floor", who))  # fmt: skip
        for side in ("l_ankle", "r_ankle"):
            out.extend(_slides(shot_id, who, p[:, INDEX[side]], side))
    for c in perf.contacts:
        k, t = perf.characters.index(c.striker), perf.characters.index(c.target)
        if c.frame >= perf.frames:
            continue
        eff = poses[c.frame, k, INDEX[c.effector]]
        zone = zone_point(poses[c.frame, t], c.zone)
        miss = float(np.linalg.norm(eff - zone))
        if miss > REACH:
            line = (lines or {}).get(c.frame)
            out.append(Finding("reach", shot_id, c.frame, f"{c.striker}'s {c.move} misses "
                               f"{c.target}'s {c.zone} by {(miss - REACH) * 100:.0f} cm "
                               f"({miss:.2f} m from it, {REACH:.2f} m allowed)", c.striker, line))  # fmt: skip
    torso = poses[:, :, [INDEX["pelvis"], INDEX["spine"], INDEX["chest"]]][..., [0, 2]].mean(2)
    for i in range(len(perf.characters)):
        for j in range(i + 1, len(perf.characters)):
            d = np.linalg.norm(torso[:, i] - torso[:, j], axis=-1)
            f = int(np.argmin(d))
            if d[f] < PERSONAL:
                out.append(Finding("overlap", shot_id, f, f"{perf.characters[i]} and "
                                   f"{perf.characters[j]} overlap ({d[f]:.2f} m apart)")) # fmt: skip
    return out


def _slides(shot_id: str, who: str, ankle: np.ndarray, side: str) -> list[Finding]:
    """A foot planted (low and still in height) over a run of frames must not drift."""
    floor = ankle[:, 1].min()
    planted = ankle[:, 1] < floor + PLANTED
    out = []
    f = 0
    n = len(ankle)
    while f < n:
        if not planted[f]:
            f += 1
            continue
        g = f
        while g + 1 < n and planted[g + 1]:
            g += 1
        if g - f >= 3:
            drift = np.linalg.norm(ankle[f : g + 1, [0, 2]] - ankle[f, [0, 2]], axis=1)
            if drift.max() > SLIDE:
                at = f + int(np.argmax(drift))
                out.append(Finding("feet", shot_id, at, f"{who}'s {side.replace('_', ' ')} slides "
                                   f"{drift.max() * 100:.0f} cm while planted", who))  # fmt: skip
                break  # one per foot per shot is enough to act on
        f = g + 1
    return out


def check_production(production, checks: tuple[str, ...] | None = None) -> list[Finding]:
    """Solve every shot of a production as previz does and report what is implausible."""
    from .stage import Stage

    library = MoveLibrary.for_production(production.root)
    s = production.settings
    findings: list[Finding] = []
    for scene, shot in production.shots():
        beats = production.beats(shot.id)
        cast = {c: production.cast[c] for c in shot.characters}
        stage = Stage(shot, scene.set, cast, beats, library, fps=s.fps, width=s.width,
                      height=s.height)  # fmt: skip
        try:
            perf, _ = stage.perform()
        except (ValueError, KeyError) as e:
            findings.append(Finding("solve", shot.id, 0, f"cannot be solved: {e}"))
            continue
        skeletons = {c: Skeleton.from_build(cast[c].build) for c in perf.characters}
        lines = _contact_lines(beats, perf)
        found = check_performance(shot.id, perf, skeletons, lines)
        findings.extend(f for f in found if checks is None or f.check in checks)
    return findings


def _contact_lines(beats, perf: Performance) -> dict[int, int | None]:
    """Contact frame -> the script line of the strike beat that made it."""
    out: dict[int, int | None] = {}
    for c in perf.contacts:
        mine = [b for b in beats if b.who == c.striker and b.move == c.move and b.t <= c.frame]
        if mine:
            out[c.frame] = max(mine, key=lambda b: b.t).line
    return out
