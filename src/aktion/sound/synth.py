"""The project's own sound effects, synthesised: no samples to ship, none to download.

Every sound is a pure function of its name, its parameters and a seed (numpy's
PCG64 generator and scipy filters are exact), so a render sounds the same on every
machine. Each sound starts on its first sample: an impact's attack is sample 0,
so placing it on a contact frame puts the hit on that frame. Sounds a production
wants different come from its samples folder instead (``samples``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import RATE


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _band(x: np.ndarray, lo: float | None, hi: float | None, order: int = 2) -> np.ndarray:
    """Butterworth band/low/high-pass: the colour of a noise."""
    from scipy.signal import butter, sosfilt  # SciPy only when a sound is made

    if lo and hi:
        sos = butter(order, [lo, hi], btype="bandpass", fs=RATE, output="sos")
    elif lo:
        sos = butter(order, lo, btype="highpass", fs=RATE, output="sos")
    else:
        sos = butter(order, hi, btype="lowpass", fs=RATE, output="sos")
    return sosfilt(sos, x)


def _decay(t: np.ndarray, tau: float) -> np.ndarray:
    return np.exp(-t / tau)


def _thump(t: np.ndarray, f0: float, f1: float, tau: float) -> np.ndarray:
    """A pitched body: a sine sweeping down from f0 to f1, decaying with ``tau``."""
    freq = f1 + (f0 - f1) * np.exp(-t / 0.03)
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    return np.sin(phase) * _decay(t, tau)


def _peak(x: np.ndarray, level: float = 0.9) -> np.ndarray:
    m = float(np.max(np.abs(x))) if x.size else 0.0
    return (x / m * level if m > 0 else x).astype(np.float32)


def impact(rng: np.random.Generator, zone: str = "body", weight: float = 1.0) -> np.ndarray:
    """A punch or kick landing: a crack (head), a thud (body) or a slap (legs)."""
    t = _t(0.45)
    noise = rng.standard_normal(t.size)
    crack = {"head": 0.9, "body": 0.45, "legs": 0.6}.get(zone, 0.5)
    low = {"head": (160.0, 70.0), "body": (120.0, 48.0), "legs": (140.0, 60.0)}.get(
        zone, (120.0, 50.0))
    body = _thump(t, low[0], low[1] / max(weight, 0.5) ** 0.25, 0.09 * weight ** 0.3)
    snap = _band(noise, 1200, 6000) * _decay(t, 0.012) * crack * 3
    mid = _band(noise, 200, 1400) * _decay(t, 0.045) * 1.2
    click = np.zeros_like(t)
    click[:24] = np.hanning(48)[24:]  # the attack: full level on the first sample
    return _peak(body * 1.1 + snap + mid + click * 0.8)


def whoosh(rng: np.random.Generator, seconds: float = 0.25, weight: float = 1.0) -> np.ndarray:
    """A limb cutting air: band noise swelling to its loudest at its very end."""
    seconds = float(np.clip(seconds, 0.08, 0.6))
    t = _t(seconds)
    x = np.linspace(0, 1, t.size)
    noise = rng.standard_normal(t.size)
    lo = _band(noise, 300 / weight, 1500 / weight)
    hi = _band(noise, 1500 / weight, 5000 / weight)
    env = np.sin(np.pi * x ** 1.6 / 2) ** 2 * np.minimum(1.0, (1 - x) * 12)
    return _peak((lo * (1 - x) + hi * x) * env, 0.6)


def block(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    """A strike stopped by a forearm: a dull knock, shorter than a hit."""
    t = _t(0.25)
    noise = rng.standard_normal(t.size)
    knock = _thump(t, 220.0, 110.0, 0.035) + _band(noise, 400, 2500) * _decay(t, 0.02)
    click = np.zeros_like(t)
    click[:16] = np.hanning(32)[16:]
    return _peak(knock + click * 0.6, 0.75 * min(weight, 1.2))


def parry(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    """A strike turned aside: two quick slaps."""
    first = block(rng, weight) * 0.8
    second = block(rng, weight) * 0.5
    gap = int(0.05 * RATE)
    out = np.zeros(first.size + gap, np.float32)
    out[: first.size] += first
    out[gap:] += second
    return _peak(out, 0.7)


def body_fall(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    """A body hitting the ground: a heavy thud and a short rumble of cloth and grit."""
    t = _t(0.7)
    noise = rng.standard_normal(t.size)
    thud = _thump(t, 90.0, 38.0, 0.16 * weight ** 0.3)
    grit = _band(noise, 150, 900) * _decay(t, 0.12) * 0.9
    return _peak(thud * 1.3 + grit)


def land(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    """Feet landing from a jump or a vault."""
    t = _t(0.3)
    noise = rng.standard_normal(t.size)
    return _peak(_thump(t, 110.0, 55.0, 0.06) + _band(noise, 200, 1800) * _decay(t, 0.03),
                 0.7 * min(weight, 1.3))


def footstep(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    """A shoe on tar: a soft heel knock and a scuff."""
    t = _t(0.12)
    noise = rng.standard_normal(t.size)
    heel = _thump(t, 150.0 / weight ** 0.3, 80.0, 0.018)
    scuff = _band(noise, 800, 4000) * _decay(t, 0.025) * 0.5
    return _peak(heel + scuff, 0.35 * min(weight, 1.4))


def gunshot(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    """A pistol shot: a bright crack, a low boom and the roof's slap-back."""
    t = _t(0.9)
    noise = rng.standard_normal(t.size)
    crack = _band(noise, 1000, 9000) * _decay(t, 0.01) * 2.5
    boom = _thump(t, 200.0, 60.0, 0.08) * 1.4
    tail = _band(noise, 200, 2000) * _decay(t, 0.25) * 0.25
    echo = np.zeros_like(t)
    lag = int(0.11 * RATE)
    echo[lag:] = (crack + boom)[:-lag] * 0.3
    return _peak(crack + boom + tail + echo, 0.95)


def swish(rng: np.random.Generator, weight: float = 1.0) -> np.ndarray:
    """A whip pan: a fast sweep of air across the frame, loudest in its middle."""
    t = _t(0.3)
    x = np.linspace(0, 1, t.size)
    noise = rng.standard_normal(t.size)
    sweep = _band(noise, 600, 2400) * (1 - x) + _band(noise, 2400, 7000) * x
    return _peak(sweep * np.sin(np.pi * x) ** 2, 0.5)


SOUNDS: dict[str, Callable[..., np.ndarray]] = {
    "impact_head": lambda rng, w=1.0: impact(rng, "head", w),
    "impact_body": lambda rng, w=1.0: impact(rng, "body", w),
    "impact_legs": lambda rng, w=1.0: impact(rng, "legs", w),
    "whoosh": lambda rng, w=1.0: whoosh(rng, 0.25, w),
    "block": block,
    "parry": parry,
    "body_fall": body_fall,
    "land": land,
    "footstep": footstep,
    "gunshot": gunshot,
    "swish": swish,
}
"""Every sound a shot can make, by the name a production's sample replaces it with."""


def render(name: str, seed: int, weight: float = 1.0, seconds: float | None = None) -> np.ndarray:
    """One sound, mono float32 at ``RATE``; ``seconds`` sets a whoosh's length."""
    rng = np.random.default_rng(seed)
    if name == "whoosh" and seconds is not None:
        return whoosh(rng, seconds, weight)
    if name not in SOUNDS:
        raise KeyError(f"no sound `{name}` (one of {', '.join(SOUNDS)})")
    return SOUNDS[name](rng, weight)
