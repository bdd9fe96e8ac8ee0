"""A cast member: the locked look every shot that shows them must honour."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .schema import Versioned
from .voice import Voice

HexColor = str  # "#rrggbb"
_COLOR = r"^#[0-9a-fA-F]{6}$"


class Build(BaseModel):
    """Body proportions the previz mannequin and pose maps use (metres, ratios)."""

    model_config = ConfigDict(extra="forbid")
    height: float = Field(default=1.78, ge=0.5, le=2.6)
    shoulders: float = Field(default=0.42, ge=0.2, le=0.8, description="shoulder width, m")
    hips: float = Field(default=0.32, ge=0.15, le=0.7, description="hip width, m")
    bulk: float = Field(default=1.0, ge=0.5, le=2.0, description="limb thickness factor")


class Palette(BaseModel):
    model_config = ConfigDict(extra="forbid")
    primary: HexColor = Field(default="#c0392b", pattern=_COLOR, description="torso/wardrobe")
    secondary: HexColor = Field(default="#2c3e50", pattern=_COLOR, description="legs")
    skin: HexColor = Field(default="#d1a17a", pattern=_COLOR)
    accent: HexColor = Field(default="#f1c40f", pattern=_COLOR, description="gloves, shoes")


class Character(Versioned):
    KIND = "Character"

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, description="the name as the script writes it (VEX)")
    aliases: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="other names the script uses for them (DETECTIVE MARA, MARA VOSS)",
    )
    description: str = ""
    look: str = ""
    wardrobe: str = ""
    build: Build = Field(default_factory=Build)
    palette: Palette = Field(default_factory=Palette)
    refs: list[str] = Field(default_factory=list, description="reference images, relative")
    seed: int = Field(default=0, ge=0)
    voice: Voice | None = Field(default=None, description="how they sound; part of the lock")
    locked: str | None = Field(
        default=None, description="the lock this character was locked at (sha256)"
    )

    def canonical(self) -> dict:
        """What the lock covers: everything that defines the character, not the lock itself.

        No aliases (or no voice) is left out rather than written as empty, so characters
        locked before aliases (or voices) existed keep their locks.
        """
        exclude = {"locked"} | (set() if self.aliases else {"aliases"})
        return self.model_dump(mode="json", by_alias=True,
                               exclude=exclude | (set() if self.voice else {"voice"}))

    def dump(self) -> dict:
        doc = super().dump()
        if not self.aliases:
            doc.pop("aliases", None)
        return doc


def compute_lock(character: Character, ref_digests: dict[str, str]) -> str:
    """sha256 over the canonical description, the references' content and the seed."""
    doc = {"character": character.canonical(), "refs": ref_digests, "scheme": "lock.1"}
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def look_lock(character: Character, ref_digests: dict[str, str]) -> str:
    """The lock without the voice: what picture steps are keyed on, so a new voice
    re-renders dialogue only (equal to ``compute_lock`` for a character with no voice)."""
    if character.voice is None:
        return compute_lock(character, ref_digests)
    return compute_lock(character.model_copy(update={"voice": None}), ref_digests)


