"""Where a shot's frames land in its scene's cut, after the canvas has edited the shot.

The cut puts shots end to end, a dissolve pulling the incoming shot earlier by its
length; a shot's clip may have been extended, trimmed and speed-ramped (in that
order, ``aktion.canvas``). A sound made on a frame of the shot as performed is
placed on the frame of the cut that shows it, or dropped when the edit cut it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aktion.canvas.ops import ramp_indices
from aktion.media.transitions import TransitionSpec


@dataclass(frozen=True)
class ShotTime:
    """One shot in the cut: its first scene frame, its length there and its edits."""

    id: str
    start: int
    frames: int  # in the cut
    source: int  # frames of the clip as performed
    ops: list[dict[str, Any]] = field(default_factory=list)  # {op: extend|trim|speed, ...}

    def place(self, frame: int) -> int | None:
        """The scene frame showing the performed ``frame`` (None: edited out)."""
        f: int | None = frame
        n = self.source
        for op in self.ops:
            if f is None:
                return None
            if op["op"] == "extend":
                n += int(op["frames"])
            elif op["op"] == "trim":
                stop = n if op.get("out") is None else min(int(op["out"]), n)
                f = f - int(op["in"]) if int(op["in"]) <= f < stop else None
                n = stop - int(op["in"])
            elif op["op"] == "speed":
                idx = ramp_indices(n, float(op["start"]), float(op["end"]))
                f = next((i for i, s in enumerate(idx) if s >= f), None)
                n = len(idx)
        if f is None or not 0 <= f < self.frames:
            return None
        return self.start + f


def scene_times(shots: list[dict[str, Any]]) -> list[ShotTime]:
    """Each shot's place in the cut, from the mix's shot list (cut order)."""
    out: list[ShotTime] = []
    t = 0
    for i, s in enumerate(shots):
        trans = s.get("transition") or {}
        if i > 0 and trans.get("type", "cut") != "cut":
            t -= TransitionSpec(trans["type"], int(trans.get("duration", 0))).overlap
        out.append(ShotTime(s["id"], t, int(s["duration"]), int(s.get("source", s["duration"])),
                            list(s.get("ops", []))))
        t += int(s["duration"])
    return out


def scene_frames(shots: list[dict[str, Any]]) -> int:
    """The cut's length in frames."""
    times = scene_times(shots)
    return max((s.start + s.frames for s in times), default=0)
