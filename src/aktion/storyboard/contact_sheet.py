"""A contact sheet: one frame per shot, tiled with the shot ids.

It is the quickest look at a whole scene, and the README's picture of the demo.
Each tile comes from the shot's own picked clip (the take and edits the cut
uses), since the cut's frame offsets move with dissolves, extends and trims.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import numpy as np

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.production.board import Scene

from .outputs import picked_clip
from .tiles import clip_frame, contact_sheet, write_png

__all__ = ["clip_frame", "contact_sheet", "scene_sheet", "write_png"]




def scene_sheet(graph: ShotGraph, store: Store, scene: Scene, *, columns: int = 4,
                tile_width: int = 320, at: float = 0.5) -> np.ndarray:
    """The scene's sheet from each shot's picked clip; raises NotRendered when one is missing."""
    params = graph.steps[f"sheet:{scene.id}"].request.params  # the graph's own sheet step
    tiles = params["tiles"]
    scratch = store.workdir()

    def frames() -> Iterator[np.ndarray]:  # streamed: one full-size frame at a time
        for tile in tiles:
            shot = tile["input"].removeprefix("shot:")
            yield clip_frame(picked_clip(graph, store, scene.id, shot, scratch), at)

    try:
        return contact_sheet(frames(), [t["label"] for t in tiles], columns=columns,
                             tile_width=tile_width, title=params["title"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)



