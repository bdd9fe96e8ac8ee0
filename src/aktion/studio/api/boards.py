"""The shot list: read it, and change one shot's framing, move, blocking or duration."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field, ValidationError

from aktion.production import roundtrip
from aktion.production.board import Boards
from aktion.production.settings import Settings
from aktion.production.yamlio import plain

from ..cache import cache_for
from ..context import StudioDep, settings_of, try_load
from ..paths import safe_name
from ..sources import if_match, read_versioned, write_versioned
from ..yamledit import edit, parse

router = APIRouter(tags=["boards"])

EDITABLE = {"size", "angle", "lens", "move", "duration", "blocking", "frame", "side",
            "transition", "note", "lines"}


def read_boards(root: Path, settings: Settings) -> tuple[Boards | None, str]:
    """The boards if they parse and validate on their own, and the file's ETag."""

    def load() -> tuple[Boards | None, str]:
        path = root / settings.boards
        text, tag = read_versioned(path)
        if text is None:
            return None, tag
        try:
            return Boards.model_validate(plain(parse(text, path)),
                                         context={"fps": settings.fps}), tag
        except (ValidationError, HTTPException):
            return None, tag

    return cache_for(root).get("boards", load)


SHORTHAND_DEFAULTS = {"move": {"amount": None, "start": 0, "end": None},
                     "transition": {"duration": 0}}


def find_shot(doc: Any, shot_id: str) -> Any:
    """The shot's node in a boards document, or None."""
    return next((sh for sc in doc.get("scenes") or [] for sh in sc.get("shots") or []
                 if str(sh.get("id")) == shot_id), None)


def written_field(key: str, value: Any, old: Any) -> Any:
    """A field as the director would write it: ``move: dolly`` stays shorthand when only
    the type is set, and defaults the file did not spell out are not added."""
    if value is None:
        return roundtrip.DELETE
    if key in SHORTHAND_DEFAULTS and isinstance(value, dict):
        defaults = SHORTHAND_DEFAULTS[key]
        kept = {k: v for k, v in value.items()
                if v is not None and not (k in defaults and v == defaults[k]
                                          and not (isinstance(old, dict) and k in old))}
        if set(kept) == {"type"} and not isinstance(old, dict):
            return kept["type"]
        return kept
    if key == "blocking" and isinstance(value, list):
        before = {str(m.get("who")): m for m in old or [] if isinstance(m, dict)}
        return [{k: v for k, v in m.items()
                 if not (k == "facing" and v == 0 and "facing" not in before.get(m.get("who"), {}))}
                for m in value]
    return value


@router.get("/boards")
def get_boards(response: Response, s: StudioDep) -> dict[str, Any]:
    """Scenes and shots (times in frames) with the file's ETag."""
    settings = settings_of(s.root)
    boards, tag = read_boards(s.root, settings)
    response.headers["ETag"] = tag
    _, issues = try_load(s.root) if boards is None else (None, [])
    return {"etag": tag, "fps": settings.fps, "issues": issues,
            "width": settings.width, "height": settings.height,
            "scenes": [{"id": sc.id, "heading": sc.heading, "set": sc.set.model_dump(),
                        "shots": [sh.dump() | {"characters": sh.characters} for sh in sc.shots]}
                       for sc in (boards.scenes if boards else [])]}


@router.put("/boards/shots/{shot_id}")
def put_shot(shot_id: str, fields: dict[str, Any], request: Request, response: Response,
             s: StudioDep) -> dict[str, Any]:
    """Set some fields of one shot (null removes a field); 409 if boards.yaml changed."""
    safe_name(shot_id, "shot id")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise HTTPException(422, f"fields not editable here: {sorted(unknown)}; "
                                 f"editable: {sorted(EDITABLE)}")
    settings = settings_of(s.root)
    path = s.root / settings.boards

    def change(doc: Any) -> None:
        shot = find_shot(doc, shot_id)
        if shot is None:
            raise HTTPException(404, f"no shot {shot_id} in {settings.boards}")
        for key, value in fields.items():
            roundtrip.put(shot, key, written_field(key, value, shot.get(key)), settings.fps)

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Boards, settings.fps, change))
    response.headers["ETag"] = tag
    _, issues = try_load(s.root)
    return {"etag": tag, "issues": issues}



def new_shot_id(existing: set[str], after: str | None) -> str:
    """An id in the production's own style, after ``after``: sh040 -> sh041 (or sh040b)."""
    m = re.match(r"^(.*?)(\d+)$", after or "")
    if m:
        prefix, digits = m.group(1), m.group(2)
        for n in range(int(digits) + 1, int(digits) + 10):
            candidate = f"{prefix}{n:0{len(digits)}d}"
            if candidate not in existing:
                return candidate
    base = after or "shot"
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        if f"{base}{suffix}" not in existing:
            return f"{base}{suffix}"
    n = 1
    while f"{base}-{n}" in existing:
        n += 1
    return f"{base}-{n}"


def _scene_node(doc: Any, scene_id: str, boards_name: str) -> Any:
    scene = next((sc for sc in doc.get("scenes") or [] if str(sc.get("id")) == scene_id), None)
    if scene is None:
        raise HTTPException(404, f"no scene {scene_id} in {boards_name}")
    return scene


class NewShot(BaseModel):
    after: str | None = Field(default=None, description="the shot it follows; last if null")
    copy_of: str | None = Field(default=None, description="duplicate this shot")
    shot: dict[str, Any] | None = Field(default=None, description="fields of a new shot")


@router.post("/boards/scenes/{scene_id}/shots", status_code=201)
def add_shot(scene_id: str, body: NewShot, request: Request, response: Response,
             s: StudioDep) -> dict[str, Any]:
    """Add a shot to a scene: a copy of one (``copy_of``), or new fields (``shot``: lines
    and duration at least), after ``after``. The new id follows the scene's style."""
    safe_name(scene_id, "scene id")
    settings = settings_of(s.root)
    path = s.root / settings.boards
    made: dict[str, str] = {}

    def change(doc: Any) -> None:
        scene = _scene_node(doc, scene_id, settings.boards)
        shots = scene["shots"]
        ids = {str(sh.get("id")) for sc in doc.get("scenes") or [] for sh in sc.get("shots") or []}
        source = find_shot(doc, body.copy_of) if body.copy_of else None
        if body.copy_of and source is None:
            raise HTTPException(404, f"no shot {body.copy_of} in {settings.boards}")
        after = body.after or body.copy_of or (str(shots[-1].get("id")) if shots else None)
        index = next((i + 1 for i, sh in enumerate(shots) if str(sh.get("id")) == after),
                     len(shots))
        new_id = new_shot_id(ids, after)
        if source is not None:
            node = copy.deepcopy(source)
            roundtrip.put(node, "id", new_id, settings.fps)  # quoted as the original was
            shots.insert(index, node)
        else:
            fields = dict(body.shot or {})
            fields.pop("id", None)
            roundtrip.put(shots, len(shots), {"id": new_id, **fields}, settings.fps)
            shots.insert(index, shots.pop(len(shots) - 1))
        made["id"] = new_id

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Boards, settings.fps, change))
    response.headers["ETag"] = tag
    _, issues = try_load(s.root)
    return {"etag": tag, "id": made["id"], "issues": issues}


@router.delete("/boards/shots/{shot_id}")
def delete_shot(shot_id: str, request: Request, response: Response,
                s: StudioDep) -> dict[str, Any]:
    """Remove a shot from the boards, and its beats from the choreography (else they would
    name a shot that is not boarded)."""
    safe_name(shot_id, "shot id")
    settings = settings_of(s.root)
    path = s.root / settings.boards

    def change(doc: Any) -> None:
        for scene in doc.get("scenes") or []:
            shots = scene.get("shots") or []
            for i, sh in enumerate(shots):
                if str(sh.get("id")) == shot_id:
                    if len(shots) == 1:
                        raise HTTPException(422, "a scene keeps at least one shot")
                    del shots[i]
                    return
        raise HTTPException(404, f"no shot {shot_id} in {settings.boards}")

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Boards, settings.fps, change))
    choreo = s.root / settings.choreo
    text, ctag = read_versioned(choreo)
    if text and shot_id in (plain(parse(text, choreo)) or {}).get("shots", {}):
        write_versioned(choreo, ctag, edit(choreo, s.root, None, settings.fps,
                                           {("shots", shot_id): roundtrip.DELETE}))
    response.headers["ETag"] = tag
    _, issues = try_load(s.root)
    return {"etag": tag, "issues": issues}


class Order(BaseModel):
    order: list[str] = Field(description="every shot id of the scene, in the new order")


@router.put("/boards/scenes/{scene_id}/order")
def reorder_shots(scene_id: str, body: Order, request: Request, response: Response,
                  s: StudioDep) -> dict[str, Any]:
    """Put a scene's shots in a new order (each shot moves whole, comments and all)."""
    safe_name(scene_id, "scene id")
    settings = settings_of(s.root)
    path = s.root / settings.boards

    def change(doc: Any) -> None:
        shots = _scene_node(doc, scene_id, settings.boards)["shots"]
        current = [str(sh.get("id")) for sh in shots]
        if sorted(current) != sorted(body.order):
            raise HTTPException(422, f"order must name each shot of {scene_id} once: {current}")
        roundtrip.put(_scene_node(doc, scene_id, settings.boards), "shots",
                      [plain(shots[current.index(i)]) for i in body.order], settings.fps)

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Boards, settings.fps, change))
    response.headers["ETag"] = tag
    return {"etag": tag}


BOX_FIELDS = {"at", "size", "name", "color"}


@router.put("/boards/scenes/{scene_id}/boxes/{index}")
def put_box(scene_id: str, index: int, fields: dict[str, Any], request: Request,
            response: Response, s: StudioDep) -> dict[str, Any]:
    """Move or change a set piece (``at``, ``size``, ``name``, ``color``)."""
    safe_name(scene_id, "scene id")
    unknown = set(fields) - BOX_FIELDS
    if unknown:
        raise HTTPException(422, f"fields not editable here: {sorted(unknown)}")
    settings = settings_of(s.root)
    path = s.root / settings.boards

    def change(doc: Any) -> None:
        boxes = ((_scene_node(doc, scene_id, settings.boards).get("set") or {}).get("boxes")
                 or [])
        if not 0 <= index < len(boxes):
            raise HTTPException(404, f"scene {scene_id} has {len(boxes)} set piece(s)")
        for key, value in fields.items():
            roundtrip.put(boxes[index], key, roundtrip.DELETE if value is None else value,
                          settings.fps)

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Boards, settings.fps, change))
    response.headers["ETag"] = tag
    _, issues = try_load(s.root)
    return {"etag": tag, "issues": issues}
