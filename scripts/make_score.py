"""Compose the rooftop example's temp score: a D minor pulse that tightens into the fight.

Deterministic (numpy's PCG64 with a fixed seed), written as Ogg Opus so the file in the
example stays small: ``python scripts/make_score.py examples/rooftop/score.ogg``.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from aktion.sound import RATE
from aktion.sound.synth import _band

BPM = 112
SECONDS = 38.0
FIGHT_AT = 10.25  # seconds: where the exchange starts in the cut
ROOT = 36.71  # D1


def _saw(freq: float, t: np.ndarray, harmonics: int = 12) -> np.ndarray:
    return sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, harmonics + 1))


def compose(seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(SECONDS * RATE)
    t = np.arange(n) / RATE
    beat = 60.0 / BPM
    fight = np.clip((t - FIGHT_AT) / 2.0, 0, 1)  # the score tightens into the fight
    drone = (np.sin(2 * np.pi * ROOT * t) + 0.5 * np.sin(2 * np.pi * ROOT * 1.5 * t))
    drone *= 0.25 * np.clip(t / 4.0, 0, 1)
    pad = _band(_saw(ROOT * 4, t, 8) + _saw(ROOT * 4 * 1.003, t, 8) + _saw(ROOT * 4.76, t, 8),
                None, 900) * 0.04 * np.clip((t - 3) / 6, 0, 1)
    out = drone + pad
    bass_notes = [1.0, 1.0, 1.189, 1.0, 0.891, 1.0, 1.335, 1.189]  # D D F D C D G F
    eighth = beat / 2
    for i in range(int(SECONDS / eighth)):
        start = int(i * eighth * RATE)
        length = int(eighth * 0.9 * RATE)
        tt = np.arange(length) / RATE
        note = _saw(ROOT * 2 * bass_notes[i % len(bass_notes)], tt, 6) * np.exp(-tt / 0.18)
        level = 0.05 + 0.07 * fight[start]
        out[start:start + length] += note * level
    for i in range(int(SECONDS / beat)):
        start = int(i * beat * RATE)
        length = min(int(0.35 * RATE), n - start)
        tt = np.arange(length) / RATE
        kick = np.sin(2 * np.pi * (45 + 60 * np.exp(-tt / 0.02)) * tt) * np.exp(-tt / 0.12)
        out[start:start + length] += kick * (0.15 + 0.25 * fight[start])
        hat_at = start + int(beat / 2 * RATE)
        hat_len = min(int(0.05 * RATE), n - hat_at)
        if hat_len > 0 and fight[hat_at] > 0:
            hat = _band(rng.standard_normal(hat_len), 6000, 12000) * np.exp(
                -np.arange(hat_len) / RATE / 0.015)
            out[hat_at:hat_at + hat_len] += hat * 0.08 * fight[hat_at]
    out *= np.clip((SECONDS - t) / 3.0, 0, 1)  # fade out over the last 3 s
    return (out / np.max(np.abs(out)) * 0.8).astype(np.float32)


def write_ogg(path: Path, pcm: np.ndarray) -> None:
    with av.open(str(path), "w", format="ogg") as c:
        s = c.add_stream("libopus", rate=RATE, layout="mono")
        s.bit_rate = 48000
        frame_size = 960
        for at in range(0, pcm.size, frame_size):
            chunk = np.zeros((1, frame_size), np.float32)
            piece = pcm[at:at + frame_size]
            chunk[0, :piece.size] = piece
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = RATE
            frame.pts = at
            frame.time_base = Fraction(1, RATE)
            c.mux(s.encode(frame))
        c.mux(s.encode(None))


if __name__ == "__main__":
    write_ogg(Path(sys.argv[1] if len(sys.argv) > 1 else "score.ogg"), compose())
