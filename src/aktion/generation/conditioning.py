"""Control maps in the form the models were trained on.

Previz writes depth as a 16-bit PNG of camera-space millimetres (0 where only sky is
seen). Depth ControlNets (SD 1.5 ``control_v11f1p_sd15_depth``, SDXL and Flux depth
controls) and ComfyUI's image nodes expect what MiDaS-style estimators produce: an
8-bit image of *normalised inverse depth*, near surfaces bright, far ones dark, sky
black. Dividing millimetres by 257 gives an almost black image (0-5 for a set a few
metres deep) and an 8-bit PNG of the raw map reaches ComfyUI's LoadImage as a 0/255
mask, so every backend converts through here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

NEAR_FLOOR = 1.0  # brightness (0..255) kept for the farthest surface, so it is not sky
LOW_PERCENTILE, HIGH_PERCENTILE = 1.0, 99.0  # robust range: a stray pixel sets nothing


def inverse_depth_u8(depth: np.ndarray) -> np.ndarray:
    """(H, W) depth in any unit (0 = no surface) -> (H, W) uint8 normalised inverse depth.

    The range is taken from the 1st and 99th percentiles of the inverse depth of the
    pixels that see a surface, so one very near or very far pixel does not wash the
    rest of the frame out; surfaces map to 1..255, sky stays 0."""
    d = np.asarray(depth, dtype=np.float64)
    if d.ndim == 3:
        d = d[..., 0]
    valid = np.isfinite(d) & (d > 0)
    out = np.zeros(d.shape, np.uint8)
    if not valid.any():
        return out
    inv = np.zeros_like(d)
    inv[valid] = 1.0 / d[valid]
    lo, hi = np.percentile(inv[valid], [LOW_PERCENTILE, HIGH_PERCENTILE])
    if hi - lo < 1e-12:
        out[valid] = 255
        return out
    scaled = (inv - lo) / (hi - lo)
    scaled = NEAR_FLOOR + np.clip(scaled, 0.0, 1.0) * (255.0 - NEAR_FLOOR)
    out[valid] = np.round(scaled[valid]).astype(np.uint8)
    return out


def depth_control(path: Path | str) -> np.ndarray:
    """A previz depth PNG (uint16 mm) as an (H, W, 3) uint8 normalised inverse-depth image.

    An 8-bit image (already a control map) passes through unchanged, as RGB."""
    from aktion.media.images import read_array

    a = read_array(path)
    if a.dtype == np.uint16 or (a.ndim == 2 and a.dtype != np.uint8):
        a = inverse_depth_u8(a)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    return np.ascontiguousarray(a[..., :3])


def depth_metres(path: Path | str) -> np.ndarray:
    """The float map, for nodes that take metric depth: (H, W) float32 metres, 0 = sky."""
    from aktion.media.images import read_array

    a = read_array(path)
    if a.dtype != np.uint16:
        raise ValueError(f"{path}: not a 16-bit millimetre depth map")
    return a.astype(np.float32) / 1000.0
