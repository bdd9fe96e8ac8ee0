"""The Canvas: takes and clip operations (``canvas.yaml``), editorial export, provenance.

Takes and edits are written to ``canvas.yaml`` exactly as ``aktion take`` and
``aktion canvas`` write it (the same model, the same round-trip writer), so the CLI
and the next render see the director's pick, and the file keeps its comments. Writes go over an ETag like every other source.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field, ValidationError

from aktion.engine.store import Store
from aktion.production import roundtrip
from aktion.production.errors import ProductionError
from aktion.production.load import load_production
from aktion.production.takes import (
    CANVAS_FILE,
    Canvas,
    ShotEdit,
    SpeedRamp,
    Take,
    TransitionOverride,
    Trim,
    canvas_change,
)
from aktion.production.yamlio import plain

from ..context import Studio, StudioDep, issues_json, move_names, settings_of
from ..paths import confine, safe_name
from ..sources import if_match, read_versioned, write_versioned
from ..yamledit import parse
from .boards import read_boards
from .media import open_store

router = APIRouter(tags=["canvas"])

FORMATS = ("otio", "fcp7", "fcpx", "edl")


def canvas_of(text: str | None, path: Path, fps: int) -> Canvas:
    """The canvas a version of ``canvas.yaml`` holds (422 with file and field if invalid)."""
    if text is None:
        return Canvas()
    try:
        return Canvas.model_validate(plain(parse(text, path)) or {}, context={"fps": fps})
    except ValidationError as e:
        raise HTTPException(422, {"issues": [
            {"file": CANVAS_FILE, "line": None, "message": f"{'.'.join(map(str, err['loc']))}: "
             f"{err['msg']}"} for err in e.errors()]}) from None


def shot_ids(s: Studio) -> set[str]:
    boards, _ = read_boards(s.root, settings_of(s.root))
    return {sh.id for sc in boards.scenes for sh in sc.shots} if boards else set()


def edit_json(edit: ShotEdit) -> dict[str, Any]:
    return {"takes": [{"n": 1, "seed": None, "backend": None, "note": "board render"}]
            + [{"n": i + 2, **t.model_dump()} for i, t in enumerate(edit.takes)],
            "pick": edit.pick, "extend": edit.extend,
            "trim": edit.trim.model_dump(by_alias=True) if edit.trim else None,
            "speed": edit.speed.model_dump() if edit.speed else None,
            "transition": edit.transition.model_dump() if edit.transition else None}


@router.get("/canvas")
def get_canvas(response: Response, s: StudioDep) -> dict[str, Any]:
    """Each shot's takes, pick and clip operations, with the ETag of ``canvas.yaml``."""
    settings = settings_of(s.root)
    path = s.root / CANVAS_FILE
    text, tag = read_versioned(path)
    canvas = canvas_of(text, path, settings.fps)
    boards, _ = read_boards(s.root, settings)
    response.headers["ETag"] = tag
    return {"etag": tag, "fps": settings.fps, "scenes": [
        {"id": sc.id, "heading": sc.heading, "audio": canvas.scenes.get(sc.id) and
         canvas.scenes[sc.id].audio, "cut": cut_state(s, sc.id),
         "shots": [{"id": sh.id, "duration": sh.duration,
                    "transition_board": sh.transition.model_dump(),
                    **edit_json(canvas.shot(sh.id))}
                   for sh in sc.shots]}
        for sc in (boards.scenes if boards else [])]}


def cut_state(s: Studio, scene_id: str) -> dict[str, Any]:
    """Whether the scene's cut exists, and whether it is stale: the sources now plan a cut
    with another content key than the one last rendered."""
    from .preview import graph_of

    rendered = (s.root / "out" / f"{scene_id}.mp4").is_file()
    store = open_store(s)
    last = None
    if store is not None:
        try:
            last = store.last_run(f"cut:{scene_id}")
        finally:
            store.close()
    try:
        step = graph_of(s).steps.get(f"cut:{scene_id}")
    except HTTPException:
        step = None
    stale = None if step is None or last is None else last[0] != step.key
    return {"rendered": rendered, "stale": stale}


class ShotChange(BaseModel):
    """Fields to set on one shot's edit; a null ``trim``/``speed``/``transition`` clears it."""

    pick: int | None = Field(default=None, ge=1)
    extend: int | None = Field(default=None, ge=0, description="frames")
    trim: dict[str, Any] | None = Field(default=None, description="{in, out} in frames")
    speed: dict[str, Any] | None = None
    transition: dict[str, Any] | None = Field(default=None, description="{type, duration}")


def _change_shot(s: Studio, shot_id: str, request: Request, response: Response,
                 change: Any) -> dict[str, Any]:
    safe_name(shot_id, "shot id")
    if shot_id not in shot_ids(s):
        raise HTTPException(404, f"no shot {shot_id} in the boards")
    fps = settings_of(s.root).fps
    path = s.root / CANVAS_FILE

    def apply(current: str | None) -> str:
        canvas = canvas_of(current, path, fps)
        edit = canvas.shots.setdefault(shot_id, ShotEdit())
        try:
            change(edit)
            Canvas.model_validate(canvas.model_dump(by_alias=True), context={"fps": fps})
        except (ValidationError, ValueError) as e:
            raise HTTPException(422, f"shot {shot_id}: {e}") from None
        return roundtrip.edit_text(current, canvas_change(canvas), fps)

    tag = write_versioned(path, if_match(request), apply)
    response.headers["ETag"] = tag
    text, _ = read_versioned(path)
    return {"etag": tag, "shot": shot_id, **edit_json(canvas_of(text, path, fps).shot(shot_id))}


@router.put("/canvas/shots/{shot_id}")
def put_shot_edit(shot_id: str, body: ShotChange, request: Request, response: Response,
                  s: StudioDep) -> dict[str, Any]:
    """Pick a take, extend, trim, set the transition in or a speed ramp (If-Match required)."""
    sent = body.model_fields_set

    def change(edit: ShotEdit) -> None:
        # A field is assigned only when it changes: an assigned field is written out.
        def assign(name: str, value: Any) -> None:
            if getattr(edit, name) != value:
                setattr(edit, name, value)

        if "pick" in sent and body.pick is not None:
            if body.pick > len(edit.takes) + 1:
                raise ValueError(f"has {len(edit.takes) + 1} take(s), not {body.pick}")
            assign("pick", body.pick)
        if "extend" in sent:
            assign("extend", body.extend or 0)
        if "trim" in sent:
            assign("trim", Trim.model_validate(body.trim) if body.trim else None)
        if "speed" in sent:
            assign("speed", SpeedRamp.model_validate(body.speed) if body.speed else None)
        if "transition" in sent:
            assign("transition", TransitionOverride.model_validate(body.transition)
                   if body.transition else None)

    return _change_shot(s, shot_id, request, response, change)


class NewTake(BaseModel):
    seed: int | None = Field(default=None, ge=0, description="default: derived from the take")
    pick: bool = True


@router.post("/canvas/shots/{shot_id}/takes", status_code=201)
def new_take(shot_id: str, body: NewTake, request: Request, response: Response,
             s: StudioDep) -> dict[str, Any]:
    """Add a take (another seed), picked unless told otherwise, as ``aktion take new``."""

    def change(edit: ShotEdit) -> None:
        edit.takes.append(Take(seed=body.seed))
        if body.pick:
            edit.pick = len(edit.takes) + 1

    return _change_shot(s, shot_id, request, response, change)


class ExportRequest(BaseModel):
    format: Literal["otio", "fcp7", "fcpx", "edl"] = "otio"


def _graph(s: Studio) -> Any:
    from aktion.engine.graph import plan

    try:
        return plan(load_production(s.root, moves=move_names(s.root)))
    except ProductionError as e:
        raise HTTPException(422, {"issues": issues_json(s.root, e.issues)}) from None
    except ValueError as e:  # a canvas naming what the boards do not have
        raise HTTPException(422, str(e)) from None


@router.post("/export")
def export_timeline(body: ExportRequest, s: StudioDep) -> dict[str, Any]:
    """Each scene's cut as an editorial timeline in ``out/editorial/`` (`aktion export`)."""
    from aktion.editorial.export import export
    from aktion.editorial.timeline import ExportError

    graph = _graph(s)
    store = Store.for_production(s.root)
    try:
        written = export(graph, store, body.format)
    except ExportError as e:
        raise HTTPException(409, str(e)) from None
    finally:
        store.close()
    return {"format": body.format, "files": [str(p.relative_to(s.root)) for p in written],
            "downloads": [f"/api/export/files/{p.name}" for p in written]}


@router.get("/export/files/{name}")
def export_file(name: str, s: StudioDep) -> Response:
    """An exported timeline from ``out/editorial/``, as a download."""
    from fastapi.responses import FileResponse

    safe_name(name, "file name")
    path = confine(s.root, "out", "editorial", name, must_exist=True)
    return FileResponse(path, media_type="application/octet-stream", filename=name,
                        content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff"})


def _verdict(s: Studio, path: Path) -> dict[str, Any]:
    from aktion.provenance.verify import verify_asset

    # Paths are shown relative to the production: the page has no use for where it lives.
    text = json.dumps(verify_asset(path, production=s.root).to_json())
    root = json.dumps(str(s.root))[1:-1]
    return json.loads(text.replace(root + "/", "").replace(root, "."))


@router.get("/provenance/cut/{scene_id}")
def cut_provenance(scene_id: str, s: StudioDep) -> dict[str, Any]:
    """The verdict on ``out/<scene>.mp4``: trusted, untrusted, invalid or unsigned, and its
    trail down to the shots, their steps and script lines."""
    safe_name(scene_id, "scene id")
    return _verdict(s, confine(s.root, "out", f"{scene_id}.mp4", must_exist=True))


@router.get("/provenance/shots/{shot_id}")
def shot_provenance(shot_id: str, s: StudioDep) -> dict[str, Any]:
    """The verdict on the clip the cut uses for a shot (its picked take, after edits)."""
    safe_name(shot_id, "shot id")
    graph = _graph(s)
    feed = None
    for step in graph.steps.values():
        if step.kind == "cut" and f"shot:{shot_id}" in step.deps:
            feed = graph.steps[step.deps[f"shot:{shot_id}"][0]]
    if feed is None:
        raise HTTPException(404, f"no shot {shot_id} in any cut")
    store = open_store(s)
    if store is None:
        raise HTTPException(404, "nothing rendered yet")
    try:
        action = store.lookup(feed.key)
        if action is None:
            last = store.last_run(feed.id)
            action = store.lookup(last[0]) if last else None
        if action is None or "video" not in action.outputs:
            raise HTTPException(404, f"{feed.id} is not rendered yet")
        blob = store.blob_path(action.outputs["video"])
    finally:
        store.close()
    verdict = _verdict(s, confine(s.root, str(blob.relative_to(s.root)), must_exist=True))
    return {"shot": shot_id, "step": feed.id, **verdict}
