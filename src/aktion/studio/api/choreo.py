"""Choreography: a shot's beats on its timeline, read and replaced as a whole."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field
from ruamel.yaml.comments import CommentedMap

from aktion.production.choreo import Choreo, ShotChoreo
from aktion.production.yamlio import plain

from ..context import StudioDep, move_names, settings_of, try_load
from ..paths import safe_name
from ..sources import if_match, read_versioned, write_versioned
from ..yamledit import edit, flow, parse
from .boards import read_boards

router = APIRouter(tags=["choreography"])


class Beats(BaseModel):
    beats: list[dict[str, Any]] = Field(max_length=10_000)


@router.get("/choreo/{shot_id}")
def get_beats(shot_id: str, response: Response, s: StudioDep) -> dict[str, Any]:
    """The shot's beats (frames), its duration, who is in it, and the known moves."""
    safe_name(shot_id, "shot id")
    settings = settings_of(s.root)
    boards, _ = read_boards(s.root, settings)
    shot = next((sh for sc in (boards.scenes if boards else []) for sh in sc.shots
                 if sh.id == shot_id), None)
    if shot is None:
        raise HTTPException(404, f"no shot {shot_id} in the boards")
    path = s.root / settings.choreo
    text, tag = read_versioned(path)
    beats: list[dict[str, Any]] = []
    if text:
        entry = plain(parse(text, path) or {}).get("shots", {}).get(shot_id)
        if entry:
            beats = [b.dump() for b in ShotChoreo.model_validate(
                entry, context={"fps": settings.fps}).beats]
    response.headers["ETag"] = tag
    return {"shot": shot_id, "etag": tag, "fps": settings.fps, "duration": shot.duration,
            "people": shot.characters, "beats": sorted(beats, key=lambda b: b["t"]),
            "moves": move_names(s.root)}


@router.put("/choreo/{shot_id}")
def put_beats(shot_id: str, body: Beats, request: Request, response: Response,
              s: StudioDep) -> dict[str, Any]:
    """Replace the shot's beats; 409 if choreo.yaml changed since its ETag."""
    safe_name(shot_id, "shot id")
    settings = settings_of(s.root)
    path = s.root / settings.choreo
    base = if_match(request)
    if not path.exists() and base == '"absent"':
        write_versioned(path, base, lambda _: "schema: Choreo.1\nshots: {}\n")
        base = read_versioned(path)[1]

    def change(doc: Any) -> None:
        shots = doc.setdefault("shots", CommentedMap())
        beats = [flow({k: v for k, v in b.items() if v is not None}) for b in body.beats]
        entry = shots.get(shot_id)
        if entry is None:
            shots[shot_id] = CommentedMap({"beats": beats})
        else:
            entry["beats"] = beats

    tag = write_versioned(path, base, edit(path, s.root, Choreo, settings.fps, change))
    response.headers["ETag"] = tag
    _, issues = try_load(s.root)
    return {"etag": tag, "issues": issues}
