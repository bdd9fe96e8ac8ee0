"""``canvas.yaml``: the director's edit on top of the boards.

Takes per shot (take 1 is the board's own render; more takes are other seeds or
backends) and which one is picked, trims, extensions, speed ramps, transition
overrides and a temp score per scene. Kept apart from ``boards.yaml`` so the
shot list stays the crew's document and the edit stays the editor's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ProductionError, SourceIssue
from .schema import Versioned
from .timing import Frames
from .yamlio import dump_yaml, line_of, plain, read_source_yaml, read_yaml, write_text_atomic

CANVAS_FILE = "canvas.yaml"


class Take(BaseModel):
    """Another render of the same shot: a different seed and/or backend."""

    model_config = ConfigDict(extra="forbid")
    seed: int | None = Field(default=None, ge=0, description="default: derived from take number")
    backend: str | None = Field(default=None, description="default: the router's choice")
    note: str = ""


class Trim(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    in_: Frames = Field(default=0, alias="in", description="first frame kept")
    out: Frames | None = Field(default=None, description="frame after the last kept")

    @model_validator(mode="after")
    def _order(self) -> Trim:
        if self.out is not None and self.out <= self.in_:
            raise ValueError("trim `out` after `in`")
        return self


class SpeedRamp(BaseModel):
    """Playback speed eased from ``start`` to ``end`` across the clip (1 = real time)."""

    model_config = ConfigDict(extra="forbid")
    start: float = Field(default=1.0, ge=0.1, le=8)
    end: float = Field(default=1.0, ge=0.1, le=8)


class TransitionOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["cut", "dissolve", "dip", "whip"] = "cut"
    duration: Frames = 0


class ShotEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    takes: list[Take] = Field(default_factory=list, description="takes 2, 3, ...")
    pick: int = Field(default=1, ge=1, description="the take the cut uses (1 = board render)")
    extend: Frames = Field(default=0, description="continue the shot by this much")
    trim: Trim | None = None
    speed: SpeedRamp | None = None
    transition: TransitionOverride | None = Field(default=None, description="transition in")

    @model_validator(mode="after")
    def _pick_exists(self) -> ShotEdit:
        if self.pick > 1 + len(self.takes):
            raise ValueError(f"pick {self.pick}: only {1 + len(self.takes)} take(s)")
        return self


class SceneEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audio: str | None = Field(default=None, description="temp score, relative to the production")
    order: list[str] | None = Field(default=None, description="shot order in the cut")


class Canvas(Versioned):
    KIND = "Canvas"
    shots: dict[str, ShotEdit] = Field(default_factory=dict)
    scenes: dict[str, SceneEdit] = Field(default_factory=dict)

    def shot(self, shot_id: str) -> ShotEdit:
        return self.shots.get(shot_id) or ShotEdit()


def load_canvas(root: Path, fps: int = 24) -> Canvas:
    """The production's canvas; an empty one when there is no ``canvas.yaml``."""
    path = Path(root) / CANVAS_FILE
    if not path.is_file():
        return Canvas()
    doc = read_source_yaml(path)
    try:
        return Canvas.model_validate(plain(doc) or {}, context={"fps": fps})
    except ValidationError as e:
        issues = [
            SourceIssue(path, line_of(doc, tuple(err["loc"])),
                        ".".join(map(str, err["loc"])) or "(top level)", err["msg"])
            for err in e.errors()
        ]
        raise ProductionError(issues) from None


def canvas_error(root: Path, loc: tuple[str | int, ...], message: str,
                 expected: str | None = None) -> ProductionError:
    """A problem planning finds in ``canvas.yaml`` (it names what the plan lacks),
    located at the line of ``loc`` (e.g. ``("shots", "sh080", "takes", 0, "backend")``)."""
    path = Path(root) / CANVAS_FILE
    line = line_of(read_yaml(path), loc) if path.is_file() else None
    return ProductionError([SourceIssue(path, line, message, expected)])


def save_canvas(root: Path, canvas: Canvas) -> Path:
    """Write ``canvas.yaml`` atomically (the pick is part of the production files)."""
    path = Path(root) / CANVAS_FILE
    data = canvas.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["schema"] = f"{Canvas.KIND}.{Canvas.VERSION}"
    write_text_atomic(path, dump_yaml(data))
    return path
