"""The sounds a shot's choreography makes, on the frames the picture shows them.

Strikes come from the same schedule the performance is solved from (the take's
timing and the shot's speed ramps included), so a whoosh ends and an impact starts
on the very frame the picture's contact is on; hits are confirmed by the solved
performance's contacts. Bodies on the floor (footsteps, landings, falls) come from
the solved poses (``feet``); camera beats from the choreography.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aktion.previz.camera import time_map
from aktion.previz.schedule import Clip, build
from aktion.previz.stage import Stage

from .cues import Cue
from .feet import ground_cues

ZONE_DB = {"head": 1.0, "body": 0.0, "legs": -3.0}  # a crack to the head reads loudest
KICK_EFFECTORS = ("ankle", "toe", "knee")
GUNS = {"fire"}


def _db(db: float) -> float:
    return float(10 ** (db / 20))


def weight_of(stage: Stage, who: str | None) -> float:
    """How heavy a character sounds: their bulk and height against an average build."""
    if who is None or who not in stage.cast:
        return 1.0
    b = stage.cast[who].build
    return float(np.clip(b.bulk * (b.height / 1.78) ** 2, 0.6, 2.0))


def _on_screen(times: np.ndarray, frame: float) -> int | None:
    """The output frame showing performance time ``frame`` (None: after the shot)."""
    hits = np.nonzero(times >= frame - 1e-6)[0]
    return int(hits[0]) if len(hits) else None


def _defence(clips: list[Clip], frame: int) -> str | None:
    """``parry`` or ``block`` when a covering defence plays over ``frame``."""
    for c in clips:
        if c.move.kind == "defense" and c.start <= frame <= c.end:
            if c.move.name in ("dodge", "duck", "slip"):
                continue
            return "parry" if "parry" in c.move.name else "block"
    return None


def choreography_cues(stage: Stage, contacts: list[dict[str, Any]],
                      poses: np.ndarray | None, characters: list[str]) -> list[Cue]:
    """Every cue of the shot: strikes, defences, guns, camera beats, feet and falls."""
    beats = sorted(stage.beats, key=lambda b: b.t)
    frames = stage.shot.duration
    if stage.take is not None:
        beats = stage.take.beats(beats, stage.library, stage.fps, frames)
    marks = {m.who: (m.at[0], m.at[1]) for m in stage.shot.blocking}
    order = list(dict.fromkeys(m.who for m in stage.shot.blocking))
    clips, strikes = build(order, beats, stage.library, stage.fps, frames, dict(marks))
    times = time_map(beats, frames, stage.fps)
    landed = {(c["striker"], c["target"], int(c["frame"])) for c in contacts}
    cues: list[Cue] = []
    for s in strikes:
        beat = beats[s.beat]
        at = _on_screen(times, s.frame)
        if at is None or at >= frames:
            continue
        start = _on_screen(times, beat.t) or 0
        weight = weight_of(stage, s.striker) * (1.2 if s.effector.endswith(KICK_EFFECTORS)
                                                else 1.0)
        swing = max((at - start) / stage.fps, 0.08)
        force = beat.intensity ** 0.7
        cues.append(Cue("whoosh", at, gain=_db(-8) * force, weight=weight,
                        lead=min(swing, 0.35), seconds=min(swing, 0.35), who=s.striker,
                        why=f"{s.striker}'s {s.move} cuts the air"))
        if s.hit and (s.striker, s.target, at) in landed:
            zone = s.zone if s.zone in ZONE_DB else "body"
            cues.append(Cue(f"impact_{zone}", at, gain=_db(ZONE_DB[zone]) * force,
                            weight=weight, who=s.striker,
                            why=f"{s.striker}'s {s.move} lands on {s.target}'s {zone}"))
            continue
        guard = _defence(clips.get(s.target, []), s.frame)
        if guard is not None:
            cues.append(Cue(guard, at, gain=_db(-4) * force, weight=weight, who=s.target,
                            why=f"{s.target} {guard}s {s.striker}'s {s.move}"))
    for b in beats:
        if b.move in GUNS and b.who is not None:
            move = stage.library[b.move]
            rate = 24.0 / stage.fps * b.speed
            offset = move.phases.get("contact", (0.0, 0.0))[0] if move.phases else 0.0
            at = _on_screen(times, b.t + math.floor(offset / rate))
            if at is not None and at < frames:
                cues.append(Cue("gunshot", at, gain=_db(2) * b.intensity ** 0.5, who=b.who,
                                why=f"{b.who} fires"))
        if b.camera == "whip_pan" and b.t < frames:
            cues.append(Cue("swish", b.t, gain=_db(-6), lead=0.15, why="whip pan"))
    if poses is not None:
        weights = {c: weight_of(stage, c) for c in characters}
        heights = {c: stage.cast[c].build.height for c in characters if c in stage.cast}
        cues.extend(ground_cues(poses, characters, weights, heights, stage.fps))
    return sorted(cues, key=lambda c: (c.frame, c.name, c.who or ""))
