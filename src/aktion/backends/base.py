"""The backend protocol: what a step asks for, and what comes back.

A request carries *everything* that conditions the step as plain data (the board
of the shot, its beats, the locked cast, the script slice, the seed) plus the
files of its input steps. The engine hashes the plain part into the step's
content key, so a backend cannot depend on anything the key does not cover.
Backends never import the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

Progress = Callable[[int, int], None]
"""progress(done, total): called by long steps, e.g. once per frame."""


class StepRequest(BaseModel):
    """The whole conditioning of one step, as data. ``inputs`` are files, not hashed."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="layout, motion_control, render, keyframe, motion, ...")
    shot: dict[str, Any] = Field(default_factory=dict, description="Shot.dump() of the board")
    scene: str = ""
    set: dict[str, Any] = Field(default_factory=dict, description="SetDesign of the scene")
    beats: list[dict[str, Any]] = Field(default_factory=list, description="Beat.dump()s")
    cast: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="id -> Character.dump() of those in the shot"
    )
    locks: dict[str, str] = Field(default_factory=dict, description="id -> cast lock")
    format: dict[str, int] = Field(default_factory=dict, description="fps, width, height")
    script: dict[str, Any] = Field(
        default_factory=dict, description="lines [a, b], text, dialogue [{who, text, line}]"
    )
    seed: int = 0
    params: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, Path] = Field(
        default_factory=dict, description="name -> file of an input step's output"
    )

    def hashed(self, include: set[str] | None = None) -> dict[str, Any]:
        """The part of the request that goes into the content key (no paths); with
        ``include``, only those of its fields."""
        return self.model_dump(mode="json", include=include, exclude={"inputs"})


@dataclass
class StepResult:
    outputs: dict[str, Path]  # name -> a file the backend wrote inside its workdir
    record: dict[str, Any] = field(default_factory=dict)  # model id, revision, params used


@dataclass(frozen=True)
class Capabilities:
    steps: frozenset[str]
    conditioning: frozenset[str] = frozenset()  # refs, pose, depth, layout, first_frame, ...
    max_frames: int | None = None
    deterministic: bool = True
    device: str = "cpu"
    cost: str = "free"  # free, cheap, paid
    speed: str = "fast"  # fast, medium, slow


class BackendError(RuntimeError):
    """A backend failed on a step; the message says which and why, for the summary."""


@runtime_checkable
class Backend(Protocol):
    id: ClassVar[str]
    version: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        """Do one step, writing outputs under ``workdir``; raise BackendError on failure."""
        ...
