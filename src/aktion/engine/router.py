"""The router: which backend does each step of each shot, and why.

A backend is chosen per step from the production's policy and what is
available; the reason is kept in the plan so ``aktion plan`` can show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points

from aktion.backends.base import Backend

BUILTIN = {
    "previz": "aktion.backends.previz:PrevizBackend",
    "editor": "aktion.backends.editor:EditorBackend",
}


@dataclass(frozen=True)
class Route:
    backend: str
    reason: str


class UnmetNeed(Exception):
    """No available backend can do what a shot needs; says which need is unmet."""


def available_backends() -> dict[str, str]:
    """Built-in backends plus those third-party packages register (entry point group)."""
    found = dict(BUILTIN)
    for ep in entry_points(group="aktion.backends"):
        found.setdefault(ep.name, ep.value)
    return found


def load_backend(backend_id: str) -> Backend:
    target = available_backends().get(backend_id)
    if target is None:
        raise UnmetNeed(f"backend `{backend_id}` is not installed")
    module, _, attr = target.partition(":")
    import importlib

    return getattr(importlib.import_module(module), attr)()


def route(step_kind: str, policy: str) -> Route:
    """Pick the backend for a step. Previz serves every shot step under the previz policy."""
    if step_kind == "cut":
        return Route("editor", "cuts are stitched by the built-in editor")
    if policy == "previz":
        return Route("previz", "policy previz: the built-in CPU renderer")
    raise UnmetNeed(f"policy `{policy}` needs a generative backend for `{step_kind}`")
