"""Clipping in camera space, so geometry behind or far beside the lens draws correctly.

Planes are (normal, offset) pairs keeping points where ``normal . p + offset >= 0``:
the near plane, and four side planes a guard band wider than the view, which
keep projected coordinates small enough for the rasteriser.
"""

from __future__ import annotations

import functools

import numpy as np

from .camera import NEAR

GUARD = 3.0  # side planes sit this many half-views out


@functools.lru_cache(maxsize=32)
def frustum(width: int, height: int, focal: float) -> list[tuple[np.ndarray, float]]:
    gx = GUARD * width / 2 / focal
    gy = GUARD * height / 2 / focal
    return [
        (np.array([0.0, 0.0, 1.0]), -NEAR),
        (np.array([-1.0, 0.0, gx]), 0.0),
        (np.array([1.0, 0.0, gx]), 0.0),
        (np.array([0.0, -1.0, gy]), 0.0),
        (np.array([0.0, 1.0, gy]), 0.0),
    ]


def clip_polygon(poly: np.ndarray, planes: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """Sutherland-Hodgman: a convex polygon (N, 3) cut to the planes; maybe empty."""
    if len(poly) and inside_all(poly, planes):  # the common case: nothing to cut
        return poly
    pts = poly
    for normal, offset in planes:
        if len(pts) == 0:
            break
        s = pts @ normal + offset
        if s.min() >= 0:
            continue
        if s.max() < 0:
            return pts[:0]
        out = []
        n = len(pts)
        side = (s >= 0).tolist()
        dist = s.tolist()  # the same doubles, as Python floats: cheaper one at a time
        for i in range(n):
            j = (i + 1) % n
            if side[i]:
                out.append(pts[i])
            if side[i] != side[j]:
                out.append(pts[i] + (pts[j] - pts[i]) * (dist[i] / (dist[i] - dist[j])))
        pts = np.array(out) if out else pts[:0]
    return pts


def inside_all(points: np.ndarray, planes: list[tuple[np.ndarray, float]]) -> bool:
    """Whether every point is inside every plane (one product for all the planes)."""
    normals, offsets = _stacked(planes)
    return bool((points @ normals.T + offsets).min() >= 0)


_STACKED: dict[int, tuple[list, np.ndarray, np.ndarray]] = {}


def _stacked(planes: list[tuple[np.ndarray, float]]) -> tuple[np.ndarray, np.ndarray]:
    """The planes' normals and offsets as arrays, once per list of planes."""
    hit = _STACKED.get(id(planes))
    if hit is None or hit[0] is not planes:
        if len(_STACKED) > 64:
            _STACKED.clear()
        hit = _STACKED[id(planes)] = (planes, np.array([n for n, _ in planes]),
                                      np.array([o for _, o in planes]))  # fmt: skip
    return hit[1], hit[2]


def clip_segments(
    a: np.ndarray, b: np.ndarray, planes: list[tuple[np.ndarray, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """Segments (N, 3) -> the parts inside every plane (fewer segments, maybe none)."""
    t0 = np.zeros(len(a))
    t1 = np.ones(len(a))
    keep = np.ones(len(a), dtype=bool)
    for normal, offset in planes:
        sa = a @ normal + offset
        sb = b @ normal + offset
        keep &= ~((sa < 0) & (sb < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = sa / (sa - sb)
        t0 = np.where((sa < 0) & (sb >= 0), np.maximum(t0, t), t0)
        t1 = np.where((sa >= 0) & (sb < 0), np.minimum(t1, t), t1)
    keep &= t0 < t1
    d = b - a
    return (a + d * t0[:, None])[keep], (a + d * t1[:, None])[keep]
