"""The consistency report of a production: per generated shot, the measures its steps
recorded when they ran, read from the store (nothing is decoded or recomputed).

- flicker of the shot's clip (lower is steadier);
- board adherence of its keyframe to the previz layout (1 = same edges);
- seam to the next shot of the scene (0 = no jump across the cut), from the
  frame signatures both clips recorded.
"""

from __future__ import annotations

from typing import Any

from aktion.engine.graph import CLIP_KINDS, ShotGraph
from aktion.engine.store import Store

from .measures import signature_seam

GENERATED = ("restyle", "extend", "motion")  # a shot's clip, last one first


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
                   "rendered": clip is not None, "flicker": (clip or {}).get("flicker"),
                   "board_adherence": (key or {}).get("board_adherence"),
                   "seam_to_next": None}
            if prev is not None and prev_last is not None and clip and clip.get("first"):
                prev["seam_to_next"] = signature_seam(prev_last, clip["first"])
            prev, prev_last = row, (clip or {}).get("last")
            rows.append(row)
    return rows


def _measures(store: Store, key: str) -> dict[str, Any] | None:
    action = store.lookup(key)
    return None if action is None else dict(action.record.get("measures") or {})
