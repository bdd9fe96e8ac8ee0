"""The screenplay: read, save over a version, and a live breakdown of any draft."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from aktion.production import anchors
from aktion.production.errors import ProductionError
from aktion.production.script import Script

from ..context import Studio, StudioDep, issues_json, settings_of, try_load
from ..paths import confine
from ..sources import _LOCK, if_match, read_versioned, write_versioned
from .boards import read_boards

router = APIRouter(tags=["script"])


class ScriptText(BaseModel):
    text: str = Field(max_length=2_000_000)


def breakdown(text: str, shots: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Scenes, characters and action beats of a draft, each with its script line."""
    script = Script.from_text(text)
    scenes: list[dict[str, Any]] = []
    for e in script.elements:
        if e.kind == "scene_heading":
            scenes.append({"heading": e.plain or e.text, "line": e.line, "beats": [],
                           "characters": [], "shots": []})
        elif scenes and e.kind == "action":
            scenes[-1]["beats"].append({"line": e.line, "end_line": e.end_line,
                                        "text": e.plain or e.text})
        elif (scenes and e.kind == "character" and e.character
              and e.character not in scenes[-1]["characters"]):
            scenes[-1]["characters"].append(e.character)
    for i, sc in enumerate(scenes):
        end = scenes[i + 1]["line"] - 1 if i + 1 < len(scenes) else len(script.lines)
        sc["shots"] = [s["id"] for s in shots or [] if sc["line"] <= s["lines"][0] <= end]
    return {"title": script.title, "scenes": scenes, "characters": script.characters,
            "lines": len(script.lines)}


def _shots(s: Studio) -> list[dict[str, Any]]:
    boards, _ = read_boards(s.root, settings_of(s.root))
    return [sh.dump() for sc in boards.scenes for sh in sc.shots] if boards else []


def script_path(s: Studio) -> Path:
    """The script, which must stay inside the production (a symlink out is refused)."""
    return confine(s.root, settings_of(s.root).script)


def anchors_json(s: Studio, result: anchors.Rebase | None = None) -> dict[str, Any]:
    """Open anchor flags, and what a script edit made outside the studio would move."""
    waiting = anchors.pending(s.root)
    return {"flags": [asdict(f) | {"text": f.describe()} for f in anchors.flags(s.root)],
            "moved": result.moved if result else [],
            "pending": {"moved": waiting.moved,
                        "flags": [asdict(f) for f in waiting.flags]} if waiting else None}


@router.get("/script")
def get_script(response: Response, s: StudioDep) -> dict[str, Any]:
    """The Fountain text, its ETag (send it back as If-Match to save) and its breakdown."""
    text, tag = read_versioned(script_path(s))
    response.headers["ETag"] = tag
    return {"text": text or "", "etag": tag, "breakdown": breakdown(text or "", _shots(s)),
            "anchors": anchors_json(s)}


@router.post("/script/breakdown")
def post_breakdown(body: ScriptText, s: StudioDep) -> dict[str, Any]:
    """The breakdown of unsaved text, for the live view beside the editor."""
    return breakdown(body.text, _shots(s))


@router.put("/script")
def put_script(body: ScriptText, request: Request, response: Response,
               s: StudioDep) -> dict[str, Any]:
    """Save the script if it is still the version named by If-Match (else 409).

    Shots' and beats' line anchors follow the edit (a diff of the old and new text);
    those whose lines were rewritten or deleted come back flagged, not re-pointed."""
    path = script_path(s)
    before: list[str | None] = []

    def change(current: str | None) -> str:
        before.append(current)
        return body.text

    tag = write_versioned(path, if_match(request), change)
    problem = None
    with _LOCK:
        try:
            result = anchors.record(s.root, before[0], body.text)
        except ProductionError as e:  # boards or choreography that do not parse: the
            result = None             # script is saved; anchors wait for a rebase
            problem = "; ".join(i["text"] for i in issues_json(s.root, e.issues))
    response.headers["ETag"] = tag
    _, issues = try_load(s.root)
    return {"etag": tag, "breakdown": breakdown(body.text, _shots(s)), "issues": issues,
            "anchors": anchors_json(s, result) | {"error": problem}}


@router.get("/anchors")
def get_anchors(s: StudioDep) -> dict[str, Any]:
    """Flagged anchors (script text they showed was rewritten or deleted), and the moves
    an edit made outside the studio is waiting for (`aktion anchors rebase`)."""
    return anchors_json(s)


class Accept(BaseModel):
    shot: str
    beat: int | None = Field(default=None, description="a beat's line; all the shot's if null")


@router.post("/anchors/accept")
def accept_anchor(body: Accept, s: StudioDep) -> dict[str, Any]:
    """The director checked a flagged shot: its rewritten lines still fit. Clear the flag."""
    with _LOCK:
        if not anchors.accept(s.root, body.shot, body.beat):
            raise HTTPException(404, f"shot {body.shot} has no flagged anchor")
    return anchors_json(s)


@router.post("/anchors/rebase")
def rebase_anchors(s: StudioDep) -> dict[str, Any]:
    """Follow a script edit made outside the studio, as `aktion anchors rebase`."""
    with _LOCK:
        try:
            text = read_versioned(script_path(s))[0] or ""
            result = anchors.record(s.root, None, text)
        except ProductionError as e:
            raise HTTPException(422, {"issues": issues_json(s.root, e.issues)}) from None
    return anchors_json(s, result)


class DraftRequest(BaseModel):
    scenes: list[int] | None = Field(default=None, description="1-based scenes; all if null")


@router.post("/script/draft")
def post_draft(body: DraftRequest, s: StudioDep) -> dict[str, Any]:
    """Draft boards, choreography and cast from the saved script, as ``aktion draft``:
    only what is missing is added, the director's shots, beats and marks are kept."""
    from aktion.production.errors import ProductionError
    from aktion.writers_room.breakdown import breakdown_script
    from aktion.writers_room.draft import draft as make_draft
    from aktion.writers_room.merge import write_draft
    from aktion.writers_room.moves import library_moves
    from aktion.writers_room.source import resolve

    try:
        source = resolve(s.root)
        bd = breakdown_script(source.script())
    except ProductionError as e:
        raise HTTPException(422, {"issues": issues_json(s.root, e.issues)}) from None
    wanted = sorted(set(body.scenes)) if body.scenes else None
    if wanted and not all(1 <= n <= len(bd.scenes) for n in wanted):
        raise HTTPException(422, f"the script has scenes 1-{len(bd.scenes)}")
    result = make_draft(bd, fps=source.fps, moves=library_moves(source.root), scenes=wanted)
    with _LOCK:  # not interleaved with a versioned write of the same files
        try:
            report = write_draft(source, result)
        except ProductionError as e:
            raise HTTPException(422, {"issues": issues_json(s.root, e.issues)}) from None
    _, issues = try_load(s.root)
    return {"scenes": report.scenes, "shots": report.shots, "beats": report.beats,
            "cast": report.cast, "written": [str(p.relative_to(s.root)) for p in report.written],
            "issues": issues}
