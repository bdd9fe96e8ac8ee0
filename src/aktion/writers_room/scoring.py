"""Scoring the action reader against a labelled corpus of action lines.

A corpus item gives a sentence, the cast present (with genders), optionally the
sentences just before, and every move the sentence should draft as (who, move,
target, outcome). The reader's moves are paired with the expected ones (each
expected move takes the unpaired read move that agrees with it on most fields), and
each field is scored over every expected move plus every read move nobody expected:
a missing move and an invented one both count against every field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .actions import Action, SceneReader
from .breakdown import Beat
from .names import NameMatcher
from .verbs import VerbTable

FIELDS = ("who", "move", "target", "outcome")


@dataclass(frozen=True)
class Move:
    who: str
    move: str
    target: str | None
    outcome: str  # lands, misses, blocked, none
    into: str | None = None
    weapon: str | None = None

    def key(self) -> tuple[str, str, str | None, str]:
        return (self.who, self.move, self.target, self.outcome)


@dataclass
class Case:
    text: str
    cast: dict[str, str]  # id -> gender
    names: dict[str, list[str]]
    previous: list[str]
    expect: list[Move]
    previous_expect: list[Move] | None
    unknown: list[str]
    style: str
    line: int  # where the item starts in the corpus file


@dataclass
class Result:
    case: Case
    got: list[Move]
    previous_got: list[Move]
    unknown: list[str]


@dataclass
class Score:
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    total: int = 0
    extra_right: dict[str, int] = field(default_factory=lambda: {"into": 0, "weapon": 0})
    extra_total: dict[str, int] = field(default_factory=lambda: {"into": 0, "weapon": 0})
    unknown_right: int = 0
    unknown_total: int = 0
    wrong: list[tuple[Case, list[Move], list[Move]]] = field(default_factory=list)

    def accuracy(self, name: str) -> float:
        if name in self.extra_total:
            return self.extra_right[name] / max(1, self.extra_total[name])
        return self.right[name] / max(1, self.total)


def _move(row: list[Any], where: str) -> Move:
    if not isinstance(row, list) or len(row) not in (4, 5):
        raise ValueError(f"{where}: expected [who, move, target, outcome] (+ {{into, weapon}})")
    extra = row[4] if len(row) == 5 else {}
    return Move(str(row[0]), str(row[1]), None if row[2] is None else str(row[2]), str(row[3]),
                extra.get("into"), extra.get("weapon"))


def load_corpus(path: Path) -> list[Case]:
    """The corpus items of ``path``, checked for shape (file:line on a bad item)."""
    text = path.read_text(encoding="utf-8")
    data = YAML(typ="safe").load(text)
    starts = [n for n, ln in enumerate(text.splitlines(), start=1) if ln.startswith("- ")]
    if not isinstance(data, list) or len(starts) != len(data):
        raise ValueError(f"{path}: expected a list of items, each starting with '- '")
    cases = []
    for item, line in zip(data, starts, strict=True):
        where = f"{path}:{line}"
        try:
            cast = {str(k): str(v) for k, v in item["cast"].items()}
            names = {str(k): [str(n) for n in v] for k, v in (item.get("names") or {}).items()}
            prev_expect = item.get("previous_expect")
            cases.append(Case(
                text=str(item["text"]), cast=cast, names=names,
                previous=[str(s) for s in item.get("previous") or []],
                expect=[_move(r, where) for r in item["expect"]],
                previous_expect=None if prev_expect is None else [
                    _move(r, where) for r in prev_expect],
                unknown=[str(u) for u in item.get("unknown") or []],
                style=str(item.get("style", "")), line=line))
        except (KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"{where}: a corpus item needs text, cast and expect ({e})") from e
    return cases


def _as_move(a: Action) -> Move:
    return Move(a.who, a.move, a.target, a.outcome or "none", a.into, a.weapon)


def read_case(case: Case, table: VerbTable) -> Result:
    """Read the previous sentences, then the item's own, as a scene would."""
    names = {cid: case.names.get(cid, [cid.replace("_", " ").title()]) for cid in case.cast}
    genders = {cid: g for cid, g in case.cast.items() if g != "u"}  # u: the script never says
    reader = SceneReader(table, NameMatcher(names), genders, list(case.cast))
    before = []
    for k, text in enumerate(case.previous, start=1):
        before = reader.read(Beat(line=k, end_line=k, text=text, spans=[(0, k)])).actions
    k = len(case.previous) + 1
    read = reader.read(Beat(line=k, end_line=k, text=case.text, spans=[(0, k)]))
    return Result(case, [_as_move(a) for a in read.actions], [_as_move(a) for a in before],
                  list(read.unknown))


def _pair(expect: list[Move], got: list[Move]) -> tuple[list[tuple[Move, Move | None]], int]:
    """Each expected move with the free read move agreeing on most fields; and how many read
    moves were left over."""
    free = list(got)
    pairs: list[tuple[Move, Move | None]] = []
    for e in expect:
        best = max(free, default=None, key=lambda g: sum(a == b for a, b in zip(
            e.key(), g.key(), strict=True)))
        if best is not None:
            free.remove(best)
        pairs.append((e, best))
    return pairs, len(free)


def score(results: list[Result]) -> Score:
    out = Score()
    for r in results:
        groups = [(r.case.expect, r.got)]
        if r.case.previous_expect is not None:
            groups.append((r.case.previous_expect, r.previous_got))
        bad = False
        for expect, got in groups:
            pairs, left = _pair(expect, got)
            out.total += len(pairs) + left
            bad |= left > 0
            for e, g in pairs:
                for k, name in enumerate(FIELDS):
                    ok = g is not None and e.key()[k] == g.key()[k]
                    out.right[name] += ok
                    bad |= not ok
                for name in ("into", "weapon"):
                    want = getattr(e, name)
                    if want is not None:
                        out.extra_total[name] += 1
                        ok = g is not None and getattr(g, name) == want
                        out.extra_right[name] += ok
                        bad |= not ok
        for verb in r.case.unknown:
            out.unknown_total += 1
            out.unknown_right += verb in r.unknown
            bad |= verb not in r.unknown
        if bad:
            out.wrong.append((r.case, r.got, r.previous_got))
    return out


def run_corpus(path: Path, table: VerbTable,
               reader: Callable[[Case, VerbTable], Result] = read_case) -> Score:
    return score([reader(c, table) for c in load_corpus(path)])
