"""Media I/O at the edge: video writing and reading, the cut's stitching, images."""

from .errors import MediaError
from .video import VideoWriter

__all__ = ["MediaError", "VideoWriter"]
