"""A contact sheet: one frame per shot of a cut, tiled with the shot ids.

It is the quickest look at a whole scene, and the README's picture of the demo.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import av
import cv2
import numpy as np


def shot_frames(video: Path, durations: list[int], at: float = 0.5) -> list[np.ndarray]:
    """Decode one RGB frame per shot, ``at`` of the way through each, in one pass."""
    wanted, start = {}, 0
    for i, d in enumerate(durations):
        wanted[start + min(d - 1, int(d * at))] = i
        start += d
    found: dict[int, np.ndarray] = {}
    with av.open(str(video)) as container:
        for n, frame in enumerate(container.decode(video=0)):
            if n in wanted:
                found[wanted[n]] = frame.to_ndarray(format="rgb24")
            if len(found) == len(durations):
                break
    return [found[i] for i in sorted(found)]


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
