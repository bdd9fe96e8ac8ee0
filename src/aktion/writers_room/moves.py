"""Which moves the previz library can perform right now, and what stands in for the rest.

The library grows (knee, throw, draw...), so the names are read at run time; a move
it does not have yet falls back along the synonym table's ``fallback`` chain.
"""

from __future__ import annotations

from pathlib import Path

from aktion.production.errors import ProductionError

from .verbs import VerbTable

BASE_MOVES = (
    "idle", "guard", "walk", "run", "jab", "cross", "hook", "uppercut", "front_kick",
    "roundhouse", "block", "dodge", "duck", "hit_head", "hit_body", "fall", "get_up",
)


def library_moves(root: Path | None = None) -> set[str] | None:
    """The move library's names (with a production's own ``moves/``), or None if absent."""
    from aktion.previz.moves import MoveLibrary

    try:
        library = MoveLibrary.for_production(root) if root is not None else MoveLibrary.load()
        return set(library.names())
    except (AttributeError, TypeError, OSError, ValueError, ProductionError):
        # a library mid-change, or a broken moves/ file, must not stop a writer drafting
        return None


def resolve_move(move: str, available: set[str], table: VerbTable) -> str:
    """``move`` if the library has it, else the first available stand-in, else ``idle``."""
    todo, seen = [move], set()
    while todo:
        name = todo.pop(0)
        if name in available:
            return name
        if name in seen:
            continue
        seen.add(name)
        todo.extend(table.fallback.get(name, []))
    return "idle" if "idle" in available else min(available)
