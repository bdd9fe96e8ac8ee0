"""The canvas as a graph pass: takes, extend, trim, speed ramp, transitions, order, score.

Take 1 of a shot is the planned ``render:<shot>``; take N is ``render:<shot>@tN``,
its own step with its own key, so a new take never replaces an old one. The
picked take then runs through the shot's clip operations in a fixed order
(extend, trim, speed), each a step of its own on the editor, and the last one
feeds the cut. Without a ``canvas.yaml`` the graph is left exactly as planned.
"""

from __future__ import annotations

from aktion.backends.base import StepRequest
from aktion.engine.graph import STEP_VERSIONS, ShotGraph, Step, add_step, rekey, shot_seed
from aktion.engine.store import file_digest
from aktion.production.takes import Canvas, ShotEdit, load_canvas

from .ops import ramp_indices

OPS = ("extend", "trim", "speed")
for _kind in (*OPS,):
    STEP_VERSIONS.setdefault(_kind, 1)


def take_step_id(shot_id: str, n: int) -> str:
    return f"render:{shot_id}" if n == 1 else f"render:{shot_id}@t{n}"


def take_seed(base_seed: int, shot_id: str, n: int, explicit: int | None) -> int:
    return explicit if explicit is not None else shot_seed(base_seed, f"{shot_id}@t{n}")


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
        frames = len(ramp_indices(frames, edit.speed.start, edit.speed.end))
    return frames


def _shot_chain(graph: ShotGraph, canvas: Canvas, shot_id: str, cut_id: str) -> str:
    """Add the shot's takes and clip operations; return the step that feeds the cut."""
    base = graph.steps[f"render:{shot_id}"]
    edit = canvas.shot(shot_id)
    seed0 = graph.production.settings.seed
    for n, take in enumerate(edit.takes, start=2):
        request = base.request.model_copy(
            update={"seed": take_seed(seed0, shot_id, n, take.seed)}, deep=True)
        backend = take.backend or base.backend
        reason = (f"take {n}: backend chosen for this take" if take.backend
                  else base.reason)
        add_step(graph, Step(take_step_id(shot_id, n), "render", base.scene, shot_id, backend,
                             reason, request, dict(base.deps)), before=cut_id)
    feed = take_step_id(shot_id, edit.pick)
    for kind in OPS:
        params = _op_params(edit, kind)
        if params is None:
            continue
        request = StepRequest(kind=kind, scene=base.scene, format=base.request.format,
                              params={**params, "take": edit.pick})
        step = Step(f"{kind}:{shot_id}", kind, base.scene, shot_id, "editor",
                    f"{kind} is a canvas operation of the built-in editor", request,
                    {"video": (feed, "video")})
        feed = add_step(graph, step, before=cut_id).id
    return feed


def apply(graph: ShotGraph) -> None:
    """Rewrite a planned graph with the production's ``canvas.yaml``."""
    production = graph.production
    canvas = load_canvas(production.root, production.settings.fps)
    if not canvas.shots and not canvas.scenes:
        return
    for scene in production.boards.scenes:
        cut = graph.steps[f"cut:{scene.id}"]
        entries = {e["id"]: e for e in cut.request.params["shots"]}
        scene_edit = canvas.scenes.get(scene.id)
        order = list(entries)
        if scene_edit and scene_edit.order:
            missing = [s for s in scene_edit.order if s not in entries]
            if missing:
                raise ValueError(f"canvas.yaml: scene {scene.id} order names unknown shot "
                                 f"{missing[0]}")
            order = scene_edit.order
        shots, deps = [], {}
        for shot_id in order:
            entry = dict(entries[shot_id])
            edit = canvas.shot(shot_id)
            deps[f"shot:{shot_id}"] = (_shot_chain(graph, canvas, shot_id, cut.id), "video")
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
                raise ValueError(f"canvas.yaml: scene {scene.id} audio {score} not found")
            params["audio"] = {"file": scene_edit.audio, "digest": file_digest(score)}
        cut.request = cut.request.model_copy(update={"params": params})
        cut.deps = deps
    rekey(graph)
