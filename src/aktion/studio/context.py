"""What every route needs: the production folder, its settings, and its load state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from aktion.production.errors import ProductionError, SourceIssue
from aktion.production.load import load_production, load_settings
from aktion.production.production import Production
from aktion.production.settings import Settings

from .cache import cache_for
from .jobs import JobManager
from .preview import Previews


@dataclass
class Studio:
    root: Path
    token: str
    jobs: JobManager = field(init=False)
    previews: Previews = field(init=False)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.jobs = JobManager(self.root)
        self.previews = Previews()


async def studio(request: Request) -> Studio:
    """The app's studio (async: a sync dependency would cost every request a thread hop)."""
    return request.app.state.studio


StudioDep = Annotated[Studio, Depends(studio)]


def move_names(root: Path) -> list[str]:
    """The move library's names (package moves plus the production's own ``moves/``)."""
    from aktion.previz.moves import MoveLibrary

    return list(cache_for(root).get(
        "moves", lambda: tuple(MoveLibrary.for_production(root).names())))


def settings_of(root: Path) -> Settings:
    def load() -> Settings | list[dict[str, Any]]:
        try:
            return load_settings(root)
        except ProductionError as e:
            return issues_json(root, e.issues)

    settings = cache_for(root).get("settings", load)
    if isinstance(settings, list):
        raise HTTPException(422, {"issues": settings})
    return settings


def try_load(root: Path) -> tuple[Production | None, list[dict[str, Any]]]:
    """The production if it loads, else None and every issue (file, line, message);
    loaded once per content of the sources (see ``cache``)."""

    def load() -> tuple[Production | None, list[dict[str, Any]]]:
        try:
            return load_production(root, moves=move_names(root)), []
        except ProductionError as e:
            return None, issues_json(root, e.issues)

    return cache_for(root).get("load", load)


def issues_json(root: Path, issues: list[SourceIssue]) -> list[dict[str, Any]]:
    out = []
    for i in issues:
        path = Path(i.file)
        rel = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
        out.append({"file": rel, "line": i.line, "message": i.message, "expected": i.expected,
                    "text": str(i).replace(str(root) + "/", "")})
    return out
