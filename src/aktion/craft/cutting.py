"""Cutting: jump cuts between near-identical set-ups, and shot length against action."""

from __future__ import annotations

from itertools import pairwise

from aktion.production.board import Scene, Shot
from aktion.production.production import Production

from . import where
from .findings import Finding
from .screen import framed

SIZES = ["EWS", "WS", "FS", "MS", "MCU", "CU", "ECU", "INSERT"]
BUSY = 1.5  # moves per second that make a shot heavy action
LONG_BUSY_S = 3.0  # heavy action held longer than this drags
SHORT_CALM_S = 1.0  # a calm shot shorter than this is hard to read


def jump_cut(production: Production, scene: Scene, a: Shot, b: Shot) -> list[Finding]:
    """Same people, size within one step, same angle and side, lens within 20%: a jump."""
    if b.transition.type != "cut" or set(framed(a)) != set(framed(b)):
        return []
    step = abs(SIZES.index(a.size) - SIZES.index(b.size))
    close_lens = abs(a.lens - b.lens) <= 0.2 * max(a.lens, b.lens)
    if step == 0 and a.angle == b.angle and a.side == b.side and close_lens:
        return [Finding(
            "jump_cut", scene.id, (a.id, b.id),
            f"both {a.size}, {a.angle} angle, {a.side} side, {a.lens:g}/{b.lens:g} mm on the "
            f"same people: the cut will jump; change size or angle by a step, or cover it",
            "error", *where.board(production, b, "size"))]
    return []


def intensity(production: Production, shot: Shot, fps: int) -> float:
    """Moves per second, weighted by each beat's intensity."""
    moves = [b for b in production.beats(shot.id) if b.move]
    return sum(b.intensity for b in moves) / (shot.duration / fps)


def rhythm(production: Production, scene: Scene) -> list[Finding]:
    fps = production.settings.fps
    out = []
    for shot in scene.shots:
        seconds = shot.duration / fps
        rate = intensity(production, shot, fps)
        talk = production.script.dialogue(*shot.lines)
        if rate >= BUSY and seconds > LONG_BUSY_S:
            out.append(Finding(
                "rhythm", scene.id, (shot.id,),
                f"{rate:.1f} moves/s held for {seconds:.1f} s: heavy action this long drags; "
                "cut it into two angles", "warning", *where.board(production, shot, "duration")))
        elif rate == 0 and not talk and seconds < SHORT_CALM_S:
            out.append(Finding(
                "rhythm", scene.id, (shot.id,),
                f"{seconds:.2f} s with no action or dialogue: too short to read", "warning",
                *where.board(production, shot, "duration")))
    durations = [s.duration for s in scene.shots]
    for i in range(len(durations) - 3):
        run = durations[i : i + 4]
        if max(run) - min(run) <= 0.1 * max(run):
            ids = tuple(s.id for s in scene.shots[i : i + 4])
            out.append(Finding(
                "rhythm", scene.id, (ids[0], ids[-1]),
                f"four shots in a row of about {run[0] / fps:.1f} s: the cutting is monotone",
                "warning", *where.board(production, scene.shots[i + 3], "duration")))
            break
    return out


def check_scene(production: Production, scene: Scene) -> list[Finding]:
    found: list[Finding] = []
    for a, b in pairwise(scene.shots):
        found += jump_cut(production, scene, a, b)
    return found + rhythm(production, scene)
