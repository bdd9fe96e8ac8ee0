"""Smooth keyframe curves: monotone cubic (PCHIP) interpolation, optionally periodic.

Monotone tangents never overshoot the keys, so a straight arm at contact is
never bent past straight on the way in, and a hold stays a hold.
"""

from __future__ import annotations

import numpy as np


def _tangents(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Fritsch-Carlson tangents for keys ``t`` (K,) and values ``v`` (K, C); zero at the ends."""
    h = np.diff(t)[:, None]
    d = np.diff(v, axis=0) / h
    m = np.zeros_like(v)
    if len(t) > 2:
        d0, d1 = d[:-1], d[1:]
        h0, h1 = h[:-1], h[1:]
        w1, w2 = 2 * h1 + h0, h1 + 2 * h0
        same = d0 * d1 > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            hm = (w1 + w2) / (w1 / d0 + w2 / d1)
        m[1:-1] = np.where(same, hm, 0.0)
    return m


def interpolate(
    times: np.ndarray, values: np.ndarray, at: np.ndarray, period: float | None = None
) -> np.ndarray:
    """Values of the curve through (times, values) at ``at``.

    ``values`` is (K, C); returns (len(at), C). Outside the keys the curve holds
    its end values, unless ``period`` makes it repeat (keys then lie in [0, period)).
    """
    t = np.asarray(times, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    at = np.asarray(at, dtype=np.float64)
    if len(t) == 1:
        return np.repeat(v[:1], len(at), axis=0)
    core = slice(None)
    if period is not None:
        # Two keys of padding on each side give the ends their periodic tangents.
        t = np.concatenate([t[-2:] - period, t, t[:2] + period])
        v = np.concatenate([v[-2:], v, v[:2]])
        core = slice(1, -1)
        at = np.mod(at, period)
    m = _tangents(t, v)
    if period is not None:
        t, v, m = t[core], v[core], m[core]
    at = np.clip(at, t[0], t[-1])
    i = np.clip(np.searchsorted(t, at, side="right") - 1, 0, len(t) - 2)
    h = (t[i + 1] - t[i])[:, None]
    s = ((at - t[i])[:, None]) / h
    s2, s3 = s * s, s * s * s
    h00 = 2 * s3 - 3 * s2 + 1
    h10 = s3 - 2 * s2 + s
    h01 = -2 * s3 + 3 * s2
    h11 = s3 - s2
    return h00 * v[i] + h10 * h * m[i] + h01 * v[i + 1] + h11 * h * m[i + 1]
