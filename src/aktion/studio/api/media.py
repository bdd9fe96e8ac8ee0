"""Rendered media: each shot's latest outputs from the store, and each scene's cut."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response

from aktion.engine.store import STORE_DIR, Action, Store

from ..context import Studio, StudioDep
from ..media_files import store_media_response, video_response
from ..paths import confine, safe_name

router = APIRouter(tags=["media"])

STEP_KINDS = ("layout", "motion_control", "render")


def latest(store: Store, step_id: str) -> Action | None:
    """The action the last run recorded for a step, if its outputs are still stored."""
    last = store.last_run(step_id)
    return store.lookup(last[0]) if last else None


def open_store(s: Studio) -> Store | None:
    """The store if anything was ever rendered; looking must not create one."""
    if not (s.root / STORE_DIR / "cache.sqlite").is_file():
        return None
    return Store.for_production(s.root)


def shot_outputs(s: Studio, shot_id: str) -> dict[str, Any]:
    store = open_store(s)
    if store is None:
        return {}
    try:
        found: dict[str, Any] = {}
        for kind in STEP_KINDS:
            action = latest(store, f"{kind}:{shot_id}")
            if action is not None:
                found[kind] = {"key": action.key, "outputs": {
                    n: {"ext": o.ext, "digest": o.digest, "size": o.size}
                    for n, o in action.outputs.items()}}
        return found
    finally:
        store.close()


def planned_keys(s: Studio, shot_id: str) -> dict[str, str] | None:
    """Each step kind's content key as the sources plan it now (None: they do not load)."""
    from .preview import graph_of

    try:
        graph = graph_of(s)
    except HTTPException:
        return None
    return {kind: graph.steps[f"{kind}:{shot_id}"].key for kind in STEP_KINDS
            if f"{kind}:{shot_id}" in graph.steps}


@router.get("/media/shots/{shot_id}")
def list_shot_media(shot_id: str, s: StudioDep) -> dict[str, Any]:
    """What the store holds for the shot's last render, step by step, and whether it is
    stale: rendered from sources that have changed since (its content key differs)."""
    safe_name(shot_id, "shot id")
    steps = shot_outputs(s, shot_id)
    planned = planned_keys(s, shot_id)
    for kind, step in steps.items():
        step["stale"] = None if planned is None else planned.get(kind) != step["key"]
    stale = None if planned is None else any(st["stale"] for st in steps.values())
    return {"shot": shot_id, "steps": steps, "stale": stale, "rendered": bool(steps)}


@router.get("/media/shots/{shot_id}/takes/{n}")
def take_video(shot_id: str, n: int, s: StudioDep) -> Response:
    """Take ``n``'s clip of a shot as its last render left it (take 1: the board render)."""
    safe_name(shot_id, "shot id")
    if n < 1:
        raise HTTPException(404, "takes count from 1")
    store = open_store(s)
    if store is None:
        raise HTTPException(404, "nothing rendered yet")
    try:
        suffix = "" if n == 1 else f"@t{n}"
        action = next((a for kind in ("render", "motion")
                       if (a := latest(store, f"{kind}:{shot_id}{suffix}")) is not None
                       and "video" in a.outputs), None)
        if action is None:
            raise HTTPException(404, f"take {n} of shot {shot_id} is not rendered yet")
        path = store.blob_path(action.outputs["video"])
    finally:
        store.close()
    return store_media_response(confine(s.root, str(path.relative_to(s.root)), must_exist=True))


@router.get("/media/shots/{shot_id}/{kind}/{name}")
def shot_media(shot_id: str, kind: str, name: str, s: StudioDep) -> Response:
    """One output of one step of a shot (e.g. `render/video`, `layout/frame`)."""
    safe_name(shot_id, "shot id")
    if kind not in STEP_KINDS:
        raise HTTPException(404, f"step kind is one of {STEP_KINDS}")
    store = open_store(s)
    if store is None:
        raise HTTPException(404, "nothing rendered yet")
    try:
        action = latest(store, f"{kind}:{shot_id}")
        if action is None or name not in action.outputs:
            raise HTTPException(404, f"no {kind} {name} rendered for shot {shot_id} yet")
        path = store.blob_path(action.outputs[name])
    finally:
        store.close()
    return store_media_response(confine(s.root, str(path.relative_to(s.root)), must_exist=True))


@router.get("/media/cut/{scene_id}")
def cut(scene_id: str, s: StudioDep) -> Response:
    """The scene's cut as the last full render left it in `out/`."""
    safe_name(scene_id, "scene id")
    return video_response(confine(s.root, "out", f"{scene_id}.mp4", must_exist=True))
