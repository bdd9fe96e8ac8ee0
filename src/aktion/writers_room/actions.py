"""Reading who does what to whom in an action line.

A sentence is cut into clauses (``clauses``) and each clause is read the way a script
supervisor would:

- the verb, with its voice and mood: "is thrown against the door by Vex" and "gets
  punched" are passive (the subject is the target, "by" names the attacker, else the
  fighter the target is up against); "can draw" and "doesn't block" do not happen;
  "tries to grab" and "keeps walking" do. Tenses come from ``forms`` (lemminflect).
- the subject: a name, a pronoun, "his minion", or a strike itself ("Kade's jab
  whiffs", "her boot catches him"); a clause without one carries the last ("ducks,
  then drives..."), names joined by "and" act together ("Vex and Kade trade jabs").
- pronouns by gender and number against whoever was referred to last: an object is
  never the clause's own subject ("Rico grabs Kade and slams him"), a possessed limb
  is the subject's ("drives her elbow into his throat"), a reaction's pronoun is whoever
  was just hit ("Mara shoves Juno. She falls."), "they" is a they/them character or the
  group just named, and "he hits him back" swaps the last pair.
- objects and phrases (``chunks``): the target is the first person the clause names
  after the verb ("into Kade's stomach" counts), the set piece is what a target is
  driven into, against or through, a weapon is what is swung or used "with".
- strikes named as things: "throws a hook", "lets fly with a spinning kick", "answers
  with an uppercut", "a flurry of punches" (three), ": jab, cross, hook" after a strike.
- defences change the strike they answer: a block, parry or catch stops it, a duck,
  dodge, slip or roll makes it miss; "ducks under the hook" with no hook thrown yet
  means the other fighter threw one. "misses", "finds only air", "connects" say so too.
- a verb in an action clause that the table does not know is reported, not dropped.

Everything is local to a clause plus a small, bounded memory (the last few strikes,
the cast in order of mention), so reading is linear in the length of the text.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from .breakdown import Beat, SceneBreakdown
from .chunks import NP, chunk
from .clauses import ADVERBS, Clause, Token, split_clauses, tokenize, verbish
from .forms import verb_lemma
from .names import NameMatcher
from .verbs import Pattern, Sense, VerbTable

_HARD = re.compile(r"\b(hard|heavy|vicious|brutal|savage|full force|massive|huge|crushing|"
                   r"sickening)\b", re.IGNORECASE)
_FAST = re.compile(r"\b(fast|quick|quickly|snaps?|lightning|rapid|flurry)\b", re.IGNORECASE)
_MODALS = {"can", "could", "would", "will", "might", "must", "should", "may", "shall",
           "cannot", "can't", "won't", "wouldn't", "couldn't"}
_NEGATIONS = {"not", "never", "n't", "doesn't", "don't", "didn't", "isn't", "wasn't",
              "fails", "failed", "fail"}
_CATENATIVES = {"try", "attempt", "manage", "start", "begin", "continue", "keep", "go",
                "proceed", "move", "rush", "fail", "lean", "turn", "step"}
_TOWARD = {None, "at", "toward", "towards", "to", "on", "for", "into", "onto", "upon"}
_INTO = {"into", "against", "through", "onto", "in"}
_HAND = {"jab", "cross", "hook", "uppercut", "slap", "spinning_backfist"}
_HEAD_SNAP = {"snap", "whip", "rock", "jerk", "knock", "wrench", "twist"}
_FAMILY = {"stab": "blade", "slash": "blade", "fire": "gun", "pistol_whip": "gun",
           "swing": "blunt"}  # a weapon in hand serves every move of its family
_WINDOW = 8  # strikes remembered for answers and references back


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


def infer_genders(scenes: list[SceneBreakdown], intros: dict[int, str]) -> dict[str, str]:
    """he/she per character, from pronouns that can only mean them.

    Counted: every pronoun of the sentence that introduces a character (``intros``:
    line -> id); "himself"/"herself" in a sentence naming only them; a sentence that
    names nobody and opens with "He"/"She" after one that named only them.
    """
    votes: dict[str, dict[str, int]] = {}
    gender_of = {"he": "m", "him": "m", "his": "m", "himself": "m",
                 "she": "f", "her": "f", "hers": "f", "herself": "f"}

    def vote(cid: str, word: str) -> None:
        g = gender_of.get(word.lower())
        if g is not None:
            votes.setdefault(cid, {}).setdefault(g, 0)
            votes[cid][g] += 1

    for scene in scenes:
        last: str | None = None
        for beat in scene.beats:
            words = re.findall(r"[A-Za-z]+", beat.text)
            if intros.get(beat.line) in beat.who and len(beat.who) == 1:
                for w in words:
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


@dataclass
class _Verb:
    main: int  # index of the main verb in the clause
    end: int  # index after the phrase it starts
    lemma: str | None
    pattern: Pattern | None
    passive: bool = False
    unreal: bool = False  # a modal, a negation or a bare infinitive: it does not happen


@dataclass
class _Sentence:
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
        return self.actions[-_WINDOW:]

    def strikes(self) -> list[Action]:
        return [a for a in self.tail() if a.kind == "strike"]

    def holds(self, a: Action) -> bool:
        return any(x is a for x in self.tail())

    def put_after(self, first: Action, then: Action) -> None:
        """``then`` right after ``first`` (one of the latest moves), else at the end."""
        n = len(self.actions)
        for k in range(n - 1, max(-1, n - 1 - _WINDOW), -1):
            if self.actions[k] is first:
                self.actions.insert(k + 1, then)
                return
        self.actions.append(then)

    def drop(self, a: Action) -> None:
        n = len(self.actions)
        for k in range(n - 1, max(-1, n - 1 - _WINDOW), -1):
            if self.actions[k] is a:
                del self.actions[k]
                return


class SceneReader:
    """Reads a scene's sentences in order, remembering who was last referred to."""

    def __init__(self, table: VerbTable, matcher: NameMatcher, genders: dict[str, str],
                 present: list[str]):
        self.table = table
        self.matcher = matcher
        self.genders = genders
        self.present = list(present)
        self.recent: list[str] = []  # most recent first, each once
        self.subject: list[str] | None = None
        self.history: deque[tuple[int, Action]] = deque(maxlen=_WINDOW)  # (sentence, strike)
        self.answered: set[int] = set()  # ids of strikes a defence already answered
        self.held: dict[str, str] = {}  # who -> the weapon in their hand
        self.count = 0  # sentences read
        self.aliases = {form: cid for form, cid in matcher.alias.items()
                        if " " not in form and form.isalpha()}

    # --- the sentence -----------------------------------------------------------------

    def read(self, beat: Beat) -> ReadBeat:
        self.count += 1
        text = beat.text
        s = _Sentence(text)
        tokens = tokenize(text, self.matcher)
        for tok in tokens:
            if tok.who:
                self._mention(tok.who)
        for cl in split_clauses(tokens, self.table):
            self._clause(cl, s)
        out = ReadBeat(beat)
        out.actions = _reacted_after(_dedupe(s.actions))
        if _HARD.search(text):
            for a in out.actions:
                if a.kind == "strike":
                    a.intensity = 1.4
        if _FAST.search(text):
            for a in out.actions:
                if a.kind in ("strike", "defence"):
                    a.speed = 1.3
        said: dict[str, int] = {}
        for m in self.table.camera_words.finditer(text):
            said.setdefault(m.group(0).lower(), m.start())
        for cam, words in self.table.camera.items():
            first = [said[w] for w in words if w in said]
            if first:
                out.cameras.append((cam, min(first)))
        names = [t.who for t in tokens if t.who]
        self._props(out, text, names)
        people = [a.who for a in out.actions] + [a.target for a in out.actions if a.target]
        out.people = list(dict.fromkeys(p for p in people + names if p))
        out.unknown = list(dict.fromkeys(s.unknown))
        out.set_pieces = list(dict.fromkeys(s.into + self._set_pieces(tokens)))
        for a in out.actions:
            if a.kind == "strike":
                self.history.append((self.count, a))
        if s.subject:
            self.subject = s.subject
        return out

    def _set_pieces(self, tokens: list[Token]) -> list[str]:
        words = [t.low for t in tokens]
        found = []
        for k in range(len(words)):
            key, size = self.table.lookup(words[max(0, k - 2):k + 1], self.table.set_pieces)
            if size and (k + 1 == len(words) or words[k + 1] not in self.table.set_pieces):
                found.append(key)
        return found

    def _props(self, out: ReadBeat, text: str, names: list[str]) -> None:
        """An object a sentence turns on, worth an INSERT: the first prop it names, when it
        is handled ("grabs the keycard") or nothing else happens."""
        if any(a.kind == "strike" for a in out.actions):
            return
        found = {m.group(0).lower() for m in self.table.prop_words.finditer(text)}
        prop = next((p for p in self.table.props if p in found or p + "s" in found), None)
        if prop is not None and (not out.actions or self.table.insert_words.search(text)):
            out.prop = prop
            out.holder = names[0] if names else None

    # --- who --------------------------------------------------------------------------

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

    def _resolve(self, tok: Token, s: _Sentence, exclude: list[str] | None = None,
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
                return list(group)
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

    def _np_people(self, np: NP, s: _Sentence, subject: list[str]) -> list[str]:
        """Who a noun phrase names as a person (a target, an object)."""
        tok = np.person
        if tok is None:
            return []
        if tok.who:
            self._mention(tok.who)
            return [tok.who]
        found = self._resolve(tok, s, exclude=subject if tok.case != "refl" else None,
                              prefer=subject if tok.case == "refl" else None)
        for w in found:
            self._mention(w)
        return found

    def _owner(self, np: NP, s: _Sentence, subject: list[str], own: bool) -> str | None:
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
            found = self._resolve(tok, s, exclude=subject) or self._resolve(tok, s)
        if found:
            self._mention(found[0])
        return found[0] if found else None

    def _opponent(self, who: str, s: _Sentence) -> str | None:
        """Who ``who`` is up against: the other side of their latest exchange, else the
        last other character referred to."""
        strikes = [a for _, a in self.history] + s.strikes()
        for a in reversed(strikes):
            if a.target and a.who == who and a.target != who:
                return a.target
            if a.target == who and a.who != who:
                return a.who
        return next((c for c in self._pool() if c != who), None)

    # --- a clause -----------------------------------------------------------------------

    def _clause(self, cl: Clause, s: _Sentence) -> None:
        toks = cl.tokens
        while toks and toks[0].low in ("and", "or", "then", "but"):
            toks = toks[1:]
        if not toks or _sound_effect(toks):
            return
        v = self._verb_index(toks, s)
        if v is not None and s.delivering and (cl.mark in (":", ",") or cl.lead == "then"):
            items = chunk(toks, self.table, self.aliases)
            if len(items) == 1 and isinstance(items[0], NP) and items[0].cls == "strike":
                v = None  # ": jab, cross, hook" (a cross, not someone crossing)
        if v is None:
            self._verbless(toks, cl, s)
            return
        verb = self._verb(toks, v)
        head = chunk(toks[:v], self.table, self.aliases)
        has_slot = verb.pattern is not None and any(w.startswith("{") for w in verb.pattern.words)
        rest = toks[verb.main + 1:] if (verb.pattern is None or has_slot) else toks[verb.end:]
        vp = [x for x in chunk(rest, self.table, self.aliases)]
        nps = [x for x in vp if isinstance(x, NP)]
        words = {x for x in vp if isinstance(x, str)} | {t.low for t in toks[verb.main:]}
        offset = toks[verb.main].start
        relative = cl.lead == "that"
        subject_nps = [x for x in head if isinstance(x, NP) and x.prep is None]
        people_nps = [x for x in subject_nps if x.cls == "person"]
        strike_np = next((x for x in reversed(subject_nps) if x.cls in (
            "strike", "limb", "weapon", "it")), None)

        body = next((x for x in subject_nps if x.cls == "body" and x.owner is not None), None)
        if body is not None and not people_nps and strike_np is None:
            self._body_reacts(body, verb, s, offset)  # "Kade's head snaps back"
            return
        if relative and not subject_nps and s.last:
            strike = next((a for a in reversed(s.last) if a.kind == "strike"), None)
            if strike is not None:
                self._strike_said(strike, verb, nps, s, offset)
            return
        if people_nps:
            subject = self._subjects(people_nps, verb, s, words)
        elif strike_np is not None and not (strike_np.cls == "it" and strike_np.person
                                             and not self._it_strike(s)):
            self._strike_subject(strike_np, verb, nps, s, offset)
            s.subject_np = None
            return
        elif subject_nps:
            s.subject, s.subject_np = [], None  # "A truck slams into the barrier": no one
            return
        elif s.subject_np is not None:
            self._strike_subject(s.subject_np, verb, nps, s, offset)
            return
        else:
            subject = s.subject if s.subject is not None else list(self.subject or [])
        if not subject:
            return
        if people_nps and not relative:
            s.subject = subject
        if verb.unreal:
            s.last = []
            return
        if relative and s.last:  # "a right hand that Lena parries"
            strike = next((a for a in reversed(s.last) if a.kind == "strike"), None)
            if strike is not None:
                nps = [_Antecedent(strike)] + nps  # type: ignore[list-item]
        made = self._act(subject, verb, nps, words, s, offset, toks)
        s.last = made
        if made is None:
            s.last = []

    def _body_reacts(self, body: NP, verb: _Verb, s: _Sentence, offset: int) -> None:
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

    def _subjects(self, nps: list[NP], verb: _Verb, s: _Sentence, words: set[str]
                  ) -> list[str]:
        out: list[str] = []
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
            out += self._resolve(tok, s, prefer=prefer)
        for w in out:
            self._mention(w)
        return list(dict.fromkeys(out))

    def _verb_index(self, toks: list[Token], s: _Sentence) -> int | None:
        prev = None
        plural = False
        for k, t in enumerate(toks):
            plural = plural or t.low == "and" and k > 0
            carried = k == 0 and len(s.subject or self.subject or []) > 1
            many = prev is not None and prev.low.endswith("s") and not prev.low.endswith(
                ("ss", "'s", "’s")) and not prev.pron  # "the thugs scatter"
            if verbish(t, prev, self.table, plural=carried or many or plural and prev is not None
                       and not prev.punct):
                if t.text.isupper() and len(t.text) > 1 and k == 0 and not self.table.lemma(
                        t.low):
                    return None  # "WHAM", a sound
                return k
            prev = t
        return None

    def _verb(self, toks: list[Token], v: int) -> _Verb:
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
                return _Verb(k, hit[1], self.table.lemma(words[k]), hit[0], passive, unreal)
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
            return _Verb(k, k + 1, lemma, None, passive, unreal)
        return _Verb(v, v + 1, self._lemma(words[v]), None, passive, unreal)

    def _lemma(self, word: str) -> str | None:
        return self.table.lemma(word) or verb_lemma(word)

    def _participle(self, word: str) -> bool:
        tags = self.table.tags.get(word)
        if tags is not None:
            return bool(tags & {"VBN", "VBD"})
        return word.endswith(("ed", "en", "wn")) and verb_lemma(word) is not None

    def _sense(self, verb: _Verb) -> Sense:
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

    # --- a person does something ------------------------------------------------------------

    def _act(self, subject: list[str], verb: _Verb, nps: list[NP], words: set[str],
             s: _Sentence, offset: int, toks: list[Token]) -> list[Action] | None:
        sense = self._sense(verb)
        if verb.pattern is not None and verb.pattern.role == "idiom":
            return []
        phrase = verb.pattern is not None
        obj = next((x for x in nps if x.prep is None), None)
        withs = [x for x in nps if x.prep == "with"]
        strike_np = next((x for x in nps if x.cls == "strike" and x.prep not in (
            "by", "from", "of")), None)
        if isinstance(obj, _Antecedent):
            return self._relative_object(subject, verb, sense, obj.action, s, offset)
        move = sense.move
        kind = self.table.kind(move) if move else ""
        if kind == "defence":
            return self._defend(subject, move or "", verb, nps, words, s, offset, phrase)
        if verb.passive:
            return self._passive(subject, verb, sense, nps, words, s, offset)
        if sense.outcome and not (sense.deliver and strike_np is not None):
            return self._thrower_outcome(subject[0], sense.outcome, s)
        self._hold(subject, obj, withs, sense)
        weapon = None
        count = 1
        with_strike = next((x for x in withs if x.cls == "strike"), None)
        if with_strike is not None:
            move, count = with_strike.move, with_strike.count
        elif (sense.deliver or phrase or move in _HAND) and strike_np is not None:
            move, count = strike_np.move, strike_np.count
        elif obj is not None and obj.cls == "limb" and (sense.deliver or move in _HAND) and (
                self._owner(obj, s, subject, own=True) in (None, *subject)):
            move = obj.limb or obj.move
        else:
            used = obj if obj is not None and obj.cls == "weapon" else next(
                (x for x in withs if x.cls == "weapon"), None)
            if used is None and obj is not None and obj.cls == "it" and isinstance(s.it, NP):
                used = s.it  # "The crowbar arcs... Sasha brings it crashing down"
            if used is not None and (sense.deliver or move in _HAND or used is not obj):
                weapon = used.key
                if move in _HAND or move is None or move == "swing" or (
                        sense.deliver and move not in ("fire", "draw", "aim")):
                    move = used.move
                    if move == "fire" and sense.move != "fire":
                        move = self.table.gun_melee
            elif used is not None and move in ("draw", "aim", "fire"):
                weapon = used.key
        if not phrase and sense.needs_weapon and (obj is None or obj.cls != "weapon"):
            return self._unknown_or_none(subject, verb, s)
        if not phrase and sense.needs_person and obj is not None and move == sense.move and (
                obj.cls in ("thing", "count", "weapon") or obj.cls == "it" and not isinstance(
                    s.it, Action)):
            return []  # "throws the bag", "hits the lights", "grabs a fire extinguisher"
        instrument = weapon is not None and obj is not None and obj.key == weapon
        knock = sense.knockdown
        if knock and move == sense.move:
            return self._knockdown(subject, knock, verb, nps, obj, s, offset)
        if knock and move and obj is not None and obj.cls == "person":
            made = self._strikes(subject, move, verb, nps, words, s, offset, weapon,
                                 max(count, self._count(toks, nps)), instrument)
            return made + self._falls(made, s, offset)
        if not move:
            return self._unknown_or_none(subject, verb, s)
        kind = self.table.kind(move)
        if kind == "strike":
            if weapon is None and obj is not None and obj.cls == "weapon" and sense.deliver:
                weapon = obj.key
            made = self._strikes(subject, move, verb, nps, words, s, offset, weapon,
                                 max(count, self._count(toks, nps)), instrument)
            if made and verb.lemma in ("strike", "attack") and not nps and with_strike is None:
                s.generic = made[-1]
            s.delivering = True
            return made
        s.delivering = sense.deliver and kind == ""
        if kind == "travel":
            return self._travel(subject, move, nps, s, offset)
        made = [Action(move, w, kind, offset) for w in subject]
        if move in ("draw", "aim"):
            gun = weapon or next((x.key for x in nps if x.cls == "weapon"), None)
            for a in made:
                a.weapon = gun
                if gun:
                    self.held[a.who] = gun
                at = next((x for x in nps if x.prep == "at" and x.cls == "person"), None)
                if at is not None and move == "aim":
                    target = self._np_people(at, s, subject)
                    if target:
                        s.aims[a.who] = target[0]
        s.actions += made
        return made

    def _unknown_or_none(self, subject: list[str], verb: _Verb, s: _Sentence) -> list[Action]:
        lemma = verb.lemma
        if lemma and not self.table.known(lemma) and lemma not in ("be", "have", "do", "get"):
            s.unknown.append(lemma)
        return []

    def _targets(self, who: str, nps: list[NP], s: _Sentence, subject: list[str],
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

    def _strikes(self, subject: list[str], move: str, verb: _Verb, nps: list[NP],
                 words: set[str], s: _Sentence, offset: int, weapon: str | None,
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
            if gun is None and held and _FAMILY.get(self.table.weapons.get(held, "")) == (
                    _FAMILY.get(move, "-")):
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

    def _shot_at_by(self, who: str, s: _Sentence) -> str | None:
        strikes = [a for _, a in self.history] + s.strikes()
        return next((a.who for a in reversed(strikes) if a.move == "fire" and a.target == who),
                    None)

    def _hold(self, subject: list[str], obj: NP | None, withs: list[NP], sense: Sense) -> None:
        """A weapon taken up or used stays in hand: "comes up with a broken bottle"."""
        held = next((x.key for x in [obj, *withs] if x is not None and x.cls == "weapon"), None)
        if held and not sense.knockdown and sense.move not in ("throw",):
            for who in subject:
                self.held[who] = held

    def _falls(self, strikes: list[Action], s: _Sentence, offset: int) -> list[Action]:
        down = [Action("fall", w, "reaction", offset) for w in dict.fromkeys(
            a.target for a in strikes if a.target)]
        s.actions += down
        return down

    def _knockdown(self, subject: list[str], fall: str, verb: _Verb, nps: list[NP],
                   obj: NP | None, s: _Sentence, offset: int) -> list[Action]:
        """"drops him with an elbow": a strike, and he falls; "he drops": he falls."""
        with_strike = next((x for x in nps if x.prep == "with" and x.cls == "strike"), None)
        if obj is None or obj.cls == "it":
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

    def _travel(self, subject: list[str], move: str, nps: list[NP], s: _Sentence,
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

    def _thrower_outcome(self, who: str, outcome: str, s: _Sentence) -> list[Action]:
        """"Kade swings and misses": his last strike ends that way. "Bram finally
        connects, a crushing right...": the strike is said next."""
        for a in reversed([a for n, a in self.history if n >= self.count - 1] + s.tail()):
            if a.kind == "strike" and a.who == who:
                _end(a, outcome, self.table)
                return []
        s.delivering, s.outcome = True, outcome
        return []

    def _passive(self, subject: list[str], verb: _Verb, sense: Sense, nps: list[NP],
                 words: set[str], s: _Sentence, offset: int) -> list[Action]:
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
                elif self.held.get(agent) and _FAMILY.get(self.table.weapons.get(
                        self.held[agent], "")) == _FAMILY.get(move, "-"):
                    a.weapon = self.held[agent]
                made.append(a)
                s.named.add(id(a))
            if sense.knockdown:
                made.append(Action(sense.knockdown, target, "reaction", offset))
        s.actions += made
        return made

    def _relative_object(self, subject: list[str], verb: _Verb, sense: Sense, strike: Action,
                         s: _Sentence, offset: int) -> list[Action]:
        """"a right hand that Lena parries": she answers the strike just thrown."""
        kind = self.table.kind(sense.move or "")
        if kind != "defence":
            return []
        _end(strike, self.table.answers.get(sense.move or "", "blocked"), self.table)
        self.answered.add(id(strike))
        made = [Action(sense.move or "block", subject[0], "defence", offset)]
        s.actions += made
        return made

    # --- defences --------------------------------------------------------------------------

    def _defend(self, subject: list[str], move: str, verb: _Verb, nps: list[NP],
                words: set[str], s: _Sentence, offset: int, phrase: bool) -> list[Action]:
        who = subject[0]
        outcome = self.table.answers.get(move, "misses")
        said = verb.pattern.text if verb.pattern is not None else ""
        objects = [x for x in nps if x.prep in (None, "under", "from", "beneath", "inside",
                                                  "underneath", "past", "off", "out")]
        if said.endswith("inside") and not objects:
            objects = [x for x in nps if x.cls == "it"]
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
            _end(strike, outcome, self.table)
            self.answered.add(id(strike))
            d = Action(move, who, "defence", offset)
            s.put_after(strike, d)
            made.append(d)
        return made

    def _plain_defence(self, who: str, move: str, s: _Sentence, offset: int) -> list[Action]:
        a = Action(move, who, "defence", offset)
        s.actions.append(a)
        return [a]

    def _recent_strikes(self, s: _Sentence) -> list[Action]:
        older = [a for n, a in self.history if n >= self.count - 1]
        return [a for a in older + s.strikes() if id(a) not in self.answered]

    def _answer(self, who: str, np: NP | None, s: _Sentence, offset: int,
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

    # --- a strike does something ----------------------------------------------------------

    def _it_strike(self, s: _Sentence) -> bool:
        return isinstance(s.it, (Action, NP))

    def _strike_subject(self, np: NP, verb: _Verb, nps: list[NP], s: _Sentence,
                        offset: int) -> None:
        """"Kade's jab whiffs past her ear", "Her boot catches him under the chin", "The
        kick whistles past her ear" (the one just thrown), "it clangs off the pipe"."""
        if np.cls == "it":
            if isinstance(s.it, Action):
                self._strike_said(s.it, verb, nps, s, offset)
            return
        owner = self._owner(np, s, list(s.subject or self.subject or []), own=True) if (
            np.owner is not None) else None
        if np.cls == "weapon":
            s.it = np
            if owner is None:
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
            if np.definite:
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

    def _just_thrown(self, a: Action, s: _Sentence) -> bool:
        return s.holds(a) or any(x is a and n >= self.count - 1 for n, x in self.history)

    def _strike_said(self, strike: Action, verb: _Verb, nps: list[NP], s: _Sentence,
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
            _end(strike, outcome, self.table)
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
        if strike.target is None and new:
            strike.target = self._opponent(strike.who, s)
        if strike.target is None:
            return False
        if outcome is None and (target is not None or new):
            outcome = "lands"
        if outcome is not None:
            _end(strike, outcome, self.table, zone)
        if verb.lemma in _HEAD_SNAP and np is not None and "head" in np.words and target:
            s.actions.append(Action("hit_head", target, "reaction", offset))
        react = sense.knockdown or (sense.move if self.table.kind(sense.move or "") == (
            "reaction") else None)
        if react and strike.outcome == "lands" and strike.target:  # "sends him sprawling"
            s.actions.append(Action(react, strike.target, "reaction", offset))
        return True

    # --- clauses without a verb -------------------------------------------------------------

    def _verbless(self, toks: list[Token], cl: Clause, s: _Sentence) -> None:
        nps = [x for x in chunk(toks, self.table, self.aliases) if isinstance(x, NP)]
        words = [t.low for t in toks]
        last_strikes = [a for a in s.last if a.kind == "strike"]
        count = self._count(toks, nps)
        if last_strikes and (count > 1 and all(w in ADVERBS or w.isdigit() or w in (
                "times", "two", "three", "four", "and", "again", "over") for w in words)):
            extra = [_copy(last_strikes[-1]) for _ in range(count - 1)]
            s.actions += extra
            s.last = s.last + extra
            return
        if toks[0].low in ("into", "to", "at", "in", "on", "across") and s.last:
            who = s.last[-1].who
            target, zone, np = self._targets(who, nps, s, [who])
            for a in s.last:
                if a.kind == "strike" and target and id(a) not in s.named:
                    a.target = target
                    s.named.add(id(a))
                    if a.outcome in (None, "lands"):
                        _end(a, "lands", self.table, zone)
            return
        strikes = [x for x in nps if x.cls == "strike" and x.prep is None]
        subject = s.subject if s.subject is not None else list(self.subject or [])
        if strikes and subject and (s.delivering or cl.mark == ":" or cl.lead == "then"):
            made: list[Action] = []
            if s.generic is not None and cl.mark == ":" and s.holds(s.generic):
                s.drop(s.generic)  # "strikes first: a fast jab"
                s.generic = None
            for np in strikes:
                made += self._strikes(subject[:1], np.move or "cross", _Verb(0, 0, None, None),
                                      [x for x in nps if x is not np], set(words), s, np.start,
                                      None, np.count)
            if s.outcome is not None:
                for a in made:
                    _end(a, s.outcome, self.table, a.hit)
                s.outcome = None
            s.last, s.delivering = made, True
            return
        people = [x for x in nps if x.cls == "person" and x.prep is None]
        if people and len(people) == len([x for x in nps if x.prep is None]):
            s.subject = self._subjects(people, _Verb(0, 0, None, None), s, set(words))
            s.subject_np = None
            return
        owned = next((x for x in nps if x.prep is None and x.owner is not None and x.cls in (
            "strike", "limb", "weapon")), None)
        if owned is not None:
            s.subject_np = owned  # "Vex's fist, hard as a hammer, snaps..."


class _Antecedent(NP):
    """The strike a relative clause is about, standing in as its object."""

    def __init__(self, action: Action):
        super().__init__([], None)
        self.action = action
        self.cls = "antecedent"


def _end(strike: Action, outcome: str, table: VerbTable, zone: str | None = None) -> None:
    strike.outcome = outcome if strike.target else None
    if outcome == "lands" and strike.target:
        strike.hit = zone or strike.hit or table.default_hit.get(strike.move)
    else:
        strike.hit = None


def _copy(a: Action) -> Action:
    return Action(a.move, a.who, a.kind, a.offset, a.target, a.hit, a.intensity, a.speed,
                  a.outcome, a.into, a.weapon)


def _sound_effect(toks: list[Token]) -> bool:
    """"WHAM!", "CRACK --": a sound, not a move."""
    return all(t.text.isupper() and not t.who for t in toks) and len(toks) <= 3


def _dedupe(actions: list[Action]) -> list[Action]:
    """"Kade falls, and this time he stays down": one fall."""
    out: list[Action] = []
    for a in actions:
        if out and out[-1].who == a.who and out[-1].move == a.move and a.kind in (
                "reaction", "stance", "travel"):
            continue
        out.append(a)
    return out


def _reacted_after(actions: list[Action]) -> list[Action]:
    """A reaction said before the blow that causes it ("his head snaps back as her hook
    lands") happens after it."""
    waiting: dict[int, list[Action]] = {}  # id of the blow -> reactions that follow it
    moved: set[int] = set()
    for k, a in enumerate(actions):
        if a.kind != "reaction":
            continue
        cause = next((b for b in actions[k + 1:k + 1 + _WINDOW] if b.kind == "strike" and
                      b.target == a.who and b.outcome == "lands"), None)
        if cause is not None:
            waiting.setdefault(id(cause), []).append(a)
            moved.add(id(a))
    out: list[Action] = []
    for a in actions:
        if id(a) not in moved:
            out.append(a)
            out += waiting.get(id(a), [])
    return out
