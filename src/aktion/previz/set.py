"""The set: sky, the floor with its metre grid, and the boxes, seen through the camera.

The floor and grid depend only on the camera, so the drawer caches them while
the camera holds still. Boxes are drawn on their own, so mannequins can go
behind or in front of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aktion.production.board import SetDesign

from .camera import CameraPath
from .clip import clip_polygon, clip_segments, frustum

KEY_LIGHT = np.array([-0.45, 0.7, -0.55]) / np.linalg.norm([-0.45, 0.7, -0.55])
"""Direction toward the key light in camera space (x right, y up, z forward): above,
left of and behind the lens, so whatever the camera sees is lit from its side."""


def key_light(basis: np.ndarray) -> np.ndarray:
    """The key light's direction in world space for a camera ``basis`` (rows right, up, fwd)."""
    return KEY_LIGHT @ basis
SHIFT = 4  # sub-pixel bits for OpenCV drawing
SCALE = 1 << SHIFT
FAR_GROUND = 250.0  # metres: the ground beyond the set floor reaches this far
# outward normals of a box's faces and the corner indices (counter-clockwise from outside)
FACES = (
    ((1, 0, 0), (1, 3, 7, 5)), ((-1, 0, 0), (0, 4, 6, 2)),
    ((0, 1, 0), (2, 6, 7, 3)), ((0, -1, 0), (0, 1, 5, 4)),
    ((0, 0, 1), (4, 5, 7, 6)), ((0, 0, -1), (0, 2, 3, 1)),
)  # fmt: skip


def hex_rgb(color: str) -> np.ndarray:
    """``#rrggbb`` -> float RGB in 0..255."""
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def to_pixels(cam_pts: np.ndarray, focal: float, width: int, height: int) -> np.ndarray:
    """Camera-space points -> fixed-point pixel coordinates for OpenCV (int32, SHIFT bits)."""
    z = cam_pts[:, 2]
    u = width / 2 + focal * cam_pts[:, 0] / z
    v = height / 2 - focal * cam_pts[:, 1] / z
    return np.round(np.stack([u, v], -1) * SCALE).astype(np.int32)


@dataclass(frozen=True)
class BoxShape:
    corners: np.ndarray  # (8, 3)
    color: np.ndarray  # (3,) RGB
    centre: np.ndarray  # (3,)
    face_centres: tuple[np.ndarray, ...] = ()  # per face: the mean of its corners


FACE_NORMALS = tuple(np.array(normal, float) for normal, _ in FACES)
# Each normal is a signed axis, so a dot product with it is one signed coordinate: the
# tests below read that coordinate instead (the very same number, without the products).
FACE_AXIS = np.array([int(np.flatnonzero(n)[0]) for n in FACE_NORMALS])
FACE_SIGN = np.array([float(n[a]) for n, a in zip(FACE_NORMALS, FACE_AXIS, strict=True)])


class SetView:
    """Draws a ``SetDesign`` through a ``CameraPath``."""

    def __init__(self, design: SetDesign, width: int, height: int):
        self.design = design
        self.width = width
        self.height = height
        self.sky = tuple(float(c) for c in hex_rgb(design.sky))
        floor = hex_rgb(design.floor)
        self.floor = tuple(float(c) for c in floor)
        self.far = tuple(float(c) for c in (floor * 0.55 + hex_rgb(design.sky) * 0.45) * 0.8)
        self.grid = tuple(float(c) for c in np.minimum(floor * 1.18 + 14, 255))
        self.edge = tuple(float(c) for c in floor * 0.6)
        self._sky = np.empty((height, width, 3), np.uint8)
        self._sky[:] = np.array(self.sky, dtype=np.uint8)  # once: a copy is faster than a fill
        self.boxes = [self._box(b.at, b.size, b.color) for b in design.boxes]
        half = design.extent / 2
        step = 1.0 if design.extent <= 40 else 2.0
        ticks = np.arange(-half, half + 1e-9, step)
        a = [(t, 0.0, -half) for t in ticks] + [(-half, 0.0, t) for t in ticks]
        b = [(t, 0.0, half) for t in ticks] + [(half, 0.0, t) for t in ticks]
        self._grid_a, self._grid_b = np.array(a), np.array(b)
        self._floor_quad = np.array(
            [(-half, 0, -half), (half, 0, -half), (half, 0, half), (-half, 0, half)], float
        )
        g = FAR_GROUND
        self._far_quad = np.array([(-g, 0, -g), (g, 0, -g), (g, 0, g), (-g, 0, g)], float)
        self._faces_key: tuple | None = None
        self._faces_of: list[list[tuple]] = []
        self._corners = np.array([b.corners for b in self.boxes]).reshape(-1, 3)
        self._centres = np.array([b.face_centres for b in self.boxes]).reshape(-1, 6, 3)

    @staticmethod
    def _box(at: tuple[float, float], size: tuple[float, float, float], color: str) -> BoxShape:
        w, h, d = size
        xs = (at[0] - w / 2, at[0] + w / 2)
        ys = (0.0, h)
        zs = (at[1] - d / 2, at[1] + d / 2)
        corners = np.array([(xs[i >> 0 & 1], ys[i >> 1 & 1], zs[i >> 2 & 1]) for i in range(8)])
        centres = tuple(corners[list(idx)].mean(0) for _, idx in FACES)
        return BoxShape(corners, hex_rgb(color), corners.mean(0), centres)

    def _facing(self, pos: np.ndarray) -> np.ndarray:
        """(B, 6) bool: which faces of each box turn toward a camera at ``pos``."""
        d = pos[FACE_AXIS] - self._centres[:, np.arange(6), FACE_AXIS]
        return FACE_SIGN * d > 0

    def background(self, camera: CameraPath, frame: int, out: np.ndarray | None = None) -> np.ndarray:
        """Sky, far ground, floor and grid (no boxes) as an RGB uint8 image."""
        img = out if out is not None else np.empty((self.height, self.width, 3), np.uint8)
        np.copyto(img, self._sky)
        f = camera.focal(frame)
        planes = frustum(self.width, self.height, f)
        for quad, color in ((self._far_quad, self.far), (self._floor_quad, self.floor)):
            poly = clip_polygon(camera.to_camera(quad, frame), planes)
            if len(poly) >= 3:
                pts = to_pixels(poly, f, self.width, self.height)
                cv2.fillPoly(img, [pts], color, cv2.LINE_AA, SHIFT)
        a, b = clip_segments(
            camera.to_camera(self._grid_a, frame), camera.to_camera(self._grid_b, frame), planes
        )
        if len(a):
            pa = to_pixels(a, f, self.width, self.height)
            pb = to_pixels(b, f, self.width, self.height)
            lines = list(np.stack([pa, pb], 1))
            cv2.polylines(img, lines, False, self.grid, 1, cv2.LINE_AA, SHIFT)
        return img

    def box_order(self, camera: CameraPath, frame: int) -> list[int]:
        """Boxes far to near, the order to paint them."""
        pos = camera.position[frame]
        return sorted(
            range(len(self.boxes)), key=lambda i: -np.linalg.norm(self.boxes[i].centre - pos)
        )

    def behind(self, points: np.ndarray, camera: CameraPath, frame: int) -> np.ndarray:
        """(P, B) bool: whether each world point lies behind each box as the camera sees it.

        A point is behind a convex box exactly when it is on the inner side of
        every face the camera can see.
        """
        facing = self._facing(camera.position[frame])  # (B, 6)
        # the signed distance of each point to each face's plane, outward positive
        along = np.asarray(points)[:, FACE_AXIS]  # (P, 6)
        centre = self._centres[:, np.arange(6), FACE_AXIS]  # (B, 6)
        inner = FACE_SIGN * (along[:, None, :] - centre[None]) < 0  # (P, B, 6)
        return np.all(inner | ~facing[None], axis=2) & facing.any(1)[None]

    def draw_box(self, img: np.ndarray, index: int, camera: CameraPath, frame: int) -> None:
        for pts, color, edge in self._faces(index, camera, frame):
            cv2.fillConvexPoly(img, pts, color, cv2.LINE_AA, SHIFT)
            cv2.polylines(img, [pts], True, edge, 1, cv2.LINE_AA, SHIFT)

    def _faces(self, index: int, camera: CameraPath, frame: int) -> list[tuple]:
        """The faces of box ``index`` the camera sees: pixels, fill and edge colours.

        Worked out for every box at once, and kept while the camera holds still: a frame
        with a mannequin behind a box draws the box twice (into the cached background,
        and again over the mannequin)."""
        key = camera.key(frame)
        if key != self._faces_key:
            self._faces_key, self._faces_of = key, self._all_faces(camera, frame)
        return self._faces_of[index]

    def _all_faces(self, camera: CameraPath, frame: int) -> list[list[tuple]]:
        facing = self._facing(camera.position[frame])
        f = camera.focal(frame)
        light = key_light(camera.basis[frame])
        planes = frustum(self.width, self.height, f)
        corners = camera.to_camera(self._corners, frame).reshape(-1, 8, 3)
        normals = np.array([n for n, _ in planes])
        offsets = np.array([o for _, o in planes])
        in_view = np.all(corners @ normals.T + offsets >= 0, axis=(1, 2))
        pixels = to_pixels(corners.reshape(-1, 3), f, self.width, self.height).reshape(-1, 8, 2)
        shades = [0.42 + 0.58 * max(0.0, float(FACE_SIGN[k] * light[FACE_AXIS[k]]))
                  for k in range(len(FACES))]  # fmt: skip
        found = []
        for b, box in enumerate(self.boxes):
            faces = []
            for k, (_, idx) in enumerate(FACES):
                if not facing[b, k]:
                    continue
                if in_view[b]:  # every corner in view: no face needs clipping
                    pts = pixels[b, list(idx)]
                else:
                    poly = clip_polygon(corners[b, list(idx)], planes)
                    if len(poly) < 3:
                        continue
                    pts = to_pixels(poly, f, self.width, self.height)
                color = tuple(float(c) for c in np.minimum(box.color * shades[k], 255))
                edge = tuple(float(c) for c in box.color * shades[k] * 0.7)
                faces.append((pts, color, edge))
            found.append(faces)
        return found
