"""Shot headings: camera directions written into a scene (POV, INSERT, ANGLE ON, CLOSE ON).

A writer who types ``.POV - KADE`` or ``CLOSE ON: the keycard`` asks for a shot, not
a new place; the shot's size and angle come from the words, its subject from the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aktion.production.fountain import CAMERA_DIRECTION

# The first rule whose words open the direction decides: (words, kind, size, angle).
_RULES: list[tuple[str, str, str, str]] = [
    (r"EXTREME CLOSE|ECU|VERY CLOSE", "close", "ECU", "eye"),
    (r"CLOSE|CU\b", "close", "CU", "eye"),
    (r"INSERT", "insert", "INSERT", "eye"),
    (r"OVERHEAD|AERIAL|BIRD'S", "wide", "WS", "overhead"),
    (r"LOW ANGLE", "angle", "MS", "low"),
    (r"HIGH ANGLE", "angle", "MS", "high"),
    (r"DUTCH ANGLE", "angle", "MS", "dutch"),
    (r"WIDE|ESTABLISHING", "wide", "WS", "eye"),
    (r"BACK (?:TO|ON)|RESUME", "back", "FS", "eye"),
    (r"MEDIUM|TWO SHOT|OVER THE SHOULDER|TRACKING|MOVING", "angle", "MS", "eye"),
    (r".*\bP\.?O\.?V\b", "pov", "MS", "eye"),
]


@dataclass(frozen=True)
class ShotHeading:
    kind: str  # close, insert, wide, angle, back, pov
    size: str
    angle: str
    subject: str  # what the heading points at: "KADE", "the keycard", "" (BACK TO SCENE)
    moving: bool = False  # TRACKING / MOVING: the camera travels


def read_shot_heading(text: str) -> ShotHeading | None:
    """The shot a camera direction asks for, or None when ``text`` is not one.

    The direction words must be capitals (``CLOSE ON``); what follows them may be
    anything after a colon or dash ("CLOSE ON: the scope's reticle"), else capitals.
    """
    line = text.strip().lstrip(".").strip()
    m = CAMERA_DIRECTION.match(line)
    if m is None:
        return None
    rest = line[m.end():]
    if not (line.isupper() or re.match(r"^\s*[:\-–—]", rest) or not rest.strip()):
        return None  # "ON the table, a gun.": prose that opens with a capital word
    upper = line.upper()
    kind, size, angle = "angle", "MS", "eye"
    for words, k, s, a in _RULES:
        if re.match(rf"^(?:{words})", upper):
            kind, size, angle = k, s, a
            break
    if kind == "pov":
        owner = re.sub(r"['’]S\s+P\.?O\.?V\.?.*$|\s+P\.?O\.?V\.?.*$", "", line).strip()
        subject = owner if owner and not upper.startswith(("POV", "P.O.V")) else (
            re.sub(r"^P\.?O\.?V\.?\s*[:\-–—]?\s*", "", line, flags=re.IGNORECASE))
        return ShotHeading("pov", size, angle, subject.strip(" -:"), False)
    subject = re.sub(r"^\s*(?:ON|OF|TO)?\s*[:\-–—]?\s*", "", rest).strip().rstrip(".")
    if kind == "back" and re.fullmatch(r"(?i)(the )?(scene|present|action|us)?", subject):
        subject = ""
    moving = bool(re.match(r"^(?:TRACKING|MOVING)", upper))
    return ShotHeading(kind, size, angle, subject, moving)
