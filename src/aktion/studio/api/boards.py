"""The shot list: read it, and change one shot's framing, move, blocking or duration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import ValidationError

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
            "scenes": [{"id": sc.id, "heading": sc.heading,
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

