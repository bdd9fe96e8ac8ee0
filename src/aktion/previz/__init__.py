"""The built-in CPU previz renderer.

Mannequins in the cast's proportions and palette perform a shot's choreography
through the board's camera on a simple set: fast, deterministic, no GPU. The
pieces are small and separate: a skeleton (``skeleton``), a data-driven move
library (``moves`` and the ``moves/`` folder), beats to clips (``schedule``), a
performance solver (``performance``), the board's camera (``camera``), drawing
(``set``, ``mannequin``, ``burnin``, ``draw``), depth maps (``depth``), and
``stage``, which strings them together for a shot. ``bench/bench_draw.py``
measures the drawing speed.
"""

from .camera import CameraPath, shot_camera
from .moves import Move, MoveLibrary
from .performance import Contact, Performance, solve
from .skeleton import JOINTS, Skeleton
from .stage import Stage

__all__ = [
    "JOINTS",
    "CameraPath",
    "Contact",
    "Move",
    "MoveLibrary",
    "Performance",
    "Skeleton",
    "Stage",
    "shot_camera",
    "solve",
]
