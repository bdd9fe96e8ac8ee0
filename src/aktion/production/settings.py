"""``aktion.toml``: the production-wide decisions (format, seed, routing policy)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from pydantic import Field, field_validator

from .schema import Versioned
from .sound import SoundSettings

Policy = Literal["previz", "draft", "final"]


class Settings(Versioned):
    KIND = "Settings"

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="folder-safe production id")
    title: str = ""
    fps: int = Field(default=24, ge=1, le=120)
    width: int = Field(default=1280, ge=64, le=7680)
    height: int = Field(default=720, ge=64, le=4320)
    seed: int = Field(default=0, ge=0)
    policy: Policy = "previz"
    store: str = Field(
        default="",
        description="where blobs live: empty for .aktion/blobs, a folder (relative to the "
        "production), or an fsspec URL every render worker reaches (file://, s3://, gs://)",
    )
    script: str = "script.fountain"
    boards: str = "boards.yaml"
    choreo: str = "choreo.yaml"
    cast_dir: str = "cast"
    sound: SoundSettings | None = Field(default=None, description="[sound]: None, picture only")

    @field_validator("script", "boards", "choreo", "cast_dir")
    @classmethod
    def _inside(cls, v: str) -> str:
        parts = PurePosixPath(v.replace("\\", "/")).parts
        if not v or PurePosixPath(v).is_absolute() or v.startswith("~") or ".." in parts:
            raise ValueError("a path relative to the production folder, inside it")
        return v

    @field_validator("width", "height")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError("an even number of pixels (H.264 needs even sizes)")
        return v
