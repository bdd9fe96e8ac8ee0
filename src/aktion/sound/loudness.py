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
BLOCK = 1024  # samples: the unit the true-peak search oversamples
PAD = 64
NEAR = 10 ** (-6 / 20)  # oversample where the signal is within 6 dB of the level that matters
TOLERANCE_LU = 0.3  # of the target (EBU R128 allows 0.5 for programmes)


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


def peak_envelope(pcm: np.ndarray, level: float | None = None) -> np.ndarray:
    """Per sample: the highest magnitude over every channel, 4x oversampled wherever the
    signal comes within 6 dB of ``level`` (default: its loudest sample). An inter-sample
    peak is never far above the samples around it, so elsewhere sample peaks stand."""
    data = np.atleast_2d(pcm)
    env = np.abs(data).max(axis=0).astype(np.float64)
    n = env.size
    if not n or env.max() <= 0:
        return env
    blocks = -(-n // BLOCK)
    loud = np.pad(env, (0, blocks * BLOCK - n)).reshape(blocks, BLOCK).max(axis=1)
    hot = np.nonzero(loud >= (env.max() if level is None else level) * NEAR)[0]
    if not len(hot):
        return env
    breaks = np.nonzero(np.diff(hot) > 1)[0]
    for first, last in zip(np.r_[hot[0], hot[breaks + 1]], np.r_[hot[breaks], hot[-1]],
                           strict=True):
        lo, hi = max(0, first * BLOCK - PAD), min(n, (last + 1) * BLOCK + PAD)
        up = np.abs(resample_poly(data[:, lo:hi].astype(np.float64), OVERSAMPLE, 1, axis=-1))
        up = up[:, : (hi - lo) * OVERSAMPLE].reshape(data.shape[0], hi - lo, OVERSAMPLE)
        env[lo:hi] = np.maximum(env[lo:hi], up.max(axis=(0, 2)))
    return env


def true_peak(pcm: np.ndarray) -> float:
    """The highest inter-sample peak in dBTP."""
    peak = float(peak_envelope(pcm).max(initial=0.0))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def limit(pcm: np.ndarray, ceiling_db: float, rate: int = RATE) -> np.ndarray:
    """Hold true peaks under ``ceiling_db``: a look-ahead gain that dips just before a peak
    and recovers over the look-ahead, the same gain on every channel."""
    out = np.atleast_2d(pcm).astype(np.float64)
    reach = max(1, int(LOOKAHEAD_S * rate))
    ceiling = 10 ** (ceiling_db / 20)
    for _ in range(4):
        env = peak_envelope(out, ceiling)
        if env.max(initial=0.0) <= ceiling:
            break
        need = np.minimum(1.0, ceiling / np.maximum(env, 1e-12))
        gain = minimum_filter1d(need, size=2 * reach + 1, mode="nearest")
        out = out * uniform_filter1d(gain, size=reach + 1, mode="nearest")
        ceiling *= 0.995  # inter-sample peaks the gain's own shape makes: a little margin
    return out


def normalise(pcm: np.ndarray, target_lufs: float, ceiling_db: float,
              rate: int = RATE) -> tuple[np.ndarray, float, Levels]:
    """``pcm`` at ``target_lufs`` with true peaks under ``ceiling_db``.

    Limiting lowers the loudness a little, so the gain is corrected and the peaks
    limited again until the level is within TOLERANCE_LU. Returns the result, the gain in
    dB applied before the last limiting (stems take the same) and its measured levels."""
    source = np.atleast_2d(pcm).astype(np.float64)
    measured = loudness(source, rate)
    if not np.isfinite(measured):
        return source, 0.0, Levels(measured, true_peak(source))
    gain_db = target_lufs - measured
    out, level = source, measured
    for _ in range(3):
        out = limit(source * 10 ** (gain_db / 20), ceiling_db, rate)
        level = loudness(out, rate)
        if abs(level - target_lufs) <= TOLERANCE_LU:
            break
        gain_db += target_lufs - level
    return out, gain_db, Levels(level, true_peak(out))
