"""Film grammar as numbers: lenses per shot size, where people stand, how long things take.

Kept apart from the drafting logic so a house style is one small file to change.
"""

from __future__ import annotations

import math

LENS = {"EWS": 18.0, "WS": 24.0, "FS": 35.0, "MS": 50.0, "MCU": 65.0, "CU": 85.0,
        "ECU": 100.0, "INSERT": 100.0}
ESCALATION = ("MS", "MCU", "CU")  # a fight tightens as it goes

# Seconds each kind of move takes before the next can start.
MOVE_SECONDS = {"strike": 0.7, "defence": 0.5, "travel": 1.0, "reaction": 0.6,
                "stance": 0.5, "fall": 0.9, "get_up": 1.2}
ANSWER_FRAMES = 2  # a block or a dodge starts this many frames after the strike it meets
HIT_REACT_FRAMES = 6  # a hit lands (and the camera shakes) this long after the strike starts

WORDS_PER_SECOND = 2.5  # spoken dialogue
ACTION_SECONDS_PER_WORD = 0.25  # reading pace of described action on screen
HEAD, TAIL = 0.25, 0.5  # breath before the first move and after the last


def frames(seconds: float, fps: int) -> int:
    """Whole frames, at least one: durations are frame-exact integers."""
    return max(1, round(seconds * fps))


BYSTANDERS = (-120.0, -60.0, 180.0, 0.0, -150.0, -30.0, -90.0)
"""Where others stand around a pair, degrees on a circle: the far side of the line first,
behind the pair as the camera on the ``left`` side sees them, never between it and them."""


def floor_plan(people: list[str]) -> dict[str, tuple[float, float, float]]:
    """Start marks (x, z, facing°) for a scene: the first two face each other 1 m apart
    along x (the line of action); anyone else stands back on a circle, facing the pair."""
    marks: dict[str, tuple[float, float, float]] = {}
    for i, who in enumerate(people):
        if i == 0:
            marks[who] = (-0.5, 0.0, 0.0)
        elif i == 1:
            marks[who] = (0.5, 0.0, 180.0)
        else:
            ring, spot = divmod(i - 2, len(BYSTANDERS))
            angle = math.radians(BYSTANDERS[spot] + 15.0 * ring)
            radius = 2.2 + 1.2 * ring
            x, z = round(radius * math.cos(angle), 2), round(radius * math.sin(angle), 2)
            facing = round(math.degrees(math.atan2(-z, -x)) % 360, 1)
            marks[who] = (x + 0.0, z + 0.0, facing if facing <= 180 else facing - 360)
    return marks


def ahead(mark: tuple[float, float, float], metres: float) -> tuple[float, float]:
    x, z, facing = mark
    rad = math.radians(facing)
    return (round(x + metres * math.cos(rad), 2) + 0.0, round(z + metres * math.sin(rad), 2) + 0.0)


def sky_for(int_ext: str | None, time: str | None) -> str:
    night = time is not None and any(w in time for w in ("NIGHT", "MIDNIGHT", "DUSK"))
    if int_ext == "INT":
        return "#2b2b30"
    return "#111a2c" if night else "#8fb3d9"
