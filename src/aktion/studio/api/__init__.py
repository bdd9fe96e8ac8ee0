"""The JSON API under ``/api``: everything the pages do, scripts can do too."""

from __future__ import annotations

from fastapi import APIRouter

from . import boards, canvas, cast, choreo, jobs, media, preview, production, script, voice

router = APIRouter(prefix="/api")
for module in (production, script, cast, voice, boards, choreo, jobs, media, canvas, preview):
    router.include_router(module.router)
