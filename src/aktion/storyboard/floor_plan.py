"""A panel's mini floor plan: who stands where facing which way, the camera, the 180° line.

Seen from above, x to the right and z towards the bottom of the page (the
floor plan's own handedness), scaled to fit the marks and the camera in a
unit square. The line of action runs through the first two blocked
characters; the camera should stay on one side of it from shot to shot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aktion.previz.camera import CameraPath
from aktion.production.board import Shot

Point = tuple[float, float]


@dataclass(frozen=True)
class PlanMark:
    who: str
    at: Point  # unit square, y down
    facing: Point  # unit vector, y down


@dataclass(frozen=True)
class PlanView:
    marks: list[PlanMark]
    camera: Point | None
    camera_facing: Point | None
    line: tuple[Point, Point] | None  # the 180° line across the unit square


def _unit(deg: float) -> Point:
    r = math.radians(deg)
    return (math.cos(r), math.sin(r))


def plan_view(shot: Shot, camera: CameraPath | None, frame: int = 0) -> PlanView:
    """The shot's plan in a unit square (y down = +z), camera at ``frame`` when known."""
    pts: list[Point] = [tuple(m.at) for m in shot.blocking]  # type: ignore[misc]
    cam = cam_dir = None
    if camera is not None and camera.frames:
        f = min(max(frame, 0), camera.frames - 1)
        cam = (float(camera.position[f][0]), float(camera.position[f][2]))
        cam_dir = _unit(float(camera.yaw[f]))
        pts.append(cam)
    if not pts:
        return PlanView([], None, None, None)
    xs, zs = [p[0] for p in pts], [p[1] for p in pts]
    cx, cz = (min(xs) + max(xs)) / 2, (min(zs) + max(zs)) / 2
    span = max(max(xs) - min(xs), max(zs) - min(zs), 1.0) * 1.5

    def to_unit(p: Point) -> Point:
        return (0.5 + (p[0] - cx) / span, 0.5 + (p[1] - cz) / span)

    marks = [PlanMark(m.who, to_unit(m.at), _unit(m.facing)) for m in shot.blocking]
    line = None
    if len(shot.blocking) >= 2:
        a, b = shot.blocking[0].at, shot.blocking[1].at
        dx, dz = b[0] - a[0], b[1] - a[1]
        n = math.hypot(dx, dz)
        if n > 1e-6:
            reach = span  # long enough to cross the square
            mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            ends = [(mid[0] + s * dx / n * reach, mid[1] + s * dz / n * reach) for s in (-1, 1)]
            line = (to_unit(ends[0]), to_unit(ends[1]))
    return PlanView(marks, to_unit(cam) if cam else None, cam_dir, line)


def side_of_line(view: PlanView, p: Point) -> float:
    """Signed side of ``p`` relative to the plan's line (0 without a line)."""
    if view.line is None:
        return 0.0
    (x1, y1), (x2, y2) = view.line
    return (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1)
