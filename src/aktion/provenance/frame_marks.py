"""Watermark a step's video frames as its backend writes them.

Marking after the fact means decoding and encoding a clip again, which doubles a
previz render's time. So the engine wraps each step whose output is a picture
clip in ``marking``: every ``VideoWriter`` the backend opens then passes its
frames through a ``Marker`` before encoding, and the step's record says which
outputs carry which mark (``watermarks``). Sealing trusts that record (it comes
from the engine, not the backend) and marks at sealing only what was not marked
here: images, and clips written some other way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aktion.media.video import FRAME_HOOK, FrameFilter

from .watermark import Marker, mark_for

# Outputs that are pictures for people to see: these carry the watermark. Control
# maps (depth, pose, masks) are data for other steps and are left exactly as made.
PICTURE_OUTPUTS = frozenset({"video", "image", "frame", "sheet", "still", "clip"})
# Steps whose video writers write pictures (a cut copies its shots' frames and keeps
# their marks; control maps write data).
WRITER_KINDS = frozenset({"render", "motion", "extend", "restyle", "trim", "speed"})
RECORD_KEY = "watermarks"


@dataclass
class StepMarking:
    step_id: str
    digest: str  # of the request's content: the same step content, the same marks
    marked: dict[str, str] = field(default_factory=dict)  # file name -> mark

    def writer(self, path: Path, width: int, height: int) -> FrameFilter | None:
        mark = mark_for(self.step_id, self.digest, Path(path).name)
        marker = Marker(mark, width, height)
        if not marker.ok:
            return None
        self.marked[Path(path).name] = mark
        return marker

    def for_outputs(self, outputs: Mapping[str, Path]) -> dict[str, str]:
        return {name: self.marked[Path(p).name] for name, p in outputs.items()
                if name in PICTURE_OUTPUTS and Path(p).name in self.marked}


def request_digest(hashed: Any) -> str:
    return hashlib.sha256(json.dumps(hashed, sort_keys=True, default=str).encode()).hexdigest()


@contextmanager
def marking(step_id: str, kind: str, hashed: Any) -> Iterator[StepMarking | None]:
    """Mark every frame the step's video writers encode, on this thread, for this block."""
    if kind not in WRITER_KINDS:
        yield None
        return
    step = StepMarking(step_id, request_digest(hashed))
    token = FRAME_HOOK.set(step.writer)
    try:
        yield step
    finally:
        FRAME_HOOK.reset(token)


def record_marks(record: dict[str, Any], step: StepMarking | None,
                 outputs: Mapping[str, Path]) -> None:
    """Put the marks in the step's record (and nothing a backend claimed there)."""
    record.pop(RECORD_KEY, None)
    found = step.for_outputs(outputs) if step is not None else {}
    if found:
        record[RECORD_KEY] = found
