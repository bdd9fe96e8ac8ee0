"""Frame-exact time. Users may write frames (36), "36f", seconds ("1.5s") or
timecode ("00:00:01:12"); everything is stored as an integer frame count at the
production's fps, so keys never contain floating seconds."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*s\s*$")
_FRAMES = re.compile(r"^\s*(\d+)\s*f?\s*$")
_TIMECODE = re.compile(r"^\s*(\d+):(\d{2}):(\d{2})[:;](\d{2})\s*$")

EXPECTED = 'frames (36), "36f", seconds ("1.5s") or timecode ("00:00:01:12")'
MAX_SECONDS = 4 * 3600  # no time in a production is longer than a feature: a typo


def to_frames(value: Any, fps: int) -> int:
    """Convert a user-written time to a whole number of frames at ``fps``."""
    # ValueError, not TypeError: pydantic turns only ValueError into a located error.
    if isinstance(value, int) and not isinstance(value, bool):
        frames = value
    elif isinstance(value, str) and (m := _FRAMES.match(value)):
        frames = int(m.group(1))
    elif isinstance(value, str) and (m := _SECONDS.match(value)):
        frames = round(Fraction(m.group(1)) * fps)
    elif isinstance(value, str) and (m := _TIMECODE.match(value)):
        h, mi, s, f = (int(g) for g in m.groups())
        if f >= fps:
            raise ValueError(f"timecode frame {f} is not below fps {fps}")
        frames = ((h * 60 + mi) * 60 + s) * fps + f
    else:
        hint = "bare decimals are ambiguous; " if isinstance(value, float) else ""
        raise ValueError(f"{hint}a time: {EXPECTED}")
    if frames < 0:
        raise ValueError("a time that is not negative")
    if frames > MAX_SECONDS * fps:
        raise ValueError(f"a time of at most {MAX_SECONDS // 3600} hours "
                         f"({MAX_SECONDS * fps} frames at {fps} fps)")
    return frames


def _validate(value: Any, info: ValidationInfo) -> int:
    fps = (info.context or {}).get("fps", 24)
    return to_frames(value, fps)


Frames = Annotated[int, BeforeValidator(_validate)]
"""A pydantic field type: a frame count parsed from any accepted notation."""


def timecode(frame: int, fps: int) -> str:
    """SMPTE-style non-drop timecode for burn-ins and editorial."""
    s, f = divmod(frame, fps)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{f:02d}"
