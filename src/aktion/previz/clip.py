"""Clipping in camera space, so geometry behind or far beside the lens draws correctly.

Planes are (normal, offset) pairs keeping points where ``normal . p + offset >= 0``:
the near plane, and four side planes a guard band wider than the view, which
keep projected coordinates small enough for the rasteriser.
"""

from __future__ import annotations

import numpy as np

from .camera import NEAR

GUARD = 3.0  # side planes sit this many half-views out


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
        if np.all(s >= 0):
            continue
        if np.all(s < 0):
            return pts[:0]
        out = []
        n = len(pts)
        for i in range(n):
            a, b = pts[i], pts[(i + 1) % n]
            sa, sb = s[i], s[(i + 1) % n]
            if sa >= 0:
                out.append(a)
            if (sa >= 0) != (sb >= 0):
                out.append(a + (b - a) * (sa / (sa - sb)))
        pts = np.array(out) if out else pts[:0]
    return pts


def inside_all(points: np.ndarray, planes: list[tuple[np.ndarray, float]]) -> bool:
    """Whether every point is inside every plane (one product for all the planes)."""
    normals = np.array([n for n, _ in planes])
    offsets = np.array([o for _, o in planes])
    return bool(np.all(points @ normals.T + offsets >= 0))


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
