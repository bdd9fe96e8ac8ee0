"""Verb forms: every tense of a bare verb, and the bare verb behind a form.

The grammar of an action line is read by hand (``clauses``, ``actions``): what it needs
from a language library is morphology, and `lemminflect` gives exactly that with its
data inside the wheel, so it works offline and loads in a fraction of a second. spaCy
would parse better but needs a model download (not possible here), NLTK's tagger needs
a data download too, and pattern-style rule sets miss the irregular forms ("threw",
"dove", "flung") that action lines are full of. Hyphenated verbs ("body-slam",
"pistol-whip") are inflected on their last part, as English does ("body-slammed").
"""

from __future__ import annotations

from functools import lru_cache

import lemminflect

_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ")


def _inflections(verb: str) -> dict[str, tuple[str, ...]]:
    known = lemminflect.getAllInflections(verb, upos="VERB")
    return known or lemminflect.getAllInflectionsOOV(verb, upos="VERB")


def verb_forms(verb: str) -> dict[str, frozenset[str]]:
    """Every form of ``verb`` (bare, lower case) -> its Penn tags: kicked -> {VBD, VBN}."""
    verb = verb.lower()
    head, sep, last = verb.rpartition("-")
    known = bool(lemminflect.getAllInflections(verb, upos="VERB"))
    base = last if sep and not known else verb
    table = _inflections(base)
    if not lemminflect.getAllInflections(base, upos="VERB") and len(base) > 2 and (
            base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou"):
        double = base + base[-1]  # a made-up verb doubles like a real one: uppercutted
        table = {**table, "VBD": (*table.get("VBD", ()), double + "ed"),
                 "VBN": (*table.get("VBN", ()), double + "ed"),
                 "VBG": (*table.get("VBG", ()), double + "ing")}
    out: dict[str, set[str]] = {}
    for tag in _TAGS:
        for form in table.get(tag, ()):
            full = f"{head}{sep}{form}" if base is last and sep else form
            out.setdefault(full, set()).add(tag)
    out.setdefault(verb, set()).add("VB")
    return {form: frozenset(tags) for form, tags in out.items()}


@lru_cache(maxsize=65536)
def verb_lemma(word: str) -> str | None:
    """The bare verb ``word`` is a form of, or None if it cannot be a verb.

    Dictionary words are trusted ("lockers" is no verb); an unknown word counts only if
    it looks inflected ("defenestrates", "garrotted"), so a name or a sound is not a verb.
    """
    word = word.lower()
    if not word.isascii() or not word.replace("-", "").isalpha():
        return None
    lemmas = lemminflect.getAllLemmas(word)
    if lemmas:
        verbs = lemmas.get("VERB")
        return verbs[0] if verbs else None
    if word.endswith(("s", "ed", "ing")) and len(word) > 4:
        guess = lemminflect.getAllLemmasOOV(word, upos="VERB").get("VERB")
        return guess[0] if guess else None
    return None


@lru_cache(maxsize=65536)
def verb_tags(word: str) -> frozenset[str]:
    """The Penn tags ``word`` can have as a verb: "kicks" -> {VBZ}, "hit" -> {VB, VBD, ...}."""
    lemma = verb_lemma(word)
    if lemma is None:
        return frozenset()
    return verb_forms(lemma).get(word.lower(), frozenset({"VB"}))
