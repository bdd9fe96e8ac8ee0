"""Clauses about a strike itself: "Kade's jab whiffs past her ear", "her boot catches him
under the chin", "the kick whistles past her ear" (the one just thrown), "a right hand
that Lena parries", "Kade's head snaps back".
"""

from __future__ import annotations

from .chunks import NP
from .reading import Action, Said, end_strike
from .verbphrase import VerbPhrase
from .verbs import VerbTable

_DISCHARGE = {"go", "fire", "discharge", "bark", "roar", "boom", "blast", "thunder"}
_HEAD_SNAP = {"snap", "whip", "rock", "jerk", "knock", "wrench", "twist"}


class StrikeClauses:
    """Reading what a clause says of a strike (a part of ``SceneReader``)."""

    table: VerbTable
    count: int
    held: dict[str, str]

    def _it_strike(self, s: Said) -> bool:
        return isinstance(s.it, (Action, NP))

    def _strike_subject(self, np: NP, verb: VerbPhrase, nps: list[NP], s: Said,
                        offset: int) -> None:
        """"Kade's jab whiffs past her ear", "Her boot catches him under the chin", "The
        kick whistles past her ear" (the one just thrown), "it clangs off the pipe"."""
        if np.cls == "it":
            if isinstance(s.it, Action):
                self._strike_said(s.it, verb, nps, s, offset)
            return
        owner = self._owner(np, s, list(s.subject or self.subject or []), own=True) if (
            np.owner is not None) else None
        discharged = False
        if np.cls == "weapon":
            s.it = np
            holder = next((w for w, key in self.held.items() if key == np.key), None)
            if owner is None and holder and np.move == "fire" and verb.lemma in _DISCHARGE:
                owner, discharged = holder, True  # "The shotgun goes off": its holder fires
            elif owner is None:
                return
        move = np.move if np.cls in ("strike", "weapon") else np.limb or np.move
        if move is None:
            return
        covers = self.table.covers.get(np.key, set())
        back = [a for a in self._recent_strikes(s) + s.strikes()
                if (a.move == move or a.move in covers) and (owner is None or a.who == owner)]
        if np.definite or owner is not None and back and self._just_thrown(back[-1], s):
            if back:
                self._strike_said(back[-1], verb, nps, s, offset)
                return
            if np.definite and not discharged:
                return
        if owner is None and np.det is not None and not np.definite:
            owner = next((a.who for a in reversed(back)), None)  # "A bullet tears into..."
            if owner is None:
                target, _, _ = self._targets("", nps, s, [])
                owner = self._opponent(target, s) if target else None
        if owner is None:
            return
        if np.cls == "weapon" and self.table.weapons.get(np.key) == "fire":
            move = "fire"
        strike = Action(move, owner, "strike", offset, weapon=np.key if np.cls == "weapon"
                        else None)
        s.actions.append(strike)
        if not self._strike_said(strike, verb, nps, s, offset, new=True):
            s.drop(strike)

    def _just_thrown(self, a: Action, s: Said) -> bool:
        return s.holds(a) or any(x is a and n >= self.count - 1 for n, x in self.history)

    def _strike_said(self, strike: Action, verb: VerbPhrase, nps: list[NP], s: Said,
                     offset: int, new: bool = False) -> bool:
        """What a clause about a strike says of it: where it lands, or that it misses."""
        sense = self._sense(verb)
        s.it = strike
        target, zone, np = self._targets(strike.who, nps, s, [strike.who])
        if verb.passive and self.table.kind(sense.move or "") == "defence":
            outcome = self.table.answers.get(sense.move or "", "blocked")
            by = next((x for x in nps if x.prep == "by" and x.cls == "person"), None)
            defender = (self._np_people(by, s, [strike.who]) if by is not None else []) or [
                strike.target or self._opponent(strike.who, s)]
            strike.target = strike.target or defender[0]
            end_strike(strike, outcome, self.table)
            self.answered.add(id(strike))
            if defender[0]:
                s.put_after(strike, Action(sense.move or "block", defender[0], "defence", offset))
            return True
        outcome = sense.outcome
        if outcome == "blocked" and not any(x.words and x.words[-1] in self.table.guards
                                            for x in nps):
            outcome = "lands"
        if target is not None and (strike.target is None or id(strike) not in s.named):
            strike.target = target
            s.named.add(id(strike))
        if strike.target is None and new and strike.move != "fire":
            strike.target = self._opponent(strike.who, s)
        if strike.target is None:
            return new and strike.move == "fire"  # a shot into the ceiling is still a shot
        if outcome is None and (target is not None or new):
            outcome = "lands"
        if outcome is not None:
            end_strike(strike, outcome, self.table, zone)
        if verb.lemma in _HEAD_SNAP and np is not None and "head" in np.words and target:
            s.actions.append(Action("hit_head", target, "reaction", offset))
        react = sense.knockdown or (sense.move if self.table.kind(sense.move or "") == (
            "reaction") else None)
        if react and strike.outcome == "lands" and strike.target:  # "sends him sprawling"
            s.actions.append(Action(react, strike.target, "reaction", offset))
        return True

    def _body_reacts(self, body: NP, verb: VerbPhrase, s: Said, offset: int) -> None:
        react = self.table.body_reactions.get(f"{body.words[-1]} {verb.lemma}")
        if react is None:
            return
        hit = [a.target for a in s.tail()[::-1] + [a for _, a in reversed(self.history)]
               if a.target][:1]
        tok = body.owner
        if tok is None:
            return
        who = [tok.who] if tok.who else self._resolve(tok, s, prefer=hit)
        if who:
            self._mention(who[0])
            s.actions.append(Action(react, who[0], "reaction", offset))
            s.subject = who
