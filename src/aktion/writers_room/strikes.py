"""Strikes, travels and falls: who a move is aimed at, with what, into what, how often.

The target is the first person a clause names after its verb ("into Kade's stomach"
counts), else whoever the attacker is up against; a gun fires at whoever it is aimed at
or whoever shot first. The set piece is what a target is driven into, against or
through. A weapon taken up stays in hand for the moves of its family. The passive puts
the subject on the receiving end ("is thrown against the door by Vex"), and a knockdown
("drops him with an elbow", "is knocked flat") is a strike and a fall.
"""

from __future__ import annotations

from .chunks import NP
from .clauses import Token
from .reading import FAMILY, Action, Said, end_strike
from .verbphrase import VerbPhrase
from .verbs import Sense, VerbTable

_TOWARD = {None, "at", "toward", "towards", "to", "on", "for", "into", "onto", "upon"}
_INTO = {"into", "against", "through", "onto", "in"}


class StrikeReading:
    """Aiming and counting moves (a part of ``SceneReader``)."""

    table: VerbTable
    held: dict[str, str]
    count: int

    def _targets(self, who: str, nps: list[NP], s: Said, subject: list[str],
                 preps: set[str | None] | None = None) -> tuple[str | None, str | None, NP | None]:
        """The first person a clause names after its verb (not ``who``), the zone it says,
        and the phrase that named them."""
        zone = None
        for np in nps:
            if preps is not None and np.prep not in preps:
                continue
            if np.prep in ("with", "by", "from") and np.cls != "body":
                continue
            if np.cls == "person":
                found = [w for w in self._np_people(np, s, subject) if w != who]
                if found:
                    return found[0], zone or self._zone_after(nps, np), np
            elif np.owner is not None and np.cls in ("body", "limb", "thing", "weapon",
                                                     "strike"):
                if np.cls == "body" or np.prep is not None or np.cls == "thing":
                    owner = self._owner(np, s, subject, own=False)
                    if owner and owner != who:
                        return owner, np.zone or zone, np
            elif np.cls == "body" and zone is None:
                zone = np.zone
        return None, zone, None

    def _zone_after(self, nps: list[NP], np: NP) -> str | None:
        after = nps[nps.index(np) + 1:] if np in nps else []
        return next((x.zone for x in after if x.cls == "body" and x.owner is None), None)

    def _into(self, nps: list[NP], after: NP | None) -> str | None:
        seen = after is None
        for np in nps:
            if np is after:
                seen = True
                continue
            if seen and np.prep in _INTO and np.cls == "thing" and np.words:
                key, size = self.table.lookup(np.words, self.table.set_pieces)
                return key if size else np.words[-1]
        return None

    def _count(self, toks: list[Token], nps: list[NP]) -> int:
        n = max((x.count for x in nps if x.cls == "count"), default=1)
        said = " ".join(t.low for t in toks)
        for m in self.table.repeat_words.finditer(said):
            n = max(n, self.table.counts[m.group(0).lower()])
        return n

    def _strikes(self, subject: list[str], move: str, verb: VerbPhrase, nps: list[NP],
                 words: set[str], s: Said, offset: int, weapon: str | None,
                 count: int, instrument: bool = False) -> list[Action]:
        made: list[Action] = []
        reciprocal = len(subject) > 1 and (verb.lemma in self.table.reciprocal or "other" in words)
        aimless = any(x.prep is None and (x.cls in ("thing", "it") or x.cls == "weapon" and not
                                          instrument) for x in nps)
        for who in subject:
            if reciprocal:
                target, zone, np = next(w for w in subject if w != who), None, None
            else:
                target, zone, np = self._targets(who, nps, s, subject)
            named = target is not None
            if target is None and move == "fire":
                target = s.aims.get(who) or self._shot_at_by(who, s)  # "returns fire"
            elif target is None and not aimless:
                target = self._opponent(who, s)
            gun = weapon
            held = self.held.get(who)
            if gun is None and held and FAMILY.get(self.table.weapons.get(held, "")) == (
                    FAMILY.get(move, "-")):
                gun = held
            if move == "pistol_whip" and gun is None:
                gun = "gun"
            for _ in range(count):
                a = Action(move, who, "strike", offset, target, weapon=gun)
                if target is not None:
                    a.outcome = "lands"
                    a.hit = zone or self.table.default_hit.get(move)
                    if move in ("throw", "shove", "tackle", "grapple", "choke", "clinch"):
                        a.into = self._into(nps, np)
                        if a.into:
                            s.into.append(a.into)
                if named:
                    s.named.add(id(a))
                made.append(a)
        s.actions += made
        s.it = made[-1] if made else s.it
        return made

    def _hold(self, subject: list[str], obj: NP | None, withs: list[NP], sense: Sense) -> None:
        """A weapon taken up or used stays in hand: "comes up with a broken bottle"."""
        held = next((x.key for x in [obj, *withs] if x is not None and x.cls == "weapon"), None)
        if held and not sense.knockdown and sense.move not in ("throw",):
            for who in subject:
                self.held[who] = held

    def _falls(self, strikes: list[Action], s: Said, offset: int) -> list[Action]:
        down = [Action("fall", w, "reaction", offset) for w in dict.fromkeys(
            a.target for a in strikes if a.target)]
        s.actions += down
        return down

    def _knockdown(self, subject: list[str], fall: str, verb: VerbPhrase, nps: list[NP],
                   obj: NP | None, s: Said, offset: int) -> list[Action]:
        """"drops him with an elbow": a strike, and he falls; "he drops": he falls."""
        with_strike = next((x for x in nps if x.prep == "with" and x.cls == "strike"), None)
        if obj is None:
            down = [Action(fall, w, "reaction", offset) for w in subject]
            s.actions += down
            return down
        if obj.cls != "person":
            return []
        own = self.table.sense(verb.lemma or "").move
        made: list[Action] = []
        if with_strike is not None or own:
            move = with_strike.move if with_strike is not None else own
            made = self._strikes(subject, move or "cross", verb, nps, set(), s, offset, None,
                                 with_strike.count if with_strike else 1)
            return made + self._falls(made, s, offset)
        targets = self._np_people(obj, s, subject)
        down = [Action(fall, w, "reaction", offset) for w in targets]
        s.actions += down
        return down

    def _travel(self, subject: list[str], move: str, nps: list[NP], s: Said,
                offset: int) -> list[Action]:
        made = []
        for who in subject:
            toward = [x for x in nps if not x.away and x.prep in _TOWARD]
            target, _, np = self._targets(who, toward, s, subject)
            if target is not None and np is not None and np.prep == "into" and move in (
                    "run", "sprint"):
                a = Action("tackle", who, "strike", offset, target, outcome="lands",
                           hit=self.table.default_hit.get("tackle"))
            else:
                a = Action(move, who, "travel", offset, target)
            made.append(a)
        s.actions += made
        return made

    def _thrower_outcome(self, who: str, outcome: str, s: Said) -> list[Action]:
        """"Kade swings and misses": his last strike ends that way. "Bram finally
        connects, a crushing right...": the strike is said next."""
        for a in reversed([a for n, a in self.history if n >= self.count - 1] + s.tail()):
            if a.kind == "strike" and a.who == who:
                end_strike(a, outcome, self.table)
                return []
        s.delivering, s.outcome = True, outcome
        return []

    def _passive(self, subject: list[str], verb: VerbPhrase, sense: Sense, nps: list[NP],
                 words: set[str], s: Said, offset: int) -> list[Action]:
        """"Kade is thrown against the door by Vex", "gets punched", "is knocked down by a
        single jab from Juno": the subject is on the receiving end."""
        by = next((x for x in nps if x.prep == "by"), None)
        strike = next((x for x in nps if x.cls == "strike" and x.prep in ("by", "with")), None)
        source = next((x for x in nps if x.prep == "from" and x.cls == "person"), None)
        agent_np = source or (by if by is not None and by.cls == "person" else None)
        made: list[Action] = []
        for target in subject:
            agent = None
            if agent_np is not None:
                found = self._np_people(agent_np, s, [target])
                agent = found[0] if found else None
            elif strike is not None and strike.owner is not None:  # "by Wade's haymaker"
                agent = self._owner(strike, s, [target], own=False)
            agent = agent or self._opponent(target, s)
            if agent is None:
                continue
            move = strike.move if strike is not None else (sense.move or None)
            if move is None and not sense.knockdown:
                return self._unknown_or_none(subject, verb, s)
            if move is not None and self.table.kind(move) == "strike":
                zone = next((x.zone for x in nps if x.cls == "body"), None)
                a = Action(move, agent, "strike", offset, target, outcome="lands",
                           hit=zone or self.table.default_hit.get(move))
                if move in ("throw", "shove", "tackle", "grapple"):
                    a.into = self._into(nps, None)
                    if a.into:
                        s.into.append(a.into)
                if move == "pistol_whip":
                    a.weapon = "gun"
                elif self.held.get(agent) and FAMILY.get(self.table.weapons.get(
                        self.held[agent], "")) == FAMILY.get(move, "-"):
                    a.weapon = self.held[agent]
                made.append(a)
                s.named.add(id(a))
            if sense.knockdown:
                made.append(Action(sense.knockdown, target, "reaction", offset))
        s.actions += made
        return made
