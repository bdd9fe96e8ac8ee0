"""Across each cut within a scene: the 180° rule, eyeline match, and where people are."""

from __future__ import annotations

import math
from itertools import combinations, pairwise

from aktion.production.board import Scene, Shot
from aktion.production.production import Production

from . import where
from .findings import Finding
from .screen import Vec, framed, line_of_action, look, order

JUMP_METRES = 1.0  # how far someone may be from where the last shot left them


def _name(production: Production, who: str) -> str:
    ch = production.cast.get(who)
    return ch.name if ch else who


def crossing(production: Production, scene: Scene, a: Shot, b: Shot, line: Vec) -> list[Finding]:
    """A pair seen in both shots must keep its screen order (left stays left)."""
    out: list[Finding] = []
    oa, ob = order(a, line), order(b, line)
    seen_a, seen_b = set(framed(a)), set(framed(b))
    for p, q in combinations(sorted(set(oa) & set(ob)), 2):
        if not ({p, q} & seen_a and {p, q} & seen_b):
            continue
        if abs(oa[p] - oa[q]) < 1e-6 or abs(ob[p] - ob[q]) < 1e-6:
            continue
        if (oa[p] < oa[q]) != (ob[p] < ob[q]):
            left, right = (p, q) if oa[p] < oa[q] else (q, p)
            cause = (f"the camera crossed the line (side {a.side} -> {b.side})"
                     if a.side != b.side else "the blocking swapped them")
            file, line = (where.board(production, b, "side") if a.side != b.side
                          else where.mark(production, b, left))
            out.append(Finding(
                "180", scene.id, (a.id, b.id),
                f"{_name(production, left)} is screen-left of {_name(production, right)} in "
                f"{a.id} but screen-right in {b.id}: {cause}", "error", file, line))
    return out


def eyeline(production: Production, scene: Scene, a: Shot, b: Shot, line: Vec) -> list[Finding]:
    """Dialogue coverage: two singles of different people must look toward each other."""
    fa, fb = framed(a), framed(b)
    if len(fa) != 1 or len(fb) != 1 or fa == fb or "INSERT" in (a.size, b.size):
        return []  # an insert frames a thing: nobody's eyeline
    marks_a = {m.who: m for m in a.blocking}
    marks_b = {m.who: m for m in b.blocking}
    if fa[0] not in marks_a or fb[0] not in marks_b:
        return []
    la = look(a, marks_a[fa[0]].facing, line)
    lb = look(b, marks_b[fb[0]].facing, line)
    if abs(la) < 0.2 or abs(lb) < 0.2 or (la > 0) != (lb > 0):
        return []
    way = "right" if la > 0 else "left"
    return [Finding(
        "eyeline", scene.id, (a.id, b.id),
        f"{_name(production, fa[0])} in {a.id} and {_name(production, fb[0])} in {b.id} both "
        f"look screen-{way}: they will not seem to look at each other", "warning",
        *where.mark(production, b, fb[0]))]


def end_marks(production: Production, shot: Shot) -> dict[str, tuple[float, float]]:
    """Where each blocked character is at the end of the shot (after any locomotion)."""
    where = {m.who: m.at for m in shot.blocking}
    for beat in production.beats(shot.id):
        if beat.who in where and beat.to is not None:
            where[beat.who] = beat.to
    return where


def placement(production: Production, scene: Scene, a: Shot, b: Shot) -> list[Finding]:
    """Someone on screen in both shots should start where the last shot left them."""
    out = []
    ends = end_marks(production, a)
    seen = set(framed(a)) | set(framed(b))
    for m in b.blocking:
        if m.who in ends and m.who in seen:
            (x0, z0), (x1, z1) = ends[m.who], m.at
            d = math.hypot(x1 - x0, z1 - z0)
            if d > JUMP_METRES:
                out.append(Finding(
                    "continuity", scene.id, (a.id, b.id),
                    f"{_name(production, m.who)} ends {a.id} at ({x0:g}, {z0:g}) but starts "
                    f"{b.id} at ({x1:g}, {z1:g}), {d:.1f} m away with no move between",
                    "warning", *where.mark(production, b, m.who)))
    return out


def speakers(production: Production, scene: Scene, shot: Shot) -> list[Finding]:
    """A line spoken in a shot by someone the boards do not put in it."""
    by_name = {c.name.upper(): cid for cid, c in production.cast.items()}
    present = set(shot.characters)
    out = []
    for e in production.script.dialogue(*shot.lines):
        who = by_name.get((e.character or "").upper())
        if who and who not in present:
            out.append(Finding(
                "continuity", scene.id, (shot.id,),
                f"{e.character} speaks on line {e.line} but is not blocked or framed in "
                f"{shot.id} (off-screen voice?)", "warning",
                *where.script(production, e.line)))
    return out


def check_scene(production: Production, scene: Scene) -> list[Finding]:
    line = line_of_action(scene)
    found: list[Finding] = []
    for shot in scene.shots:
        found += speakers(production, scene, shot)
    for a, b in pairwise(scene.shots):
        found += crossing(production, scene, a, b, line)
        found += eyeline(production, scene, a, b, line)
        found += placement(production, scene, a, b)
    return found
