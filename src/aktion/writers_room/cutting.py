"""Polish a drafted scene's cutting: no jump cuts, no monotone run of equal shots.

The same rules ``aktion craft`` checks; drafting follows them so a first draft
comes out of the Writers Room already cuttable.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from .grammar import LENS

SIZES = ["EWS", "WS", "FS", "MS", "MCU", "CU", "ECU", "INSERT"]
Shot = dict[str, Any]


def _framed(shot: Shot) -> set[str]:
    return set(shot.get("frame") or [m["who"] for m in shot.get("blocking", [])])


def _cut(shot: Shot) -> bool:
    transition = shot.get("transition")
    return transition is None or transition.get("type", "cut") == "cut"


def _step(size: str) -> str:
    """One size tighter; from a close-up or tighter, one wider."""
    if size in ("CU", "ECU"):
        return "MCU"
    if size == "INSERT":
        return size
    return SIZES[SIZES.index(size) + 1]


def fix_jump_cuts(shots: list[Shot]) -> None:
    """Two set-ups in a row on the same people at the same size and angle jump: the
    second moves one size step (an insert changes angle instead)."""
    for a, b in pairwise(shots):
        if not _cut(b) or _framed(a) != _framed(b):
            continue
        if a["size"] != b["size"] or a.get("angle") != b.get("angle"):
            continue
        if b["size"] == "INSERT":
            b["angle"] = "high" if b.get("angle") != "high" else "eye"
        else:
            b["size"] = _step(b["size"])
            b["lens"] = LENS[b["size"]]


def vary_rhythm(shots: list[Shot], stretch: float = 1.3) -> None:
    """Four shots in a row of nearly one length cut monotonously: hold the fourth longer."""
    for i in range(3, len(shots)):
        run = [s["duration"] for s in shots[i - 3 : i + 1]]
        if max(run) - min(run) <= 0.1 * max(run):
            shot = shots[i]
            shot["duration"] = round(shot["duration"] * stretch)
            move = shot.get("move")
            if isinstance(move, dict) and move.get("end") is not None:
                move["end"] = shot["duration"]
