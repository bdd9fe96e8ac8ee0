"""The production at a glance: format, scenes and shots, cast, and any load issues."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..context import StudioDep, settings_of, try_load
from .boards import read_boards

router = APIRouter(tags=["production"])


@router.get("/production")
def summary(s: StudioDep) -> dict[str, Any]:
    """Settings, scenes with their shots, cast ids, and every issue `aktion check` would show."""
    settings = settings_of(s.root)
    _, issues = try_load(s.root)
    boards, _ = read_boards(s.root, settings)
    cast_dir = s.root / settings.cast_dir
    return {
        "name": settings.name, "title": settings.title, "fps": settings.fps,
        "width": settings.width, "height": settings.height, "policy": settings.policy,
        "scenes": [{"id": sc.id, "heading": sc.heading,
                    "shots": [sh.dump() | {"characters": sh.characters} for sh in sc.shots]}
                   for sc in (boards.scenes if boards else [])],
        "cast": sorted(p.stem for p in cast_dir.glob("*.yaml")) if cast_dir.is_dir() else [],
        "issues": issues, "ok": not issues,
    }
