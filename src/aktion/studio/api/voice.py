"""The Cast room's voice: what a character sounds like, and an audition of it.

Setting the voice is an edit of the cast file like any other (``PUT /api/cast/{id}``
with a ``voice``); the audition says a line in the saved voice, or in a voice sent
with the request, so it can be tried before it is set."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field, ValidationError

from aktion.backends.base import BackendError
from aktion.engine.router import UnmetNeed
from aktion.production.errors import ProductionError
from aktion.production.load import load_production
from aktion.production.voice import Voice
from aktion.sound.audition import audition
from aktion.sound.voice_file import check
from aktion.sound.voices import voice_of

from ..context import StudioDep
from ..paths import safe_name

router = APIRouter(tags=["cast"])


class Audition(BaseModel):
    text: str | None = Field(default=None, max_length=400)
    voice: dict[str, Any] | None = None


def _production(s: StudioDep, cid: str):
    safe_name(cid, "character id")
    try:
        production = load_production(s.root)
    except ProductionError as e:
        raise HTTPException(422, {"problems": [str(i) for i in e.issues]}) from None
    if cid not in production.cast:
        raise HTTPException(404, f"no character {cid}")
    return production


@router.get("/cast/{cid}/voice")
def get_voice(cid: str, s: StudioDep) -> dict[str, Any]:
    """The voice a character speaks in, and whether it was set or is the default."""
    production = _production(s, cid)
    voice, chosen = voice_of(production.cast[cid], production.cast[cid].name)
    return {"id": cid, "voice": voice.model_dump(mode="json"), "set": chosen}


@router.post("/cast/{cid}/voice/audition")
def audition_voice(cid: str, body: Audition, s: StudioDep) -> Response:
    """A WAV of a line in the character's voice (or the voice in the request)."""
    production = _production(s, cid)
    voice = None
    if body.voice is not None:
        try:
            voice = Voice.model_validate(body.voice)
        except ValidationError as e:
            raise HTTPException(422, {"problems": [str(x["msg"]) for x in e.errors()]}) from None
        problem = check(voice)
        if problem:
            raise HTTPException(422, {"problems": [problem]})
    with tempfile.TemporaryDirectory() as work:
        try:
            wav = audition(production, cid, body.text, Path(work) / "audition.wav", voice)
        except (BackendError, UnmetNeed) as e:
            raise HTTPException(422, {"problems": [str(e)]}) from None
        return Response(wav.read_bytes(), media_type="audio/wav")
