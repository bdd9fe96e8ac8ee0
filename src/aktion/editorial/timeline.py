"""The scene cut as an OTIO timeline, frame for frame what the editor stitched.

Each clip points at the picked take the cut used, as it was before a trim (see
``handles``), copied beside the export so media paths are relative (the exports
for other suites make them absolute, see ``finishing``). A dissolve
becomes an OTIO transition over handles, so the track's duration equals the
cut's frames; a dip or a whip uses no handles and is kept as clip metadata and
a marker, the way editors carry effects they do not share.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import opentimelineio as otio

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store, file_digest

from .audio import audio_tracks
from .handles import ClipSource, ExportError, take_sources

__all__ = ["ClipSource", "ExportError", "build_timeline", "cut_sources"]


def _rt(frames: int, fps: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, fps)


def _range(start: int, frames: int, fps: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, fps), _rt(frames, fps))


def cut_sources(graph: ShotGraph, store: Store, scene: str) -> list[ClipSource]:
    """The clips the scene's cut is made of, in order, from the store (see ``handles``)."""
    return take_sources(graph, store, scene)


def _place_media(src: ClipSource, scene: str, media_dir: Path) -> Path:
    """Copy a clip beside the export under a readable name, unless it is already there."""
    dest = media_dir / f"{scene}_{src.shot}_take{src.take}.mp4"
    if dest.is_file() and file_digest(dest) == file_digest(src.media):
        return dest
    media_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(src.media, tmp)
    os.replace(tmp, dest)
    return dest


def _clip_metadata(graph: ShotGraph, src: ClipSource, entry: dict[str, Any]) -> dict[str, Any]:
    production = graph.production
    _, shot = production.shot(src.shot)
    first, last = shot.lines
    chain = [src.step.id]
    step = src.step
    while "video" in step.deps:  # canvas operations lead back to the take
        step = graph.steps[step.deps["video"][0]]
        chain.append(step.id)
    return {
        "shot": src.shot,
        "take": src.take,
        "board": {"size": shot.size, "angle": shot.angle, "lens": shot.lens,
                  "move": shot.move.type, "side": shot.side},
        "script": {"lines": [first, last], "text": production.script.text(first, last)},
        "transition_in": entry.get("transition", {"type": "cut", "duration": 0}),
        "steps": list(reversed(chain)),
        "provenance": {"step": src.step.id, "key": src.step.key,
                       "backend": src.step.backend, "record": src.record},
    }


def build_timeline(graph: ShotGraph, store: Store, scene: str, export_dir: Path,
                   media_dir: Path, audio: bool = True) -> otio.schema.Timeline:
    """The scene's timeline; media copied under ``media_dir``, referenced relative to
    ``export_dir`` (where the timeline file will be written)."""
    production = graph.production
    fps = float(production.settings.fps)
    cut = graph.steps[f"cut:{scene}"]
    entries = cut.request.params["shots"]
    sources = cut_sources(graph, store, scene)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    n = len(sources)
    ins = [0] * n  # frames trimmed off each clip's head for an incoming dissolve
    outs = [0] * n  # and off its tail for an outgoing one
    dissolves: dict[int, tuple[int, int]] = {}
    for i in range(1, n):
        t = entries[i].get("transition") or {}
        if t.get("type") == "dissolve":
            d = int(t["duration"])
            before, after = d // 2, d - d // 2
            dissolves[i] = (before, after)
            ins[i], outs[i - 1] = before, after
    for i, (src, entry) in enumerate(zip(sources, entries, strict=True)):
        if i in dissolves:
            before, after = dissolves[i]
            track.append(otio.schema.Transition(
                name=f"dissolve {sources[i - 1].shot}->{src.shot}",
                transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                in_offset=_rt(before, fps), out_offset=_rt(after, fps)))
        media = _place_media(src, scene, media_dir)
        ref = otio.schema.ExternalReference(
            target_url=Path(os.path.relpath(media, export_dir)).as_posix(),
            available_range=_range(0, src.frames, fps))
        ref.name = media.name
        clip = otio.schema.Clip(
            name=f"{src.shot} take {src.take}", media_reference=ref,
            source_range=_range(src.start + ins[i], src.length - ins[i] - outs[i], fps))
        clip.metadata["aktion"] = _clip_metadata(graph, src, entry)
        t = entry.get("transition") or {}
        if i > 0 and t.get("type") in ("dip", "whip"):
            clip.markers.append(otio.schema.Marker(
                name=f"{t['type']} in, {t['duration']} frames",
                marked_range=_range(src.start + ins[i], 0, fps),
                metadata={"aktion": {"transition": t}}))
        track.append(clip)
    timeline = otio.schema.Timeline(
        name=f"{production.settings.title or production.settings.name} - {scene}",
        global_start_time=_rt(0, fps))
    timeline.tracks.append(track)
    if audio:  # the scene's sound stems (aktion.sound), one track each
        timeline.tracks.extend(audio_tracks(graph, store, scene, export_dir, media_dir))
    timeline.metadata["aktion"] = {
        "production": production.settings.name, "scene": scene, "fps": production.settings.fps,
        "width": production.settings.width, "height": production.settings.height,
        "cut": {"step": cut.id, "key": cut.key},
    }
    return timeline
