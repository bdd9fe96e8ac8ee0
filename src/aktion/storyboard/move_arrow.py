"""The camera move as a board draws it: a named direction and an arrow on the frame.

The direction is read from the camera path the shot was rendered with, not
from the sign of ``amount``, so it is what the audience will see: a dolly
that moves along the lens is "in", a pan whose picture slides left is a pan
right, a crane whose camera rises is "up".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from aktion.previz.camera import CameraPath
from aktion.production.board import CameraMove

EPS_M = 0.02  # metres of travel below which a move reads as static
EPS_PX = 0.01  # share of the frame width a pan or tilt must slide the picture

ARROW = (255, 214, 10)  # board yellow
OUTLINE = (20, 20, 20)


@dataclass(frozen=True)
class MoveArrow:
    """``kind`` is the board move; ``direction`` one of in/out/left/right/up/down or ""."""

    kind: str
    direction: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.direction}".strip()


def _span(move: CameraMove, frames: int) -> tuple[int, int]:
    start = min(max(int(move.start), 0), frames - 1)
    end = frames - 1 if move.end is None else min(max(int(move.end), start), frames - 1)
    return start, end


def describe_move(move: CameraMove, camera: CameraPath | None) -> MoveArrow:
    """The move and the direction its camera path takes ("" when it cannot tell)."""
    if move.type in ("static", "handheld") or camera is None or camera.frames < 2:
        return MoveArrow(move.type)
    s, e = _span(move, camera.frames)
    right, _, fwd = camera.basis[s]
    travel = camera.position[e] - camera.position[s]
    kind = move.type
    if kind in ("pan", "tilt"):
        # where the point the camera looked at lands at the end: the picture slides
        # the other way from the camera
        px = camera.project(camera.position[s] + fwd * 10.0, e)
        if np.isnan(px).any():
            return MoveArrow(kind)
        dx = (px[0] - camera.width / 2) / camera.width
        dy = (px[1] - camera.height / 2) / camera.width
        if kind == "pan":
            return MoveArrow(kind, "" if abs(dx) < EPS_PX else ("right" if dx < 0 else "left"))
        return MoveArrow(kind, "" if abs(dy) < EPS_PX else ("up" if dy > 0 else "down"))
    if kind == "dolly":
        along = float(travel @ fwd)
        return MoveArrow(kind, "" if abs(along) < EPS_M else ("in" if along > 0 else "out"))
    if kind == "crane":
        up = float(travel[1])
        return MoveArrow(kind, "" if abs(up) < EPS_M else ("up" if up > 0 else "down"))
    side = float(travel @ right)  # truck and orbit: which way the camera travels
    return MoveArrow(kind, "" if abs(side) < EPS_M else ("right" if side > 0 else "left"))


def _arrow(image: np.ndarray, a: tuple[int, int], b: tuple[int, int], width: int) -> None:
    for color, w in ((OUTLINE, width + 3), (ARROW, width)):
        cv2.arrowedLine(image, a, b, color, w, cv2.LINE_AA, tipLength=0.25)


def draw_move(image: np.ndarray, arrow: MoveArrow) -> np.ndarray:
    """Draw the move's arrow on a copy of ``image`` (RGB); static and handheld draw none."""
    out = image.copy()
    h, w = out.shape[:2]
    width = max(2, w // 120)
    cx, cy = w // 2, h // 2
    d = arrow.direction
    if not d:
        return out
    if arrow.kind == "orbit":
        axes = (w // 4, h // 10)
        centre = (cx, int(h * 0.82))
        a0, a1 = (200, 340) if d == "right" else (340, 200)
        for color, lw in ((OUTLINE, width + 3), (ARROW, width)):
            cv2.ellipse(out, centre, axes, 0, min(a0, a1), max(a0, a1), color, lw, cv2.LINE_AA)
        tip = np.radians(a1)
        end = (int(centre[0] + axes[0] * np.cos(tip)), int(centre[1] + axes[1] * np.sin(tip)))
        back = np.radians(a1 - 12 if a1 > a0 else a1 + 12)
        start = (int(centre[0] + axes[0] * np.cos(back)), int(centre[1] + axes[1] * np.sin(back)))
        _arrow(out, start, end, width)
    elif d in ("left", "right"):
        y = int(h * 0.85)
        a, b = (int(w * 0.3), y), (int(w * 0.7), y)
        _arrow(out, a if d == "right" else b, b if d == "right" else a, width)
    elif d in ("up", "down"):
        x = int(w * 0.9)
        a, b = (x, int(h * 0.7)), (x, int(h * 0.3))
        _arrow(out, a if d == "up" else b, b if d == "up" else a, width)
    elif d in ("in", "out"):
        for sx, sy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
            outer = (cx + sx * int(w * 0.42), cy + sy * int(h * 0.4))
            inner = (cx + sx * int(w * 0.3), cy + sy * int(h * 0.27))
            _arrow(out, outer if d == "in" else inner, inner if d == "in" else outer, width)
    return out
