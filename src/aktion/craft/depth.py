"""The depth score: how *directed* each shot is, not how it looks.

Seven parts per shot, each 0 to 1: script lines covered, characters locked, shot
boarded, action choreographed, conditioning honoured by the backend that rendered
it, adherence of what was rendered to that direction (as measured on the output:
board and pose adherence of a generated shot; a previz render is the board itself),
craft checks passed. A shot with no characters, no blocking and no beats is a bare
prompt, and scores zero whatever else is true.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aktion.production.board import Shot
from aktion.production.production import Production

from .findings import Finding

PARTS = ("script", "cast", "board", "choreo", "conditioning", "adherence", "craft")
# What a shot's directing needs a backend to honour, by the part that asks for it.
NEEDS = {"cast": "refs", "board": "layout", "choreo": "pose"}


@dataclass
class ShotDepth:
    shot: str
    scene: str
    parts: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def bare(self) -> bool:
        return all(self.parts.get(p, 0) == 0 for p in ("script", "cast", "board", "choreo"))

    @property
    def score(self) -> float:
        """0-100."""
        if self.bare:
            return 0.0
        return 100.0 * sum(self.parts.values()) / len(PARTS)


@dataclass
class Depth:
    shots: list[ShotDepth]

    @property
    def score(self) -> float:
        return sum(s.score for s in self.shots) / len(self.shots) if self.shots else 0.0


def _script(production: Production, shot: Shot) -> float:
    """Lines with people in them: dialogue, or action naming a character."""
    elements = production.script.within(*shot.lines)
    names = {c.name.upper() for c in production.cast.values()}
    names |= {n.upper() for n in production.script.characters}
    if any(e.kind == "dialogue" for e in elements):
        return 1.0
    named = any(n in (e.text or "").upper() for e in elements for n in names)
    return 0.5 if named else 0.0


def _cast(production: Production, shot: Shot) -> float:
    who = shot.characters
    if not who:
        return 0.0
    locked = [c for c in who if c in production.locks]
    refs = [c for c in locked if production.cast[c].refs]
    return 0.75 * len(locked) / len(who) + 0.25 * len(refs) / len(who)


def _board(shot: Shot) -> float:
    if not shot.blocking:
        return 0.0
    chosen = [shot.size != "MS", shot.angle != "eye", shot.lens != 35.0,
              shot.move.type != "static", bool(shot.note)]
    return 0.5 + 0.5 * min(1.0, sum(chosen) / 2)


def _choreo(production: Production, shot: Shot) -> float:
    beats = production.beats(shot.id)
    if not beats:
        return 0.0
    traced = sum(1 for b in beats if b.line is not None)
    return 0.5 + 0.5 * traced / len(beats)


def _conditioning(parts: dict[str, float], honoured: frozenset[str] | None) -> float:
    """How much of what the shot asks for the rendering backend actually consumed."""
    if honoured is None:
        return 0.0  # not rendered: nothing honoured yet
    asked = [need for part, need in NEEDS.items() if parts[part] > 0]
    if not asked:
        return 0.0
    return sum(need in honoured for need in asked) / len(asked)


def _adherence(parts: dict[str, float], measured: float | None) -> float:
    """How closely the output follows the board and choreography the shot asks for."""
    if measured is None or not (parts["board"] > 0 or parts["choreo"] > 0):
        return 0.0  # not rendered, not measured, or nothing directed to follow
    return max(0.0, min(1.0, measured))


def _craft(shot: Shot, findings: list[Finding]) -> float:
    mine = [f for f in findings if shot.id in f.shots]
    if any(f.severity == "error" for f in mine):
        return 0.0
    return 0.5 if mine else 1.0


def score(production: Production, findings: list[Finding],
          honoured: dict[str, frozenset[str] | None],
          adherence: dict[str, float | None] | None = None) -> Depth:
    """``honoured``: per shot, the conditioning its rendering backend declares (None when
    the shot is not rendered); ``adherence``: per shot, its output's measured adherence
    to its direction, 0-1 (None when not rendered or not measured)."""
    shots = []
    for scene, shot in production.shots():
        parts = {"script": _script(production, shot), "cast": _cast(production, shot),
                 "board": _board(shot), "choreo": _choreo(production, shot)}
        parts["conditioning"] = _conditioning(parts, honoured.get(shot.id))
        parts["adherence"] = _adherence(parts, (adherence or {}).get(shot.id))
        parts["craft"] = _craft(shot, findings)
        notes = [f.why for f in findings if shot.id in f.shots]
        shots.append(ShotDepth(shot.id, scene.id, parts, notes))
    return Depth(shots)
