"""A loaded production: every source validated and cross-checked, plus where each came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .board import Boards, Scene, Shot
from .cast import Character
from .choreo import Beat, Choreo
from .script import Script
from .settings import Settings
from .yamlio import line_of


@dataclass
class Production:
    root: Path
    settings: Settings
    script: Script
    cast: dict[str, Character]
    locks: dict[str, str]  # character id -> lock (sha256)
    boards: Boards
    choreo: Choreo
    ref_digests: dict[str, dict[str, str]] = field(default_factory=dict)
    docs: dict[Path, Any] = field(default_factory=dict, repr=False)  # parsed YAML with lines

    def shots(self) -> Iterator[tuple[Scene, Shot]]:
        for scene in self.boards.scenes:
            for shot in scene.shots:
                yield scene, shot

    def shot(self, shot_id: str) -> tuple[Scene, Shot]:
        for scene, shot in self.shots():
            if shot.id == shot_id:
                return scene, shot
        raise KeyError(shot_id)

    def beats(self, shot_id: str) -> list[Beat]:
        entry = self.choreo.shots.get(shot_id)
        return sorted(entry.beats, key=lambda b: b.t) if entry else []

    def path(self, name: str) -> Path:
        return self.root / name

    def line(self, file: Path, loc: tuple[Any, ...]) -> int | None:
        doc = self.docs.get(file)
        return line_of(doc, loc) if doc is not None else None
