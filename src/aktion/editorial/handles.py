"""The media behind each clip of the cut, with handles: the full take, not the trim.

The cut is made of each shot's picked take after its canvas operations. A trim is a
choice an editor may want to undo, so the export points a clip at the take as it
was before the trim (extended, if it was) and selects the trimmed frames with a source
range: the frames trimmed away, and those a dissolve overlaps, stay in the media as
handles. A speed ramp retimes frames, which a source range cannot say; a ramped shot
points at the ramped clip, as the cut used it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aktion.engine.graph import ShotGraph, Step
from aktion.engine.store import Store
from aktion.media.video import probe


class ExportError(RuntimeError):
    """The cut cannot be exported yet (e.g. not rendered); says what to do."""


@dataclass(frozen=True)
class ClipSource:
    """One clip of the cut: the media it is cut from and the frames the cut uses."""

    shot: str
    take: int
    step: Step  # the step whose output the cut used
    media: Path  # the media the export references (the full take where there is one)
    frames: int  # the media's length
    record: dict[str, Any]
    start: int = 0  # where in ``media`` the cut's clip begins
    used: int | None = None  # how many frames the cut used (default: all of ``frames``)

    @property
    def length(self) -> int:
        return self.frames if self.used is None else self.used


def _output(graph: ShotGraph, store: Store, step: Step) -> tuple[Path, dict[str, Any]]:
    action = store.lookup(step.key)
    if action is None:
        raise ExportError(f"{step.id} is not in the store: run aktion render first")
    return store.blob_path(action.outputs["video"]), {"key": action.key, **action.record}


def take_sources(graph: ShotGraph, store: Store, scene: str) -> list[ClipSource]:
    """The clips the scene's cut is made of, in order, each on its full take."""
    cut = graph.steps[f"cut:{scene}"]
    if store.lookup(cut.key) is None:
        raise ExportError(f"scene {scene} is not rendered as planned: run aktion render first")
    sources = []
    for entry in cut.request.params["shots"]:
        step = graph.steps[cut.deps[f"shot:{entry['id']}"][0]]
        used_path, record = _output(graph, store, step)
        used = probe(used_path).frames
        media, start = used_path, 0
        if step.kind == "trim" and "video" in step.deps:
            media, _ = _output(graph, store, graph.steps[step.deps["video"][0]])
            start = int(step.request.params.get("in") or 0)
        frames = used if media == used_path else probe(media).frames
        sources.append(ClipSource(entry["id"], int(entry.get("take", 1)), step, media, frames,
                                  record, start, used))
    return sources
