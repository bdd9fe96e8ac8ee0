"""All craft checks over a production, in shot order."""

from __future__ import annotations

from aktion.production.production import Production

from . import continuity, cutting, dialogue, staging
from .findings import Finding


def check_production(production: Production) -> list[Finding]:
    """Cuts judged from the boards (180° rule, eyelines, jump cuts, rhythm, continuity),
    then every shot as previz films it (faces, framing, strikes)."""
    found: list[Finding] = []
    for scene in production.boards.scenes:
        found += continuity.check_scene(production, scene)
        found += cutting.check_scene(production, scene)
        found += dialogue.check_scene(production, scene)
    return found + staging.check_production(production)
