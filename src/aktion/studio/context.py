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

from .jobs import JobManager


@dataclass
class Studio:
    root: Path
    token: str
    jobs: JobManager = field(init=False)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.jobs = JobManager(self.root)


def studio(request: Request) -> Studio:
    return request.app.state.studio


StudioDep = Annotated[Studio, Depends(studio)]


def move_names(root: Path) -> list[str] | None:
    """The move library's names when the previz package provides one."""
    try:
        from aktion.previz.moves import MoveLibrary  # type: ignore[import-not-found]
    except ImportError:
        return None
    extra = [root / "moves"] if (root / "moves").is_dir() else []
    names = list(MoveLibrary.load(extra_dirs=extra).names())
    return names or None  # an empty library is one not yet installed: do not check moves


def settings_of(root: Path) -> Settings:
    try:
        return load_settings(root)
    except ProductionError as e:
        raise HTTPException(422, {"issues": issues_json(root, e.issues)}) from None


def try_load(root: Path) -> tuple[Production | None, list[dict[str, Any]]]:
    """The production if it loads, else None and every issue (file, line, message)."""
    try:
        return load_production(root, moves=move_names(root)), []
    except ProductionError as e:
        return None, issues_json(root, e.issues)


def issues_json(root: Path, issues: list[SourceIssue]) -> list[dict[str, Any]]:
    out = []
    for i in issues:
        path = Path(i.file)
        rel = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
        out.append({"file": rel, "line": i.line, "message": i.message, "expected": i.expected,
                    "text": str(i).replace(str(root) + "/", "")})
    return out
