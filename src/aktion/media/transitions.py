"""Transitions between two shots, rendered as frames: dissolve, dip to black, whip pan.

A transition takes the outgoing shot's last ``tail`` frames and the incoming
shot's first ``head`` frames. A dissolve overlaps them (the scene gets shorter by
its duration); a dip or a whip plays them one after the other (no frames lost).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Literal, Protocol

import cv2
import numpy as np

Kind = Literal["cut", "dissolve", "dip", "whip"]
KINDS: tuple[str, ...] = ("cut", "dissolve", "dip", "whip")


class TransitionLike(Protocol):
    """Anything with a type and a duration in frames (a board's ``Transition`` fits)."""

    @property
    def type(self) -> str: ...

    @property
    def duration(self) -> int: ...


@dataclass(frozen=True)
class TransitionSpec:
    """A transition into a shot; ``duration`` in frames."""

    type: Kind = "cut"
    duration: int = 0

    def __post_init__(self) -> None:
        if self.type not in KINDS:
            raise ValueError(f"unknown transition {self.type!r}; expected one of {KINDS}")
        if self.duration < 0 or (self.type != "cut" and self.duration < 1):
            raise ValueError(f"{self.type} needs a duration of at least 1 frame")

    @classmethod
    def of(cls, t: TransitionLike | None) -> TransitionSpec:
        if t is None:
            return cls()
        if isinstance(t, TransitionSpec):
            return t
        kind = str(t.type)
        return cls(kind, int(t.duration) if kind != "cut" else 0)  # type: ignore[arg-type]

    @property
    def is_cut(self) -> bool:
        return self.type == "cut"

    @property
    def tail(self) -> int:
        """Frames taken from the end of the outgoing shot."""
        if self.type == "dissolve":
            return self.duration
        return 0 if self.is_cut else self.duration - self.duration // 2

    @property
    def head(self) -> int:
        """Frames taken from the start of the incoming shot."""
        if self.type == "dissolve":
            return self.duration
        return 0 if self.is_cut else self.duration // 2

    @property
    def overlap(self) -> int:
        """Frames the scene loses to this transition."""
        return self.duration if self.type == "dissolve" else 0

    @property
    def frames(self) -> int:
        """Frames this transition puts in the scene."""
        return self.tail + self.head - self.overlap


def render(
    spec: TransitionSpec,
    tail: Iterable[np.ndarray],
    head: Iterable[np.ndarray],
    last_out: np.ndarray,
    first_in: np.ndarray,
) -> Iterator[np.ndarray]:
    """Yield the transition's frames from the two shots' frames, streaming.

    ``last_out`` and ``first_in`` are the outgoing shot's last frame and the
    incoming shot's first; the whip needs them to show both sides of the pan.
    """
    if spec.type == "dissolve":
        for j, (a, b) in enumerate(zip(tail, head, strict=True)):
            alpha = (j + 1) / (spec.duration + 1)
            yield _mix(a, b, alpha)
        return
    if spec.type == "dip":  # down to black on the outgoing shot's last frame, then up
        for j, a in enumerate(tail):
            yield _scale(a, 1.0 - (j + 1) / spec.tail)
        for j, b in enumerate(head):
            yield _scale(b, (j + 1) / (spec.head + 1))
        return
    ts = [(j + 0.5) / spec.duration for j in range(spec.duration)]
    sides = chain(((a, True) for a in tail), ((b, False) for b in head))
    for t, (f, outgoing) in zip(ts, sides, strict=True):
        left, right = (f, first_in) if outgoing else (last_out, f)
        yield _whip(left, right, t, spec.duration)


def _mix(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    return cv2.addWeighted(a, 1.0 - alpha, b, alpha, 0.0)


def _scale(f: np.ndarray, gain: float) -> np.ndarray:
    return cv2.convertScaleAbs(f, alpha=max(0.0, min(1.0, gain)))


def _whip(left: np.ndarray, right: np.ndarray, t: float, duration: int) -> np.ndarray:
    """Pan across [left | right] with a smoothstep ease, smeared by its own speed."""
    w = left.shape[1]
    s = t * t * (3.0 - 2.0 * t)
    x = round(s * w)
    view = np.concatenate([left, right], axis=1)[:, x : x + w]
    speed = 6.0 * t * (1.0 - t) * w / duration  # pixels moved per frame
    k = int(min(max(1.0, speed), w / 2))
    return cv2.blur(view, (k, 1)) if k > 1 else np.ascontiguousarray(view)
