"""Where a craft finding is fixed: the line of ``boards.yaml``, ``choreo.yaml`` or the
script that a director edits to answer it."""

from __future__ import annotations

from typing import Any

from aktion.production.board import Shot
from aktion.production.production import Production


def _shot_loc(production: Production, shot: Shot) -> tuple[Any, ...] | None:
    for i, scene in enumerate(production.boards.scenes):
        for j, s in enumerate(scene.shots):
            if s is shot or s.id == shot.id:
                return ("scenes", i, "shots", j)
    return None


def board(production: Production, shot: Shot, *fields: Any) -> tuple[str, int | None]:
    """``boards.yaml`` and the line of ``shot`` (of its ``fields``, where they are written;
    else the shot's own line)."""
    name = production.settings.boards
    loc = _shot_loc(production, shot)
    if loc is None:
        return name, None
    return name, production.line(production.root / name, loc + fields)


def mark(production: Production, shot: Shot, who: str) -> tuple[str, int | None]:
    """The line of ``who``'s mark in the shot's blocking."""
    for k, m in enumerate(shot.blocking):
        if m.who == who:
            return board(production, shot, "blocking", k)
    return board(production, shot)


def beat(production: Production, shot: Shot, who: str) -> tuple[str, int | None]:
    """The line of the first beat that moves ``who`` across the floor in ``shot`` (a beat
    with a destination), else of their mark on the boards."""
    entry = production.choreo.shots.get(shot.id)
    for k, b in enumerate(entry.beats if entry else []):
        if b.who == who and b.to is not None:
            name = production.settings.choreo
            return name, production.line(production.root / name, ("shots", shot.id, "beats", k))
    return mark(production, shot, who)


def script(production: Production, line: int) -> tuple[str, int]:
    return production.script.path.name, line
