"""Choreography: a shot's beats on its timeline, read and replaced as a whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from aktion.production import roundtrip
from aktion.production.choreo import Choreo, ShotChoreo
from aktion.production.yamlio import plain

from ..cache import cache_for
from ..context import StudioDep, move_names, settings_of, try_load
from ..paths import safe_name
from ..sources import if_match, read_versioned, write_versioned
from ..yamledit import edit, parse
from .boards import read_boards

router = APIRouter(tags=["choreography"])


class Beats(BaseModel):
    beats: list[dict[str, Any]] = Field(max_length=10_000)


def written(beat: Any) -> dict[str, Any]:
    """A beat as its file writes it (times in frames): the fields it sets, no defaults."""
    out = beat.model_dump(mode="json", by_alias=True, exclude_unset=True)
    out.pop("schema", None)
    return out


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
            beats = [written(b) for b in ShotChoreo.model_validate(
                entry, context={"fps": settings.fps}).beats]
    response.headers["ETag"] = tag
    return {"shot": shot_id, "etag": tag, "fps": settings.fps, "duration": shot.duration,
            "people": shot.characters, "beats": beats, "moves": move_names(s.root),
            "timing": move_timing(s.root, settings.fps)}


def move_timing(root: Path, fps: int) -> dict[str, Any]:
    """Each move's length and contact frame at this fps and speed 1 (camera beats too),
    so the timeline draws beats as long as they play."""
    from aktion.previz.camera import BEAT_FRAMES
    from aktion.previz.moves import MoveLibrary
    from aktion.production.errors import ProductionError

    def compute() -> dict[str, Any]:
        library = MoveLibrary.for_production(root)
        scale = fps / 24
        out: dict[str, Any] = {}
        for name in library.names():
            try:
                move = library[name]
            except ProductionError:  # a broken move is `aktion check`'s to report
                continue
            out[name] = {"length": max(1, round(move.duration * scale)),
                         "contact": None if move.contact is None
                         else round(move.contact * scale)}
        for name, frames in BEAT_FRAMES.items():
            out[f"camera:{name}"] = {"length": max(1, round(frames * scale)), "contact": None}
        return out

    return cache_for(root).get(f"move-timing-{fps}", compute)


@router.put("/choreo/{shot_id}")
def put_beats(shot_id: str, body: Beats, request: Request, response: Response,
              s: StudioDep) -> dict[str, Any]:
    """Replace the shot's beats; 409 if choreo.yaml changed since its ETag."""
    safe_name(shot_id, "shot id")
    settings = settings_of(s.root)
    path = s.root / settings.choreo
    beats = [{k: v for k, v in b.items() if v is not None and k != "schema"}
             for b in body.beats]

    def change(doc: Any) -> Any:
        if doc is None:
            return {"schema": "Choreo.1", "shots": {shot_id: {"beats": beats}}}
        if doc.get("shots") is None:
            roundtrip.put(doc, "shots", {}, settings.fps)
        shots = doc["shots"]
        if shot_id in shots and isinstance(shots[shot_id], dict):
            roundtrip.put(shots[shot_id], "beats", beats, settings.fps)
        else:
            roundtrip.put(shots, shot_id, {"beats": beats}, settings.fps)
        return doc

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Choreo, settings.fps, change, create=True))
    response.headers["ETag"] = tag
    _, issues = try_load(s.root)
    return {"etag": tag, "issues": issues}
