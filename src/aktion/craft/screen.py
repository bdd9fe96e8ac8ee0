"""Where characters sit on screen, from the floor plan and the camera's side of the line.

A scene's line of action runs through its first pair of blocked characters,
oriented along +x of the floor plan. A camera on the ``left`` side sees the line
run left to right across the screen; on the ``right`` side, right to left. That is
all the 180° rule needs: which character is screen-left, and which way each looks.
"""

from __future__ import annotations

import math

from aktion.production.board import Scene, Shot

Vec = tuple[float, float]


def line_of_action(scene: Scene) -> Vec:
    """Unit direction of the scene's line of action (+x when nobody is paired)."""
    for shot in scene.shots:
        if len(shot.blocking) >= 2:
            (ax, az), (bx, bz) = shot.blocking[0].at, shot.blocking[1].at
            dx, dz = bx - ax, bz - az
            norm = math.hypot(dx, dz)
            if norm > 1e-6:
                if dx < 0 or (dx == 0 and dz < 0):
                    dx, dz = -dx, -dz
                return dx / norm, dz / norm
    return 1.0, 0.0


def _sign(shot: Shot) -> float:
    return 1.0 if shot.side == "left" else -1.0


def screen_x(shot: Shot, at: Vec, line: Vec) -> float:
    """Position along the screen's horizontal (larger is further right)."""
    return _sign(shot) * (at[0] * line[0] + at[1] * line[1])


def look(shot: Shot, facing: float, line: Vec) -> float:
    """Which way a character looks on screen: > 0 right, < 0 left, ~0 at or away from us."""
    fx, fz = math.cos(math.radians(facing)), math.sin(math.radians(facing))
    return _sign(shot) * (fx * line[0] + fz * line[1])


def order(shot: Shot, line: Vec) -> dict[str, float]:
    """Screen x of every blocked character in the shot."""
    return {m.who: screen_x(shot, m.at, line) for m in shot.blocking}


def framed(shot: Shot) -> list[str]:
    """Who the camera shows: the ``frame`` list, else everyone blocked."""
    return list(shot.frame) or [m.who for m in shot.blocking]
