"""``boards.yaml``: per scene, the set and the shot list a crew can read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .schema import Versioned
from .timing import Frames

ShotSize = Literal["EWS", "WS", "FS", "MS", "MCU", "CU", "ECU", "INSERT"]
Angle = Literal["eye", "high", "low", "overhead", "dutch"]
MoveType = Literal["static", "pan", "tilt", "dolly", "truck", "crane", "handheld", "orbit"]
TransitionType = Literal["cut", "dissolve", "dip", "whip"]


class Box(BaseModel):
    """A solid block on the set (AC unit, crate, parapet), in metres on the floor plan."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    at: tuple[float, float] = Field(description="centre on the floor plan (x, z), m")
    size: tuple[float, float, float] = Field(description="width (x), height (y), depth (z), m")
    color: str = Field(default="#7f8c8d", pattern=r"^#[0-9a-fA-F]{6}$")
    line: int | None = Field(default=None, ge=1, description="script line that calls for it")


class SetDesign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    floor: str = Field(default="#3d4450", pattern=r"^#[0-9a-fA-F]{6}$")
    sky: str = Field(default="#1b2433", pattern=r"^#[0-9a-fA-F]{6}$")
    extent: float = Field(default=20.0, gt=0, description="floor size, m (square)")
    boxes: list[Box] = Field(default_factory=list)


class Mark(BaseModel):
    """Where a character stands at the start of the shot, and which way they face."""

    model_config = ConfigDict(extra="forbid")
    who: str
    at: tuple[float, float] = Field(description="floor plan position (x, z), m")
    facing: float = Field(
        default=0.0, description="degrees on the floor plan: 0 faces +x, 90 faces +z"
    )


class CameraMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: MoveType = "static"
    amount: float | None = Field(
        default=None, description="degrees for pan/tilt/orbit, metres for dolly/truck/crane"
    )
    start: Frames = 0
    end: Frames | None = None


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: TransitionType = "cut"
    duration: Frames = 0

    @model_validator(mode="after")
    def _needs_length(self) -> Transition:
        if self.type != "cut" and self.duration < 1:
            raise ValueError(f"a {self.type} of at least one frame (`duration: 12` or \"0.5s\")")
        return self


class Shot(Versioned):
    KIND = "Shot"

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    lines: tuple[int, int] = Field(description="script line range covered, 1-based inclusive")
    size: ShotSize = "MS"
    angle: Angle = "eye"
    lens: float = Field(default=35.0, ge=8, le=600, description="focal length, mm (full frame)")
    move: CameraMove = Field(default_factory=CameraMove)
    duration: Frames
    blocking: list[Mark] = Field(default_factory=list)
    frame: list[str] = Field(
        default_factory=list, description="who the camera frames; default everyone blocked"
    )
    side: Literal["left", "right"] = Field(
        default="left", description="camera side of the line of action (180° rule)"
    )
    transition: Transition = Field(default_factory=Transition, description="transition in")
    title: str | None = Field(
        default=None, description="a title card: this text fills the frame (> TEXT < in the script)"
    )
    note: str = ""

    @field_validator("move", mode="before")
    @classmethod
    def _move_shorthand(cls, v: object) -> object:
        return {"type": v} if isinstance(v, str) else v

    @field_validator("transition", mode="before")
    @classmethod
    def _transition_shorthand(cls, v: object) -> object:
        return {"type": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> Shot:
        a, b = self.lines
        if a < 1 or b < a:
            raise ValueError(f"lines [{a}, {b}]: a 1-based range with start <= end")
        if self.duration < 1:
            raise ValueError("duration of at least one frame")
        return self

    @property
    def characters(self) -> list[str]:
        """Everyone who appears: blocked or framed."""
        seen: dict[str, None] = {}
        for who in [m.who for m in self.blocking] + self.frame:
            seen.setdefault(who)
        return list(seen)


class Scene(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    heading: str = ""
    set: SetDesign = Field(default_factory=SetDesign)
    shots: list[Shot] = Field(min_length=1)


class Boards(Versioned):
    KIND = "Boards"
    scenes: list[Scene] = Field(min_length=1)
