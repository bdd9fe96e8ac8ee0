"""A depth map of one frame: camera-space distance (metres) along the lens axis.

The floor and the boxes' faces are exact planes per pixel; each mannequin part
is a flat patch at its front surface, which is what a depth-conditioned image
model needs from a layout. Pixels that see only sky are 0.
"""

from __future__ import annotations

import cv2
import numpy as np

from aktion.production.board import SetDesign
from aktion.production.cast import Character

from .camera import CameraPath
from .clip import clip_polygon, frustum
from .mannequin import Body, build_parts
from .set import FACES, FAR_GROUND, SHIFT, SetView, to_pixels


def depth_map(
    design: SetDesign,
    characters: list[Character],
    joints: np.ndarray,
    camera: CameraPath,
    frame: int,
) -> np.ndarray:
    """(H, W) float32 metres; ``joints`` is (C, J, 3) for the frame."""
    w, h = camera.width, camera.height
    f = camera.focal(frame)
    basis = camera.basis[frame]
    pos = camera.position[frame]
    u = (np.arange(w) + 0.5 - w / 2) / f
    v = -(np.arange(h) + 0.5 - h / 2) / f
    rays = (
        u[None, :, None] * basis[0] + v[:, None, None] * basis[1] + basis[2]
    )  # (H, W, 3) world direction with unit camera-space z
    depth = np.full((h, w), np.inf, dtype=np.float64)
    down = rays[..., 1] < -1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(down, -pos[1] / rays[..., 1], np.inf)
    hit = pos + rays * np.where(np.isfinite(t), t, 0.0)[..., None]
    on_ground = down & (np.abs(hit[..., 0]) <= FAR_GROUND) & (np.abs(hit[..., 2]) <= FAR_GROUND)
    depth = np.where(on_ground & (t > 0), t, depth)

    view = SetView(design, w, h)
    planes = frustum(w, h, f)
    mask = np.zeros((h, w), np.uint8)
    for box in view.boxes:
        for normal, idx in FACES:
            n = np.array(normal, float)
            quad = box.corners[list(idx)]
            centre = quad.mean(0)
            if np.dot(pos - centre, n) <= 0:
                continue
            poly = clip_polygon(camera.to_camera(quad, frame), planes)
            if len(poly) < 3:
                continue
            mask[:] = 0
            cv2.fillConvexPoly(mask, to_pixels(poly, f, w, h), 1, cv2.LINE_8, SHIFT)
            sel = mask.astype(bool)
            denom = rays[sel] @ n
            with np.errstate(divide="ignore", invalid="ignore"):
                tt = np.where(np.abs(denom) > 1e-9, np.dot(centre - pos, n) / denom, np.inf)
            depth[sel] = np.minimum(depth[sel], np.where(tt > 0, tt, np.inf))

    if characters:
        bodies = [Body.of(c) for c in characters]
        parts = build_parts(joints, bodies, camera, frame)
        people = np.full((h, w), np.inf, dtype=np.float32)
        front = parts.depth.astype(np.float32)
        for i in np.argsort(-front, kind="stable").tolist():
            cv2.fillConvexPoly(people, parts.polygons[i, 0], float(front[i]), cv2.LINE_8, SHIFT)
        depth = np.minimum(depth, people)
    return np.where(np.isfinite(depth), depth, 0.0).astype(np.float32)


def depth_millimetres(depth: np.ndarray) -> np.ndarray:
    """Metres -> uint16 millimetres (0 stays 0: no surface; far clips at 65.535 m)."""
    return np.clip(np.round(depth * 1000.0), 0, 65535).astype(np.uint16)
