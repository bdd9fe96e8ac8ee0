"""A cast member's voice: locked like their look, so every line they say sounds the same.

The voice is part of the character's lock, but shots that only *show* the character
are keyed by the look alone (``cast.look_lock``) and dialogue by the voice alone
(``voice_lock``): changing a voice re-renders the lines that voice says, nothing else.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field


class Voice(BaseModel):
    """How a character sounds: which voice backend, which of its voices, pitch and pace."""

    model_config = ConfigDict(extra="forbid")
    backend: str | None = Field(
        default=None,
        description="voice backend (espeak, or one configured in backends.toml); "
        "unset: the router picks one by policy",
    )
    id: str = Field(default="", description="the backend's voice: eSpeak NG `en-us+m3`, "
                    "a voice file, a hosted voice id; empty: the backend's default")
    pitch: float = Field(default=0.0, ge=-12, le=12, description="semitones from the voice's own")
    rate: float = Field(default=1.0, ge=0.5, le=2.0, description="pace, 1 = the voice's own")
    seed: int = Field(default=0, ge=0, description="for voice backends that sample")


def voice_lock(character_id: str, voice: Voice) -> str:
    """sha256 of a character's voice: what dialogue steps are keyed on."""
    doc = {"id": character_id, "voice": voice.model_dump(mode="json"), "scheme": "voice.1"}
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
