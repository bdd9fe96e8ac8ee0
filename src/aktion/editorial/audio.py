"""The scene's sound in an editorial timeline: one audio track per stem (dialogue,
effects, music), each stem one clip from the top of the scene, so an editor gets the
mix in parts to rebalance. Stems are copied beside the export like the picture."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import opentimelineio as otio

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store, file_digest
from aktion.sound import RATE
from aktion.sound.wav import frames_of

STEMS = ("dialogue", "effects", "music")


def _place(src: Path, dest: Path) -> Path:
    if dest.is_file() and file_digest(dest) == file_digest(src):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)
    return dest


def audio_tracks(graph: ShotGraph, store: Store, scene: str, export_dir: Path,
                 media_dir: Path) -> list[otio.schema.Track]:
    """A1..A3 for the scene's stems; none when the scene has no mix."""
    cut = graph.steps[f"cut:{scene}"]
    if "mix" not in cut.deps:
        return []
    mix = graph.steps[cut.deps["mix"][0]]
    action = store.lookup(mix.key)
    if action is None:
        return []
    fps = float(graph.production.settings.fps)
    tracks = []
    for i, stem in enumerate(STEMS, start=1):
        src = store.blob_path(action.outputs[stem])
        media = _place(src, media_dir / f"{scene}_{stem}.wav")
        samples = frames_of(media)
        length = otio.opentime.RationalTime(round(samples * fps / RATE), fps)
        ref = otio.schema.ExternalReference(
            target_url=Path(os.path.relpath(media, export_dir)).as_posix(),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, fps), length))
        ref.name = media.name
        clip = otio.schema.Clip(name=f"{scene} {stem}", media_reference=ref,
                                source_range=ref.available_range)
        clip.metadata["aktion"] = {"stem": stem, "step": mix.id, "key": mix.key,
                                   "levels": action.record.get("levels", {})}
        track = otio.schema.Track(name=f"A{i} {stem}", kind=otio.schema.TrackKind.Audio)
        track.append(clip)
        tracks.append(track)
    return tracks
