"""Why a step must run: compare its key's parts with the last run of the same step."""

from __future__ import annotations

from dataclasses import dataclass

from .graph import ShotGraph, Step
from .store import Store


@dataclass
class Explanation:
    step: str
    cached: bool
    reasons: list[str]


def _describe(step: Step, part: str, graph: ShotGraph) -> str:
    shot = f"shot {step.shot}" if step.shot else f"scene {step.scene}"
    if part.startswith("cast:"):
        cid = part.split(":", 1)[1]
        ch = graph.production.cast.get(cid)
        return f"cast lock of {ch.name if ch else cid} changed"
    if part.startswith("input:"):
        name = part.split(":", 1)[1]
        dep = step.deps.get(name, ("?",))[0]
        return f"input {dep} changed"
    return {
        "board": f"board of {shot} changed",
        "beats": f"choreography of {shot} changed",
        "script": f"script lines of {shot} changed",
        "set": f"set of scene {step.scene} changed",
        "format": "format (fps or size) changed",
        "seed": "seed changed",
        "params": f"parameters of {shot} changed",
        "backend": "backend version",
        "code": "step code version",
        "scene": "scene changed",
        "signing": "the production now signs its outputs",
    }.get(part, f"{part} changed")


def explain_step(step: Step, graph: ShotGraph, store: Store) -> Explanation:
    if store.lookup(step.key) is not None:
        return Explanation(step.id, True, [])
    last = store.last_run(step.id)
    if last is None:
        return Explanation(step.id, False, ["new"])
    last_key, last_parts = last
    if last_key == step.key:
        return Explanation(step.id, False, ["output missing from the store"])
    changed = [p for p in step.parts if last_parts.get(p) != step.parts[p]]
    removed = [p for p in last_parts if p not in step.parts]
    direct = [p for p in changed if not p.startswith("input:")]
    shown = direct or changed
    reasons = [_describe(step, p, graph) for p in shown]
    reasons += [f"{p.split(':', 1)[-1]} no longer in it" for p in removed if p.startswith("cast:")]
    if "signing" in removed:
        reasons.append("the production no longer signs its outputs")
    return Explanation(step.id, False, reasons or ["key changed"])


def explain(graph: ShotGraph, store: Store) -> list[Explanation]:
    return [explain_step(step, graph, store) for step in graph]
