"""A new take of a previz shot: what changes when a scene is shot again on set.

Take 1 is the board exactly. Take N (N >= 2) keeps the board and the choreography
and, from the take's own seed, varies what differs between takes on a set:

- timing: each beat starts a few frames earlier or later; beats that start together
  stay together, and no beat moves across another beat's start, a strike's contact,
  the first or the last frame, so the choreography's order of events is kept;
- operator noise: a small handheld-like wobble (a share of the field of view, so it
  reads the same on every lens);
- framing: a constant pan, tilt and dolly offset of a few percent.

The performance is solved again from the varied beats, so every strike still lands,
on its own (moved) contact frame. The same seed gives the same take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from aktion.production.choreo import Beat

from .camera import SENSOR_HALF_HEIGHT, CameraPath
from .moves import MoveLibrary
from .performance import Performance
from .schedule import build
from .skeleton import INDEX

VERSION = 1  # bump when what a take varies changes: cached takes are then re-rendered
TIMING = 2  # frames (at 24 fps) a beat may start earlier or later
WOBBLE = 0.006  # share of the vertical field of view the operator's hand wanders
FRAMING = (0.015, 0.03)  # pan, tilt (share of the view) and dolly (share of the distance)
WOBBLE_HZ = ((0.4, 1.1, 2.3), (0.35, 0.9, 2.0), (0.3, 0.8))  # yaw, pitch, roll


def describe(fps: int = 24) -> str:
    """What a take varies, in words, for ``aktion plan``."""
    frames = _reach(fps)
    lo, hi = (round(100 * f, 1) for f in FRAMING)
    return (f"beat timing ±{frames} frame{'s' if frames > 1 else ''} (contact order kept), "
            f"operator wobble, framing offset {lo:g}-{hi:g}% (pan, tilt, dolly)")


def _reach(fps: int) -> int:
    return max(1, round(TIMING * fps / 24))


@dataclass(frozen=True)
class TakeVariation:
    """Take ``n`` (>= 2) of a shot, varied from ``seed`` (the take's own seed)."""

    n: int
    seed: int

    def params(self) -> dict[str, Any]:
        """What a step's request carries (hashed: a new variation re-renders the take)."""
        return {"n": self.n, "version": VERSION}

    @classmethod
    def from_request(cls, params: dict[str, Any] | None, seed: int) -> TakeVariation | None:
        """The variation a request asks for; None for take 1 (the board)."""
        take = (params or {}).get("take")
        if take is None:
            return None
        try:
            n, version = int(take["n"]), int(take.get("version", VERSION))
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ValueError(f"params.take must be {{n: take number, version}}, "
                             f"not {take!r}") from None
        if version != VERSION:
            raise ValueError(f"take variation version {version} is not {VERSION} "
                             "(this version of aktion)")
        return cls(n, int(seed)) if n >= 2 else None

    def _rng(self, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.n, stream])

    def beats(self, beats: list[Beat], library: MoveLibrary, fps: int,
              frames: int) -> list[Beat]:
        """The beats (sorted by ``t``) with this take's timing."""
        starts = sorted({b.t for b in beats if b.t > 0})
        if not starts:
            return list(beats)
        contacts = _contact_offsets(beats, library, fps, frames)
        if contacts is None:  # the solver will report what is wrong with the beats
            return list(beats)
        reach = _reach(fps)
        wanted = self._rng(1).integers(-reach, reach + 1, size=len(starts))
        moved: dict[int, int] = {}
        for t, want in zip(starts, wanted, strict=True):
            step = -1 if want > 0 else 1
            for d in range(int(want), 0, step):
                if _order_kept(beats, contacts, {**moved, t: t + d}, frames):
                    moved[t] = t + d
                    break
        return [b.model_copy(update={"t": moved.get(b.t, b.t)}) for b in beats]

    def camera(self, camera: CameraPath, perf: Performance) -> CameraPath:
        """The board's camera with this take's framing offset and operator wobble."""
        rng = self._rng(2)
        n = camera.frames
        vfov = np.degrees(2 * np.arctan(SENSOR_HALF_HEIGHT / camera.lens))
        hfov = np.degrees(2 * np.arctan(np.tan(np.radians(vfov) / 2) * camera.width
                                        / camera.height))

        def offset() -> float:
            return float(rng.choice((-1.0, 1.0)) * rng.uniform(*FRAMING))

        pan, tilt, dolly = offset(), offset(), offset()
        t = np.arange(n, dtype=np.float64) / camera.fps
        yaw_n, pitch_n, roll_n = (_wobble(rng, t, hz) for hz in WOBBLE_HZ)
        yaw = camera.yaw + pan * hfov + WOBBLE * vfov * yaw_n
        pitch = camera.pitch + tilt * vfov + WOBBLE * vfov * pitch_n
        pitch = np.where(np.abs(camera.pitch) < 89.9, np.clip(pitch, -89.9, 89.9), pitch)
        roll = camera.roll + 0.5 * WOBBLE * vfov * roll_n
        forward = camera.basis[:, 2]
        position = camera.position + forward * (dolly * _subject_distance(camera, perf))
        return CameraPath(camera.width, camera.height, camera.fps, position, yaw, pitch, roll,
                          camera.lens.copy(), camera.time.copy())


def _wobble(rng: np.random.Generator, t: np.ndarray, freqs: tuple[float, ...]) -> np.ndarray:
    """Smooth noise in about [-1, 1]: a few sines at jittered frequencies and phases."""
    out = np.zeros_like(t)
    for hz in freqs:
        out += np.sin(2 * np.pi * hz * rng.uniform(0.8, 1.25) * t + rng.uniform(0, 2 * np.pi))
    return out / math.sqrt(len(freqs))


def _subject_distance(camera: CameraPath, perf: Performance) -> float:
    """How far in front of the lens the performers stand (median), for the dolly."""
    if not perf.characters:
        return 3.0
    pelvis = perf.poses[:, :, INDEX["pelvis"]].astype(np.float64)
    depth = np.concatenate([camera.to_camera(pelvis[f], f)[:, 2] for f in range(camera.frames)])
    depth = depth[depth > 0.1]
    return float(np.median(depth)) if len(depth) else 3.0


def _contact_offsets(beats: list[Beat], library: MoveLibrary, fps: int,
                     frames: int) -> dict[int, int] | None:
    """Per beat index, frames from the beat's start to its strike's contact."""
    who = sorted({c for b in beats for c in (b.who, b.target) if c is not None})
    try:
        _, strikes = build(who, beats, library, fps, frames, {c: (0.0, 0.0) for c in who})
    except (KeyError, ValueError):
        return None
    return {s.beat: s.frame - beats[s.beat].t for s in strikes}


def _events(beats: list[Beat], contacts: dict[int, int], moved: dict[int, int],
            frames: int) -> list[tuple[int, int]]:
    """Every timed event as (board frame, take frame): starts, contacts, first and end."""
    out = [(0, 0), (frames, frames)]
    for i, b in enumerate(beats):
        t = moved.get(b.t, b.t)
        out.append((b.t, t))
        if i in contacts:
            out.append((b.t + contacts[i], t + contacts[i]))
    return out


def _order_kept(beats: list[Beat], contacts: dict[int, int], moved: dict[int, int],
                frames: int) -> bool:
    """Do all events keep their order (before, together, after) against each other?"""
    events = _events(beats, contacts, moved, frames)
    board = np.array([e[0] for e in events])
    take = np.array([e[1] for e in events])
    return bool(np.array_equal(np.sign(board[:, None] - board[None, :]),
                               np.sign(take[:, None] - take[None, :])))
