"""The canvas as a graph pass: takes, extend, trim, speed ramp, transitions, order, score.

The canvas composes with every policy: it edits whatever clip the router planned for
a shot (a previz render, or a generated clip). Take 1 is that clip; take N is its own
chain of steps (``aktion.canvas.takes``), so a new take never replaces an old one.
The picked take then runs through the shot's clip operations in a fixed order
(extend, trim, speed), each a step of its own on the editor, and the last one feeds
the cut and the contact sheet. Without a ``canvas.yaml`` the graph is left exactly
as planned.
"""

from __future__ import annotations

from aktion.backends.base import StepRequest
from aktion.engine.graph import STEP_VERSIONS, ShotGraph, Step, add_step, rekey
from aktion.engine.router import Router
from aktion.engine.store import file_digest
from aktion.production.takes import Canvas, ShotEdit, canvas_error, load_canvas

from .takes import add_take, clip_kind

OPS = ("extend", "trim", "speed")
for _kind in (*OPS,):
    STEP_VERSIONS.setdefault(_kind, 1)


def _op_params(edit: ShotEdit, kind: str) -> dict | None:
    if kind == "extend" and edit.extend:
        return {"frames": edit.extend}
    if kind == "trim" and edit.trim is not None:
        return {"in": edit.trim.in_, "out": edit.trim.out}
    if kind == "speed" and edit.speed is not None:
        return {"start": edit.speed.start, "end": edit.speed.end}
    return None


def expected_frames(frames: int, edit: ShotEdit) -> int:
    """The clip's length after the canvas operations, as the cut will see it."""
    frames += edit.extend
    if edit.trim is not None:
        stop = frames if edit.trim.out is None else min(edit.trim.out, frames)
        frames = stop - edit.trim.in_
    if edit.speed is not None:
        from .ops import ramp_indices  # OpenCV and PyAV: only when a shot is ramped

        frames = len(ramp_indices(frames, edit.speed.start, edit.speed.end))
    return frames


def op_step_id(graph: ShotGraph, kind: str, shot_id: str) -> str:
    """``<kind>:<shot>``, or ``<kind>:<shot>/edit`` where the plan already has that id
    (a generative ``extend`` of a shot longer than the motion model's clip)."""
    plain = f"{kind}:{shot_id}"
    return plain if plain not in graph.steps else f"{plain}/edit"


def _shot_chain(graph: ShotGraph, canvas: Canvas, shot_id: str, cut_id: str,
                router: Router | None) -> str:
    """Add the shot's takes and clip operations; return the step that feeds the cut."""
    edit = canvas.shot(shot_id)
    clips = {1: f"{clip_kind(graph, shot_id)}:{shot_id}"}
    for n, take in enumerate(edit.takes, start=2):
        clips[n] = add_take(graph, shot_id, n, take, cut_id, router)
    feed = clips[edit.pick]
    base = graph.steps[feed]
    for kind in OPS:
        params = _op_params(edit, kind)
        if params is None:
            continue
        request = StepRequest(kind=kind, scene=base.scene, format=base.request.format,
                              params={**params, "take": edit.pick})
        step = Step(op_step_id(graph, kind, shot_id), kind, base.scene, shot_id, "editor",
                    f"{kind} is a canvas operation of the built-in editor, on {feed}",
                    request, {"video": (feed, "video")})
        feed = add_step(graph, step, before=cut_id).id
    return feed


def apply(graph: ShotGraph) -> None:
    """Rewrite a planned graph with the production's ``canvas.yaml``."""
    production = graph.production
    canvas = load_canvas(production.root, production.settings.fps)
    if not canvas.shots and not canvas.scenes:
        return
    _check_names(production, canvas)
    named = any(t.backend for e in canvas.shots.values() for t in e.takes)
    router = Router.for_production(production, graph.policy) if named else None
    for scene in production.boards.scenes:
        cut = graph.steps[f"cut:{scene.id}"]
        entries = {e["id"]: e for e in cut.request.params["shots"]}
        scene_edit = canvas.scenes.get(scene.id)
        order = list(entries)
        if scene_edit and scene_edit.order:
            missing = [s for s in scene_edit.order if s not in entries]
            if missing:
                raise canvas_error(production.root, ("scenes", scene.id, "order"),
                                   f"scene {scene.id} order names shot {missing[0]}, which "
                                   "is not in the scene", ", ".join(entries))
            order = scene_edit.order
        shots, deps = [], {}
        for shot_id in order:
            entry = dict(entries[shot_id])
            edit = canvas.shot(shot_id)
            deps[f"shot:{shot_id}"] = (_shot_chain(graph, canvas, shot_id, cut.id, router),
                                       "video")
            entry["take"] = edit.pick
            entry["duration"] = expected_frames(entry["duration"], edit)
            if edit.transition is not None:
                entry["transition"] = edit.transition.model_dump(mode="json")
            shots.append(entry)
        if shots and shots[0]["transition"].get("type", "cut") != "cut":
            shots[0]["transition"] = {"type": "cut", "duration": 0}
        params = {"shots": shots}
        if scene_edit and scene_edit.audio:
            score = production.root / scene_edit.audio
            if not score.is_file():
                raise canvas_error(production.root, ("scenes", scene.id, "audio"),
                                   f"scene {scene.id} score {scene_edit.audio} not found",
                                   "a sound file in the production folder")
            params["audio"] = {"file": scene_edit.audio, "digest": file_digest(score)}
        cut.request = cut.request.model_copy(update={"params": params})
        cut.deps = deps
    rekey(graph)


def _check_names(production, canvas: Canvas) -> None:
    """Every shot and scene the canvas edits must be on the boards."""
    shots = {shot.id for _, shot in production.shots()}
    scenes = {scene.id for scene in production.boards.scenes}
    for shot_id in canvas.shots:
        if shot_id not in shots:
            raise canvas_error(production.root, ("shots", shot_id),
                               f"shot {shot_id} is not on the boards", ", ".join(sorted(shots)))
    for scene_id in canvas.scenes:
        if scene_id not in scenes:
            raise canvas_error(production.root, ("scenes", scene_id),
                               f"scene {scene_id} is not on the boards", ", ".join(scenes))
