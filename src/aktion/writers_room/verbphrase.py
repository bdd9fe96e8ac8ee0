"""The verb of a clause: where it is, its voice, and whether it happens at all.

"is THROWN against the door" and "gets punched" are passive; "can draw", "doesn't
block" and "to face" do not happen; "tries to grab" and "keeps walking" do. Which verb
a form belongs to comes from the table, else from ``forms`` (lemminflect).
"""

from __future__ import annotations

from dataclasses import dataclass

from .clauses import ADVERBS, Token, verbish
from .forms import verb_lemma
from .introductions import people_words
from .reading import Said
from .verbs import Pattern, Sense, VerbTable

_MODALS = {"can", "could", "would", "will", "might", "must", "should", "may", "shall",
           "cannot", "can't", "won't", "wouldn't", "couldn't"}
_NEGATIONS = {"not", "never", "n't", "doesn't", "don't", "didn't", "isn't", "wasn't",
              "fails", "failed", "fail"}
_IRREGULAR_PLURALS = frozenset(people_words()["plurals"])  # men, women, henchmen...
_CATENATIVES = {"try", "attempt", "manage", "start", "begin", "continue", "keep", "go",
                "proceed", "move", "rush", "fail", "lean", "turn", "step"}


@dataclass
class VerbPhrase:
    """A clause's verb: its place, the table phrase it starts, its voice and mood."""

    main: int  # index of the main verb in the clause
    end: int  # index after the phrase it starts
    lemma: str | None
    pattern: Pattern | None
    passive: bool = False
    unreal: bool = False  # a modal, a negation or a bare infinitive: it does not happen


class VerbReading:
    """Finding and reading the verb of a clause (a part of ``SceneReader``)."""

    table: VerbTable
    subject: list[str] | None

    def _verb_index(self, toks: list[Token], s: Said) -> int | None:
        prev = None
        plural = False
        for k, t in enumerate(toks):
            plural = plural or t.low == "and" and k > 0
            carried = k == 0 and len(s.subject or self.subject or []) > 1
            many = prev is not None and (prev.low.endswith("s") and not prev.low.endswith(
                ("ss", "'s", "’s")) and not prev.pron  # "the thugs scatter"
                or prev.low in _IRREGULAR_PLURALS)  # "the two men close in"
            if verbish(t, prev, self.table, plural=carried or many or plural and prev is not None
                       and not prev.punct):
                if t.text.isupper() and len(t.text) > 1 and k == 0 and not self.table.lemma(
                        t.low):
                    return None  # "WHAM", a sound
                return k
            prev = t
        return None

    def _verb(self, toks: list[Token], v: int) -> VerbPhrase:
        words = [t.low for t in toks]
        poss = [t.poss or t.low in ("his", "her", "their", "its") for t in toks]
        unreal = v > 0 and (words[v - 1] in _MODALS or words[v - 1] in _NEGATIONS or (
            words[v - 1] == "to" and (v < 2 or self._lemma(words[v - 2]) not in _CATENATIVES)))
        k = v
        passive = False
        while k < len(words):
            w = words[k]
            lemma = self._lemma(w)
            if lemma in _CATENATIVES and k + 2 < len(words) and words[k + 1] == "to" and (
                    self._lemma(words[k + 2])):  # "tries to grab", "moves to block"
                unreal = unreal or lemma == "fail"
                k += 2
                continue
            hit = self.table.match(words, k, poss)
            if hit is not None:
                return VerbPhrase(k, hit[1], self.table.lemma(words[k]), hit[0], passive, unreal)
            nxt = k + 1
            while nxt < len(words) and (words[nxt] in ADVERBS or words[nxt] in (
                    "being", "been")) and words[nxt] not in ("up", "down", "out", "off"):
                nxt += 1
            if w in _MODALS:
                unreal = True
                k = nxt
                continue
            if w in _NEGATIONS or lemma == "do" and nxt < len(words) and words[nxt] in (
                    "not", "n't"):
                unreal = True
                k = nxt if w not in ("not",) else k + 1
                continue
            if nxt < len(words):
                after = words[nxt]
                if lemma in ("be", "get") and self._participle(after):
                    passive = True
                    k = nxt
                    continue
                if lemma in ("be", "have") and (self._participle(after) or after.endswith(
                        "ing")) and self._lemma(after):
                    k = nxt
                    continue
                if lemma in ("keep", "continue", "start", "begin") and after.endswith("ing"):
                    k = nxt
                    continue
            return VerbPhrase(k, k + 1, lemma, None, passive, unreal)
        return VerbPhrase(v, v + 1, self._lemma(words[v]), None, passive, unreal)

    def _lemma(self, word: str) -> str | None:
        return self.table.lemma(word) or verb_lemma(word)

    def _participle(self, word: str) -> bool:
        tags = self.table.tags.get(word)
        if tags is not None:
            return bool(tags & {"VBN", "VBD"})
        return word.endswith(("ed", "en", "wn")) and verb_lemma(word) is not None

    def _sense(self, verb: VerbPhrase) -> Sense:
        if verb.pattern is not None:
            p = verb.pattern
            if p.role == "move":
                return Sense(move=p.value)
            if p.role == "knockdown":
                return Sense(knockdown=p.value)
            if p.role == "outcome":
                return Sense(outcome=p.value)
            return Sense(quiet=True)
        return self.table.sense(verb.lemma or "")
