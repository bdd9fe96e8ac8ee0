"""Media I/O at the edge: video writing and reading, the cut's stitching, images.

The names below are loaded on first use (PEP 562), so a module that needs only
``aktion.media.atomic`` or ``aktion.media.errors`` does not load PyAV and OpenCV."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import MediaError
    from .stitch import StitchReport, stitch
    from .transitions import TransitionSpec
    from .video import VideoInfo, VideoWriter, iter_frames, probe, read_frame

_WHERE = {
    "MediaError": "errors",
    "StitchReport": "stitch",
    "stitch": "stitch",
    "TransitionSpec": "transitions",
    "VideoInfo": "video",
    "VideoWriter": "video",
    "iter_frames": "video",
    "probe": "video",
    "read_frame": "video",
}

__all__ = [
    "MediaError",
    "StitchReport",
    "TransitionSpec",
    "VideoInfo",
    "VideoWriter",
    "iter_frames",
    "probe",
    "read_frame",
    "stitch",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
