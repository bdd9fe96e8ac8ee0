"""A camera move that carries the camera across the line within a shot.

An orbit (or a truck, or a handheld drift) around two characters can pass the line
through them: on screen they swap sides while the audience watches. That can be a
choice, but the shot then ends on the other side of the line, so the next shot must be
filmed from there; a next shot boarded on the old side breaks the 180° rule at the cut.
Measured on the filmed shot: the camera's side of the line, frame by frame, and the
pair's order on screen at the first and last frames.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from aktion.previz.skeleton import INDEX
from aktion.production.board import Shot
from aktion.production.production import Production

from . import where
from .findings import Finding

CLEAR = 0.05  # metres off the line: nearer than this the camera is on it, not past it


def _side(p: np.ndarray, q: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(F,) which side of the line p -> q the camera c is on (floor plan, signed metres)."""
    d = q - p
    norm = np.maximum(np.linalg.norm(d, axis=1), 1e-9)
    r = c - p
    return (d[:, 0] * r[:, 1] - d[:, 1] * r[:, 0]) / norm


def crossings(perf, camera, subjects: list[str]) -> list[tuple[str, str, int, bool]]:
    """(left, right, frame, flipped) for each pair of ``subjects`` whose line the camera's
    move carries it across: who was screen-left at the start, who screen-right, the first
    frame past the line, and whether their order on screen is reversed by the end."""
    n = min(perf.frames, camera.frames)
    cam = camera.position[:n][:, [0, 2]].astype(np.float64)
    out = []
    for a, b in combinations(subjects, 2):
        ka, kb = perf.characters.index(a), perf.characters.index(b)
        pa = perf.poses[:n, ka, INDEX["pelvis"]].astype(np.float64)
        pb = perf.poses[:n, kb, INDEX["pelvis"]].astype(np.float64)
        side = _side(pa[:, [0, 2]], pb[:, [0, 2]], cam)
        # the camera's own travel across the line as it stood: characters who walk past
        # the lens swap sides in plain view, which is blocking, not the camera's move
        moved = _side(np.repeat(pa[:1, [0, 2]], n, 0), np.repeat(pb[:1, [0, 2]], n, 0), cam)
        start = np.sign(side[0])
        if abs(side[0]) < CLEAR:
            continue
        past = np.nonzero((side * start < -CLEAR) & (moved * start < -CLEAR))[0]
        if not len(past):
            continue
        x0 = camera.project(np.stack([pa[0], pb[0]]), 0)[:, 0]
        x1 = camera.project(np.stack([pa[n - 1], pb[n - 1]]), n - 1)[:, 0]
        left, right = (a, b) if x0[0] <= x0[1] else (b, a)
        flipped = bool(np.all(np.isfinite([*x0, *x1])) and (x0[0] < x0[1]) != (x1[0] < x1[1]))
        out.append((left, right, int(past[0]), flipped))
    return out


def check_shot(production: Production, scene, shot: Shot, perf, camera, subjects: list[str],
               following: Shot | None) -> list[Finding]:
    """Findings for one filmed shot whose camera moves; ``following``: the next shot.
    A finding's ``shots`` is the shot alone; ``ends_on`` says which side it ends on."""
    if shot.move.type == "static":
        return []
    out = []
    for left, right, frame, flipped in crossings(perf, camera, subjects):
        if not flipped:
            continue
        names = {w: (production.cast[w].name if w in production.cast else w)
                 for w in (left, right)}
        other = "right" if shot.side == "left" else "left"
        why = (f"the {shot.move.type} carries the camera across the line between "
               f"{names[left]} and {names[right]} at frame {frame}: {names[left]} goes from "
               f"screen-left of {names[right]} to screen-right, and the shot ends on the "
               f"{other} side of the line")
        severity = "warning"
        keeps = following is not None and following.side == shot.side and \
            {left, right} <= set(following.frame or [m.who for m in following.blocking])
        if keeps:
            why += (f"; {following.id} is boarded on the {shot.side} side, so the cut to it "
                    f"jumps the line (board it `side: {other}`, or end the move before it "
                    "crosses)")
            severity = "error"
        else:
            why += "; the next shot must be filmed from there"
        out.append(Finding("orbit", scene.id, (shot.id,), why, severity,
                           *where.board(production, shot, "move")))
    return out


def ends_on(shot: Shot, found: list[Finding]) -> str:
    """The side of the line a shot ends on: its board side, unless its move crossed."""
    crossed = any(f.rule == "orbit" and f.shots == (shot.id,) for f in found)
    return ("right" if shot.side == "left" else "left") if crossed else shot.side
