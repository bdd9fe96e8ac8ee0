"""Fit a frame from a shot of another size into the scene's frame, letterboxed."""

from __future__ import annotations

import cv2
import numpy as np


def fit(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale to fit inside width x height keeping the aspect, centred on black."""
    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    scale = min(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(frame, (nw, nh), interpolation=interp)
    out = np.zeros((height, width, 3), np.uint8)
    y, x = (height - nh) // 2, (width - nw) // 2
    out[y : y + nh, x : x + nw] = small
    return out
