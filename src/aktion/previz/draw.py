"""Draw a shot's frames: the set, the mannequins painted far to near, labels, burn-ins.

Frames are RGB uint8. The set's sky, floor and grid are cached while the camera
holds still, and parts behind a box are painted before it, so mannequins pass
behind the set's boxes correctly.
"""

from __future__ import annotations

import cv2
import numpy as np

from aktion.production.board import SetDesign
from aktion.production.cast import Character

from .burnin import Burnin
from .camera import CameraPath
from .mannequin import Body, Parts, build_parts
from .set import SHIFT, SetView
from .skeleton import INDEX

LABEL_FONT = cv2.FONT_HERSHEY_SIMPLEX


class Renderer:
    """Renders frames of one shot; ``poses`` is (F, C, J, 3) (a memory map is fine)."""

    def __init__(
        self,
        design: SetDesign,
        characters: list[Character],
        poses: np.ndarray,
        camera: CameraPath,
        burnin: Burnin | None = None,
        labels: bool = True,
    ):
        self._args = (design, characters, poses, camera, burnin, labels)
        self.set = SetView(design, camera.width, camera.height)
        self.bodies = [Body.of(c) for c in characters]
        self.names = [c.name for c in characters]
        self.heights = [c.build.height for c in characters]
        self.poses = poses
        self.camera = camera
        self.burnin = burnin
        self.labels = labels
        self.width, self.height = camera.width, camera.height
        self._key: tuple | None = None
        self._bg = np.empty((self.height, self.width, 3), np.uint8)
        self._bg_boxes = np.empty_like(self._bg)
        self._order: list[int] = []
        self._out = np.empty_like(self._bg)
        self.label_scale = max(0.3, self.height / 720 * 0.62)

    def __reduce__(self) -> tuple:
        """Pickle what it was made from (poses as a plain array), not its frame buffers:
        drawing processes rebuild it."""
        design, characters, poses, camera, burnin, labels = self._args
        return (Renderer, (design, characters, np.array(poses), camera, burnin, labels))

    def _cache_background(self, frame: int, order: list[int]) -> None:
        self.set.background(self.camera, frame, self._bg)
        np.copyto(self._bg_boxes, self._bg)
        for b in order:
            self.set.draw_box(self._bg_boxes, b, self.camera, frame)
        self._key, self._order = self.camera.key(frame), order

    def frame(self, index: int, out: np.ndarray | None = None) -> np.ndarray:
        """Frame ``index`` as RGB uint8; the returned buffer is reused by the next call.

        The set behind the mannequins is cached while the camera holds still; a camera
        that moves on at the next frame draws it straight into the frame instead."""
        img = self._out if out is None else out
        camera = self.camera
        key = camera.key(index)
        cached = key == self._key
        order = self._order
        if not cached:
            order = self.set.box_order(camera, index)
            if index + 1 < camera.frames and camera.key(index + 1) == key:
                self._cache_background(index, order)
                cached = True
        joints = np.asarray(self.poses[index], dtype=np.float64)
        parts = build_parts(joints, self.bodies, camera, index) if len(self.bodies) else None
        slots = None
        if parts is not None and self.set.boxes and len(parts.depth):
            behind = self.set.behind(parts.centre, camera, index)[:, order]
            if behind.any():
                slots = np.where(behind.any(1), behind.argmax(1), len(order))
        if slots is None:
            if cached:
                np.copyto(img, self._bg_boxes)
            else:
                self.set.background(camera, index, img)
                for b in order:
                    self.set.draw_box(img, b, camera, index)
            if parts is not None:
                _paint(img, parts, np.argsort(-parts.depth, kind="stable"))
        else:
            assert parts is not None
            if cached:
                np.copyto(img, self._bg)
            else:
                self.set.background(camera, index, img)
            for slot in range(len(order) + 1):
                chosen = np.nonzero(slots == slot)[0]
                _paint(img, parts, chosen[np.argsort(-parts.depth[chosen], kind="stable")])
                if slot < len(order):
                    self.set.draw_box(img, order[slot], camera, index)
        if self.labels:
            self._labels(img, joints, index)
        if self.burnin is not None:
            self.burnin.draw(img, index)
        return img

    def _labels(self, img: np.ndarray, joints: np.ndarray, index: int) -> None:
        heads = joints[:, INDEX["head"]].copy()
        heads[:, 1] += np.array(self.heights) * 0.16
        px = self.camera.project(heads, index)
        for name, p in zip(self.names, px, strict=True):
            if not np.all(np.isfinite(p)):
                continue
            (tw, th), _ = cv2.getTextSize(name, LABEL_FONT, self.label_scale, 1)
            x, y = int(p[0] - tw / 2), int(p[1])
            if -tw < x < self.width and 0 < y < self.height + th:
                cv2.putText(img, name, (x + 1, y + 1), LABEL_FONT, self.label_scale, (20, 20, 20),
                            1, cv2.LINE_AA)  # fmt: skip
                cv2.putText(img, name, (x, y), LABEL_FONT, self.label_scale, (250, 250, 250), 1,
                            cv2.LINE_AA)  # fmt: skip


def _paint(img: np.ndarray, parts: Parts, order: np.ndarray) -> None:
    polygons, colors = parts.polygons, parts.colors
    for i in order.tolist():
        poly, col = polygons[i], colors[i]
        cv2.fillConvexPoly(img, poly[0], col[0], cv2.LINE_AA, SHIFT)
        cv2.fillConvexPoly(img, poly[1], col[1], cv2.LINE_AA, SHIFT)
        cv2.fillConvexPoly(img, poly[2], col[2], cv2.LINE_AA, SHIFT)
