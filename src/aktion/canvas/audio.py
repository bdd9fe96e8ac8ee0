"""A scene's temp score mixed into its cut: video packets copied, audio encoded AAC.

The score is cut or padded with silence to the picture's exact length, so the
cut's duration stays the picture's."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from aktion.media.atomic import atomic_path

RATE = 48000


def _pcm(path: Path) -> np.ndarray:
    """The whole sound file as stereo float32 at 48 kHz, shape (2, samples)."""
    chunks = []
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
    with av.open(str(path)) as c:
        for frame in c.decode(audio=0):
            for f in resampler.resample(frame):
                chunks.append(f.to_ndarray())
        for f in resampler.resample(None):
            chunks.append(f.to_ndarray())
    return np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)


def mix(video: Path, sound: Path, out: Path, gain: float = 1.0) -> int:
    """Write ``out``: ``video``'s packets plus ``sound`` as AAC; returns audio samples."""
    with av.open(str(video)) as src:
        vs = src.streams.video[0]
        frames = vs.frames or sum(1 for p in src.demux(vs) if p.size)
        fps = vs.average_rate or Fraction(24)
    samples = round(frames / fps * RATE)
    pcm = _pcm(sound)[:, :samples] * gain
    if pcm.shape[1] < samples:
        pcm = np.pad(pcm, ((0, 0), (0, samples - pcm.shape[1])))
    pcm = np.clip(pcm, -1.0, 1.0).astype(np.float32)
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
        step = 1024
        for at in range(0, samples, step):
            chunk = np.ascontiguousarray(pcm[:, at : at + step])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = at
            frame.time_base = Fraction(1, RATE)
            dst.mux(aout.encode(frame))
        dst.mux(aout.encode(None))
    return samples
