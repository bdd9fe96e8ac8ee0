"""When each dialogue line of a shot is on screen: the burn-in shows it then, the
sound pass speaks it then, and the craft check reads it from the same slots.

Kept apart from the burn-in's drawing so planning (which needs the slots) does not
load OpenCV."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive
    text: str


def spread_dialogue(dialogue: list[dict], frames: int) -> list[Line]:
    """Give each dialogue entry ({who, text}) a share of the shot by its length."""
    entries = [(str(d.get("who") or "").strip(), str(d.get("text") or "").strip())
               for d in dialogue]  # fmt: skip
    entries = [(w, t) for w, t in entries if t]
    if not entries or frames <= 0:
        return []
    weights = np.array([len(t) + 12 for _, t in entries], dtype=np.float64)
    edges = np.round(np.concatenate([[0], np.cumsum(weights)]) / weights.sum() * frames)
    lines = []
    for (who, text), a, b in zip(entries, edges[:-1], edges[1:], strict=True):
        if b > a:
            lines.append(Line(int(a), int(b), f"{who}: {text}" if who else text))
    return lines
