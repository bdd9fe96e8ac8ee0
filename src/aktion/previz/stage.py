"""A shot on the previz stage: its board, set, cast, beats and format, ready to perform.

This is the one place that strings the pieces together (solve the performance,
retime it for speed ramps, place the camera, build a renderer), so the backend
and the tests drive previz the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from aktion.production.board import SetDesign, Shot
from aktion.production.cast import Character
from aktion.production.choreo import Beat

from .burnin import Burnin
from .camera import CameraPath, shot_camera, time_map
from .dialogue_slots import spread_dialogue
from .draw import Renderer
from .moves import MoveLibrary
from .performance import Performance, solve
from .take import TakeVariation


@dataclass
class Stage:
    shot: Shot
    design: SetDesign
    cast: dict[str, Character]
    beats: list[Beat]
    library: MoveLibrary
    fps: int = 24
    width: int = 1280
    height: int = 720
    seed: int = 0
    dialogue: list[dict] = field(default_factory=list)
    take: TakeVariation | None = None  # None: take 1, the board exactly

    def perform(self) -> tuple[Performance, CameraPath]:
        """The performance as the output frames show it, and the camera that films it."""
        beats = sorted(self.beats, key=lambda b: b.t)
        if self.take is not None:
            beats = self.take.beats(beats, self.library, self.fps, self.shot.duration)
        perf = solve(self.shot, beats, self.cast, self.library, self.fps)
        times = time_map(beats, perf.frames, self.fps)
        if not np.array_equal(times, np.arange(perf.frames, dtype=np.float64)):
            perf = perf.retimed(times)
        camera = shot_camera(self.shot, perf, beats, self.width, self.height, self.seed, times)
        if self.take is not None:
            camera = self.take.camera(camera, perf)
        return perf, camera

    def renderer(
        self, poses: np.ndarray, camera: CameraPath, characters: list[str],
        burnins: bool = True, labels: bool = True,
    ) -> Renderer:  # fmt: skip
        burnin = None
        if burnins or self.shot.title:
            lines = spread_dialogue(self.dialogue, len(poses)) if burnins else []
            slate = self.shot.id if self.take is None else f"{self.shot.id} T{self.take.n}"
            burnin = Burnin(slate, self.fps, camera.width, camera.height, lines,
                            title=self.shot.title, overlays=burnins)
        return Renderer(
            self.design, [self.cast[c] for c in characters], poses, camera, burnin, labels
        )

    @staticmethod
    def key_frame(perf: Performance) -> int:
        """The board frame: the first contact, else the middle of the shot."""
        if perf.contacts:
            return min(c.frame for c in perf.contacts)
        return perf.frames // 2
