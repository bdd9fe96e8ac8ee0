"""Dressing a scene's set from its words: the wall someone is slammed into stands behind them.

The table (``set_pieces.yaml``) names the pieces and their sizes. A piece goes where
the action needs it: behind the target of "slams him into the wall", beside whoever
"waits by the dumpster", else along the back of the set, on the far side of the line
from the camera, where it gives the frame depth without standing in the way.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aktion.production.yamlio import safe_table

from .actions import ReadBeat

BACK = 0.4  # m from a driven target's centre to the face of what they are driven into
BESIDE = 0.5  # m from someone's centre to the piece they stand by
DEPTH = 2.8  # m from the line of action to the face of a piece at the back of the set
CLEAR = 0.45  # m kept free around every spot someone stands on or walks to
GAP = 0.6  # m between pieces along the back of the set
_DRIVE = re.compile(r"\b(?:into|against|onto|through|over)\s+(?:the|a|an|his|her|their)\s+"
                    r"(?:\w+\s+){0,2}$", re.IGNORECASE)
_BY = re.compile(r"\b(?:by|on|beside|near|behind|against|at|from|under|next to)\s+(?:the|a|an)"
                 r"\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_DRIVERS = {"strike", "stance", "reaction"}


@dataclass(frozen=True)
class Piece:
    name: str
    words: tuple[str, ...]
    size: tuple[float, float, float]  # across, height, thickness
    color: str


@functools.lru_cache(maxsize=1)
def table() -> tuple[Piece, ...]:
    """The package's set piece table."""
    text = resources.files("aktion.writers_room").joinpath("set_pieces.yaml").read_text("utf-8")
    data: dict[str, Any] = safe_table(text)
    return tuple(Piece(str(name), tuple(str(w).lower() for w in spec["words"]),
                       tuple(float(v) for v in spec["size"]), str(spec["color"]))  # type: ignore[arg-type]
                 for name, spec in data["pieces"].items())


@functools.cache
def _pattern(piece: Piece) -> re.Pattern[str]:
    words = sorted(piece.words, key=len, reverse=True)
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") + "(?:e?s)?" for w in words)
    return re.compile(rf"(?<![\w'-])(?:{alts})(?![\w'-])", re.IGNORECASE)


@dataclass
class _Call:
    piece: Piece
    line: int
    how: str  # drive, by, back
    at: tuple[float, float] = (0.0, 0.0)  # the spot the piece is placed from
    away: tuple[float, float] = (0.0, 0.0)  # unit direction from that spot to the piece


@dataclass
class SetDresser:
    """Collects what a scene's sentences say of its set, then places the pieces."""

    side: str = "left"
    names: set[str] = field(default_factory=set)  # words that name characters, not pieces
    calls: list[_Call] = field(default_factory=list)

    @property
    def far(self) -> float:
        """The floor plan's z direction away from the camera."""
        return -1.0 if self.side == "left" else 1.0

    def note(self, rb: ReadBeat, pos: dict[str, tuple[float, float, float]]) -> None:
        """Read one sentence, with everyone where they stand once it has played."""
        text = rb.beat.text
        for piece in table():
            for m in _pattern(piece).finditer(text):
                if m.group(0).lower() in self.names:
                    continue
                line = rb.beat.line_at(m.start())
                self.calls.append(self._call(piece, rb, text, m.start(), line, pos))
                break

    def _call(self, piece: Piece, rb: ReadBeat, text: str, start: int, line: int,
              pos: dict[str, tuple[float, float, float]]) -> _Call:
        before = text[:start]
        into = [a for a in rb.actions if getattr(a, "into", None) in (piece.name, *piece.words)]
        if into or _DRIVE.search(before):
            acts = into or [a for a in rb.actions if a.offset < start and a.target
                            and a.target != a.who and a.kind in _DRIVERS]
            if acts and acts[-1].target in pos and acts[-1].who in pos:
                a = acts[-1]
                tx, tz, _ = pos[a.target]  # type: ignore[index]
                sx, sz, _ = pos[a.who]
                d = math.hypot(tx - sx, tz - sz)
                away = ((tx - sx) / d, (tz - sz) / d) if d > 1e-6 else (1.0, 0.0)
                return _Call(piece, line, "drive", (tx, tz), away)
        if _BY.search(before):
            who = [p for p in rb.people if p in pos]
            if who:
                x, z, _ = pos[who[0]]
                return _Call(piece, line, "by", (x, z), (0.0, self.far))
        return _Call(piece, line, "back")

    def boxes(self, spots: list[tuple[float, float]]) -> list[dict[str, Any]]:
        """The pieces as ``boxes`` of a set design, clear of every spot in ``spots``."""
        placed: list[dict[str, Any]] = []
        rank = {"drive": 0, "by": 1, "back": 2}
        chosen: dict[str, list[_Call]] = {}
        for call in sorted(self.calls, key=lambda c: (rank[c.how], c.line)):
            mine = chosen.setdefault(call.piece.name, [])
            if not mine or (call.how == "drive" and all(
                    math.dist(c.at, call.at) > 1.5 for c in mine if c.how == "drive")):
                mine.append(call)
        calls = sorted((c for cs in chosen.values() for c in cs), key=lambda c: c.line)
        left = right = 0.0
        for call in calls:
            if call.how == "back":
                across = call.piece.size[0]
                if right <= -left:
                    x = right + across / 2 if right else 0.0
                    right = x + across / 2 + GAP
                    left = min(left, x - across / 2 - GAP)
                else:
                    x = left - across / 2
                    left = x - across / 2 - GAP
                box = self._box(call, (x, self.far * (DEPTH + call.piece.size[2] / 2)),
                                (0.0, self.far))
            else:
                reach = (BACK if call.how == "drive" else BESIDE) + call.piece.size[2] / 2
                centre = (call.at[0] + call.away[0] * reach, call.at[1] + call.away[1] * reach)
                box = self._box(call, centre, call.away)
            placed.append(self._clear(box, call, spots, placed))
        return placed

    @staticmethod
    def _box(call: _Call, centre: tuple[float, float], facing: tuple[float, float]
             ) -> dict[str, Any]:
        across, height, thick = call.piece.size
        along_x = abs(facing[0]) >= abs(facing[1])  # thickness along the way it is met
        w, d = (thick, across) if along_x else (across, thick)
        return {"name": call.piece.name, "at": [round(centre[0], 2) + 0.0,
                                                round(centre[1], 2) + 0.0],
                "size": [w, height, d], "color": call.piece.color, "line": call.line}

    def _clear(self, box: dict[str, Any], call: _Call, spots: list[tuple[float, float]],
               placed: list[dict[str, Any]]) -> dict[str, Any]:
        """Slide, shorten or set back a piece until nobody's spot and no other piece is in it.

        A piece the action needs (the wall behind a driven target, the dumpster someone
        waits by) only shortens and slides while it still stands behind that spot, the
        far side first; if nothing fits it stays where the action puts it. The spot it is
        placed from is meant to be next to it and does not count.
        """
        (x, z), (w, h, d) = box["at"], box["size"]
        long_z = w <= d  # the long side runs along z
        others = [s for s in spots if call.how == "back" or math.dist(s, call.at) > 0.05]
        across = max(w, d)
        if call.how == "back":
            tries = [(slide, 1.0, back) for back in (0.0, 1.0, 2.0, 3.0, 4.0)
                     for slide in (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0)]
        else:
            tries = []
            for scale in (1.0, 0.75, 0.5, 0.35):
                room = max(0.0, across * scale / 2 - 0.35)  # keep the spot covered
                steps = [0.0] + [k * 0.25 for k in range(1, 13) if k * 0.25 <= room]
                far = self.far if long_z else 1.0
                tries += [(s * sign * far, scale, 0.0) for s in steps for sign in (1, -1)][1:]
            tries.sort(key=lambda t: abs(t[0]))  # the least slide first, shortened if need be
        cx, cz, ww, dd = x, z, w, d
        # first clear of everyone and every piece; failing that, at least of the pieces
        for slide, scale, back, keep in [(*t, others) for t in tries] + [
                (*t, []) for t in tries] + [(0.0, 1.0, 0.0, [])]:
            ww, dd = (w, d * scale) if long_z else (w * scale, d)
            cx = x + (0.0 if long_z else slide)
            cz = z + (slide if long_z else 0.0) + self.far * back
            if not self._blocked(cx, cz, ww, dd, keep, placed):
                break
        box["at"] = [round(cx, 2) + 0.0, round(cz, 2) + 0.0]
        box["size"] = [round(ww, 2), h, round(dd, 2)]
        return box

    @staticmethod
    def _blocked(cx: float, cz: float, w: float, d: float, spots: list[tuple[float, float]],
                 placed: list[dict[str, Any]]) -> bool:
        for sx, sz in spots:
            if abs(sx - cx) < w / 2 + CLEAR and abs(sz - cz) < d / 2 + CLEAR:
                return True
        for other in placed:
            (ox, oz), (ow, _, od) = other["at"], other["size"]
            if abs(ox - cx) < (w + ow) / 2 + 0.05 and abs(oz - cz) < (d + od) / 2 + 0.05:
                return True
        return False
