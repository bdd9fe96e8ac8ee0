"""What reading an action line produces, and what a sentence has said so far.

``Action`` is one move (who, what, at whom, how it ends); ``ReadBeat`` a read sentence;
``Said`` the running state of the sentence being read, which clauses look back at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .breakdown import Beat
from .chunks import NP
from .verbs import VerbTable

WINDOW = 8  # strikes remembered for answers and references back
FAMILY = {"stab": "blade", "slash": "blade", "fire": "gun", "pistol_whip": "gun",
          "swing": "blunt"}  # a weapon in hand serves every move of its family


@dataclass
class Action:
    """One move in a sentence, as the table names it (the library fallback comes later)."""

    move: str
    who: str
    kind: str
    offset: int  # where in the sentence it is said
    target: str | None = None
    hit: str | None = None  # the zone it lands on; None: it does not land
    intensity: float = 1.0
    speed: float = 1.0
    outcome: str | None = None  # lands, misses, blocked; None for anything but a strike
    into: str | None = None  # the set piece the target is driven into, against, through
    weapon: str | None = None


@dataclass
class ReadBeat:
    beat: Beat
    actions: list[Action] = field(default_factory=list)
    cameras: list[tuple[str, int]] = field(default_factory=list)  # (camera beat, offset)
    prop: str | None = None
    holder: str | None = None
    people: list[str] = field(default_factory=list)  # everyone the sentence involves
    unknown: list[str] = field(default_factory=list)  # action verbs the table does not know
    set_pieces: list[str] = field(default_factory=list)  # set pieces the sentence uses


@dataclass
class Said:
    """What a sentence has said so far, for the clauses after."""

    text: str
    actions: list[Action] = field(default_factory=list)
    subject: list[str] | None = None  # whoever the clauses are about
    subject_np: NP | None = None  # or the strike they are about ("Vex's fist, hard as...")
    last: list[Action] = field(default_factory=list)  # the previous clause's moves
    delivering: bool = False  # the previous clause threw something: a list of blows may follow
    generic: Action | None = None  # "strikes first:" waits for what the strike was
    outcome: str | None = None  # "connects, a crushing right": said before the strike
    aims: dict[str, str] = field(default_factory=dict)  # who -> whom they aim at
    it: NP | Action | None = None
    named: set[int] = field(default_factory=set)  # actions whose target the line names
    unknown: list[str] = field(default_factory=list)
    into: list[str] = field(default_factory=list)

    def tail(self) -> list[Action]:
        """The latest moves: all a clause looks back at, so a long sentence stays linear."""
        return self.actions[-WINDOW:]

    def strikes(self) -> list[Action]:
        return [a for a in self.tail() if a.kind == "strike"]

    def holds(self, a: Action) -> bool:
        return any(x is a for x in self.tail())

    def put_after(self, first: Action, then: Action) -> None:
        """``then`` right after ``first`` (one of the latest moves), else at the end."""
        n = len(self.actions)
        for k in range(n - 1, max(-1, n - 1 - WINDOW), -1):
            if self.actions[k] is first:
                self.actions.insert(k + 1, then)
                return
        self.actions.append(then)

    def drop(self, a: Action) -> None:
        n = len(self.actions)
        for k in range(n - 1, max(-1, n - 1 - WINDOW), -1):
            if self.actions[k] is a:
                del self.actions[k]
                return


def end_strike(strike: Action, outcome: str, table: VerbTable, zone: str | None = None) -> None:
    """How a strike ends: ``hit`` is where it lands, None when it misses or is stopped."""
    strike.outcome = outcome if strike.target else None
    if outcome == "lands" and strike.target:
        strike.hit = zone or strike.hit or table.default_hit.get(strike.move)
    else:
        strike.hit = None


def copy_action(a: Action) -> Action:
    return Action(a.move, a.who, a.kind, a.offset, a.target, a.hit, a.intensity, a.speed,
                  a.outcome, a.into, a.weapon)
