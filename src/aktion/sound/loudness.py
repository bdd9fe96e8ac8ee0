"""Loudness to a target (ITU-R BS.1770 / EBU R128, measured with ``pyloudnorm``) under a
true-peak ceiling (4x oversampled peaks, as BS.1770 Annex 2 measures them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

from . import RATE

OVERSAMPLE = 4
LOOKAHEAD_S = 0.002


@dataclass(frozen=True)
class Levels:
    loudness: float  # LUFS, integrated (-inf for silence)
    true_peak: float  # dBTP


def loudness(pcm: np.ndarray, rate: int = RATE) -> float:
    """Integrated loudness in LUFS of (channels x n) audio; -inf when too short or silent."""
    data = np.atleast_2d(pcm).T.astype(np.float64)
    if data.shape[0] < int(0.4 * rate) + 1:
        return float("-inf")
    return float(pyloudnorm.Meter(rate).integrated_loudness(data))


def true_peak(pcm: np.ndarray) -> float:
    """The highest inter-sample peak in dBTP."""
    up = resample_poly(np.atleast_2d(pcm).astype(np.float64), OVERSAMPLE, 1, axis=-1)
    peak = float(np.max(np.abs(up))) if up.size else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def _peak_envelope(pcm: np.ndarray) -> np.ndarray:
    """Per sample: the highest oversampled magnitude over every channel near it."""
    up = np.abs(resample_poly(np.atleast_2d(pcm).astype(np.float64), OVERSAMPLE, 1, axis=-1))
    n = pcm.shape[-1]
    up = up[:, : n * OVERSAMPLE].reshape(up.shape[0], n, OVERSAMPLE).max(axis=(0, 2))
    return up


def limit(pcm: np.ndarray, ceiling_db: float, rate: int = RATE) -> np.ndarray:
    """Hold true peaks under ``ceiling_db``: a look-ahead gain that dips just before a peak
    and recovers over the look-ahead, the same gain on every channel."""
    out = np.atleast_2d(pcm).astype(np.float64)
    reach = max(1, int(LOOKAHEAD_S * rate))
    ceiling = 10 ** (ceiling_db / 20)
    for _ in range(4):
        env = _peak_envelope(out)
        if env.max(initial=0.0) <= ceiling:
            break
        need = np.minimum(1.0, ceiling / np.maximum(env, 1e-12))
        gain = minimum_filter1d(need, size=2 * reach + 1, mode="nearest")
        gain = uniform_filter1d(gain, size=reach + 1, mode="nearest")
        out = out * gain
        ceiling *= 0.995  # inter-sample peaks the gain's own shape makes: a little margin
    return out


def normalise(pcm: np.ndarray, target_lufs: float, ceiling_db: float,
              rate: int = RATE) -> tuple[np.ndarray, float, Levels]:
    """``pcm`` at ``target_lufs`` with true peaks under ``ceiling_db``.

    Returns the result, the gain in dB applied before limiting (stems take the same),
    and the result's measured levels."""
    measured = loudness(pcm, rate)
    gain_db = 0.0 if not np.isfinite(measured) else target_lufs - measured
    out = limit(pcm * 10 ** (gain_db / 20), ceiling_db, rate)
    return out, gain_db, Levels(loudness(out, rate), true_peak(out))
