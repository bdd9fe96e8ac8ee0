"""WAV in and out, with the standard library: 24-bit PCM at 48 kHz, written atomically.

Signed WAVs carry a C2PA chunk; ``wave`` skips chunks it does not know, so a signed
step output reads like any other.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from aktion.media.atomic import atomic_path

from . import RATE


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """Write ``samples`` (channels x n, or n for mono; floats in [-1, 1]) as 24-bit PCM."""
    data = np.atleast_2d(np.asarray(samples, dtype=np.float64))
    ints = np.round(np.clip(data, -1.0, 1.0) * 8388607.0).astype("<i4")
    frames = ints.T.reshape(-1)  # interleaved
    raw = frames.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()  # little-endian low 3 bytes
    with atomic_path(Path(path)) as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(data.shape[0])
        w.setsampwidth(3)
        w.setframerate(rate)
        w.writeframes(raw)
    return Path(path)


def read_wav(path: Path, rate: int = RATE) -> np.ndarray:
    """A PCM WAV as float32 (channels x n), resampled to ``rate`` when it differs."""
    with wave.open(str(path), "rb") as w:
        channels, width, src_rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        raw = w.readframes(w.getnframes())
    if width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        ints = (b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8)
                | (b[:, 2].astype(np.int8).astype(np.int32) << 16))
        data = ints / 8388608.0
    elif width == 2:
        data = np.frombuffer(raw, "<i2") / 32768.0
    elif width == 4:
        data = np.frombuffer(raw, "<i4") / 2147483648.0
    elif width == 1:
        data = (np.frombuffer(raw, np.uint8).astype(np.float64) - 128) / 128.0
    else:
        raise ValueError(f"{path}: {width * 8}-bit WAV is not supported")
    pcm = data.reshape(-1, channels).T
    return resample(pcm, src_rate, rate).astype(np.float32)


def resample(pcm: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Polyphase resampling (exact, deterministic); a no-op when the rates match."""
    if src == dst:
        return pcm
    g = np.gcd(src, dst)
    from scipy.signal import resample_poly  # SciPy only when rates differ

    return resample_poly(pcm, dst // g, src // g, axis=-1)


def mono(pcm: np.ndarray) -> np.ndarray:
    """One channel: the mean of all."""
    return np.atleast_2d(pcm).mean(axis=0)


def frames_of(path: Path) -> int:
    """How many samples (per channel) a WAV holds, without reading them."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes()
