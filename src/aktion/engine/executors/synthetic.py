"""A synthetic production for measuring and testing executors without a renderer.

``synthetic_graph`` plans N shots (``layout`` then ``render``) in scenes, each
scene ending in a ``cut`` of its shots, all served by ``SleepBackend``: a step
sleeps a fixed time and writes small deterministic bytes derived from its inputs,
so a cut's bytes prove every step ran on the right inputs, wherever it ran.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, cast

from aktion.backends.base import Capabilities, Progress, StepRequest, StepResult
from aktion.production.production import Production

from ..graph import ShotGraph, Step
from ..keys import content_key, digest

TARGET = "aktion.engine.executors.synthetic:SleepBackend"


class SleepBackend:
    id: ClassVar[str] = "sleep"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"layout", "render", "cut"}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        time.sleep(float(request.params.get("sleep", 0.0)))
        body = b"".join(request.inputs[n].read_bytes() for n in sorted(request.inputs))
        name = "frames" if request.kind == "layout" else "video"
        out = workdir / f"{name}.bin"
        out.write_bytes(body + f"{request.kind} {request.params.get('shot', request.scene)}\n"
                        .encode())
        progress(1, 1)
        return StepResult(outputs={name: out}, record={"slept": request.params.get("sleep")})


def _step(graph: dict[str, Step], step_id: str, kind: str, scene: str, shot: str | None,
          params: dict[str, Any], deps: dict[str, tuple[str, str]]) -> None:
    request = StepRequest(kind=kind, scene=scene, params=params)
    parts = {"code": digest([kind, 1]), "backend": digest([TARGET, SleepBackend.version]),
             "params": digest(params)}
    for name, (dep, out) in sorted(deps.items()):
        parts[f"input:{name}"] = digest([graph[dep].key, out])
    graph[step_id] = Step(step_id, kind, scene, shot, TARGET, "synthetic", request, deps,
                          parts, content_key(parts))


def synthetic_graph(root: Path, shots: int = 200, scenes: int = 10,
                    sleep: float = 0.02) -> ShotGraph:
    """N shots in ``scenes`` scenes; every shot step sleeps ``sleep`` seconds."""
    steps: dict[str, Step] = {}
    per_scene = -(-shots // scenes)
    for s in range(scenes):
        scene = f"s{s}"
        ids = [str(i) for i in range(s * per_scene, min(shots, (s + 1) * per_scene))]
        if not ids:
            break
        for i in ids:
            params = {"sleep": sleep, "shot": i}
            _step(steps, f"layout:{i}", "layout", scene, i, params, {})
            _step(steps, f"render:{i}", "render", scene, i, params,
                  {"frames": (f"layout:{i}", "frames")})
        _step(steps, f"cut:{scene}", "cut", scene, None, {"shots": ids},
              {f"shot:{i:>06}": (f"render:{i}", "video") for i in ids})
    settings = SimpleNamespace(script="script.fountain")
    production = cast(Production, SimpleNamespace(root=Path(root), settings=settings))
    return ShotGraph(production, steps)
