"""A craft finding names the shots it concerns and says why, in an editor's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    rule: str  # "180", "eyeline", "jump_cut", "rhythm", "continuity", "from_behind", ...
    scene: str
    shots: tuple[str, ...]
    why: str
    severity: Severity = "warning"
    file: str | None = None  # the source to edit, relative to the production
    line: int | None = None  # 1-based line in ``file``

    @property
    def where(self) -> str:
        """``file:line`` when the finding knows its source, else empty."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        at = f" ({self.where})" if self.where else ""
        return f"{self.rule} [{' -> '.join(self.shots)}]{at}: {self.why}"
