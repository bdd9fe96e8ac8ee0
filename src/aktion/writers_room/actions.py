"""Reading who does what to whom in an action line, with the synonym table's help.

Plain heuristics a script supervisor would use: the subject is the nearest name or
pronoun before the verb, the target the first one after it; "he" and "she" go to the
most recent character the script refers to that way; "a hook" is thrown by the
sentence's subject, "the hook" after a duck was thrown by the other fighter, and a
strike answered by a block or a dodge does not land.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .breakdown import Beat, SceneBreakdown
from .names import NameMatcher
from .verbs import VerbTable

_PRONOUNS = {
    "he": ("m", "subj"), "him": ("m", "obj"), "his": ("m", "poss"),
    "she": ("f", "subj"), "her": ("f", "obj"), "hers": ("f", "obj"),
    "they": ("n", "subj"), "them": ("n", "obj"), "their": ("n", "poss"),
}
_PRONOUN = re.compile(r"(?<![\w'])(he|him|his|she|her|hers|they|them|their)(?![\w'])", re.IGNORECASE)
_DETERMINERS = {"a", "an", "another", "one", "his", "her", "their", "its", "the", "that",
                "this", "same"}
_PREPOSITIONS = {"at", "into", "in", "on", "to", "across", "under", "against", "onto"}
_DEFINITE = {"the", "that", "this", "same"}
_REPEAT = re.compile(r"^\W*(twice|two times|three times|again and again)\b", re.IGNORECASE)
_HARD = re.compile(r"\b(hard|heavy|vicious|brutal|savage|full force|massive|huge)\b", re.IGNORECASE)
_FAST = re.compile(r"\b(fast|quick|quickly|snaps?|lightning|rapid|flurry)\b", re.IGNORECASE)


@dataclass
class Mention:
    start: int
    end: int
    who: str | None  # resolved cast id, None if it could not be resolved
    role: str  # "name", "subj", "obj", "poss"


@dataclass
class Action:
    """One move in a sentence, as the table names it (the library fallback comes later)."""

    move: str
    who: str
    kind: str
    offset: int  # where in the sentence it is said
    target: str | None = None
    hit: str | None = None
    intensity: float = 1.0
    speed: float = 1.0


@dataclass
class ReadBeat:
    beat: Beat
    actions: list[Action] = field(default_factory=list)
    cameras: list[tuple[str, int]] = field(default_factory=list)  # (camera beat, offset)
    prop: str | None = None
    holder: str | None = None
    people: list[str] = field(default_factory=list)  # everyone the sentence involves


def infer_genders(scenes: list[SceneBreakdown], intros: dict[int, str]) -> dict[str, str]:
    """he/she per character, from pronouns that can only mean them.

    Counted: every pronoun of the sentence that introduces a character (``intros``:
    line -> id); "himself"/"herself" in a sentence naming only them; a sentence that
    names nobody and opens with "He"/"She" after one that named only them.
    """
    votes: dict[str, dict[str, int]] = {}

    def vote(cid: str, word: str) -> None:
        g = _PRONOUNS.get(word.lower(), ("n", ""))[0] if word.lower() not in (
            "himself", "herself") else ("m" if word.lower() == "himself" else "f")
        if g in ("m", "f"):
            votes.setdefault(cid, {}).setdefault(g, 0)
            votes[cid][g] += 1

    for scene in scenes:
        last: str | None = None
        for beat in scene.beats:
            words = re.findall(r"[A-Za-z]+", beat.text)
            if intros.get(beat.line) in beat.who and len(beat.who) == 1:
                for w in words:
                    if w.lower() in _PRONOUNS or w.lower() in ("himself", "herself"):
                        vote(beat.who[0], w)
            elif len(beat.who) == 1:
                for w in words:
                    if w.lower() in ("himself", "herself"):
                        vote(beat.who[0], w)
            elif not beat.who and last and words and words[0].lower() in ("he", "she"):
                vote(last, words[0])
            last = beat.who[0] if len(beat.who) == 1 else (None if beat.who else last)
    out = {}
    for cid, v in votes.items():
        m, f = v.get("m", 0), v.get("f", 0)
        if m != f:
            out[cid] = "m" if m > f else "f"
    return out


def _words_before(text: str, offset: int, n: int) -> list[str]:
    return re.findall(r"[\w'’]+|[,;:.!?]", text[:offset])[-n:]


class SceneReader:
    """Reads a scene's sentences in order, remembering who was last referred to."""

    def __init__(self, table: VerbTable, matcher: NameMatcher, genders: dict[str, str],
                 present: list[str]):
        self.table = table
        self.matcher = matcher
        self.genders = genders
        self.present = list(present)
        self.recent: list[str] = []  # most recent first
        self.subject: str | None = None
        self.history: list[Action] = []  # every strike so far, for blocks and dodges

    # --- who --------------------------------------------------------------------------

    def _resolve(self, gender: str, seen: list[str], exclude: str | None) -> str | None:
        """The character a pronoun points at: the latest one referred to that way."""
        pool = list(dict.fromkeys(seen[::-1] + self.recent + self.present))

        def pick(cands: list[str]) -> str | None:
            if gender not in ("m", "f"):
                return self.subject if self.subject in cands else None
            for c in cands:
                if self.genders.get(c) == gender:
                    return c
            return next((c for c in cands if c not in self.genders), None)

        first = pick([c for c in pool if c != exclude]) if exclude else None
        return first or pick(pool)

    def _mentions(self, text: str) -> list[Mention]:
        out = [Mention(a, z, cid, "name") for a, z, cid in self.matcher.find(text)]
        for m in _PRONOUN.finditer(text):
            out.append(Mention(m.start(), m.end(), None, m.group(1).lower()))
        out.sort(key=lambda x: x.start)
        seen: list[str] = []
        for x in out:  # resolve pronouns in order against what came just before
            if x.who is None:
                gender, role = _PRONOUNS[x.role]
                prior = seen[-1] if seen and role != "subj" else None
                x.who = self._resolve(gender, seen, prior)
                x.role = "poss" if x.role == "her" else role  # "her" may own or receive
            if x.who is not None:
                seen.append(x.who)
        return out

    def _other(self, who: str | None) -> str | None:
        for c in self.recent + self.present:
            if c != who:
                return c
        return None

    # --- what -------------------------------------------------------------------------

    def read(self, beat: Beat) -> ReadBeat:
        text = beat.text
        lower = text.lower()
        mentions = self._mentions(text)
        found = self.table.find(text)
        out = ReadBeat(beat)
        pending: list[Action] = []
        for i, (start, end, phrase) in enumerate(found):
            said = " ".join(text[start:end].lower().split())
            before = [w.lower() for w in _words_before(text, start, 3)]
            det = next((w for w in reversed(before) if w in _DETERMINERS or w.endswith(("'s", "’s"))),
                       None)
            if det is not None and any(w in ",;:.!?" for w in before[before.index(det):]):
                det = None
            nxt = found[i + 1] if i + 1 < len(found) else None
            nxt_said = " ".join(text[nxt[0]:nxt[1]].lower().split()) if nxt else ""
            if not phrase.noun and nxt is not None and nxt_said in self.table.nouns and (
                    self._delivers(text[end:nxt[0]])):
                continue  # "fires a jab": the jab is the move, "fires" only delivers it
            noun_move = self.table.nouns.get(said) if (phrase.noun or det) else None
            if noun_move is None and det in _DETERMINERS and before and before[-1] == det:
                continue  # "the edge", "a circle": a noun that looks like a verb
            if noun_move is not None and (det or phrase.noun):
                act = self._noun(noun_move, det, start, end, text, mentions, pending)
            else:
                who = self._subject(mentions, start)
                if who is None:
                    continue
                act = Action(phrase.move, who, self.table.kind(phrase.move), start)
            if act is None:
                continue
            if act.kind == "strike":
                self._aim(act, mentions, end, text, found[i + 1][0] if nxt else len(text))
            if act.kind == "defence":
                self._answer(act, pending)
            if pending and pending[-1].who == act.who and pending[-1].move == act.move and (
                    act.kind in ("reaction", "stance", "travel")):
                continue  # "Kade falls, and this time he stays down": one fall
            pending.append(act)
            if act.kind == "strike" and (m := _REPEAT.match(text[end:])):
                times = 3 if m.group(1).lower().startswith("three") else 2
                for _ in range(times - 1):
                    pending.append(Action(act.move, act.who, act.kind, act.offset, act.target,
                                          act.hit, act.intensity, act.speed))
        if _HARD.search(text):
            for a in pending:
                if a.kind == "strike":
                    a.intensity = 1.4
        if _FAST.search(text):
            for a in pending:
                if a.kind in ("strike", "defence"):
                    a.speed = 1.3
        out.actions = pending
        self.history.extend(a for a in pending if a.kind == "strike")
        for cam, words in self.table.camera.items():
            for w in words:
                if (m := re.search(rf"(?<![\w']){re.escape(w)}(?![\w'])", lower)):
                    out.cameras.append((cam, m.start()))
                    break
        self._props(out, lower, mentions)
        people = [a.who for a in pending] + [a.target for a in pending if a.target]
        people += [m.who for m in mentions if m.who and m.role in ("name", "subj")]
        out.people = list(dict.fromkeys(p for p in people if p))
        subjects = [a.who for a in pending] or [m.who for m in mentions if m.role in (
            "name", "subj") and m.who]
        if subjects:
            self.subject = subjects[-1]
        named = [m.who for m in mentions if m.who]
        self.recent = list(dict.fromkeys(named[::-1] + self.recent))
        return out

    def _delivers(self, between: str) -> bool:
        words = between.lower().split()
        return len(words) <= 3 and not any(w.strip(",") in {"and", "then", "but"} or
                                           w.endswith(",") for w in words)

    def _subject(self, mentions: list[Mention], offset: int) -> str | None:
        for m in reversed(mentions):
            if m.end <= offset and m.who and m.role in ("name", "subj"):
                return m.who
        return self.subject

    def _noun(self, move: str, det: str | None, start: int, end: int, text: str,
              mentions: list[Mention], pending: list[Action]) -> Action | None:
        kind = self.table.kind(move)
        if det in _DEFINITE:
            defence = next((a for a in reversed(pending) if a.kind == "defence"), None)
            if defence is None:
                return None  # "The kick whistles past her ear": refers back
            recent = self.history[-3:] + [a for a in pending if a.kind == "strike"]
            if any(a.move == move and a.target == defence.who for a in recent):
                return None
            attacker = self._other(defence.who)
            if attacker is None:
                return None
            strike = Action(move, attacker, kind, max(0, defence.offset - 1), defence.who)
            pending.insert(pending.index(defence), strike)
            return None
        owner = None
        for m in reversed(mentions):
            if m.end > start:
                continue
            said = text[m.start:m.end].lower()
            if len(text[m.end:start].split()) <= 2 and m.who and (
                    m.role == "poss" or said.endswith(("'s", "’s"))):
                owner = m.who
            break
        who = owner or self._subject(mentions, start)
        if who is None:
            return None
        return Action(move, who, kind, start)

    def _aim(self, act: Action, mentions: list[Mention], end: int, text: str, stop: int) -> None:
        if act.target is None:
            after = [m for m in mentions if m.start >= end and m.who and m.who != act.who
                     and m.role in ("name", "obj", "poss")]
            act.target = after[0].who if after else self._other(act.who)
        if act.target is None:
            return
        zone = None
        words = re.findall(r"[a-z]+(?: plexus)?", text[end:stop].lower())
        for k, word in enumerate(words):
            if word in self.table.hits and _PREPOSITIONS & set(words[max(0, k - 3):k]):
                zone = self.table.hits[word]
                break
        act.hit = zone or self.table.default_hit.get(act.move)

    def _answer(self, defence: Action, pending: list[Action]) -> None:
        """A block or a dodge: the last strike at the defender did not land."""
        strikes = self.history[-4:] + [a for a in pending if a.kind == "strike"]
        for strike in reversed(strikes):
            if strike.target == defence.who:
                strike.hit = None
                return

    def _props(self, out: ReadBeat, lower: str, mentions: list[Mention]) -> None:
        if any(a.kind == "strike" for a in out.actions):
            return
        for prop in self.table.props:
            if re.search(rf"(?<![\w']){re.escape(prop)}s?(?![\w'])", lower):
                verb = any(re.search(rf"(?<![\w']){re.escape(v)}(?![\w'])", lower)
                           for v in self.table.insert_verbs)
                if verb or not out.actions:
                    out.prop = prop
                    out.holder = next((m.who for m in mentions if m.who), None)
                return
