"""``choreo.yaml``: per shot, action beats on a frame-exact timeline."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .schema import Versioned
from .timing import Frames

HitZone = Literal["head", "body", "legs"]
CameraBeat = Literal["shake", "whip_pan", "push_in", "speed_ramp", "hold"]


class Beat(Versioned):
    """One thing that happens at frame ``t`` of a shot: a move, or a camera beat."""

    KIND = "Beat"

    t: Frames = Field(description="start frame within the shot")
    who: str | None = Field(default=None, description="character id performing the move")
    move: str | None = Field(default=None, description="a move from the move library")
    target: str | None = Field(default=None, description="character id the move is aimed at")
    hit: HitZone | None = Field(default=None, description="zone hit; the target reacts")
    to: tuple[float, float] | None = Field(
        default=None, description="floor plan destination for locomotion (x, z), m"
    )
    camera: CameraBeat | None = None
    intensity: float = Field(default=1.0, gt=0, le=3)
    speed: float = Field(default=1.0, gt=0, le=4)
    duration: Frames | None = Field(default=None, description="for camera beats and holds")
    line: int | None = Field(default=None, ge=1, description="script line this beat comes from")

    @model_validator(mode="after")
    def _one_kind(self) -> Beat:
        if self.camera is None and (self.who is None or self.move is None):
            raise ValueError("either `who` and `move`, or a `camera` beat")
        if self.camera is not None and self.move is not None:
            raise ValueError("a beat is a move or a camera beat, not both")
        if self.hit is not None and self.target is None:
            raise ValueError("a `hit` needs a `target`")
        return self


class ShotChoreo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    beats: list[Beat] = Field(default_factory=list)


class Choreo(Versioned):
    KIND = "Choreo"
    shots: dict[str, ShotChoreo] = Field(default_factory=dict)
