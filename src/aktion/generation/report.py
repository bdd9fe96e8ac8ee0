"""The consistency report of a production: per generated shot, the measures its steps
recorded when they ran, read from the store (nothing is decoded or recomputed).

- board adherence of its keyframe to the previz layout's composition (1 = as the board);
- pose adherence of its clip to the choreography's skeleton (1 = every joint on its mark);
- flicker of the shot's clip (lower is steadier);
- seam to the next shot of the scene (0 = no jump across the cut), from the
  frame signatures both clips recorded.

A measure recorded under another definition (``measures.VERSION``) is not shown.
"""

from __future__ import annotations

from typing import Any

from aktion.engine.graph import CLIP_KINDS, ShotGraph, Step
from aktion.engine.store import Store

from .measures import VERSION, signature_seam

GENERATED = ("restyle", "extend", "motion")  # a shot's clip, last one first
ADHERENCE = ("board_adherence", "pose_adherence")


def shot_rows(graph: ShotGraph, store: Store) -> list[dict[str, Any]]:
    """One row per generated shot, in cut order; ``None`` where a measure is missing.

    The row is about what the cut shows: the clip behind the shot's canvas operations
    (the picked take, not the planned one) and the keyframe that clip started from."""
    rows: list[dict[str, Any]] = []
    for cut in (s for s in graph.steps.values() if s.kind == "cut"):
        prev: dict[str, Any] | None = None
        prev_last = None
        for entry in cut.request.params["shots"]:
            dep = cut.deps.get(f"shot:{entry['id']}")
            clip_step = _clip(graph, graph.steps[dep[0]]) if dep else None
            if clip_step is None or clip_step.kind not in GENERATED:
                prev, prev_last = None, None
                continue
            keyframe = _keyframe(graph, clip_step)
            clip = _measures(store, clip_step.key)
            key = _measures(store, keyframe.key) if keyframe is not None else {}
            row = {"scene": cut.scene, "shot": entry["id"], "step": clip_step.id,
                   "backend": clip_step.backend, "rendered": clip is not None,
                   "board_adherence": (key or {}).get("board_adherence"),
                   "pose_adherence": (clip or {}).get("pose_adherence"),
                   "pose_note": (clip or {}).get("pose_note"),
                   "flicker": (clip or {}).get("flicker"), "seam_to_next": None}
            if prev is not None and prev_last is not None and clip and clip.get("first"):
                prev["seam_to_next"] = signature_seam(prev_last, clip["first"])
            prev, prev_last = row, (clip or {}).get("last")
            rows.append(row)
    return rows


def _clip(graph: ShotGraph, step: Step) -> Step | None:
    """From what feeds the cut back past the editor's canvas operations to the clip."""
    while step.backend == "editor" and "video" in step.deps:
        step = graph.steps[step.deps["video"][0]]
    return step if step.kind in CLIP_KINDS else None


def _keyframe(graph: ShotGraph, clip: Step) -> Step | None:
    """The keyframe a generated clip started from (through extend and restyle)."""
    step = clip
    while "image" not in step.deps and "video" in step.deps:
        step = graph.steps[step.deps["video"][0]]
    dep = step.deps.get("image")
    return graph.steps[dep[0]] if dep else None


def adherence(row: dict[str, Any]) -> float | None:
    """A generated shot's adherence to its direction: the mean of its board and pose
    adherence, as measured (None when neither was)."""
    found = [row[m] for m in ADHERENCE if row.get(m) is not None]
    return sum(found) / len(found) if found else None


def _measures(store: Store, key: str) -> dict[str, Any] | None:
    """A step's recorded measures; of an older definition, only what did not change."""
    action = store.lookup(key)
    if action is None:
        return None
    found = dict(action.record.get("measures") or {})
    if found.get("version") != VERSION:
        for name in ADHERENCE:
            found.pop(name, None)
    return found
