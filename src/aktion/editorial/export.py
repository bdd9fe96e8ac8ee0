"""Write a scene's timeline in the format an editor's suite opens."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.media.atomic import atomic_path

from . import finishing
from .timeline import build_timeline

# format -> (OTIO adapter, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "otio": ("otio_json", ".otio"),
    "fcp7": ("fcp_xml", ".xml"),
    "fcpx": ("fcpx_xml", ".fcpxml"),
    "edl": ("cmx_3600", ".edl"),
}


def export_dir(graph: ShotGraph) -> Path:
    return graph.production.root / "out" / "editorial"


def export_scene(graph: ShotGraph, store: Store, scene: str, fmt: str,
                 folder: Path | None = None) -> Path:
    """Write ``<folder>/<scene><ext>`` (and its media) atomically; returns the file.

    ``folder`` defaults to ``out/editorial`` in the production; another folder serves a
    production that is read-only."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    adapter, ext = FORMATS[fmt]
    folder = folder or export_dir(graph)
    folder.mkdir(parents=True, exist_ok=True)
    # An EDL is a picture list (its writer takes two audio tracks at most): no stems.
    timeline = build_timeline(graph, store, scene, folder, folder / "media", audio=fmt != "edl")
    dest = folder / f"{scene}{ext}"
    text = _write_format(graph, timeline, fmt, adapter, folder, scene)
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return dest


def reel_map_path(folder: Path, scene: str) -> Path:
    """Where an EDL's reel map is written: beside it, ``<scene>.reels.csv``."""
    return folder / f"{scene}.reels.csv"


def _write_format(graph: ShotGraph, timeline: otio.schema.Timeline, fmt: str, adapter: str,
                  folder: Path, scene: str) -> str:
    """The timeline in ``fmt``, finished so the suite opens it as-is (see ``finishing``)."""
    s = graph.production.settings
    if fmt == "fcp7":
        finishing.absolute_urls(timeline, folder, localhost=True)
        finishing.fcp7_format(timeline, s.width, s.height, s.fps)
    elif fmt == "fcpx":
        finishing.absolute_urls(timeline, folder)
    elif fmt == "edl":
        reels = finishing.assign_reels(timeline)
        with atomic_path(reel_map_path(folder, scene)) as tmp:
            tmp.write_text(finishing.reel_map(reels, folder), encoding="utf-8")
        finishing.absolute_urls(timeline, folder)
    text = otio.adapters.write_to_string(timeline, adapter_name=adapter)
    if fmt == "fcpx":
        text = finishing.fcpx_finish(text, timeline, s.width, s.height)
    return text


def export(graph: ShotGraph, store: Store, fmt: str, folder: Path | None = None) -> list[Path]:
    return [export_scene(graph, store, s.id, fmt, folder)
            for s in graph.production.boards.scenes]
