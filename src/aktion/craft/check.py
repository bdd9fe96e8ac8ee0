"""All craft checks over a production, in shot order."""

from __future__ import annotations

from aktion.production.production import Production

from . import continuity, cutting
from .findings import Finding


def check_production(production: Production) -> list[Finding]:
    found: list[Finding] = []
    for scene in production.boards.scenes:
        found += continuity.check_scene(production, scene)
        found += cutting.check_scene(production, scene)
    return found
