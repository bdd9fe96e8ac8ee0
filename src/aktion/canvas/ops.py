"""Clip operations of the canvas: trim, extend, speed ramp. Each reads one clip and
writes one clip with the shared encoding recipe, so the cut can still stream-copy it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from aktion.media.video import VideoWriter, iter_frames, probe
from aktion.production.takes import ramp_indices


def _write(frames: Iterator[np.ndarray], src: Path, out: Path) -> int:
    info = probe(src)
    with VideoWriter(out, info.width, info.height, info.fps) as w:
        for f in frames:
            w.write(f)
        return w.frames


def trim(src: Path, out: Path, first: int, stop: int | None) -> int:
    """Keep frames [first, stop) of ``src``."""
    n = probe(src).frames
    stop = n if stop is None else min(stop, n)
    if first >= stop:
        raise ValueError(f"{src}: trim [{first}, {stop}) keeps no frames (clip has {n})")
    return _write(iter_frames(src, first, stop), src, out)


def _continued(last: np.ndarray, prev: np.ndarray, extra: int) -> Iterator[np.ndarray]:
    """Continue from the last frames: the last frame's drift carries on and slows,
    under a slow push-in, so the performance holds its momentum instead of freezing."""
    h, w = last.shape[:2]
    g0 = cv2.cvtColor(prev, cv2.COLOR_RGB2GRAY)
    g1 = cv2.cvtColor(last, cv2.COLOR_RGB2GRAY)
    (dx, dy), _ = cv2.phaseCorrelate(np.float32(g0), np.float32(g1))
    x = y = 0.0
    for j in range(1, extra + 1):
        decay = 0.9**j
        x += dx * decay
        y += dy * decay
        zoom = 1.0 + 0.04 * j / extra
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, zoom)
        m[:, 2] += (x, y)
        yield cv2.warpAffine(last, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def extend(src: Path, out: Path, extra: int) -> int:
    """The whole clip, then ``extra`` frames continuing from its last two frames."""
    n = probe(src).frames
    frames = list(iter_frames(src, max(0, n - 2), n))
    prev, last = (frames[0], frames[-1]) if len(frames) > 1 else (frames[-1], frames[-1])

    def all_frames() -> Iterator[np.ndarray]:
        yield from iter_frames(src)
        yield from _continued(last, prev, extra)

    return _write(all_frames(), src, out)


def speed(src: Path, out: Path, start: float, end: float) -> int:
    """Retime by a speed ramp, picking (not blending) source frames: crisp previz."""
    n = probe(src).frames
    idx = ramp_indices(n, start, end)
    frames = list(iter_frames(src))  # clips are short; a ramp revisits frames
    return _write((frames[i] for i in idx), src, out)
