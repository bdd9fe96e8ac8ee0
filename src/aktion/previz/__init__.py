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

from importlib import import_module
from typing import Any

_HOME = {
    "CameraPath": "camera", "shot_camera": "camera", "Move": "moves", "MoveLibrary": "moves",
    "Contact": "performance", "Performance": "performance", "solve": "performance",
    "JOINTS": "skeleton", "Skeleton": "skeleton", "Stage": "stage",
}  # fmt: skip
__all__ = ["JOINTS", "CameraPath", "Contact", "Move", "MoveLibrary", "Performance", "Skeleton",
           "Stage", "shot_camera", "solve"]


def __getattr__(name: str) -> Any:
    """Import a name's module when it is first asked for: importing ``aktion.previz.moves``
    to list move names need not load the renderer (OpenCV, the solver)."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
