"""A craft finding names the shots it concerns and says why, in an editor's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    rule: str  # "180", "eyeline", "jump_cut", "rhythm", "continuity"
    scene: str
    shots: tuple[str, ...]
    why: str
    severity: Severity = "warning"

    def __str__(self) -> str:
        return f"{self.rule} [{' -> '.join(self.shots)}]: {self.why}"
