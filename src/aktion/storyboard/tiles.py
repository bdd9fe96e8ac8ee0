"""Tiling frames into a labelled sheet: pure image work, no engine.

Both ``aktion sheet`` and the graph's ``sheet`` step use it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from aktion.media.video import probe, read_frame


def clip_frame(clip: Path, at: float = 0.5) -> np.ndarray:
    """One RGB frame ``at`` of the way through a clip."""
    frames = probe(clip).frames
    return read_frame(clip, min(max(frames - 1, 0), int(frames * at)))

def contact_sheet(frames: Iterable[np.ndarray], labels: list[str], *, columns: int = 4,
                  tile_width: int = 320, title: str = "") -> np.ndarray:
    """Tile frames in a grid with a label under each; returns an RGB image.

    ``frames`` may be a generator: each frame is shrunk into its tile as it arrives and
    dropped, so a sheet of a thousand shots holds one full-size frame at a time. The
    first frame sets the tiles' shape; there is one tile per label."""
    frames = iter(frames)
    sheet = None
    th = 0
    pad, label_h, title_h = 8, 22, 34 if title else 0
    n = len(labels)
    for i, label in enumerate(labels):
        frame = next(frames, None)
        if frame is None:
            raise ValueError(f"{n} labels but {i} frames for the contact sheet")
        if sheet is None:
            h, w = frame.shape[:2]
            th = round(tile_width * h / w)
            rows, cols = math.ceil(n / columns), min(columns, n)
            sheet = np.full((title_h + rows * (th + label_h + pad) + pad,
                             cols * (tile_width + pad) + pad, 3), 24, np.uint8)
            if title:
                cv2.putText(sheet, title, (pad, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                            (235, 235, 235), 1, cv2.LINE_AA)
        r, c = divmod(i, columns)
        x, y = pad + c * (tile_width + pad), title_h + pad + r * (th + label_h + pad)
        sheet[y:y + th, x:x + tile_width] = cv2.resize(frame, (tile_width, th),
                                                       interpolation=cv2.INTER_AREA)
        cv2.putText(sheet, label, (x + 2, y + th + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (200, 200, 200), 1, cv2.LINE_AA)
        del frame  # before the next one is read
    if sheet is None:
        raise ValueError("a contact sheet needs at least one frame")
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
