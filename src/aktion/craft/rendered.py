"""What the store says about each shot: the clip the cut used, and what its backend honoured."""

from __future__ import annotations

from pathlib import Path

from aktion.engine.graph import ShotGraph, Step
from aktion.engine.router import UnmetNeed, load_backend
from aktion.engine.store import Store


def _take(graph: ShotGraph, step: Step) -> Step:
    """From a canvas operation back to the render (take) it started from."""
    while "video" in step.deps and step.kind != "render":
        step = graph.steps[step.deps["video"][0]]
    return step


def cut_clips(graph: ShotGraph, store: Store) -> dict[str, tuple[Step, Path | None]]:
    """Per shot: the step feeding its scene's cut and its clip in the store (None if not run)."""
    out: dict[str, tuple[Step, Path | None]] = {}
    for step in graph:
        if step.kind != "cut":
            continue
        for name, (dep, output) in step.deps.items():
            if not name.startswith("shot:"):  # the scene's sound mix is no shot
                continue
            feed = graph.steps[dep]
            action = store.lookup(feed.key)
            path = store.blob_path(action.outputs[output]) if action else None
            out[name.split(":", 1)[1]] = (feed, path)
    return out


def honoured(graph: ShotGraph, store: Store) -> dict[str, frozenset[str] | None]:
    """Per shot: the conditioning declared by the backend that rendered its picked take."""
    result: dict[str, frozenset[str] | None] = {}
    for shot, (feed, path) in cut_clips(graph, store).items():
        take = _take(graph, feed)
        if path is None or store.lookup(take.key) is None:
            result[shot] = None
            continue
        try:
            caps = load_backend(take.backend).capabilities
        except (UnmetNeed, ImportError):
            result[shot] = None
            continue
        result[shot] = frozenset(caps.conditioning)
    return result


def output_adherence(graph: ShotGraph, store: Store) -> dict[str, float | None]:
    """Per shot: how closely its picked take follows its board and choreography, as the
    generated steps measured it when they ran; a previz render is the board itself (1)."""
    from aktion.generation.report import adherence, shot_rows

    generated = {row["shot"]: adherence(row) for row in shot_rows(graph, store)}
    result: dict[str, float | None] = {}
    for shot, (feed, path) in cut_clips(graph, store).items():
        take = _take(graph, feed)
        if path is None or store.lookup(take.key) is None:
            result[shot] = None
        elif take.kind == "render" and take.backend == "previz":
            result[shot] = 1.0
        else:
            result[shot] = generated.get(shot)
    return result
