"""Live previews: one previz frame of a shot with unsaved changes, and where its camera is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from aktion.production.errors import ProductionError

from ..cache import cache_for
from ..context import Studio, StudioDep, try_load
from ..paths import safe_name
from ..preview import CHANGEABLE, PREVIEW_WIDTH, key_of, preview_request, render_preview

router = APIRouter(tags=["preview"])


class PreviewRequest(BaseModel):
    shot: str
    changes: dict[str, Any] = Field(default_factory=dict,
                                    description=f"unsaved shot fields: {sorted(CHANGEABLE)}")
    boxes: list[dict[str, Any]] | None = Field(default=None,
                                               description="the scene's set pieces, if moved")
    beats: list[dict[str, Any]] | None = Field(default=None, max_length=10_000,
                                               description="the shot's beats, if edited")
    frame: int | None = Field(default=None, ge=0, description="a frame; null: the key frame")
    width: int = Field(default=PREVIEW_WIDTH, ge=64, le=960)


def graph_of(s: Studio) -> Any:
    """The shot graph of the saved sources (planned once per content of the files).

    The production is loaded inside the cached computation: loaded before it, a save
    landing in between would have the old production's graph kept under the new
    sources' key, and served as current until the next edit."""
    from aktion.engine.graph import plan

    def build() -> tuple[Any, list[dict[str, Any]]]:
        production, issues = try_load(s.root)
        return (None, issues) if production is None else (plan(production), [])

    graph, issues = cache_for(s.root).get("graph", build)
    if graph is None:
        raise HTTPException(422, {"issues": issues})
    return graph


def _preview(s: Studio, body: PreviewRequest) -> dict[str, Any]:
    safe_name(body.shot, "shot id")
    unknown = set(body.changes) - CHANGEABLE
    if unknown:
        raise HTTPException(422, f"not previewable: {sorted(unknown)}; "
                                 f"previewable: {sorted(CHANGEABLE)}")
    step = graph_of(s).steps.get(f"layout:{body.shot}")
    if step is None:
        raise HTTPException(404, f"no shot {body.shot} in the boards")
    try:
        request = preview_request(step.request, body.changes, body.boxes, body.width,
                                  body.beats, body.frame)
    except ValueError as e:
        raise HTTPException(422, f"shot {body.shot}: {e}") from None
    key = key_of(request)
    hit = s.previews.get(key)
    if hit is None:
        try:
            png, info = render_preview(request)
        except (ValueError, KeyError, ProductionError) as e:  # e.g. a move not in the library
            raise HTTPException(422, f"shot {body.shot}: {e}") from None
        s.previews.put(key, png, info)
    else:
        info = hit[1]
    return {"shot": body.shot, "key": key, "frame": f"/api/preview/{key}.png", **info}


@router.post("/preview")
async def preview(body: PreviewRequest, s: StudioDep) -> dict[str, Any]:
    """Perform the shot with ``changes`` (and edited ``beats``) and draw its board frame,
    or ``frame``, at preview size (no render, nothing saved); the frame is kept by the
    content key of what it shows."""
    return await run_in_threadpool(_preview, s, body)


@router.get("/preview/{name}")
async def preview_frame(name: str, s: StudioDep) -> Response:
    """A preview frame made by ``POST /api/preview`` (kept while recent)."""
    key = name.removesuffix(".png")
    hit = s.previews.get(key) if key.isalnum() else None
    if hit is None:
        raise HTTPException(404, "no such preview (make it with POST /api/preview)")
    return Response(hit[0], media_type="image/png",
                    headers={"Cache-Control": "private, max-age=3600",
                             "X-Content-Type-Options": "nosniff"})
