"""Put a watermark into a picture file, and sample frames from one to read it back.

Images are read and written with OpenCV (8-bit RGB or RGBA; the alpha channel is
kept as it was). A video is decoded, marked frame by frame and encoded again with
the shared encoding recipe, so marked shots still join by stream copy; other
streams (sound) are copied as they are. Writes are atomic.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from aktion.media.atomic import atomic_path
from aktion.media.encoding import CODEC, PIX_FMT, THREADS, Encoding

from .watermark import Marker

IMAGES = {".png", ".jpg", ".jpeg", ".webp"}
VIDEOS = {".mp4", ".m4v", ".mov"}


def is_picture(path: Path) -> bool:
    return Path(path).suffix.lower() in IMAGES | VIDEOS


def mark_file(src: Path, dst: Path, mark: str) -> bool:
    """Write ``src`` with ``mark`` in every frame to ``dst``; False if it cannot carry one
    (too small, not 8-bit colour), and then nothing is written."""
    suffix = Path(src).suffix.lower()
    if suffix in IMAGES:
        return _mark_image(Path(src), Path(dst), mark)
    if suffix in VIDEOS:
        return _mark_video(Path(src), Path(dst), mark)
    return False


def _mark_image(src: Path, dst: Path, mark: str) -> bool:
    img = cv2.imread(str(src), cv2.IMREAD_UNCHANGED)
    if img is None or img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] not in (3, 4):
        return False
    h, w = img.shape[:2]
    marker = Marker(mark, w, h)
    if not marker.ok:
        return False
    rgb = cv2.cvtColor(img[..., :3], cv2.COLOR_BGR2RGB)
    img = img.copy()
    img[..., :3] = cv2.cvtColor(marker(rgb), cv2.COLOR_RGB2BGR)
    params = [cv2.IMWRITE_JPEG_QUALITY, 95] if src.suffix.lower() in (".jpg", ".jpeg") else []
    ok, data = cv2.imencode(dst.suffix.lower() or src.suffix.lower(), img, params)
    if not ok:
        return False
    with atomic_path(dst) as tmp:
        tmp.write_bytes(data.tobytes())
    return True


def _mark_video(src: Path, dst: Path, mark: str) -> bool:
    with av.open(str(src)) as probe:
        if not probe.streams.video:
            return False
        vs = probe.streams.video[0]
        w, h = vs.codec_context.width, vs.codec_context.height
        rate = vs.average_rate or vs.guessed_rate or Fraction(24)
    marker = Marker(mark, w, h)
    if not marker.ok:
        return False
    encoding = Encoding(Fraction(rate).limit_denominator(1001))
    with atomic_path(dst) as tmp, av.open(str(src)) as inp, av.open(str(tmp), "w") as out:
        vin = inp.streams.video[0]
        vout = out.add_stream(CODEC, rate=encoding.fps, options=encoding.options())
        vout.width, vout.height, vout.pix_fmt = w, h, PIX_FMT
        vout.codec_context.time_base = 1 / encoding.fps
        vout.thread_count = THREADS
        others = {s.index: out.add_stream_from_template(s) for s in inp.streams
                  if s.type == "audio"}
        n = 0
        for packet in inp.demux(vin, *[s for s in inp.streams if s.index in others]):
            if packet.stream.index in others:
                if packet.dts is not None:
                    packet.stream = others[packet.stream.index]
                    out.mux(packet)
                continue
            for frame in packet.decode():
                rgb = marker(frame.to_ndarray(format="rgb24"))
                vf = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                vf.pts, vf.time_base = n, 1 / encoding.fps
                out.mux(vout.encode(vf))
                n += 1
        out.mux(vout.encode(None))
    return True


def sample_frames(path: Path, count: int = 24) -> list[np.ndarray]:
    """Up to ``count`` RGB frames spread over a picture file (one for an image)."""
    path = Path(path)
    if path.suffix.lower() not in VIDEOS:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if img is None:
            try:
                return [f for f, _ in zip(_frames(path), range(1), strict=False)]
            except (av.error.FFmpegError, OSError):
                return []
        return [cv2.cvtColor(img, cv2.COLOR_BGR2RGB)]
    try:
        with av.open(str(path)) as c:
            total = c.streams.video[0].frames if c.streams.video else 0
    except (av.error.FFmpegError, OSError):
        return []
    every = max(1, total // count) if total else 4
    return [f for i, f in enumerate(_frames(path)) if i % every == 0][:count]


def _frames(path: Path) -> Iterator[np.ndarray]:
    """Decoded frames, as many as can be read: a damaged file yields what precedes the
    damage, never an exception."""
    try:
        with av.open(str(path)) as c:
            for frame in c.decode(video=0):
                yield frame.to_ndarray(format="rgb24")
    except (av.error.FFmpegError, OSError, ValueError):
        return
