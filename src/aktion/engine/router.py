"""The router: which backend does each step of each shot, and why.

Per shot the router decides the pipeline (which step kinds it needs) and, per
step, the backend and model, from three things: the production's policy
(``previz``, ``draft``, ``final``), the shot's needs (a choreographed fight needs
pose conditioning, a character with references needs identity conditioning, a
shot longer than a backend's clip needs ``extend``) and what is available (the
built-ins and the ``aktion.backends`` entry point group, each configured in
``backends.toml``), and whether the backend's model fits this machine (a backend
with ``plan_fit`` says so, with the figures: on the GPU whole, with CPU offload,
or not at all). The reason is kept on each step so ``aktion plan`` shows it.
A need no available backend meets is an ``UnmetNeed`` naming it, never a silent
downgrade.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from aktion.backends.base import Backend, Capabilities
from aktion.generation.config import BackendContext, load_backends_config
from aktion.generation.needs import Need, needs_for

BUILTIN = {
    "previz": "aktion.backends.previz:PrevizBackend",
    "editor": "aktion.backends.editor:EditorBackend",
    "storyboard": "aktion.backends.storyboard:StoryboardBackend",
    "diffusers": "aktion.backends.diffusers_backend:DiffusersBackend",
    "comfyui": "aktion.backends.comfyui:ComfyUIBackend",
    "fal": "aktion.backends.hosted_fal:FalBackend",
    "espeak": "aktion.backends.espeak:EspeakBackend",  # the embedded voice
    "piper": "aktion.backends.piper:PiperBackend",  # a local ONNX voice the user supplies
    "sound": "aktion.backends.sound:SoundBackend",  # effects and the scene mix
}
PREVIZ_KINDS = ("layout", "motion_control", "render")
CONTROL_KINDS = ("control_maps",)  # previz-made conditioning, planned only for generation
GENERATIVE_KINDS = ("keyframe", "motion", "extend", "restyle")
DEFAULT_ORDER = ("diffusers", "comfyui", "fal")  # local first; paid last
_COST = {"free": 0, "cheap": 1, "paid": 2}
_SPEED = {"fast": 0, "medium": 1, "slow": 2}


@dataclass(frozen=True)
class Route:
    backend: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)  # model fingerprint, conditioning


class UnmetNeed(Exception):
    """No available backend can do what a shot needs; says which need is unmet."""


def available_backends() -> dict[str, str]:
    """Built-in backends plus those third-party packages register (entry point group)."""
    found = dict(BUILTIN)
    for name, value in _registered():
        found.setdefault(name, value)
    return found


@functools.lru_cache(maxsize=1)
def _registered() -> tuple[tuple[str, str], ...]:
    """The entry point group, read once a process: reading it scans every installed
    distribution's metadata, a tenth of a second of a rerun that has nothing to do."""
    return tuple((ep.name, ep.value) for ep in entry_points(group="aktion.backends"))


def backend_class(backend_id: str) -> type:
    target = available_backends().get(backend_id)
    if target is None:
        raise UnmetNeed(f"backend `{backend_id}` is not installed")
    module, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError as e:
        raise UnmetNeed(f"backend `{backend_id}` cannot load: {e}") from None


def configured(cls: type, context: BackendContext | None = None) -> Backend:
    """An instance of a backend class, configured with the plan's context for it.

    The context comes from the plan (``ShotGraph.contexts``), never from process
    state, so two productions in one process, or a worker on another machine,
    each configure the backend from their own plan. Backends that need no
    configuration (previz, editor) take ``None``."""
    backend = cls()
    if context is not None and hasattr(backend, "configure"):
        backend.configure(context)
    return backend


def load_backend(backend_id: str, context: BackendContext | None = None) -> Backend:
    """An instance of a registered backend, configured with ``context`` when given."""
    return configured(backend_class(backend_id), context)


def offers(cls: type, config: dict[str, Any],
           context: BackendContext | None = None) -> dict[str, Capabilities]:
    """Per step kind, what a configured backend can do (``offers(config)`` if it says).

    A backend whose ``offers`` takes a second argument gets its context too, so it can
    read and check the files its table names while the production is planned."""
    if hasattr(cls, "offers"):
        if context is not None and len(inspect.signature(cls.offers).parameters) > 1:
            return cls.offers(config, context)
        return cls.offers(config)
    caps: Capabilities = cls.capabilities
    return {kind: caps for kind in caps.steps}


def route(step_kind: str, policy: str) -> Route:
    """The policy-only part: cuts and previz steps need no knowledge of the shot."""
    if step_kind == "cut":
        return Route("editor", "cuts are stitched by the built-in editor")
    if step_kind in PREVIZ_KINDS + CONTROL_KINDS:
        if policy == "previz":
            return Route("previz", "policy previz: the built-in CPU renderer")
        return Route("previz", f"policy {policy}: previz makes the {step_kind} control maps "
                               "the generative steps are conditioned on")
    raise UnmetNeed(f"policy `{policy}` needs a generative backend for `{step_kind}`")


class Router:
    """Routes one production's steps; build with ``Router.for_production``."""

    def __init__(self, policy: str, context: BackendContext, config: dict[str, Any]):
        self.policy = policy
        self.config = config
        self.candidates: dict[str, dict[str, Capabilities]] = {}
        self.classes: dict[str, type] = {}
        self.contexts: dict[str, BackendContext] = {}  # per backend id: what plan() keeps
        self.skipped: dict[str, str] = {}
        self._models: dict[tuple[str, str], dict[str, Any]] = {}  # per (backend, kind)
        self._fits: dict[tuple[str, str, str], tuple[bool, str]] = {}  # + format
        installed = available_backends()
        for backend_id, table in config.items():
            if backend_id == "route" or not isinstance(table, dict):
                continue
            if backend_id not in installed:
                self.skipped[backend_id] = "not installed"
                continue
            try:
                cls = backend_class(backend_id)
            except UnmetNeed as e:
                self.skipped[backend_id] = str(e)
                continue
            self.classes[backend_id] = cls
            self.contexts[backend_id] = BackendContext(context.root, context.cast_dir, table)
            self.candidates[backend_id] = offers(cls, table, self.contexts[backend_id])

    @classmethod
    def for_production(cls, production: Any, policy: str | None = None) -> Router:
        root = Path(production.root)
        context = BackendContext(root, root / production.settings.cast_dir)
        return cls(policy or production.settings.policy, context,
                   load_backends_config(root))

    def kinds(self, shot: dict[str, Any]) -> list[str]:
        """The shot's pipeline under this policy, in order."""
        if self.policy == "previz":
            return list(PREVIZ_KINDS)
        kinds = [*PREVIZ_KINDS, *CONTROL_KINDS, "keyframe", "motion"]
        if shot.get("duration", 0) > self.max_frames("motion", shot):
            kinds.append("extend")
        if self.policy == "final" and self._offered("restyle"):
            kinds.append("restyle")
        return kinds

    def max_frames(self, kind: str, shot: dict[str, Any]) -> int:
        """The longest clip the chosen backend for ``kind`` makes (no limit: the shot)."""
        caps = [c[kind] for c in self.candidates.values() if kind in c]
        limits = [c.max_frames for c in caps if c.max_frames]
        return max(limits) if limits and len(limits) == len(caps) else shot.get("duration", 0)

    def _offered(self, kind: str) -> list[str]:
        return [b for b, c in self.candidates.items() if kind in c]

    def _order(self, ids: list[str]) -> list[str]:
        preferred = list(self.config.get("route", {}).get(self.policy, []))
        if preferred:
            return [b for b in preferred if b in ids] + [b for b in ids if b not in preferred]
        if self.policy == "draft":  # cheapest and fastest first
            return sorted(ids, key=lambda b: min(
                (_COST.get(c.cost, 9), _SPEED.get(c.speed, 9)) for c in self.candidates[b].values()))
        return sorted(ids, key=lambda b: DEFAULT_ORDER.index(b) if b in DEFAULT_ORDER else 99)

    def route(self, kind: str, request: dict[str, Any], only: str | None = None) -> Route:
        """The backend for one step of a shot; ``only``: that backend or an ``UnmetNeed``."""
        if kind == "cut" or kind in PREVIZ_KINDS + CONTROL_KINDS:
            return route(kind, self.policy)
        needs = needs_for(kind, request)
        shot = request.get("shot", {}).get("id", "?")
        offered = [b for b in self._offered(kind) if only is None or b == only]
        if only is not None and not offered:
            raise UnmetNeed(f"shot {shot}: backend `{only}` is not configured to do `{kind}` "
                            "steps (backends.toml)" + self._skipped_note())
        if not offered:
            configured = ", ".join(self.candidates) or "none"
            raise UnmetNeed(
                f"shot {shot}: policy {self.policy} needs a `{kind}` backend; configured in "
                f"backends.toml: {configured}" + self._skipped_note())
        unmet: dict[str, Need] = {}
        refused: list[str] = []
        for backend_id in self._order(offered):
            caps = self.candidates[backend_id][kind]
            missing = [n for n in needs if n.name not in caps.conditioning]
            if missing:
                unmet.setdefault(missing[0].name, missing[0])
                continue
            fits, memory = self._fit(backend_id, kind, request.get("format", {}))
            if not fits:
                refused.append(f"{backend_id}: {memory}")
                continue
            return self._chosen(backend_id, kind, needs, caps, memory)
        if refused and not unmet:
            raise UnmetNeed(f"shot {shot}: `{kind}` cannot run here: " + "; ".join(refused))
        need = next(iter(unmet.values()))
        lacking = [b for b in offered if need.name not in self.candidates[b][kind].conditioning]
        fixes = [f for f in (self._remedy(b, kind, need.name) for b in lacking) if f]
        hint = "; " + ", or ".join(fixes) if fixes else (
            f"; no available backend honours it (tried {', '.join(offered)})")
        raise UnmetNeed(f"shot {shot}: `{kind}` needs {need.name} conditioning ({need.why}){hint}"
                        + (f"; {'; '.join(refused)}" if refused else ""))

    def _remedy(self, backend_id: str, kind: str, need: str) -> str | None:
        """The setting that would let a configured backend honour ``need``, if it says."""
        cls = self.classes[backend_id]
        return cls.remedy(kind, need) if hasattr(cls, "remedy") else None

    def _fit(self, backend_id: str, kind: str, fmt: dict[str, Any]) -> tuple[bool, str]:
        """The backend's own check that its model fits this machine (once per plan)."""
        cls = self.classes[backend_id]
        if not hasattr(cls, "plan_fit"):
            return True, ""
        key = (backend_id, kind, repr(sorted(fmt.items())))
        if key not in self._fits:
            self._fits[key] = cls.plan_fit(kind, self.config.get(backend_id, {}),
                                           self.contexts[backend_id], fmt)
        return self._fits[key]

    def _model(self, backend_id: str, kind: str) -> dict[str, Any]:
        cls = self.classes[backend_id]
        if not hasattr(cls, "model_id"):
            return {}
        if (backend_id, kind) not in self._models:
            self._models[(backend_id, kind)] = cls.model_id(
                kind, self.config.get(backend_id, {}), self.contexts[backend_id])
        return self._models[(backend_id, kind)]

    def _chosen(self, backend_id: str, kind: str, needs: list[Need],
                caps: Capabilities, memory: str = "") -> Route:
        model = self._model(backend_id, kind)
        honoured = "; ".join(f"{n.name}: {n.why}" for n in needs) or "no special needs"
        name = f" model {model['name']}" if model.get("name") else ""
        reason = f"policy {self.policy}: {backend_id}{name} ({caps.speed}, {caps.cost}) " \
                 f"honours {honoured}" + (f"; {memory}" if memory else "")
        return Route(backend_id, reason,
                     {"model": model, "conditioning": sorted(n.name for n in needs)})

    def _skipped_note(self) -> str:
        if not self.skipped:
            return ""
        return " (" + "; ".join(f"{b}: {why}" for b, why in self.skipped.items()) + ")"
