"""Screen direction across cuts, from the motion as it is performed and filmed.

A runner who leaves one shot moving screen-right must enter the next moving
screen-right, or the audience reads a turn back (a chase that reverses, a fighter who
retreats). The boards cannot say it: the same floor-plan run reads left to right or
right to left depending on where the camera stands, and a camera that follows the run
keeps the runner centred. So each shot is solved and filmed as previz does, and a
character's screen direction is their motion on the floor measured along the camera's
own right axis, frame by frame: panning with them does not cancel it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from aktion.previz.skeleton import INDEX
from aktion.production.production import Production

from . import where
from .findings import Finding

ACROSS = 0.5  # metres across the screen that read as travel, not a shuffle
SQUARE = 0.5  # share of the travel that must be across the screen (not toward the lens)


@dataclass(frozen=True)
class Travel:
    """Which way someone moves across the screen as a shot starts and as it ends:
    +1 screen-right, -1 screen-left, 0 no clear travel across it."""

    entry: int
    exit: int


def travels(perf, camera, subjects: list[str]) -> dict[str, Travel]:
    """Screen direction of each of ``subjects`` in a filmed shot (a ``staging.Filmed``'s
    performance and camera)."""
    n = min(perf.frames, camera.frames)
    out: dict[str, Travel] = {}
    if n < 2:
        return out
    right = camera.basis[: n - 1, 0]
    for who in subjects:
        k = perf.characters.index(who)
        pelvis = perf.poses[:n, k, INDEX["pelvis"]].astype(np.float64)
        step = np.diff(pelvis, axis=0)
        step[:, 1] = 0.0
        across = (step * right).sum(axis=1)
        floor = np.linalg.norm(step, axis=1)
        half = max(1, len(step) // 2)
        out[who] = Travel(_way(across[:half], floor[:half]), _way(across[half:], floor[half:]))
    return out


def _way(across: np.ndarray, floor: np.ndarray) -> int:
    total = float(across.sum())
    if abs(total) < ACROSS or abs(total) < SQUARE * float(floor.sum()):
        return 0
    return 1 if total > 0 else -1


def check_scene(production: Production, scene, moves: dict[str, dict[str, Travel]]
                ) -> list[Finding]:
    """Findings for the cuts of ``scene``; ``moves`` maps each filmed shot to ``travels``."""
    out: list[Finding] = []
    shots = [s for s in scene.shots if s.id in moves]
    for a, b in pairwise(shots):
        for who in sorted(set(moves[a.id]) & set(moves[b.id])):
            ta, tb = moves[a.id][who], moves[b.id][who]
            leaving = ta.exit or ta.entry
            entering = tb.entry or tb.exit
            if leaving and entering and leaving != entering:
                ch = production.cast.get(who)
                name = ch.name if ch else who
                way = {1: "screen-right", -1: "screen-left"}
                out.append(Finding(
                    "direction", scene.id, (a.id, b.id),
                    f"{name} leaves {a.id} moving {way[leaving]} and enters {b.id} moving "
                    f"{way[entering]}: across the cut they seem to turn back; keep the camera "
                    "on one side of their path, or cut through a shot that moves toward the "
                    "lens", "error", *where.beat(production, b, who)))
    return out
