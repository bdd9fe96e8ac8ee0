"""The built-in CPU previz renderer.

Mannequins in the cast's proportions and palette perform a shot's choreography
through the board's camera on a simple set: fast, deterministic, no GPU. The
pieces are small and separate: a skeleton (``skeleton``), a data-driven move
library (``moves``), a performance solver (``performance``), the board's camera
(``camera``), and drawing (``set``, ``mannequin``, ``draw``).
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
