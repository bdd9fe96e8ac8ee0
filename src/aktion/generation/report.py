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

from aktion.engine.graph import CLIP_KINDS, ShotGraph
from aktion.engine.store import Store

from .measures import VERSION, signature_seam

GENERATED = ("restyle", "extend", "motion")  # a shot's clip, last one first
ADHERENCE = ("board_adherence", "pose_adherence")


def shot_rows(graph: ShotGraph, store: Store) -> list[dict[str, Any]]:
    """One row per generated shot, in scene order; ``None`` where a measure is missing."""
    rows: list[dict[str, Any]] = []
    for scene in graph.production.boards.scenes:
        prev: dict[str, Any] | None = None
        prev_last = None
        for shot in scene.shots:
            steps = {s.kind: s for s in graph.steps.values() if s.shot == shot.id}
            clip_kind = next((k for k in CLIP_KINDS if k in steps), None)
            if clip_kind not in GENERATED:
                prev, prev_last = None, None
                continue
            clip = _measures(store, steps[clip_kind].key)
            key = _measures(store, steps["keyframe"].key) if "keyframe" in steps else {}
            row = {"scene": scene.id, "shot": shot.id, "backend": steps[clip_kind].backend,
                   "rendered": clip is not None,
                   "board_adherence": (key or {}).get("board_adherence"),
                   "pose_adherence": (clip or {}).get("pose_adherence"),
                   "pose_note": (clip or {}).get("pose_note"),
                   "flicker": (clip or {}).get("flicker"), "seam_to_next": None}
            if prev is not None and prev_last is not None and clip and clip.get("first"):
                prev["seam_to_next"] = signature_seam(prev_last, clip["first"])
            prev, prev_last = row, (clip or {}).get("last")
            rows.append(row)
    return rows


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
