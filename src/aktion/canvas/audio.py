"""A scene's temp score mixed into its cut: video packets copied, audio encoded AAC.

The score is cut or padded with silence to the picture's exact length, so the
cut's duration stays the picture's. It is decoded and encoded in blocks, so memory
stays flat however long the score file is."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from aktion.media.atomic import atomic_path
from aktion.media.errors import MediaError

RATE = 48000


STEP = 1024  # samples per AAC frame


def _chunks(path: Path) -> Iterator[np.ndarray]:
    """The sound file as stereo float32 at 48 kHz, shape (2, n), chunk by chunk as it is
    decoded: a one-hour score is never held whole, and stops being read once the picture
    has all it needs."""
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
    try:
        with av.open(str(path)) as c:
            if not c.streams.audio:
                raise MediaError(f"{path}: no audio stream in the score")
            for frame in c.decode(audio=0):
                for f in resampler.resample(frame):
                    yield f.to_ndarray()
            for f in resampler.resample(None):
                yield f.to_ndarray()
    except av.error.FFmpegError as e:
        raise MediaError(f"{path}: not a readable sound file: {e}") from None


def _score(sound: Path, samples: int) -> Iterator[np.ndarray]:
    """Exactly ``samples`` samples of the score, in AAC-frame blocks of ``STEP``: cut at
    the picture's end, padded with silence past the score's."""
    pending = np.zeros((2, 0), np.float32)
    sent = 0
    for chunk in _chunks(sound):
        room = samples - sent - pending.shape[1]
        pending = np.concatenate([pending, chunk[:, :room]], axis=1)
        while pending.shape[1] >= STEP:
            yield pending[:, :STEP]
            pending, sent = pending[:, STEP:], sent + STEP
        if sent + pending.shape[1] >= samples:
            break
    while sent < samples:  # what is left, then silence to the end of the picture
        n = min(STEP, samples - sent)
        block = np.zeros((2, n), np.float32)
        k = min(n, pending.shape[1])
        block[:, :k] = pending[:, :k]
        pending = pending[:, k:]
        yield block
        sent += n


def mix(video: Path, sound: Path, out: Path, gain: float = 1.0) -> int:
    """Write ``out``: ``video``'s packets plus ``sound`` as AAC; returns audio samples."""
    with av.open(str(video)) as src:
        vs = src.streams.video[0]
        frames = vs.frames or sum(1 for p in src.demux(vs) if p.size)
        fps = vs.average_rate or Fraction(24)
    samples = round(frames / fps * RATE)
    with (
        atomic_path(out) as tmp,
        av.open(str(video)) as src,
        av.open(str(tmp), mode="w", format="mp4") as dst,
    ):
        vin = src.streams.video[0]
        vout = dst.add_stream_from_template(vin)
        aout = dst.add_stream("aac", rate=RATE, layout="stereo")
        for packet in src.demux(vin):
            if packet.dts is None:
                continue
            packet.stream = vout
            dst.mux(packet)
        at = 0
        for block in _score(sound, samples):
            pcm = np.ascontiguousarray(np.clip(block * gain, -1.0, 1.0), dtype=np.float32)
            frame = av.AudioFrame.from_ndarray(pcm, format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = at
            frame.time_base = Fraction(1, RATE)
            dst.mux(aout.encode(frame))
            at += pcm.shape[1]
        dst.mux(aout.encode(None))
    return samples
