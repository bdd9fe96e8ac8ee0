"""Defences, and what they do to the strike they answer.

A block, a parry or a catch stops a strike; a duck, a dodge, a slip or a roll makes it
miss. "ducks under the hook" with no hook thrown yet means the other fighter threw one;
"Rico blocks both" answers the two strikes just thrown at him; "blocks the doorway"
answers nothing and is no defence.
"""

from __future__ import annotations

from collections import deque

from .chunks import NP
from .reading import Action, Said, end_strike
from .verbphrase import VerbPhrase
from .verbs import Sense, VerbTable


class DefenceReading:
    """Reading defences (a part of ``SceneReader``)."""

    table: VerbTable
    history: deque[tuple[int, Action]]
    answered: set[int]
    count: int

    def _defend(self, subject: list[str], move: str, verb: VerbPhrase, nps: list[NP],
                words: set[str], s: Said, offset: int, phrase: bool) -> list[Action]:
        who = subject[0]
        outcome = self.table.answers.get(move, "misses")
        said = verb.pattern.text if verb.pattern is not None else ""
        objects = [x for x in nps if x.prep in (None, "under", "from", "beneath", "inside",
                                                  "underneath", "past", "off", "out")]
        if said.endswith("inside") and not objects:
            objects = [x for x in nps if x.cls == "it"]
        objects = [x for x in objects if x.prep is None or x.cls != "thing"]  # "under the table"
        made: list[Action] = []
        answered: list[Action] = []
        if objects and not any(x.cls in ("strike", "limb", "body", "it", "person") or
                               x.words[-1:] == ["both"] for x in objects):
            return [] if not phrase or verb.pattern is None or verb.pattern.role != "move" or (
                "{x}" not in verb.pattern.words) else self._plain_defence(who, move, s, offset)
        if "both" in words or "them" in words:
            answered = [a for a in self._recent_strikes(s) if a.target == who][-2:]
        for np in [] if answered else objects or [None]:  # type: ignore[list-item]
            answered += self._answer(who, np, s, offset, outcome)
        if not answered:
            instead = self.table.unprovoked.get(said, move)
            if instead is None:
                return []
            if instead != move:
                kind = self.table.kind(instead)
                a = Action(instead, who, kind, offset)
                s.actions.append(a)
                return [a]
            return self._plain_defence(who, move, s, offset)
        for strike in answered:
            end_strike(strike, outcome, self.table)
            self.answered.add(id(strike))
            d = Action(move, who, "defence", offset)
            s.put_after(strike, d)
            made.append(d)
        return made

    def _plain_defence(self, who: str, move: str, s: Said, offset: int) -> list[Action]:
        a = Action(move, who, "defence", offset)
        s.actions.append(a)
        return [a]

    def _recent_strikes(self, s: Said) -> list[Action]:
        older = [a for n, a in self.history if n >= self.count - 1]
        return [a for a in older + s.strikes() if id(a) not in self.answered]

    def _answer(self, who: str, np: NP | None, s: Said, offset: int,
                outcome: str) -> list[Action]:
        """The strikes a defence answers (made up when a line names one not yet thrown)."""
        open_ = [a for a in self._recent_strikes(s) if a.target == who and a.who != who]
        if np is None or np.cls == "it":
            it = s.it if isinstance(s.it, Action) and s.it.target == who else None
            if it is not None and id(it) not in self.answered:
                return [it]
            return open_[-1:]
        if np.words[-1:] == ["both"] or np.words[-1:] == ["them"]:
            return open_[-2:]
        owner = self._owner(np, s, [who], own=False) if np.owner is not None else None
        if np.cls == "person":
            found = self._np_people(np, s, [who])
            return [a for a in open_ if a.who in found][-1:]
        if np.cls == "body" and np.limb is None:
            found = [a for a in open_ if owner is None or a.who == owner][-1:]
            if found or outcome != "blocked" or owner is None or owner == who:
                return found
            move = "front_kick" if np.zone == "legs" else "cross"  # "catches her ankle"
            strike = Action(move, owner, "strike", offset, who)
            s.actions.append(strike)
            return [strike]
        move = np.move if np.cls == "strike" else np.limb or np.move
        covers = self.table.covers.get(np.key, set()) | (
            self.table.covers.get("punch", set()) if np.key in ("fist", "fists") else set())
        fits = [a for a in open_ if (a.move == move or a.move in covers) and (
            owner is None or a.who == owner)]
        if fits:
            return fits[-1:]
        if not np.definite and np.owner is None and np.cls == "body":
            return []
        attacker = owner or self._opponent(who, s)
        if attacker is None or attacker == who or move is None:
            return []
        strike = Action(move, attacker, "strike", offset, who)
        s.actions.append(strike)
        return [strike]

    def _relative_object(self, subject: list[str], verb: VerbPhrase, sense: Sense, strike: Action,
                         s: Said, offset: int) -> list[Action]:
        """"a right hand that Lena parries": she answers the strike just thrown."""
        kind = self.table.kind(sense.move or "")
        if kind != "defence":
            return []
        end_strike(strike, self.table.answers.get(sense.move or "", "blocked"), self.table)
        self.answered.add(id(strike))
        made = [Action(sense.move or "block", subject[0], "defence", offset)]
        s.actions += made
        return made
