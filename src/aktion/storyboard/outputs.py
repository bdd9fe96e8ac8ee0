"""Where the storyboard's pictures come from: step outputs in the store.

Boards need each shot's layout frame and camera path; they are cheap steps, so
they are rendered (or taken from the cache) on demand, without the shot's
render. Contact sheets and animatics read what the cut reads: each shot's
picked clip, which is the step feeding the cut (a take, an extended or trimmed
clip), never the cut decoded at board offsets.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aktion.engine.graph import ShotGraph, Step
from aktion.engine.run import Summary, run
from aktion.engine.store import Action, Output, Store
from aktion.media.images import read_array
from aktion.previz.camera import CameraPath

LAYOUT_KINDS = ("layout", "motion_control")


class NotRendered(LookupError):
    """A step the storyboard needs has no output in the store."""


@dataclass
class ShotLayout:
    """One shot's board picture: the frame at its key moment and the camera path."""

    shot: str
    frame: np.ndarray  # RGB
    key_frame: int
    camera: CameraPath | None


def local_file(store: Store, output: Output, scratch: Path) -> Path:
    """A path to read the output from: the blob itself, or a verified copy in ``scratch``."""
    try:
        return store.blob_path(output)
    except TypeError:
        scratch.mkdir(parents=True, exist_ok=True)
        return store.fetch(output, scratch)


def render_layouts(graph: ShotGraph, store: Store) -> Summary:
    """Run (or find cached) every shot's layout and motion_control step, nothing else."""
    steps = {k: s for k, s in graph.steps.items() if s.kind in LAYOUT_KINDS}
    sub = ShotGraph(graph.production, steps, graph.contexts, graph.policy, signs=graph.signs)
    return run(sub, store)


def _step(graph: ShotGraph, kind: str, shot: str) -> Step:
    return graph.steps[f"{kind}:{shot}"]


def _cached(store: Store, step: Step) -> Action:
    action = store.lookup(step.key)
    if action is None:
        raise NotRendered(f"{step.id} is not rendered")
    return action


def shot_layout(graph: ShotGraph, store: Store, shot: str, scratch: Path) -> ShotLayout:
    """The shot's layout frame, key frame and camera, from the store."""
    layout = _cached(store, _step(graph, "layout", shot))
    frame = read_array(local_file(store, layout.outputs["frame"], scratch / "layout"))
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    _, board = graph.production.shot(shot)
    key = int(layout.record.get("key_frame", board.duration // 2))
    camera = None
    mc_id = f"motion_control:{shot}"
    if mc_id in graph.steps:
        mc = store.lookup(graph.steps[mc_id].key)
        if mc is not None and "camera" in mc.outputs:
            path = local_file(store, mc.outputs["camera"], scratch / "camera")
            camera = CameraPath.from_json(json.loads(path.read_text()))
    shutil.rmtree(scratch / "layout", ignore_errors=True)
    return ShotLayout(shot, frame[:, :, :3].copy(), key, camera)


def cut_step(graph: ShotGraph, scene: str) -> Step:
    return graph.steps[f"cut:{scene}"]


def picked_clip_step(graph: ShotGraph, scene: str, shot: str) -> Step:
    """The step whose video the cut uses for ``shot`` (the picked take after edits)."""
    dep, _ = cut_step(graph, scene).deps[f"shot:{shot}"]
    return graph.steps[dep]


def picked_clip(graph: ShotGraph, store: Store, scene: str, shot: str, scratch: Path) -> Path:
    """The shot's picked clip as a local file; raises NotRendered when it is not in the store."""
    action = _cached(store, picked_clip_step(graph, scene, shot))
    return local_file(store, action.outputs["video"], scratch)


def cut_video(graph: ShotGraph, store: Store, scene: str, scratch: Path) -> Path:
    """The scene's cut as a local file; raises NotRendered when it is not in the store."""
    action = _cached(store, cut_step(graph, scene))
    return local_file(store, action.outputs["video"], scratch)
