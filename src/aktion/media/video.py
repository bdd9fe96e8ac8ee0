"""Streaming H.264 video I/O through PyAV: write frame by frame, probe, read back.

Every clip is written with the shared :mod:`encoding` recipe so the cut can
concatenate shots by stream copy. Writes are atomic: a temp file beside the
target is renamed into place only on a clean close.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Self

import av
import numpy as np

from .atomic import commit, temp_beside
from .encoding import CODEC, PIX_FMT, THREADS, Encoding
from .errors import MediaError

FrameFilter = Callable[[np.ndarray], np.ndarray]
# Set by the engine around one step (per thread): given a writer's path and size, the
# filter every frame it writes goes through (provenance's watermark), or None.
FRAME_HOOK: ContextVar[Callable[[Path, int, int], FrameFilter | None] | None] = ContextVar(
    "aktion_frame_hook", default=None)


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
        hook = FRAME_HOOK.get()
        self._filter = hook(self.path, width, height) if hook is not None else None

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
        if self._filter is not None:
            frame = self._filter(frame)
        # Wrapped in place, not copied: the encoder converts it to YUV before returning.
        vf = av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(frame), format="rgb24")
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


@dataclass(frozen=True)
class VideoInfo:
    """What a clip is, read from the file itself; ``frames`` counts demuxed packets."""

    path: Path
    width: int
    height: int
    fps: Fraction
    frames: int
    codec: str
    pix_fmt: str
    keyframes: tuple[int, ...] = field(repr=False)
    """Indices (in decode order) of the frames a decoder can start at."""
    reordered: bool = field(repr=False)
    """True when decode order differs from display order (B-frames)."""
    extradata: bytes = field(repr=False, default=b"")

    @property
    def duration(self) -> float:
        """Seconds, from the exact frame count."""
        return float(self.frames / self.fps)


MAX_SIDE = 8192  # pixels: DCI 8K is 8192 wide
MAX_PIXELS = 7680 * 4320  # the largest frame a production renders (8K UHD, 33 MP)
"""Clips larger than this are refused before a frame is decoded: one 8192x8192 RGB frame
is 200 MB, and a reader holds several."""


def _open(path: Path) -> av.container.InputContainer:
    """Open a video for reading, turning every failure into a MediaError naming it;
    a frame size past ``MAX_PIXELS`` (or a side past ``MAX_SIDE``) is refused here."""
    if not path.exists():
        raise MediaError(f"{path}: no such file")
    if not path.is_file():
        raise MediaError(f"{path}: not a regular file")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: file is empty")
    try:
        container = av.open(str(path), mode="r")
    except av.error.FFmpegError as e:
        raise MediaError(f"{path}: not a readable video (truncated or corrupt?): {e}") from e
    if not container.streams.video:
        container.close()
        raise MediaError(f"{path}: contains no video stream")
    ctx = container.streams.video[0].codec_context
    w, h = ctx.width or 0, ctx.height or 0
    if w * h > MAX_PIXELS or max(w, h) > MAX_SIDE:
        container.close()
        raise MediaError(f"{path}: {w}x{h} frames are too large to decode (at most "
                         f"{MAX_PIXELS / 1e6:.0f} megapixels, {MAX_SIDE} pixels a side; "
                         "the largest production format is 7680x4320)")
    return container


def probe(path: Path | str) -> VideoInfo:
    """Describe a video by demuxing every packet (no decoding): exact and fast."""
    path = Path(path)
    size = path.stat().st_size if path.is_file() else 0
    with _open(path) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        keyframes: list[int] = []
        last_pts: int | None = None
        reordered = False
        n = 0
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue  # the demuxer's end-of-stream marker
                past_end = packet.pos is not None and packet.pos + packet.size > size
                if packet.is_corrupt or past_end:
                    raise MediaError(f"{path}: truncated or corrupt at frame {n}")
                if packet.is_keyframe:
                    keyframes.append(n)
                if packet.pts is not None:
                    if last_pts is not None and packet.pts <= last_pts:
                        reordered = True
                    last_pts = packet.pts
                n += 1
        except av.error.FFmpegError as e:
            raise MediaError(f"{path}: corrupt after frame {n}: {e}") from e
        if n == 0:
            raise MediaError(f"{path}: video stream has no frames")
        if stream.frames and n < stream.frames:
            raise MediaError(f"{path}: truncated: {n} of {stream.frames} frames present")
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        if not rate:
            raise MediaError(f"{path}: frame rate unknown")
        return VideoInfo(
            path=path,
            width=ctx.width,
            height=ctx.height,
            fps=Fraction(rate),
            frames=n,
            codec=ctx.name,
            pix_fmt=ctx.pix_fmt or "",
            keyframes=tuple(keyframes),
            reordered=reordered,
            extradata=bytes(ctx.extradata or b""),
        )


def iter_frames(path: Path | str, start: int = 0, stop: int | None = None) -> Iterator[np.ndarray]:
    """Yield RGB uint8 frames ``start`` to ``stop`` (exclusive), decoding as it goes.

    Without B-frames, decoding starts at the last keyframe at or before ``start``,
    so reading a clip's tail does not decode its whole head.
    """
    path = Path(path)
    if start < 0 or (stop is not None and stop < start):
        raise ValueError(f"bad frame range [{start}, {stop})")
    info = probe(path)
    first = 0
    if not info.reordered:
        first = max((k for k in info.keyframes if k <= start), default=0)
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        index, decoded = 0, first
        try:
            for packet in container.demux(stream):
                if packet.size and index < first:
                    index += 1
                    continue
                index += 1 if packet.size else 0
                for frame in stream.decode(packet if packet.size else None):
                    if stop is not None and decoded >= stop:
                        return
                    if decoded >= start:
                        yield frame.to_ndarray(format="rgb24")
                    decoded += 1
        except av.error.FFmpegError as e:
            raise MediaError(f"{path}: corrupt near frame {decoded}: {e}") from e


def read_frame(path: Path | str, index: int) -> np.ndarray:
    """One RGB frame by its index (0-based, display order)."""
    for frame in iter_frames(path, index, index + 1):
        return frame
    raise IndexError(f"{path}: no frame {index} (it has {probe(path).frames})")
