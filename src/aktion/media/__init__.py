"""Media I/O at the edge: video writing and reading, the cut's stitching, images."""

from .errors import MediaError
from .stitch import StitchReport, stitch
from .transitions import TransitionSpec
from .video import VideoInfo, VideoWriter, iter_frames, probe, read_frame

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
