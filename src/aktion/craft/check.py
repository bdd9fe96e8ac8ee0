"""All craft checks over a production, in shot order."""

from __future__ import annotations

from aktion.previz.moves import MoveLibrary
from aktion.production.production import Production

from . import continuity, cutting, dialogue, direction, orbit, staging
from .findings import Finding


def check_production(production: Production) -> list[Finding]:
    """Cuts judged from the boards (180° rule, eyelines, jump cuts, rhythm, continuity),
    then every shot as previz films it (faces, framing, strikes, the camera crossing the
    line within a shot), then the cuts again as filmed (screen direction)."""
    found: list[Finding] = []
    for scene in production.boards.scenes:
        found += continuity.check_scene(production, scene)
        found += cutting.check_scene(production, scene)
        found += dialogue.check_scene(production, scene)
    library = MoveLibrary.for_production(production.root)
    moves: dict[str, dict[str, direction.Travel]] = {}
    after = {a.id: b for scene in production.boards.scenes
             for a, b in zip(scene.shots, scene.shots[1:], strict=False)}
    ends: dict[str, str] = {}  # shot -> the side of the line it ends on, as filmed
    for item in staging.film(production, library):
        if isinstance(item, Finding):
            found.append(item)
            continue
        found += staging.check_shot(production, item, library)
        subjects = item.subjects
        crossed = orbit.check_shot(production, item.scene, item.shot, item.perf, item.camera,
                                   subjects, after.get(item.shot.id))
        found += crossed
        ends[item.shot.id] = orbit.ends_on(item.shot, crossed)
        moves[item.shot.id] = direction.travels(item.perf, item.camera, subjects)
    for scene in production.boards.scenes:
        found += direction.check_scene(production, scene, moves)
    return [f for f in found if not _continued(f, ends, production)]


def _continued(finding: Finding, ends: dict[str, str], production: Production) -> bool:
    """A 180 finding for a cut from a shot whose move already carried the camera to the
    next shot's side: the audience saw the line crossed, the cut keeps to it."""
    if finding.rule != "180" or len(finding.shots) != 2:
        return False
    a, b = finding.shots
    if a not in ends or ends[a] == production.shot(a)[1].side:
        return False
    return ends[a] == production.shot(b)[1].side and "camera crossed" in finding.why
