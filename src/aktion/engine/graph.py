"""Plan: compile a production into a shot graph of keyed steps.

Per shot: ``layout`` and ``motion_control`` (both from the sources), then
``render`` (from motion control); under the ``draft`` and ``final`` policies the
router adds ``keyframe`` (from the layout), ``motion`` (keyframe + the previz
render as pose guide), and ``extend``/``restyle`` where the shot needs them. Per
scene a ``cut`` of each shot's last clip.
Each step's key covers exactly what it reads, so editing one beat changes the
key of that shot's steps and of the cut, and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aktion.backends.base import StepRequest
from aktion.generation.config import BackendContext
from aktion.production.cast import look_lock
from aktion.production.production import Production
from aktion.production.yamlio import plain, read_source_yaml
from aktion.provenance.home import production_cert

from .keys import content_key, digest
from .router import Router

# Bump a kind's version when the engine's definition of that step changes.
STEP_VERSIONS = {"layout": 2, "motion_control": 1, "render": 1, "cut": 1, "sheet": 1,
                 "keyframe": 2, "motion": 1, "extend": 1, "restyle": 1, "control_maps": 2}

# Passes that rewrite a planned graph (signing, takes, generation), each from the module
# that owns the concept, applied in this order when importable.
EXTENSIONS: list[str] = ["aktion.canvas.plan:apply", "aktion.sound.plan:apply"]
BACKEND_VERSIONS: dict[str, str] = {}


@dataclass
class Step:
    id: str  # "render:3", "cut:rooftop"
    kind: str
    scene: str
    shot: str | None
    backend: str
    reason: str
    request: StepRequest
    deps: dict[str, tuple[str, str]] = field(default_factory=dict)  # input -> (step id, output)
    parts: dict[str, str] = field(default_factory=dict)
    key: str = ""
    publish: tuple[str, str] | None = None  # (output, path in the production) to copy it to
    # The request the parts below were digested from: a rekey after an extension rewired
    # the graph digests only the requests that changed.
    digested: tuple[StepRequest, dict[str, str]] | None = field(
        default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.publish is None and self.kind == "cut":  # a scene's cut is what out/ is for
            self.publish = ("video", f"out/{self.scene}.mp4")


@dataclass
class ShotGraph:
    production: Production
    steps: dict[str, Step]  # in topological order
    # Per backend id, its configuration for this production (backends.toml table and
    # folders): executors hand it to the backend with each step (``router.configured``).
    contexts: dict[str, BackendContext] = field(default_factory=dict)
    policy: str = "previz"  # the render policy it was planned under (takes route with it)
    # Steps added "before" another one, by that step's id, not yet moved into place
    # (``settle``): moving each as it is added would copy the whole order every time.
    pending: dict[str, list[str]] = field(default_factory=dict, repr=False)
    signs: bool = False  # the production records an identity: every step is signed and logged

    def context(self, step: Step) -> BackendContext | None:
        """The configuration the backend of ``step`` runs with (None: it needs none)."""
        return self.contexts.get(step.backend)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps.values())

    def select(self, shots: list[str] | None) -> list[Step]:
        """Steps needed for some shots (all when None); cuts only when all shots are asked."""
        if not shots:
            return list(self.steps.values())
        wanted = set(shots)
        return [s for s in self.steps.values() if s.shot in wanted]


def shot_seed(seed: int, shot_id: str) -> int:
    """A stable per-shot seed, so reordering shots changes no other shot's seed."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{shot_id}".encode()).digest()[:4], "big")


def backend_version(backend_id: str) -> str:
    if backend_id not in BACKEND_VERSIONS:
        from .router import backend_class

        BACKEND_VERSIONS[backend_id] = str(backend_class(backend_id).version)
    return BACKEND_VERSIONS[backend_id]


# Which request fields each kind of shot step reads; the request holds nothing else.
READS = {
    "layout": ("shot", "set", "beats", "cast", "locks", "format", "seed"),
    "motion_control": ("shot", "beats", "cast", "locks", "format", "seed"),
    "render": ("shot", "set", "beats", "cast", "locks", "format", "script", "seed"),
    "control_maps": ("shot", "set", "cast", "locks", "format", "seed"),
    "keyframe": ("shot", "set", "cast", "locks", "format", "script", "seed"),
    "motion": ("shot", "beats", "cast", "locks", "format", "script", "seed"),
    "extend": ("shot", "beats", "cast", "locks", "format", "script", "seed"),
    "restyle": ("shot", "cast", "locks", "format", "script", "seed"),
}
# Per kind: input name -> (kind of the step it comes from, that step's output).
INPUTS = {
    "render": {n: ("motion_control", n) for n in ("poses", "camera", "performance")},
    "control_maps": {n: ("motion_control", n) for n in ("poses", "camera", "performance")},
    # Identity per character: each one's references act only where the layout shows them;
    # the same masks and the control maps' keypoints are what a generated step's board and
    # pose adherence are measured against (generation.measures).
    "keyframe": {"frame": ("layout", "frame"), "depth": ("layout", "depth"),
                 "masks": ("layout", "masks")},
    # Pose-guided video follows the OpenPose-style skeleton video of the choreography.
    "motion": {"image": ("keyframe", "image"), "guide": ("control_maps", "pose"),
               "poses": ("motion_control", "poses"), "keypoints": ("control_maps", "keypoints")},
    "extend": {"video": ("motion", "video"), "guide": ("control_maps", "pose"),
               "keypoints": ("control_maps", "keypoints")},
}
CLIP_KINDS = ("restyle", "extend", "motion", "render")  # the shot's clip: the last of these
PART_NAMES = {"shot": "board"}


Shared = dict[tuple, tuple[Any, str]]
"""Digests of request fields by the object they were made from (kept alive beside them)."""


def request_parts(request: StepRequest, sources: dict[str, Any] | None = None,
                  shared: Shared | None = None) -> dict[str, str]:  # fmt: skip
    """One digest per conditioning field; a character's part covers its dump and lock.

    ``sources``: the objects the request's fields were made from; a field made from the
    same object as one already digested (``shared``) reuses its digest, since the same
    object validates and serialises to the same bytes (and is not serialised again).
    Planning a shot's three steps digests its board, beats and script once, the scene's
    set once per scene."""
    sources = sources or {}
    cast_src = sources.get("cast") or {}

    def known(name: str, src: Any, *extra: Any) -> str | None:
        hit = shared.get((name, id(src), *extra)) if shared is not None else None
        return hit[1] if hit is not None and hit[0] is src else None

    parts: dict[str, str] = {}
    for name, src in sources.items():
        if name not in ("kind", "locks", "cast") and (d := known(name, src)) is not None:
            parts[PART_NAMES.get(name, name)] = d
    for cid in request.cast:
        if (d := known("cast", cast_src.get(cid), request.locks.get(cid))) is not None:
            parts[f"cast:{cid}"] = d
    fields = {n for n in HASHED if PART_NAMES.get(n, n) not in parts}
    if any(f"cast:{cid}" not in parts for cid in request.cast):
        fields |= {"cast", "locks"}
    data = request.hashed(include=fields)

    def part(name: str, value: Any, src: Any, *extra: Any) -> str:
        if not extra and isinstance(value, (dict, list)) and not value:
            made = _EMPTY[type(value)]  # `params: {}` on most steps
        else:
            made = digest([value, *extra] if extra else value)
        if src is not None and shared is not None:
            shared[(name, id(src), *extra)] = (src, made)
        return made

    for name, value in data.items():
        if name not in ("kind", "locks", "cast"):
            parts[PART_NAMES.get(name, name)] = part(name, value, sources.get(name))
    for cid, char in data.get("cast", {}).items():
        if f"cast:{cid}" not in parts:
            parts[f"cast:{cid}"] = part("cast", char, cast_src.get(cid), data["locks"].get(cid))
    return parts


HASHED = tuple(n for n in StepRequest.model_fields if n not in ("inputs", "kind", "locks", "cast"))
"""The request fields with a part of their own (``cast`` and ``locks`` make one per
character)."""
_EMPTY = {dict: digest({}), list: digest([])}


@functools.lru_cache(maxsize=256, typed=True)
def _part(name: str, version: int | str) -> str:
    """The digest of a step kind or backend with its version (few, and asked for often)."""
    return digest([name, version])


SIGNED_PART = "signing"
"""A part of every key while the production signs: an output made before it signed was
never signed nor logged, so it is made again, signed, rather than reused unsigned."""


def _finish(step: Step, graph: dict[str, Step], sources: dict[str, Any] | None = None,
            shared: Shared | None = None, signs: bool = False) -> Step:  # fmt: skip
    if step.digested is not None and step.digested[0] is step.request:
        fields = step.digested[1]
    else:
        fields = request_parts(step.request, sources, shared)
        step.digested = (step.request, fields)
    parts = {"code": _part(step.kind, STEP_VERSIONS[step.kind]),
             "backend": _part(step.backend, backend_version(step.backend)), **fields}
    if signs:
        parts[SIGNED_PART] = _part(SIGNED_PART, 1)
    old = step.parts
    for name, (dep, output) in sorted(step.deps.items()):
        parts[f"input:{name}"] = _input_part(graph[dep].key, output)
    if parts != old or not step.key:  # a rekey leaves an unchanged step as it was
        step.parts = parts
        step.key = content_key(parts)
    return step


def _look_lock(production: Production, cid: str) -> str:
    """The character's lock less their voice (their lock itself when they have none)."""
    character = production.cast[cid]
    if character.voice is None:
        return production.locks[cid]
    return look_lock(character, production.ref_digests.get(cid, {}))


@functools.lru_cache(maxsize=1 << 16)
def _input_part(key: str, output: str) -> str:
    """The digest of an input: its step's key and which output (asked again by a rekey)."""
    return digest([key, output])


def _shot_request(production: Production, scene, shot, fmt: dict[str, int],
                  made: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """Everything a shot's steps may read, as plain data.

    ``made`` keeps what shots share (a scene's set, a character's dump) across calls, so
    they are the same objects and are digested once (see ``request_parts``)."""
    made = {} if made is None else made
    first, last = shot.lines
    dialogue = [
        {"who": e.character, "text": e.text, "line": e.line}
        for e in production.script.dialogue(first, last)
    ]
    cast_ids = shot.characters
    set_key = f"set:{scene.id}"
    if set_key not in made:
        made[set_key] = scene.set.model_dump(mode="json")
    for c in cast_ids:
        if f"cast:{c}" not in made:
            # The lock travels in "locks"; the file's ``locked`` field only records that the
            # director locked it, so locking an unchanged character re-renders nothing.
            # Picture steps see the look, not the voice (dialogue steps are keyed on that).
            made[f"cast:{c}"] = {k: v for k, v in production.cast[c].dump().items()
                                 if k not in ("locked", "voice")}  # fmt: skip
            made[f"lock:{c}"] = _look_lock(production, c)
    return {
        "shot": shot.dump(), "scene": scene.id, "set": made[set_key],
        "beats": [b.dump() for b in production.beats(shot.id)],
        "cast": {c: made[f"cast:{c}"] for c in cast_ids},
        "locks": {c: made[f"lock:{c}"] for c in cast_ids}, "format": fmt,
        "script": {"lines": [first, last], "text": production.script.text(first, last),
                "dialogue": dialogue},
        "seed": shot_seed(production.settings.seed, shot.id),
    }


def production_moves(production: Production) -> dict[str, Any]:
    """The production's own move files (``moves/*.yaml``), name -> data, for previz steps.

    They travel in the request, so they are part of the key and reach any worker."""
    folder = production.root / "moves"
    if not folder.is_dir():
        return {}
    return {f.stem: plain(read_source_yaml(f)) for f in sorted(folder.glob("*.yaml"))}


def plan(production: Production, policy: str | None = None) -> ShotGraph:
    """The shot graph; ``policy`` overrides aktion.toml's ``[render] policy``."""
    s = production.settings
    fmt = {"fps": s.fps, "width": s.width, "height": s.height}
    steps: dict[str, Step] = {}
    made: dict[str, Any] = {}
    shared: Shared = {}
    signs = production_cert(production.root).is_file()

    def add(step: Step, sources: dict[str, Any] | None = None) -> str:
        steps[step.id] = _finish(step, steps, sources, shared, signs)
        return step.id

    router = Router.for_production(production, policy)
    own_moves = production_moves(production)
    for scene in production.boards.scenes:
        cut_inputs: dict[str, tuple[str, str]] = {}
        order = []
        for shot in scene.shots:
            base = _shot_request(production, scene, shot, fmt, made)
            ids: dict[str, str] = {}
            for kind in router.kinds(base["shot"]):
                fields = {k: v for k, v in base.items() if k in READS[kind]}
                r = router.route(kind, base)
                params = dict(r.params)
                if r.backend == "previz" and own_moves:
                    params["moves"] = own_moves  # hashed: editing a move re-renders its users
                if kind in ("motion", "extend"):
                    params["frames"] = min(shot.duration, router.max_frames(kind, base["shot"]))
                if kind in ("extend", "restyle"):
                    params["frames"] = shot.duration
                req = StepRequest(kind=kind, scene=scene.id, params=params, **fields)
                deps = {n: (ids[k], out) for n, (k, out) in INPUTS.get(kind, {}).items()}
                if kind == "restyle":
                    last = next(k for k in CLIP_KINDS[1:] if k in ids)
                    deps = {"video": (ids[last], "video")}
                    if "control_maps" in ids:
                        deps["keypoints"] = (ids["control_maps"], "keypoints")
                ids[kind] = add(Step(f"{kind}:{shot.id}", kind, scene.id, shot.id, r.backend,
                                     r.reason, req, deps), fields)
            clip = next(ids[k] for k in CLIP_KINDS if k in ids)
            cut_inputs[f"shot:{shot.id}"] = (clip, "video")
            order.append({"id": shot.id, "transition": shot.transition.model_dump(mode="json"),
                          "duration": shot.duration})
        r = router.route("cut", {})
        add(Step(
            f"cut:{scene.id}", "cut", scene.id, None, r.backend, r.reason,
            StepRequest(kind="cut", scene=scene.id, format=fmt, params={"shots": order}),
            deps=cut_inputs,
        ))
    graph = ShotGraph(production, steps, dict(router.contexts), router.policy, signs=signs)
    for target in EXTENSIONS:
        module, _, attr = target.partition(":")
        getattr(importlib.import_module(module), attr)(graph)
    for cut in [s for s in graph.steps.values() if s.kind == "cut"]:
        add_step(graph, _sheet_step(production, cut))
    settle(graph)
    return graph


def _sheet_step(production: Production, cut: Step) -> Step:
    """The scene's contact sheet, from the very clips its (possibly edited) cut uses."""
    boards = {shot.id: shot for _, shot in production.shots()}
    tiles = []
    for entry in cut.request.params["shots"]:
        shot, take = boards[entry["id"]], int(entry.get("take", 1))
        label = f"{shot.id}  {shot.size} {shot.lens:g}mm {shot.move.type}"
        tiles.append({"input": f"shot:{shot.id}",
                      "label": label + (f"  take {take}" if take != 1 else "")})
    s = production.settings
    params = {"title": f"{s.title or s.name} / {cut.scene}", "tiles": tiles}
    deps = {name: dep for name, dep in cut.deps.items() if name.startswith("shot:")}
    return Step(f"sheet:{cut.scene}", "sheet", cut.scene, None, "storyboard",
                "contact sheets are tiled by the built-in storyboard backend",
                StepRequest(kind="sheet", scene=cut.scene, format=cut.request.format,
                            params=params),
                deps=deps, publish=("sheet", f"out/{cut.scene}-contact-sheet.png"))


def add_step(graph: ShotGraph, step: Step, *, before: str | None = None) -> Step:
    """Key a new step and add it (before ``before`` to keep topological order).

    For extensions: a step's dependencies must already be in the graph. A step added
    before another is moved into place by ``settle`` (``rekey`` and ``plan`` settle), so
    adding a thousand costs one pass over the order, not a thousand."""
    _finish(step, graph.steps, signs=graph.signs)
    graph.steps[step.id] = step
    if before is not None and before in graph.steps and before != step.id:
        graph.pending.setdefault(before, []).append(step.id)
    return step


def settle(graph: ShotGraph) -> None:
    """Put every step added "before" another right before it, in the order they came."""
    if not graph.pending:
        return
    moved = {sid for ids in graph.pending.values() for sid in ids}
    order: dict[str, Step] = {}

    def emit(sid: str) -> None:  # a step's pending steps first (anchors are never removed)
        for earlier in graph.pending.get(sid, ()):
            emit(earlier)
        order[sid] = graph.steps[sid]

    for sid in graph.steps:
        if sid not in moved:
            emit(sid)
    graph.steps = order
    graph.pending.clear()


def rekey(graph: ShotGraph) -> None:
    """Recompute every key in order, after an extension rewired dependencies."""
    settle(graph)
    for step in graph.steps.values():
        _finish(step, graph.steps, signs=graph.signs)
