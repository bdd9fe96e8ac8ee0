"""Streaming H.264 video I/O through PyAV: write frame by frame, probe, read back.

Every clip is written with the shared :mod:`encoding` recipe so the cut can
concatenate shots by stream copy. Writes are atomic: a temp file beside the
target is renamed into place only on a clean close.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Self

import av
import numpy as np

from .atomic import commit, temp_beside
from .encoding import CODEC, PIX_FMT, THREADS, Encoding


def as_fps(fps: float | Fraction) -> Fraction:
    """A frame rate as an exact fraction (29.97 -> 30000/1001)."""
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    return rate


class VideoWriter:
    """Encode RGB frames to an H.264 file, one at a time, with flat memory.

    Use as a context manager; the file appears at ``path`` only when the block
    exits without an exception.
    """

    def __init__(
        self,
        path: Path | str,
        width: int,
        height: int,
        fps: float | Fraction,
        *,
        crf: int = 20,
        preset: str = "veryfast",
    ) -> None:
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"yuv420p needs a positive even size, got {width}x{height}")
        self.path = Path(path)
        self.width = width
        self.height = height
        self.encoding = Encoding(as_fps(fps), crf=crf, preset=preset)
        self.frames = 0
        self._tmp: Path | None = None
        self._container: av.container.OutputContainer | None = None
        self._stream: av.VideoStream | None = None

    @property
    def fps(self) -> Fraction:
        return self.encoding.fps

    def __enter__(self) -> Self:
        self._tmp = temp_beside(self.path)
        try:
            self._container = av.open(str(self._tmp), mode="w")
            stream = self._container.add_stream(
                CODEC, rate=self.fps, options=self.encoding.options()
            )
            stream.width = self.width
            stream.height = self.height
            stream.pix_fmt = PIX_FMT
            stream.codec_context.time_base = 1 / self.fps
            stream.thread_count = THREADS
            self._stream = stream
        except BaseException:
            self._abort()
            raise
        return self

    def write(self, frame: np.ndarray) -> None:
        """Encode one RGB uint8 frame of shape (height, width, 3)."""
        if self._container is None or self._stream is None:
            raise RuntimeError("VideoWriter.write outside its `with` block")
        if frame.dtype != np.uint8 or frame.shape != (self.height, self.width, 3):
            raise ValueError(
                f"expected uint8 RGB frame of shape {(self.height, self.width, 3)}, "
                f"got {frame.dtype} {frame.shape}"
            )
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        vf.pts = self.frames
        vf.time_base = 1 / self.fps
        self._container.mux(self._stream.encode(vf))
        self.frames += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._abort()
            return
        try:
            assert self._container is not None and self._stream is not None
            self._container.mux(self._stream.encode(None))
            self._container.close()
            self._container = None
            assert self._tmp is not None
            commit(self._tmp, self.path)
            self._tmp = None
        except BaseException:
            self._abort()
            raise

    def _abort(self) -> None:
        if self._container is not None:
            with contextlib.suppress(Exception):  # already failing; the temp goes anyway
                self._container.close()
            self._container = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
