"""``[sound]`` in aktion.toml: the production's loudness target and its own samples.

A production with a ``[sound]`` table renders its scenes with sound (dialogue in the
cast's voices, effects on the beats, the score) and its cut carries the mix; one
without it keeps a picture-only cut, so adding sound is an explicit decision.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TARGETS = {"broadcast": -23.0, "web": -14.0}  # EBU R128; the usual streaming level


class SoundSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    loudness: Literal["broadcast", "web"] | float = Field(
        default="broadcast",
        description='integrated loudness of each scene\'s mix: "broadcast" (-23 LUFS, '
        'EBU R128), "web" (-14 LUFS) or a number of LUFS')
    true_peak: float = Field(default=-1.0, ge=-9.0, le=0.0, description="ceiling, dBTP")
    duck: float = Field(default=-10.0, ge=-40.0, le=0.0,
                        description="dB the score drops under dialogue")
    samples: str = Field(default="sounds", description="folder of the production's own "
                         "sounds; a file named like a sound (impact_head.wav) replaces it")

    @field_validator("loudness")
    @classmethod
    def _level(cls, v: str | float) -> str | float:
        if isinstance(v, float | int) and not -40.0 <= float(v) <= -5.0:
            raise ValueError("a loudness between -40 and -5 LUFS, or broadcast / web")
        return v

    @field_validator("samples")
    @classmethod
    def _inside(cls, v: str) -> str:
        parts = PurePosixPath(v.replace("\\", "/")).parts
        if not v or PurePosixPath(v).is_absolute() or v.startswith("~") or ".." in parts:
            raise ValueError("a folder relative to the production folder, inside it")
        return v

    @property
    def target_lufs(self) -> float:
        return TARGETS[self.loudness] if isinstance(self.loudness, str) else float(self.loudness)
