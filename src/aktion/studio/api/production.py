"""The production at a glance: format, scenes and shots, cast, and any load issues."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from ..cache import MISSING, cache_for
from ..context import Studio, StudioDep, settings_of, try_load
from .boards import read_boards

router = APIRouter(tags=["production"])


def summary_of(s: Studio) -> dict[str, Any]:
    settings = settings_of(s.root)
    _, issues = try_load(s.root)
    boards, _ = read_boards(s.root, settings)
    cast_dir = s.root / settings.cast_dir
    return {
        "name": settings.name, "title": settings.title, "fps": settings.fps,
        "width": settings.width, "height": settings.height, "policy": settings.policy,
        "scenes": [{"id": sc.id, "heading": sc.heading,
                    "shots": [sh.dump() | {"characters": sh.characters} for sh in sc.shots]}
                   for sc in (boards.scenes if boards else [])],
        "cast": sorted(p.stem for p in cast_dir.glob("*.yaml")) if cast_dir.is_dir() else [],
        "issues": issues, "ok": not issues,
    }


def _summary_bytes(s: Studio) -> bytes:
    return cache_for(s.root).get("summary", lambda: json.dumps(summary_of(s)).encode())


@router.get("/production", response_model=dict[str, Any])
async def summary(s: StudioDep) -> Response:
    """Settings, scenes with their shots, cast ids, and every issue `aktion check` would show.

    Served from the cache while the sources are unchanged; a load runs off the event loop."""
    body = cache_for(s.root).peek("summary")
    if body is MISSING:
        body = await run_in_threadpool(_summary_bytes, s)
    return Response(body, media_type="application/json")
