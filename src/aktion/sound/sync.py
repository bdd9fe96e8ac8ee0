"""Where sounds are heard in a rendered track, found from the signal alone.

An impact is the sharpest rise of low-band energy (its thump; the whoosh before it
has little) near where it should be: the 5 ms after it against the 30 ms before; a line starts at the first sample of the dialogue
stem above -40 dBFS. Sync is the distance, in frames, from where the picture says.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt

from . import RATE

HOP = 48  # 1 ms at 48 kHz
AHEAD, BEHIND = 5, 30  # hops
VOICE = 10 ** (-40 / 20)


def onset_strength(pcm: np.ndarray) -> np.ndarray:
    """Per 1 ms hop: low-band energy over the next 5 ms against the 30 ms before (log10)."""
    sos = butter(4, 300, btype="lowpass", fs=RATE, output="sos")
    x = sosfilt(sos, np.atleast_2d(pcm).mean(axis=0).astype(np.float64))
    n = x.size // HOP
    hop = (x[: n * HOP].reshape(n, HOP) ** 2).mean(axis=1)
    c = np.r_[0.0, np.cumsum(hop)]
    i = np.arange(n)
    ahead = (c[np.minimum(i + AHEAD, n)] - c[i]) / AHEAD
    behind = (c[i] - c[np.maximum(i - BEHIND, 0)]) / BEHIND
    return np.log10(ahead + 1e-10) - np.log10(behind + 1e-10)


def impact_error(strength: np.ndarray, frame: int, fps: int, search: int = 3) -> float | None:
    """Frames from ``frame`` to the strongest onset within ``search`` frames (None: none)."""
    per_frame = RATE / fps / HOP
    expected = round(frame * per_frame)
    lo = max(0, expected - round(search * per_frame))
    window = strength[lo:expected + round(search * per_frame)]
    if not window.size or window.max() < 0.5:  # no 5 dB rise: nothing hit there
        return None
    return (lo + int(np.argmax(window)) - expected) / per_frame


def line_error(dialogue: np.ndarray, frame: int, fps: int, search: int = 3) -> float | None:
    """Frames from ``frame`` to where the voice starts (None: no voice near it)."""
    level = np.abs(np.atleast_2d(dialogue)).max(axis=0)
    per_frame = RATE / fps
    lo = max(0, round((frame - search) * per_frame))
    heard = np.nonzero(level[lo:round((frame + search) * per_frame)] > VOICE)[0]
    return None if not len(heard) else (lo + int(heard[0])) / per_frame - frame
