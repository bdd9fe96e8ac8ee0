"""A contact sheet: one frame per shot, tiled with the shot ids.

It is the quickest look at a whole scene, and the README's picture of the demo.
Each tile comes from the shot's own picked clip (the take and edits the cut
uses), since the cut's frame offsets move with dissolves, extends and trims.
"""

from __future__ import annotations

import shutil

import numpy as np

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.production.board import Scene

from .outputs import cut_step, picked_clip
from .tiles import clip_frame, contact_sheet, write_png

__all__ = ["clip_frame", "contact_sheet", "scene_sheet", "write_png"]




def scene_sheet(graph: ShotGraph, store: Store, scene: Scene, *, columns: int = 4,
                tile_width: int = 320, at: float = 0.5) -> np.ndarray:
    """The scene's sheet from each shot's picked clip; raises NotRendered when one is missing."""
    takes = {e["id"]: int(e.get("take", 1)) for e in cut_step(graph, scene.id).request.params[
        "shots"]}
    scratch = store.workdir()
    frames, labels = [], []
    try:
        for shot in scene.shots:
            frames.append(clip_frame(picked_clip(graph, store, scene.id, shot.id, scratch), at))
            take = takes.get(shot.id, 1)
            label = f"{shot.id}  {shot.size} {shot.lens:g}mm {shot.move.type}"
            labels.append(label + (f"  take {take}" if take != 1 else ""))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    s = graph.production.settings
    title = f"{s.title or s.name} / {scene.id}"
    return contact_sheet(frames, labels, columns=columns, tile_width=tile_width, title=title)



