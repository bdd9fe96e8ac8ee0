"""Takes as steps of the graph: take N of a shot re-runs what a new take varies.

Take 1 is the shot as planned, whatever the policy: its clip is the last of
``restyle``, ``extend``, ``motion`` and ``render`` (``graph.CLIP_KINDS``). Take N is
a chain of its own steps (``<kind>:<shot>@tN``) beside take 1's, so a new take never
replaces an old one:

- a generative shot (draft, final) re-runs its generative steps (keyframe, motion,
  extend, restyle) with the take's seed, on take 1's conditioning (layout, control
  maps, performance), on the router's backend or the one the take names;
- a previz shot re-solves its performance and camera with the take's variation
  (``aktion.previz.take``: beat timing, operator wobble, framing) and renders it.
"""

from __future__ import annotations

from aktion.engine.graph import CLIP_KINDS, ShotGraph, Step, add_step, shot_seed
from aktion.engine.router import GENERATIVE_KINDS, Router, UnmetNeed
from aktion.previz.take import TakeVariation, describe
from aktion.production.takes import Take, canvas_error

PREVIZ_TAKE_KINDS = ("motion_control", "render")  # what a previz take re-runs


def take_step_id(shot_id: str, n: int, kind: str = "render") -> str:
    """Take 1's step of ``kind`` is the planned one; take N's carries ``@tN``."""
    return f"{kind}:{shot_id}" if n == 1 else f"{kind}:{shot_id}@t{n}"


def take_seed(base_seed: int, shot_id: str, n: int, explicit: int | None) -> int:
    return explicit if explicit is not None else shot_seed(base_seed, f"{shot_id}@t{n}")


def clip_kind(graph: ShotGraph, shot_id: str) -> str:
    """The kind of step that makes the shot's clip as planned (the last of CLIP_KINDS)."""
    planned = {k for k in CLIP_KINDS if (s := graph.steps.get(f"{k}:{shot_id}")) is not None
               and s.kind == k and s.backend != "editor"}  # not a canvas op
    kind = next((k for k in CLIP_KINDS if k in planned), None)
    if kind is None:
        raise ValueError(f"shot {shot_id} has no clip step in the plan")
    return kind


def add_take(graph: ShotGraph, shot_id: str, n: int, take: Take, before: str,
             router: Router | None = None) -> str:
    """Add take ``n``'s steps before ``before``; returns the id of its clip step."""
    seed = take_seed(graph.production.settings.seed, shot_id, n, take.seed)
    kind = clip_kind(graph, shot_id)
    if kind in GENERATIVE_KINDS:
        kinds = [k for k in GENERATIVE_KINDS if f"{k}:{shot_id}" in graph.steps]
        what = (f"{_listed(kinds)} re-run with the take's seed on take 1's layout, "
                "control maps and performance")
    else:
        base = graph.steps[f"{kind}:{shot_id}"]
        if take.backend is not None and take.backend != base.backend:
            raise canvas_error(graph.production.root, _where(shot_id, n),
                               f"take {n} of shot {shot_id} names backend `{take.backend}`, "
                               f"but under policy {graph.policy} the shot is made by "
                               f"{base.backend}; a take's backend applies to generative steps",
                               f"`{base.backend}`, or a render with --policy draft or final")
        kinds = list(PREVIZ_TAKE_KINDS)
        what = describe(graph.production.settings.fps)
    variation = TakeVariation(n, seed).params()
    ids: dict[str, str] = {}
    for k in kinds:
        base = graph.steps[f"{k}:{shot_id}"]
        params = dict(base.request.params)
        backend, reason = base.backend, base.reason
        if k in GENERATIVE_KINDS and take.backend is not None:
            try:
                backend, reason, params = _rerouted(graph, base, take.backend, router)
            except UnmetNeed as e:
                raise canvas_error(graph.production.root, _where(shot_id, n), str(e)) from None
        if k in PREVIZ_TAKE_KINDS:
            params["take"] = variation
        request = base.request.model_copy(update={"seed": seed, "params": params}, deep=True)
        deps = {name: (ids.get(dep, dep), out) for name, (dep, out) in base.deps.items()}
        step = Step(take_step_id(shot_id, n, k), k, base.scene, shot_id, backend,
                    f"take {n} (seed {seed}): {what}; {reason}", request, deps)
        ids[base.id] = add_step(graph, step, before=before).id
    return ids[f"{kind}:{shot_id}"]


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _where(shot_id: str, n: int) -> tuple[str | int, ...]:
    return ("shots", shot_id, "takes", n - 2, "backend")


def _rerouted(graph: ShotGraph, base: Step, backend: str,
              router: Router | None) -> tuple[str, str, dict]:
    """Backend, reason and params of a generative step moved to the take's backend."""
    router = router or Router.for_production(graph.production, graph.policy)
    route = router.route(base.kind, base.request.hashed(), only=backend)
    graph.contexts.update({backend: router.contexts[backend]})
    params = {**base.request.params, **route.params}
    return route.backend, f"backend chosen for this take: {route.reason}", params
