"""The synonym table (``verbs.yaml``): which words in an action line name which move.

The table is data so a director can teach Aktion their own vocabulary; this module
loads it, expands every verb into all its forms (``forms``), and answers the reader's
questions: what can this verb do, which phrase starts here, what is this noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import lemminflect

from aktion.production.yamlio import safe_table

from .forms import verb_forms

POSSESSIVES = {"his", "her", "their", "its", "my", "your", "our"}
REFLEXIVES = {"himself", "herself", "themselves", "themself", "itself", "myself", "yourself"}


@dataclass(frozen=True)
class Phrase:
    """A table entry as written: ``text`` names ``move`` as a verb, or as a thing (noun)."""

    text: str
    move: str
    noun: bool


@dataclass(frozen=True)
class Pattern:
    """A phrase after its verb: literal words and slots ({x}, {poss}, {self})."""

    words: tuple[str, ...]
    role: str  # move, knockdown, outcome, idiom
    value: str | None
    text: str


@dataclass
class Sense:
    """What one verb does on its own."""

    move: str | None = None
    deliver: bool = False  # its object names the strike: "throws a hook"
    needs_person: bool = False  # "throws the bag" is no throw
    needs_weapon: bool = False  # "raises a hand" is no aim
    knockdown: str | None = None  # "drops him": he falls
    outcome: str | None = None  # "misses", "connects"
    quiet: bool = False  # known to do nothing


@dataclass
class VerbTable:
    phrases: list[Phrase]
    kinds: dict[str, str]  # move -> strike / defence / travel / reaction / stance
    fallback: dict[str, list[str]]
    default_hit: dict[str, str]
    hits: dict[str, str]  # body word -> zone
    camera: dict[str, list[str]]
    props: list[str]
    insert_verbs: list[str]
    senses: dict[str, Sense]  # bare verb -> what it does
    patterns: dict[str, list[Pattern]]  # bare verb -> phrases that start with it, longest first
    nouns: dict[str, str]  # strike named as a thing (singular and plural) -> move
    covers: dict[str, set[str]]  # general strike word -> moves it may refer back to
    limbs: dict[str, str]  # striking body part -> move
    weapons: dict[str, str]  # weapon -> move it makes
    gun_melee: str
    counts: dict[str, int]  # "twice", "flurry" -> blows
    numbers: dict[str, int]
    guards: set[str]
    answers: dict[str, str]  # defence move -> outcome of the strike it answers
    unprovoked: dict[str, str | None]
    set_pieces: set[str]
    body_reactions: dict[str, str]  # "head snap" -> hit_head
    reciprocal: set[str]  # verbs two people do to each other
    forms: dict[str, str] = field(init=False)  # any form of a known verb -> bare verb
    tags: dict[str, frozenset[str]] = field(init=False)
    camera_words: re.Pattern[str] = field(init=False)  # one pass over a sentence each
    prop_words: re.Pattern[str] = field(init=False)
    insert_words: re.Pattern[str] = field(init=False)
    repeat_words: re.Pattern[str] = field(init=False)  # "twice", "three times"...
    last_words: set[str] = field(init=False)  # last words of every noun the table holds
    phrase_words: set[str] = field(init=False)  # words phrases have after their verb

    def __post_init__(self) -> None:
        self.forms, self.tags = {}, {}
        for verb in list(self.senses) + list(self.patterns):
            for form, tags in verb_forms(verb).items():
                self.forms.setdefault(form, verb)
                if self.forms[form] == verb:
                    self.tags[form] = self.tags.get(form, frozenset()) | tags
        self.camera_words = _words([w for ws in self.camera.values() for w in ws])
        self.prop_words = _words(self.props, plural=True)
        self.insert_words = _words(self.insert_verbs)
        self.repeat_words = _words([k for k in self.counts if " " in k or k == "twice"])
        self.phrase_words = {w for pats in self.patterns.values() for p in pats
                             for w in p.words if not w.startswith("{")}
        self.last_words = {k.rsplit(" ", 1)[-1] for k in (
            *self.nouns, *self.weapons, *self.limbs, *self.hits, *self.set_pieces)}
        self._longest = max((len(k.split()) for k in (
            *self.nouns, *self.weapons, *self.limbs, *self.set_pieces, *self.counts)),
            default=1)

    def kind(self, move: str) -> str:
        return self.kinds.get(move, "stance")

    def lemma(self, word: str) -> str | None:
        """The bare verb of a form the table knows: "threw" -> "throw"."""
        return self.forms.get(word.lower())

    def sense(self, verb: str) -> Sense:
        return self.senses.get(verb) or Sense()

    def known(self, verb: str) -> bool:
        return verb in self.senses or verb in self.patterns

    # --- phrases ------------------------------------------------------------------------

    def match(self, words: list[str], k: int, poss: list[bool]) -> tuple[Pattern, int] | None:
        """The longest phrase whose verb is ``words[k]``, and the index after it."""
        verb = self.forms.get(words[k])
        if verb is None:
            return None
        for pat in self.patterns.get(verb, ()):
            end = _match(pat.words, words, poss, k + 1)
            if end is not None:
                return pat, end
        return None

    def lookup(self, words: list[str], table: dict[str, Any] | set[str]) -> tuple[str, int]:
        """The longest run at the end of ``words`` that ``table`` holds, and its length."""
        if not words or words[-1] not in self.last_words:
            return "", 0
        for n in range(min(self._longest, len(words)), 0, -1):
            key = " ".join(words[-n:])
            if key in table:
                return key, n
        return "", 0

    def find(self, text: str) -> list[tuple[int, int, Phrase]]:
        """Every verb and strike noun of the table in ``text``, left to right."""
        toks = [(m.start(), m.end(), m.group(0).lower())
                for m in re.finditer(r"[A-Za-z][\w'’\-]*", text)]
        words = [w for _, _, w in toks]
        poss = [w in POSSESSIVES or w.endswith(("'s", "’s")) for w in words]
        out: list[tuple[int, int, Phrase]] = []
        k = 0
        while k < len(words):
            hit = self.match(words, k, poss)
            if hit is not None and hit[0].role in ("move", "knockdown") and hit[0].value:
                pat, end = hit
                out.append((toks[k][0], toks[end - 1][1], Phrase(pat.text, pat.value, False)))
                k = end
                continue
            verb = self.forms.get(words[k])
            sense = self.sense(verb) if verb else None
            noun = self.nouns.get(words[k])
            if sense is not None and (sense.move or sense.knockdown):
                out.append((toks[k][0], toks[k][1],
                            Phrase(verb or words[k], sense.move or sense.knockdown or "", False)))
            elif noun is not None:
                out.append((toks[k][0], toks[k][1], Phrase(words[k], noun, True)))
            k += 1
        return out


def _words(phrases: list[str], plural: bool = False) -> re.Pattern[str]:
    """One regex finding any of ``phrases`` as whole words, longest first."""
    body = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    tail = "s?" if plural else ""
    return re.compile(rf"(?<![\w'])(?:{body or '(?!)'}){tail}(?![\w'])", re.IGNORECASE)


def _match(pat: tuple[str, ...], words: list[str], poss: list[bool], k: int) -> int | None:
    """Where ``pat`` ends if it matches ``words`` from ``k`` ({x} takes one to three words)."""
    if not pat:
        return k
    head, rest = pat[0], pat[1:]
    if head == "{x}":
        for n in (1, 2, 3):
            if k + n <= len(words) and all(w.isalnum() or "'" in w or "#" in w or "-" in w
                                           for w in words[k:k + n]):
                end = _match(rest, words, poss, k + n)
                if end is not None:
                    return end
        return None
    if k >= len(words):
        return None
    if head == "{poss}":
        return _match(rest, words, poss, k + 1) if poss[k] else None
    if head == "{self}":
        return _match(rest, words, poss, k + 1) if words[k] in REFLEXIVES else None
    return _match(rest, words, poss, k + 1) if words[k] == head else None


def _plural(phrase: str) -> list[str]:
    words = phrase.split()
    plural = lemminflect.getInflection(words[-1], tag="NNS")
    return [" ".join([*words[:-1], p]) for p in plural if p != words[-1]]


def _invert(groups: dict[str, list[str]], plurals: bool = False) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, words in (groups or {}).items():
        for word in words:
            w = " ".join(str(word).lower().split())
            out.setdefault(w, str(key))
            for p in _plural(w) if plurals else ():
                out.setdefault(p, str(key))
    return out


def _build(data: dict[str, Any]) -> VerbTable:
    senses: dict[str, Sense] = {}
    patterns: dict[str, list[Pattern]] = {}

    def entry(text: str, role: str, value: str | None) -> None:
        words = " ".join(str(text).lower().split()).split(" ")
        if len(words) == 1:
            s = senses.setdefault(words[0], Sense())
            if role == "move":
                s.move = s.move or value
            elif role == "knockdown":
                s.knockdown = value
            elif role == "outcome":
                s.outcome = value
        else:
            patterns.setdefault(words[0], []).append(
                Pattern(tuple(words[1:]), role, value, " ".join(words)))

    phrases: list[Phrase] = []
    for move, forms in data["verbs"].items():
        for form in forms:
            entry(str(form), "move", str(move))
            phrases.append(Phrase(str(form), str(move), False))
    for move, forms in (data.get("knockdown") or {}).items():
        for form in forms:
            entry(str(form), "knockdown", str(move))
    for outcome, forms in (data.get("outcomes") or {}).items():
        for form in forms:
            entry(str(form), "outcome", str(outcome))
    for form in data.get("idioms") or []:
        entry(str(form), "idiom", None)
    for flag, key in (("deliver", "deliver"), ("needs_person", "needs_person"),
                      ("needs_weapon", "needs_weapon"), ("quiet", "quiet")):
        for verb in data.get(key) or []:
            words = str(verb).lower().split()
            setattr(senses.setdefault(words[0], Sense()), flag, True)
    for pats in patterns.values():
        pats.sort(key=lambda p: -len(p.words))
    nouns = _invert(data.get("nouns", {}), plurals=True)
    phrases += [Phrase(str(w), str(m), True) for m, ws in data.get("nouns", {}).items()
                for w in ws]
    counts = {" ".join(str(w).lower().split()): int(n)
              for n, words in (data.get("counts") or {}).items() for w in words}
    return VerbTable(
        phrases=phrases,
        kinds=_invert(data.get("kinds", {})),
        fallback={str(k): [str(x) for x in v] for k, v in data.get("fallback", {}).items()},
        default_hit={str(k): str(v) for k, v in data.get("default_hit", {}).items()},
        hits=_invert(data.get("hits", {}), plurals=True),
        camera={str(k): [str(w).lower() for w in v] for k, v in data.get("camera", {}).items()},
        props=[str(w).lower() for w in data.get("props", [])],
        insert_verbs=[str(w).lower() for w in data.get("insert_verbs", [])],
        senses=senses,
        patterns=patterns,
        nouns=nouns,
        covers={str(k): {str(m) for m in v} for k, v in (data.get("covers") or {}).items()},
        limbs=_invert(data.get("limbs", {})),
        weapons=_invert(data.get("weapons", {}), plurals=True),
        gun_melee=str(data.get("gun_melee", "pistol_whip")),
        counts=counts,
        numbers={str(k).lower(): int(v) for k, v in (data.get("numbers") or {}).items()},
        guards={str(w).lower() for w in data.get("guards") or []},
        answers={str(k): str(v) for k, v in (data.get("answers") or {}).items()},
        unprovoked={" ".join(str(k).lower().split()): (None if v is None else str(v))
                    for k, v in (data.get("unprovoked") or {}).items()},
        set_pieces={" ".join(str(w).lower().split()) for w in data.get("set_pieces") or []},
        body_reactions=_invert(data.get("body_reactions", {})),
        reciprocal={str(w).lower() for w in data.get("reciprocal") or []},
    )


def load_table(path: Path | None = None) -> VerbTable:
    """The synonym table: the package's ``verbs.yaml``, or another file of the same shape."""
    if path is None:
        where = "verbs.yaml"
        text = resources.files("aktion.writers_room").joinpath("verbs.yaml").read_text("utf-8")
    else:
        where = str(path)
        text = path.read_text(encoding="utf-8")
    data = safe_table(text)
    if not isinstance(data, dict) or not isinstance(data.get("verbs"), dict):
        raise TypeError(f"{where}: expected a mapping with `verbs: move -> [phrases]`")
    try:
        return _build(data)
    except (AttributeError, TypeError, ValueError) as e:
        raise ValueError(f"{where}: every section maps names to lists of words ({e})") from e


@lru_cache(maxsize=1)
def default_table() -> VerbTable:
    return load_table()
