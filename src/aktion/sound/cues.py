"""A cue: one sound placed on one frame, and why it is there.

``frame`` is the frame the sound's sync point lands on (an impact's attack, the end
of a whoosh, the middle of a swish); ``lead`` is how much of the sound plays before
it. Cues travel as JSON between the effects step and the mix.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aktion.media.atomic import atomic_path


@dataclass(frozen=True)
class Cue:
    name: str  # a sound of ``synth.SOUNDS``, or a sample of the production's
    frame: int
    gain: float = 1.0  # linear
    weight: float = 1.0  # heavier bodies sound lower and longer
    lead: float = 0.0  # seconds of the sound before ``frame``
    seconds: float | None = None  # a whoosh's length
    who: str | None = None
    why: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def seed(self, base: int) -> int:
        """A stable seed per cue: the same cue sounds the same, two hits differ."""
        text = f"{base}:{self.name}:{self.frame}:{self.who}"
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def write_cues(path: Path, data: dict[str, Any]) -> Path:
    text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def cue_dicts(cues: list[Cue]) -> list[dict[str, Any]]:
    return [asdict(c) for c in cues]


def cues_from(data: list[dict[str, Any]]) -> list[Cue]:
    return [Cue(**d) for d in data]
