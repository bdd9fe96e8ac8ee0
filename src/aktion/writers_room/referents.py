"""Who a name, a pronoun or a possessive refers to, and who fights whom.

Pronouns resolve by gender and number against the characters referred to most recently:
an object is never the clause's own subject ("Rico grabs Kade and slams him"), a
possessed limb is the subject's ("drives her elbow"), a reaction's or a defence's
subject is whoever was just attacked ("Mara shoves Juno. She falls."), "they" is a
they/them character or the group just named, and "he hits him back" swaps the last pair.
The memory is bounded by the cast, so it costs the same at any point of a long scene.
"""

from __future__ import annotations

from collections import deque

from .chunks import NP
from .clauses import Token
from .reading import Action, Said
from .verbphrase import VerbPhrase
from .verbs import VerbTable


class Referents:
    """Reference and recency (a part of ``SceneReader``)."""

    table: VerbTable
    genders: dict[str, str]
    present: list[str]
    recent: list[str]
    subject: list[str] | None
    history: deque[tuple[int, Action]]

    def _mention(self, who: str) -> None:
        if self.recent and self.recent[0] == who:
            return
        if who in self.recent:
            self.recent.remove(who)
        self.recent.insert(0, who)

    def _pool(self) -> list[str]:
        return list(dict.fromkeys(self.recent + self.present))

    def _fits(self, who: str, g: str) -> bool:
        known = self.genders.get(who)
        if g in ("m", "f"):
            return known in (g, None)
        return True

    def _resolve(self, tok: Token, s: Said, exclude: list[str] | None = None,
                 prefer: list[str] | None = None) -> list[str]:
        """The character(s) a pronoun points at: the most recent that fits, ``prefer``
        first when it fits, never one of ``exclude`` while another fits."""
        g = tok.pron or "n"
        if g == "i":
            return []
        exclude = exclude or []
        pool = self._pool()
        if g == "p":
            single = [c for c in pool if self.genders.get(c) == "n" and c not in exclude]
            if single:
                return [single[0]]
            group = s.subject if s.subject and len(s.subject) > 1 else self.subject
            if group and len(group) > 1:
                return [c for c in group if c not in exclude] or list(group)
            return [c for c in pool if c not in exclude][:2]
        for c in prefer or []:
            if self._fits(c, g) and c not in exclude:
                return [c]
        for strict in (True, False):
            for c in pool:
                if c in exclude:
                    continue
                if (self.genders.get(c) == g) if strict else self._fits(c, g):
                    return [c]
        return [next(c for c in pool if self._fits(c, g))] if any(
            self._fits(c, g) for c in pool) else []

    def _np_people(self, np: NP, s: Said, subject: list[str]) -> list[str]:
        """Who a noun phrase names as a person (a target, an object)."""
        tok = np.person
        if tok is None:
            return []
        if tok.who:
            self._mention(tok.who)
            return [tok.who]
        refl = tok.case == "refl"
        found = self._resolve(tok, s, exclude=None if refl else subject,
                              prefer=subject if refl else self._fought(subject, s))
        for w in found:
            self._mention(w)
        return found

    def _owner(self, np: NP, s: Said, subject: list[str], own: bool) -> str | None:
        """Whose limb or body part: a possessive pronoun is the subject's when ``own``
        ("drives her elbow"), someone else's otherwise ("into his throat")."""
        tok = np.owner
        if tok is None:
            return None
        if tok.who:
            self._mention(tok.who)
            return tok.who
        if tok.pron == "i":
            return None
        if own:
            found = self._resolve(tok, s, prefer=subject)
        else:
            found = self._resolve(tok, s, exclude=subject, prefer=self._fought(subject, s)) or (
                self._resolve(tok, s))
        if found:
            self._mention(found[0])
        return found[0] if found else None

    def _opponent(self, who: str, s: Said) -> str | None:
        """Who ``who`` is up against: the other side of their latest exchange, else the
        last other character referred to."""
        strikes = [a for _, a in self.history] + s.strikes()
        for a in reversed(strikes):
            if a.target and a.who == who and a.target != who:
                return a.target
            if a.target == who and a.who != who:
                return a.who
        return next((c for c in self._pool() if c != who), None)

    def _fought(self, subject: list[str], s: Said) -> list[str]:
        """Whom the subject last traded blows with, if anyone: "him" in "Mara blocks it
        and punches him" is the guard who swung, though nothing says he is a he."""
        if len(subject) != 1:
            return []
        who = subject[0]
        for a in reversed([a for _, a in self.history] + s.strikes()):
            if a.target and a.who == who and a.target != who:
                return [a.target]
            if a.target == who and a.who != who:
                return [a.who]
        return []

    def _shot_at_by(self, who: str, s: Said) -> str | None:
        strikes = [a for _, a in self.history] + s.strikes()
        return next((a.who for a in reversed(strikes) if a.move == "fire" and a.target == who),
                    None)

    def _subjects(self, nps: list[NP], verb: VerbPhrase, s: Said, words: set[str],
                  objects: list[NP] | None = None) -> list[str]:
        """Who the subject phrases ``nps`` name. "they" is never the one the clause
        acts on: "They get up and circle her" leaves her out."""
        out: list[str] = []
        acted_on = self._acted_on(objects or [], s)
        for np in nps:
            tok = np.person
            if tok is None:
                continue
            if tok.who:
                out.append(tok.who)
                continue
            if "back" in words and tok.pron not in ("p", "i"):
                last = next((a for a in reversed(s.strikes()) if a.target), None)
                if last is not None and self._fits(last.target or "", tok.pron or "n"):
                    out.append(last.target or "")  # "he hits him back"
                    continue
            sense = self._sense(verb)
            kind = self.table.kind(sense.move or "") if sense.move else ""
            prefer = list(s.subject or self.subject or [])
            if kind in ("reaction", "defence") or verb.passive:
                hit = next((a.target for a in reversed(
                    [a for _, a in self.history] + s.tail()) if a.target), None)
                prefer = ([hit] if hit else []) + prefer
            out += self._resolve(tok, s, prefer=prefer,
                                 exclude=acted_on if tok.pron == "p" else None)
        for w in out:
            self._mention(w)
        return list(dict.fromkeys(out))

    def _acted_on(self, objects: list[NP], s: Said) -> list[str]:
        """Whom a clause's "him" or "her" most likely means (a guess made before its
        subject is known, so only a "they" uses it)."""
        out: list[str] = []
        for np in objects:
            tok = np.person
            if tok is None or tok.who or tok.pron not in ("m", "f") or tok.case == "refl":
                continue
            out += self._resolve(tok, s)[:1]
        return out
