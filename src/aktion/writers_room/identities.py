"""Who is who: one character per person, however the script names them.

A script names one person many ways: a cue with a title (DETECTIVE MARA beside MARA),
a full name in the introduction (DICK STEEL, whose cue is STEEL), a number written
three ways (GUARD ONE, GUARD #1, GUARD 1). And it introduces people who never speak
("GUARD ONE (30s), thick neck, steps out", "two THUGS"). This module settles the
cast: ids, the names each answers to, and the line and phrase that introduce them.
A production's cast files have the last word: their names and aliases are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aktion.production.fountain import Element

from .introductions import Candidate, candidates, introduction_phrase, number_of, people_words
from .names import character_id
from .sentences import sentences


def name_key(name: str) -> str:
    """The form names are compared in: upper case, one space, numbers as digits, no
    possessive: ``Guard #1`` and ``GUARD ONE`` are both ``GUARD 1``."""
    tokens = re.findall(r"[A-Za-z0-9'’\-.#]+", name.upper())
    out = []
    for t in tokens:
        n = number_of(t)
        out.append(str(n) if n is not None else t.rstrip("."))
    return " ".join(out)


@dataclass
class Person:
    id: str
    name: str  # the name the cast file carries: the cue, else the introduction's
    names: list[str] = field(default_factory=list)  # every form the script uses
    intro_line: int | None = None
    intro: str = ""  # the introduction phrase
    group: str | None = None  # the plural they were introduced in: "THUGS"


@dataclass
class Cast:
    people: dict[str, Person] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)  # name_key -> id
    groups: dict[str, list[str]] = field(default_factory=dict)  # key of "THUGS" -> ids
    group_forms: dict[str, str] = field(default_factory=dict)  # key -> "THUGS" as written

    def id_of(self, name: str) -> str | None:
        return self.by_key.get(name_key(name))

    def names(self) -> dict[str, list[str]]:
        """id -> names, with a group's plural listed under each member."""
        out = {pid: list(p.names) for pid, p in self.people.items()}
        for key, members in self.groups.items():
            form = self.group_forms[key]
            for pid in members:
                if form not in out[pid]:
                    out[pid].append(form)
        return out

    def add(self, name: str, pid: str | None = None) -> Person:
        pid = pid or character_id(name, set(self.people))
        person = self.people[pid] = Person(pid, name, [name])
        self.by_key.setdefault(name_key(name), pid)  # two cast files, one name: the first
        return person

    def alias(self, pid: str, name: str) -> None:
        self.by_key.setdefault(name_key(name), pid)
        if name_key(name) not in {name_key(n) for n in self.people[pid].names}:
            self.people[pid].names.append(name)


def _variant_of(cast: Cast, name: str) -> str | None:
    """The character a new name is another form of: DETECTIVE MARA -> mara, DICK STEEL ->
    steel (the one cue among its words); None for YOUNG MARA (another person on screen)."""
    vocab = people_words()
    tokens = name_key(name).split()
    if any(t.lower() in vocab["ages"] for t in tokens[:-1]):
        return None
    core = list(tokens)
    while len(core) > 1 and core[0].lower() in vocab["ranks"]:
        core.pop(0)
    if core != tokens and (pid := cast.by_key.get(" ".join(core))):
        return pid
    if len(tokens) < 2:
        return None
    hits = {cast.by_key[t] for t in tokens if t in cast.by_key and not t.isdigit()
            and t.lower() not in vocab["ranks"] and t.lower() not in vocab["roles"]}
    return next(iter(hits)) if len(hits) == 1 else None


def _reused(texts: list[str], names: list[str]) -> set[str]:
    """Which of the capitalised ``names`` the prose uses again as a name, in mixed case:
    "Riker fires", "Riker's gun", "into Guard One" (one pass over all the text)."""
    if not names:
        return set()
    forms = {n.title(): n for n in names}
    pattern = re.compile(r"(?<![\w'’])(" + "|".join(
        re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")(['’]s)?(?![\w])")
    found: set[str] = set()
    for text in texts:
        for m in pattern.finditer(text):
            after = text[m.end():m.end() + 40].lstrip()
            start_of_sentence = m.start() == 0 or text[:m.start()].rstrip()[-1:] in ".!?"
            if m.group(2) or not start_of_sentence or re.match(r"[a-z]", after):
                found.add(forms[m.group(1)])
    return found


def settle_cast(elements: list[Element],
                known: dict[str, list[str]] | None = None) -> Cast:
    """The cast of a script: cues first, then people introduced in action, in script order.

    ``known``: cast id -> names from the production's cast files (name, then aliases);
    those ids and names are kept as the director wrote them.
    """
    cast = Cast()
    for pid, forms in (known or {}).items():
        if forms:
            cast.add(forms[0], pid)
            for form in forms[1:]:
                cast.alias(pid, form)
    cues = list(dict.fromkeys(e.character for e in elements
                              if e.kind == "character" and e.character))
    ranks = people_words()["ranks"]
    plain_cues = [c for c in cues if name_key(c).split()[0].lower() not in ranks]
    for cue in plain_cues + [c for c in cues if c not in plain_cues]:
        if cast.id_of(cue):
            cast.alias(cast.by_key[name_key(cue)], cue)
        elif (pid := _variant_of(cast, cue)) is not None:
            cast.alias(pid, cue)
        else:
            cast.add(cue)
    found: list[tuple[int, str, Candidate]] = []  # (line, sentence, candidate)
    texts: list[str] = []
    for e in elements:
        if e.kind != "action":
            continue
        for s in sentences(e):
            texts.append(s.text)
            found += [(s.line_at(c.start), s.text, c) for c in candidates(s.text)]
    unsure = [c.name for _, _, c in found
              if not (c.aged or c.singular or cast.id_of(c.name) or c.plural)]
    reused = _reused(texts, unsure)
    for line, text, c in found:
        if name_key(c.name) in cast.groups:
            continue  # "the THUGS" again: the group is cast already
        pid = cast.id_of(c.name) or _variant_of(cast, c.name)
        if pid is None and c.plural and c.singular and c.count:
            _group(cast, c, line, text)
            continue
        if pid is None and (c.aged or (c.singular and not c.plural) or c.name in reused):
            pid = cast.add(c.name).id
        if pid is None:
            continue
        cast.alias(pid, c.name)
        person = cast.people[pid]
        if person.intro_line is None:
            person.intro_line = line
            person.intro = introduction_phrase(text, c.start, c.end, c.plural)
    return cast


def _group(cast: Cast, c: Candidate, line: int, text: str) -> None:
    """"two THUGS": THUG 1 and THUG 2, each a cast member (an existing THUG #1 is reused)."""
    singular = (c.singular or c.name).upper()
    members = []
    phrase = introduction_phrase(text, c.start, c.end, True)
    for k in range(1, min(c.count or 1, 8) + 1):
        name = f"{singular} {k}"
        pid = cast.id_of(name)
        if pid is None:
            pid = cast.add(name).id
        members.append(pid)
        person = cast.people[pid]
        if person.intro_line is None:
            person.intro_line, person.intro, person.group = line, phrase, c.name
    cast.groups[name_key(c.name)] = members
    cast.group_forms[name_key(c.name)] = c.name
