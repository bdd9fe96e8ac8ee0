"""Hear a character's voice before a render: one line said in their locked voice,
written as a WAV (the Studio's Cast room and ``aktion cast voice --say``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aktion.backends.base import StepRequest
from aktion.engine.router import Router, backend_class, configured
from aktion.production.production import Production
from aktion.production.voice import Voice, voice_lock

from .plan import voice_route
from .voices import voice_of
from .wav import read_wav, write_wav

SAMPLE_LINE = "You should not have come up here."


def audition(production: Production, cid: str, text: str | None, dest: Path,
             voice: Voice | None = None) -> Path:
    """Say ``text`` (a stock line when None) in ``cid``'s voice (or ``voice``, to try one
    before setting it) into ``dest`` (WAV)."""
    character = production.cast[cid]
    if voice is None:
        voice, _ = voice_of(character, character.name)
    router = Router.for_production(production)
    backend_id, _why = voice_route(voice.backend, router, voice.id)
    backend = configured(backend_class(backend_id), router.contexts.get(backend_id))
    request = StepRequest(kind="dialogue", locks={cid: voice_lock(cid, voice)},
                          seed=voice.seed, params={"text": text or SAMPLE_LINE, "who": cid,
                                                   "voice": voice.model_dump(mode="json"),
                                                   "delivery": ""})
    with tempfile.TemporaryDirectory() as work:
        result = backend.run(request, Path(work), lambda done, total: None)
        pcm = read_wav(result.outputs["voice"])
    return write_wav(dest, pcm)
