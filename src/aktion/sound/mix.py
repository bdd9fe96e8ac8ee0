"""A scene's mix: dialogue, effects and score on the cut's timeline, to a loudness target.

Lines start on the frame their board puts them on, effects on the frames their cues
name (both moved with the canvas's edits, ``timeline``); the score plays under
everything and dips under dialogue. The sum is normalised to the production's
loudness target under a true-peak ceiling; the stems take the same gain, so they
add up to the mix before its limiter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import butter, sosfilt

from . import RATE
from .loudness import Levels, loudness, normalise
from .score import fitted
from .synth import render as synth_render
from .timeline import ShotTime, scene_frames, scene_times

DIALOGUE_LUFS = -20.0  # each line's own level before its delivery gain
MUSIC_LUFS = -32.0  # the score sits well under the voices
EFFECTS_DB = -3.0
DUCK_FADE_S = 0.25
HITS = ("impact_", "body_fall", "gunshot", "land")
HIT_DUCK_DB = -12.0  # the score gives way to a hit for HIT_S, so the hit cuts through
HIT_S = 0.18
# The score leaves the lowest octaves to the hits and falls: a temp-score low cut.
LOW_CUT = butter(2, 150, btype="highpass", fs=RATE, output="sos")


@dataclass
class Line:
    """One rendered line: the shot frame it starts on and its samples (mono)."""

    shot: str
    frame: int
    pcm: np.ndarray
    gain_db: float = 0.0
    who: str = ""
    line: int = 0
    text: str = ""


@dataclass
class ShotSounds:
    """One shot's effects: the sounds, one after another, and the cues placing them."""

    shot: str
    sheet: np.ndarray
    cues: list[dict[str, Any]]


@dataclass
class Mix:
    mix: np.ndarray  # (2, n)
    stems: dict[str, np.ndarray]  # dialogue, effects, music: (2, n) each
    placed: list[dict[str, Any]] = field(default_factory=list)
    levels: Levels | None = None
    gain_db: float = 0.0


def samples_at(frame: int, fps: int) -> int:
    return round(frame * RATE / fps)


def _add(bus: np.ndarray, at: int, pcm: np.ndarray) -> None:
    """Add mono ``pcm`` into ``bus`` (2 x n) from sample ``at``, clipped to the bus."""
    lo, hi = max(at, 0), min(at + pcm.size, bus.shape[1])
    if hi > lo:
        bus[:, lo:hi] += pcm[lo - at:hi - at]


def _level(pcm: np.ndarray, target: float) -> np.ndarray:
    """A line at ``target`` LUFS (RMS for lines too short to gate)."""
    lufs = loudness(pcm[None, :])
    if not np.isfinite(lufs):
        rms = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if pcm.size else 0.0
        lufs = 20 * np.log10(rms) - 0.7 if rms > 0 else target
    return pcm * 10 ** ((target - lufs) / 20)


def _where(times: dict[str, ShotTime], shot: str, frame: int) -> int | None:
    return times[shot].place(frame) if shot in times else None


def mix_scene(shots: list[dict[str, Any]], fps: int, lines: list[Line],
              effects: list[ShotSounds], score: np.ndarray | None, *, target_lufs: float,
              true_peak_db: float, duck_db: float) -> Mix:
    """Mix a scene; ``shots`` is the cut's shot list with each shot's canvas ``ops``."""
    total = samples_at(scene_frames(shots), fps)
    times = {t.id: t for t in scene_times(shots)}
    dialogue = np.zeros((2, total))
    fx = np.zeros((2, total))
    placed: list[dict[str, Any]] = []
    speaking = np.zeros(total)
    hits = np.zeros(total)
    for ln in lines:
        frame = _where(times, ln.shot, ln.frame)
        if frame is None:
            continue
        at = samples_at(frame, fps)
        pcm = _level(ln.pcm.astype(np.float64), DIALOGUE_LUFS + ln.gain_db)
        _add(dialogue, at, pcm)
        speaking[max(at, 0):min(at + pcm.size, total)] = 1.0
        placed.append({"kind": "line", "shot": ln.shot, "frame": frame, "sample": at,
                       "seconds": round(pcm.size / RATE, 4), "who": ln.who, "line": ln.line,
                       "text": ln.text})
    for sounds in effects:
        for cue in sounds.cues:
            frame = _where(times, sounds.shot, int(cue["frame"]))
            if frame is None:
                continue
            pcm = sounds.sheet[cue["offset"]:cue["offset"] + cue["length"]].astype(np.float64)
            at = samples_at(frame, fps) - round(float(cue.get("lead", 0.0)) * RATE)
            _add(fx, at, pcm * float(cue.get("gain", 1.0)) * 10 ** (EFFECTS_DB / 20))
            if cue["name"].startswith(HITS):
                sync = samples_at(frame, fps)
                hits[max(sync, 0):min(sync + int(HIT_S * RATE), total)] = 1.0
            placed.append({"kind": "effect", "shot": sounds.shot, "frame": frame,
                           "sample": samples_at(frame, fps), "name": cue["name"],
                           "who": cue.get("who"), "why": cue.get("why", "")})
    for i, s in enumerate(shots[1:], start=1):  # a whip transition swishes across the join
        if (s.get("transition") or {}).get("type") == "whip":
            frame = times[s["id"]].start
            pcm = synth_render("swish", seed=i) * 10 ** (-6 / 20)
            _add(fx, samples_at(frame, fps) - round(0.15 * RATE), pcm)
            placed.append({"kind": "effect", "shot": s["id"], "frame": frame,
                           "sample": samples_at(frame, fps), "name": "swish",
                           "who": None, "why": "whip pan into the shot"})
    music = np.zeros((2, total))
    if score is not None and score.size:
        music = sosfilt(LOW_CUT, fitted(score, total).astype(np.float64), axis=-1)
        lufs = loudness(music)
        if np.isfinite(lufs):
            music *= 10 ** ((MUSIC_LUFS - lufs) / 20)
        duck = uniform_filter1d(speaking, size=max(1, int(DUCK_FADE_S * RATE)), mode="nearest")
        dip = uniform_filter1d(hits, size=int(0.01 * RATE), mode="nearest", origin=-240)
        music *= 10 ** ((duck_db * duck + HIT_DUCK_DB * dip) / 20)
    total_mix = dialogue + fx + music
    out, gain_db, levels = normalise(total_mix, target_lufs, true_peak_db)
    g = 10 ** (gain_db / 20)
    stems = {"dialogue": dialogue * g, "effects": fx * g, "music": music * g}
    placed.sort(key=lambda p: (p["sample"], p["kind"], p.get("name") or ""))
    return Mix(out.astype(np.float32), {k: v.astype(np.float32) for k, v in stems.items()},
               placed, levels, gain_db)
