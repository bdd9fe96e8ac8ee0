"""Render jobs: start, watch (server-sent events), cancel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from ..context import Studio, StudioDep, settings_of
from ..jobs import Job
from ..paths import safe_name
from .boards import read_boards

router = APIRouter(tags=["jobs"])


class JobRequest(BaseModel):
    shots: list[str] | None = Field(default=None, description="only these shots; all if null")


def _job(s: Studio, job_id: str) -> Job:
    job = s.jobs.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


@router.post("/jobs", status_code=202)
def start(body: JobRequest, s: StudioDep) -> dict[str, Any]:
    """Start a render through the engine (only changed steps run); 404 for unknown shots."""
    for shot in body.shots or []:
        safe_name(shot, "shot id")
    if body.shots:
        boards, _ = read_boards(s.root, settings_of(s.root))
        known = {sh.id for sc in (boards.scenes if boards else []) for sh in sc.shots}
        unknown = [x for x in body.shots if x not in known]
        if unknown:
            raise HTTPException(404, f"no shot {', '.join(unknown)} in the boards")
    return s.jobs.start(body.shots).view()


@router.get("/jobs")
async def list_jobs(s: StudioDep) -> list[dict[str, Any]]:
    return [j.view() for j in s.jobs.jobs.values()]


@router.get("/jobs/{job_id}")
async def get_job(job_id: str, s: StudioDep) -> dict[str, Any]:
    return _job(s, job_id).view()


@router.post("/jobs/{job_id}/cancel", status_code=202)
def cancel(job_id: str, s: StudioDep) -> dict[str, Any]:
    """Stop the job at its next report; finished steps stay cached, the rest is dropped."""
    job = _job(s, job_id)
    if not job.finished:
        s.jobs.cancel(job)
    return job.view()


@router.get("/jobs/{job_id}/events")
async def events(job_id: str, request: Request, s: StudioDep) -> StreamingResponse:
    """Server-sent events: one `data:` JSON line per engine report, until the job ends."""
    job = _job(s, job_id)

    async def stream() -> AsyncIterator[str]:
        sent = 0
        while True:
            while sent < len(job.events):
                yield f"data: {json.dumps(job.events[sent])}\n\n"
                sent += 1
            if job.closed and sent >= len(job.events):
                yield "event: end\ndata: {}\n\n"
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.05)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})
