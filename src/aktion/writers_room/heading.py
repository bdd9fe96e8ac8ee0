"""Reading a scene heading: interior or exterior, location, time of day."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PREFIX = re.compile(r"^(INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)\.?\s*", re.IGNORECASE)
_TIMES = {
    "DAY", "NIGHT", "DAWN", "DUSK", "MORNING", "AFTERNOON", "EVENING", "SUNSET", "SUNRISE",
    "NOON", "MIDNIGHT", "CONTINUOUS", "LATER", "MOMENTS LATER", "SAME", "SAME TIME",
    "MAGIC HOUR", "TWILIGHT", "PRE-DAWN", "FLASHBACK",
}


@dataclass(frozen=True)
class Heading:
    int_ext: str | None  # "INT", "EXT", "INT/EXT" or None for a forced heading
    location: str
    time: str | None


def parse_heading(text: str) -> Heading:
    m = _PREFIX.match(text)
    int_ext = None
    rest = text
    if m:
        word = m.group(1).upper().replace(".", "")
        int_ext = {"I/E": "INT/EXT", "EST": "EXT"}.get(word, word)
        rest = text[m.end():]
    parts = re.split(r"\s+[-–—]+\s+", rest.strip())
    time = None
    if len(parts) > 1:
        time = parts[-1].strip().upper()
        parts = parts[:-1]
    elif rest.strip().upper() in _TIMES:
        return Heading(int_ext, "", rest.strip().upper())
    location = " - ".join(p.strip() for p in parts).strip()
    return Heading(int_ext, location, time)
