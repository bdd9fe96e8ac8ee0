"""The scene's temp score: any sound file PyAV reads, as stereo at the mix's rate."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from . import RATE


def decode(path: Path) -> np.ndarray:
    """The whole file as stereo float32 at ``RATE``, shape (2, samples)."""
    chunks = []
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
    with av.open(str(path)) as c:
        for frame in c.decode(audio=0):
            chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
        chunks.extend(f.to_ndarray() for f in resampler.resample(None))
    return np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)


def fitted(pcm: np.ndarray, samples: int, fade_s: float = 1.5) -> np.ndarray:
    """The score cut or padded to the scene, faded out over its last ``fade_s``."""
    out = np.zeros((2, samples), np.float32)
    n = min(samples, pcm.shape[1])
    out[:, :n] = pcm[:, :n]
    fade = min(int(fade_s * RATE), samples)
    if fade:
        out[:, samples - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out
