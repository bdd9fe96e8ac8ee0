"""Reading who does what to whom in an action line.

A sentence is cut into clauses (``clauses``) and each clause is read the way a script
supervisor would. ``SceneReader`` puts the parts together, each in its own module:

- ``verbphrase``: the verb, its voice and mood ("is thrown", "gets punched", "can draw"),
  every tense through ``forms`` (lemminflect);
- ``referents``: the subject (carried across clauses: "ducks, then drives..."; names
  joined by "and" act together), pronouns by gender and number, possessives;
- ``chunks`` and ``strikes``: objects and phrases; the target, the set piece a target
  is driven into, the weapon, how many blows ("jabs twice", "a flurry of punches");
  strikes named as things ("throws a hook", "answers with an uppercut", ": jab, cross");
- ``defences``: a block, parry or catch stops the strike it answers, a duck, dodge, slip
  or roll makes it miss ("ducks under the hook": the other fighter threw one);
- ``strike_clauses``: what a clause says of a strike ("Kade's jab whiffs past her ear").

A verb in an action clause that the table does not know is reported, not dropped.
Everything is local to a clause plus a small, bounded memory (the last few strikes,
the cast in order of mention), so reading is linear in the length of the text.
"""

from __future__ import annotations

import re
from collections import deque

from .breakdown import Beat, SceneBreakdown
from .chunks import NP, chunk
from .clauses import ADVERBS, Clause, Token, split_clauses, tokenize
from .defences import DefenceReading
from .names import NameMatcher
from .reading import WINDOW, Action, ReadBeat, Said, copy_action, end_strike
from .referents import Referents
from .strike_clauses import StrikeClauses
from .strikes import StrikeReading
from .verbphrase import VerbPhrase, VerbReading
from .verbs import Sense, VerbTable

_HARD = re.compile(r"\b(hard|heavy|vicious|brutal|savage|full force|massive|huge|crushing|"
                   r"sickening)\b", re.IGNORECASE)
_FAST = re.compile(r"\b(fast|quick|quickly|snaps?|lightning|rapid|flurry)\b", re.IGNORECASE)
_HAND = {"jab", "cross", "hook", "uppercut", "slap", "spinning_backfist"}


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


class SceneReader(VerbReading, Referents, StrikeReading, DefenceReading, StrikeClauses):
    """Reads a scene's sentences in order, remembering who was last referred to."""

    def __init__(self, table: VerbTable, matcher: NameMatcher, genders: dict[str, str],
                 present: list[str]):
        self.table = table
        self.matcher = matcher
        self.genders = genders
        self.present = list(present)
        self.recent: list[str] = []  # most recent first, each once
        self.subject: list[str] | None = None
        self.history: deque[tuple[int, Action]] = deque(maxlen=WINDOW)  # (sentence, strike)
        self.answered: set[int] = set()  # ids of strikes a defence already answered
        self.held: dict[str, str] = {}  # who -> the weapon in their hand
        self.count = 0  # sentences read
        # one-word names read in lower case after "the" or "his": "the guard", "his minion"
        # (a group name such as "thugs" names several people: it is no one alias)
        self.aliases = {form: ids if isinstance(ids, str) else ids[0]
                        for form, ids in getattr(matcher, "alias", {}).items()
                        if " " not in form and form.isalpha()
                        and (isinstance(ids, str) or len(ids) == 1)}

    # --- the sentence -----------------------------------------------------------------

    def read(self, beat: Beat) -> ReadBeat:
        self.count += 1
        text = beat.text
        s = Said(text)
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
            if words[k] not in self.table.last_words:
                continue
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

    # --- a clause -----------------------------------------------------------------------

    def _clause(self, cl: Clause, s: Said) -> None:
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
        vp = chunk(rest, self.table, self.aliases)
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
            subject = self._subjects(people_nps, verb, s, words, nps)
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
        strike = next((a for a in reversed(s.last) if a.kind == "strike"), None)
        if relative and strike is not None:  # "a right hand that Lena parries"
            s.last = self._relative_object(subject, verb, self._sense(verb), strike, s, offset)
            return
        s.last = self._act(subject, verb, nps, words, s, offset, toks)

    # --- a person does something ------------------------------------------------------------

    def _act(self, subject: list[str], verb: VerbPhrase, nps: list[NP], words: set[str],
             s: Said, offset: int, toks: list[Token]) -> list[Action]:
        sense = self._sense(verb)
        if verb.pattern is not None and verb.pattern.role == "idiom":
            return []
        phrase = verb.pattern is not None
        obj = next((x for x in nps if x.prep is None), None)
        withs = [x for x in nps if x.prep == "with"]
        strike_np = next((x for x in nps if x.cls == "strike" and x.prep in (
            None, "with", "into", "in", "up")), None)  # not a place: "over the counter"
        move = sense.move
        kind = self.table.kind(move) if move else ""
        if kind == "defence":
            return self._defend(subject, move or "", verb, nps, words, s, offset, phrase)
        if verb.passive:
            return self._passive(subject, verb, sense, nps, words, s, offset)
        if verb.lemma == "take" and strike_np is not None and not any(
                x.prep == "at" for x in nps):  # "takes a knee to the gut from Arlo"
            return self._passive(subject, verb, Sense(move=strike_np.move), nps, words, s,
                                 offset)
        if sense.outcome and not (sense.deliver and strike_np is not None):
            return self._thrower_outcome(subject[0], sense.outcome, s)
        self._hold(subject, obj, withs, sense)
        weapon = None
        count = 1
        with_strike = next((x for x in withs if x.cls == "strike"), None)
        if with_strike is not None:
            move, count = with_strike.move, with_strike.count
        elif (sense.deliver or move in _HAND) and strike_np is not None:
            move, count = strike_np.move, strike_np.count
        elif phrase and strike_np is not None and strike_np.move == move:
            count = strike_np.count  # "squeezes off three shots"
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

    def _unknown_or_none(self, subject: list[str], verb: VerbPhrase, s: Said) -> list[Action]:
        lemma = verb.lemma
        if lemma and not self.table.known(lemma) and lemma not in ("be", "have", "do", "get"):
            s.unknown.append(lemma)
        return []

    # --- defences --------------------------------------------------------------------------

    # --- a strike does something ----------------------------------------------------------

    # --- clauses without a verb -------------------------------------------------------------

    def _verbless(self, toks: list[Token], cl: Clause, s: Said) -> None:
        nps = [x for x in chunk(toks, self.table, self.aliases) if isinstance(x, NP)]
        words = [t.low for t in toks]
        last_strikes = [a for a in s.last if a.kind == "strike"]
        count = self._count(toks, nps)
        if last_strikes and (count > 1 and all(w in ADVERBS or w.isdigit() or w in (
                "times", "two", "three", "four", "and", "again", "over") for w in words)):
            extra = [copy_action(last_strikes[-1]) for _ in range(count - 1)]
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
                        end_strike(a, "lands", self.table, zone)
            return
        strikes = [x for x in nps if x.cls == "strike" and x.prep is None]
        subject = s.subject if s.subject is not None else list(self.subject or [])
        if strikes and subject and (s.delivering or cl.mark == ":" or cl.lead == "then"):
            made: list[Action] = []
            if s.generic is not None and cl.mark == ":" and s.holds(s.generic):
                s.drop(s.generic)  # "strikes first: a fast jab"
                s.generic = None
            for np in strikes:
                made += self._strikes(subject[:1], np.move or "cross", VerbPhrase(0, 0, None, None),
                                      [x for x in nps if x is not np], set(words), s, np.start,
                                      None, np.count)
            if s.outcome is not None:
                for a in made:
                    end_strike(a, s.outcome, self.table, a.hit)
                s.outcome = None
            s.last, s.delivering = made, True
            return
        people = [x for x in nps if x.cls == "person" and x.prep is None]
        if people and len(people) == len([x for x in nps if x.prep is None]):
            s.subject = self._subjects(people, VerbPhrase(0, 0, None, None), s, set(words))
            s.subject_np = None
            return
        owned = next((x for x in nps if x.prep is None and x.owner is not None and x.cls in (
            "strike", "limb", "weapon")), None)
        if owned is not None:
            s.subject_np = owned  # "Vex's fist, hard as a hammer, snaps..."


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
        cause = next((b for b in actions[k + 1:k + 1 + WINDOW] if b.kind == "strike" and
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
