"""``canvas.yaml``: the director's edit on top of the boards.

Takes per shot (take 1 is the board's own render; more takes are other seeds or
backends) and which one is picked, trims, extensions, speed ramps, transition
overrides and a temp score per scene. Kept apart from ``boards.yaml`` so the
shot list stays the crew's document and the edit stays the editor's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ProductionError, SourceIssue
from .pydantic_issues import pydantic_issues
from .schema import Versioned
from .timing import Frames
from .yamlio import edit_yaml, line_of, plain, read_source_yaml, read_yaml

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

    @model_validator(mode="after")
    def _needs_length(self) -> TransitionOverride:
        if self.type != "cut" and self.duration < 1:  # as a board's transition says it
            raise ValueError(f"a {self.type} of at least one frame (`duration: 12` or \"0.5s\")")
        return self


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

    def frames_after(self, frames: int) -> int:
        """The clip's length after the canvas operations (extend, trim, speed), as the
        cut will see it, for a take of ``frames`` frames."""
        frames += self.extend
        if self.trim is not None:
            stop = frames if self.trim.out is None else min(self.trim.out, frames)
            frames = max(0, stop - self.trim.in_)
        if self.speed is not None:
            frames = len(ramp_indices(frames, self.speed.start, self.speed.end))
        return frames


def ramp_indices(n: int, start: float, end: float) -> list[int]:
    """Source frame per output frame when speed eases linearly from start to end."""
    out: list[int] = []
    t = 0.0
    while t < n - 1e-9:
        out.append(min(n - 1, int(t)))
        frac = t / max(n - 1, 1)
        t += start + (end - start) * frac
    return out


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


def read_canvas(root: Path, fps: int = 24) -> tuple[Canvas, Any]:
    """The production's canvas and its parsed document (for lines); an empty canvas and
    no document when there is no ``canvas.yaml``."""
    path = Path(root) / CANVAS_FILE
    if not (path.exists() or path.is_symlink()):
        return Canvas(), None
    doc = read_source_yaml(path, Path(root).resolve())
    try:
        return Canvas.model_validate(plain(doc) or {}, context={"fps": fps}), doc
    except ValidationError as e:
        raise ProductionError(pydantic_issues(path, doc, e)) from None


def load_canvas(root: Path, fps: int = 24) -> Canvas:
    """The production's canvas; an empty one when there is no ``canvas.yaml``."""
    return read_canvas(root, fps)[0]


def canvas_error(root: Path, loc: tuple[str | int, ...], message: str,
                 expected: str | None = None) -> ProductionError:
    """A problem planning finds in ``canvas.yaml`` (it names what the plan lacks),
    located at the line of ``loc`` (e.g. ``("shots", "sh080", "takes", 0, "backend")``)."""
    path = Path(root) / CANVAS_FILE
    line = line_of(read_yaml(path), loc) if path.is_file() else None
    return ProductionError([SourceIssue(path, line, message, expected)])


def written(model: BaseModel) -> dict[str, Any]:
    """What a saved model writes: the fields its file set (or a command assigned) and
    those that differ from their defaults, so a save never spells out defaults the
    director left implicit, nor drops a value they wrote explicitly."""
    full = model.model_dump(mode="json", by_alias=True)
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        value = getattr(model, name)
        default = field.get_default(call_default_factory=True)
        if name not in model.model_fields_set and value == default:
            continue
        out[key] = _written_value(value, full[key])
    return out


def _written_value(value: Any, dumped: Any) -> Any:
    if isinstance(value, BaseModel):
        return written(value)
    if isinstance(value, dict):
        return {k: _written_value(v, dumped[k]) for k, v in value.items()}
    if isinstance(value, list):
        return [_written_value(v, d) for v, d in zip(value, dumped, strict=True)]
    return dumped


def canvas_change(canvas: Canvas) -> Callable[[Any], dict[str, Any]]:
    """The change that makes a ``canvas.yaml`` document say ``canvas`` (for ``edit_yaml``):
    a schema tag is written in a new file, not added to one that has none."""
    data = written(canvas)

    def change(doc: Any) -> dict[str, Any]:
        if doc is None or "schema" in doc:
            data["schema"] = f"{Canvas.KIND}.{Canvas.VERSION}"
        else:
            data.pop("schema", None)
        return data

    return change


def save_canvas(root: Path, canvas: Canvas, fps: int | None = None) -> Path:
    """Save ``canvas.yaml`` atomically, changing only what changed in it (comments,
    layout and time notation kept); the pick is part of the production files."""
    path = Path(root) / CANVAS_FILE
    edit_yaml(path, canvas_change(canvas), fps=fps)
    return path
