"""A contact sheet: one frame per shot, tiled with the shot ids.

It is the quickest look at a whole scene, and the README's picture of the demo.
Each tile comes from the shot's own picked clip (the take and edits the cut
uses), since the cut's frame offsets move with dissolves, extends and trims.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import cv2
import numpy as np

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.media.video import probe, read_frame
from aktion.production.board import Scene

from .outputs import cut_step, picked_clip


def clip_frame(clip: Path, at: float = 0.5) -> np.ndarray:
    """One RGB frame ``at`` of the way through a clip."""
    frames = probe(clip).frames
    return read_frame(clip, min(max(frames - 1, 0), int(frames * at)))


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


def contact_sheet(frames: list[np.ndarray], labels: list[str], *, columns: int = 4,
                  tile_width: int = 320, title: str = "") -> np.ndarray:
    """Tile frames in a grid with a label under each; returns an RGB image."""
    h, w = frames[0].shape[:2]
    tw, th = tile_width, round(tile_width * h / w)
    pad, label_h, title_h = 8, 22, 34 if title else 0
    rows = math.ceil(len(frames) / columns)
    cols = min(columns, len(frames))
    sheet = np.full((title_h + rows * (th + label_h + pad) + pad,
                     cols * (tw + pad) + pad, 3), 24, np.uint8)
    if title:
        cv2.putText(sheet, title, (pad, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (235, 235, 235), 1,
                    cv2.LINE_AA)
    for i, (frame, label) in enumerate(zip(frames, labels, strict=True)):
        r, c = divmod(i, columns)
        x, y = pad + c * (tw + pad), title_h + pad + r * (th + label_h + pad)
        sheet[y:y + th, x:x + tw] = cv2.resize(frame, (tw, th), interpolation=cv2.INTER_AREA)
        cv2.putText(sheet, label, (x + 2, y + th + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (200, 200, 200), 1, cv2.LINE_AA)
    return sheet


def write_png(path: Path, rgb: np.ndarray) -> None:
    """Write a PNG atomically (temp file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"could not encode {path}")
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(data.tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
