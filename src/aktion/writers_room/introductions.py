"""People a script introduces in action, and the phrase that introduces them.

Screenplays set a character's first appearance in capitals: "GUARD ONE (30s), thick
neck, steps out", "two THUGS block the door", "BRICK BRADDOCK, retired police
detective, is sitting quietly". Capitals also mark sounds ("a GUNSHOT") and props, so
a capital run is a candidate only: an age, a role noun, a cue or a later use of the
name in the prose decides (see ``identities``). The introduction phrase is the name
with its age, look and wardrobe clauses, cut before the first clause that acts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from aktion.production.yamlio import safe_table

_TOKEN = r"(?:[A-Z][A-Z'’\-.]*[A-Z.]|[A-Z]|#?\d+)"
_RUN = re.compile(rf"(?<![\w'’#])({_TOKEN}(?: {_TOKEN}){{0,4}})(?![\w'’])")
_AGE = re.compile(r"\s?\((?=[^)]*(?:\d|teen|twent|thirt|fort|fift|sixt|sevent|eight|nine"
                  r"|ageless|ancient|old|young))", re.IGNORECASE)
_NUMBERS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5, "SIX": 6, "SEVEN": 7,
            "EIGHT": 8, "NINE": 9, "TEN": 10}
_ORDINALS = {"FIRST": 1, "SECOND": 2, "THIRD": 3, "FOURTH": 4, "FIFTH": 5}
# Words that open a clause that acts rather than describes ("is already waiting").
_VERBS = {"is", "are", "was", "has", "have", "had", "does", "stands", "sits", "waits",
          "leans", "lies", "looks", "watches", "turns", "enters", "exits", "comes", "goes",
          "steps", "walks", "runs", "moves", "holds", "keeps", "stays", "gets", "takes",
          "can", "will", "would", "must", "may", "might", "never", "barely"}
_ADVERBS = {"already", "still", "just", "now", "then", "also", "quietly", "slowly", "calmly",
            "suddenly", "finally", "silently"}
_PLURAL_NOUNS = {"eyes", "hands", "arms", "legs", "scars", "tattoos", "glasses", "sunglasses",
                 "muscles", "knuckles", "teeth", "lips", "cheeks", "freckles", "dreads",
                 "braids", "curls", "sleeves", "clothes", "features", "looks", "shoulders",
                 "boots", "gloves", "shoes", "trainers", "sneakers", "jeans", "pants",
                 "trousers", "shorts", "slacks", "cargos", "joggers", "leggings", "wraps",
                 "earrings", "rings", "piercings", "whiskers", "bangs", "locks", "years",
                 "fists", "lashes", "brows", "eyebrows", "hips", "ribs", "nails", "bruises",
                 "cuts", "stitches"}


@lru_cache(maxsize=1)
def people_words() -> dict[str, Any]:
    """The vocabulary in ``people.yaml``: roles, plurals, counts, sounds, furniture, ranks."""
    text = resources.files("aktion.writers_room").joinpath("people.yaml").read_text("utf-8")
    data = safe_table(text)
    return {k: (set(v) if isinstance(v, list) else v) for k, v in data.items()}


@dataclass(frozen=True)
class Candidate:
    """A run of capitals in an action sentence that may name a person."""

    start: int  # offset of the name in the sentence
    end: int
    name: str  # as written, determiners and counts removed: "GUARD ONE", "THUGS"
    aged: bool  # an age parenthetical follows: "(30s)"
    count: int | None  # "two THUGS" -> 2
    singular: str | None  # the role noun, singular, when the head is one: "THUG"
    plural: bool  # the head is a plural role: a group


def number_of(token: str) -> int | None:
    """1 for "1", "#1", "ONE"; None for anything else."""
    t = token.upper().lstrip("#")
    if t.isdigit():
        return int(t)
    return _NUMBERS.get(t)


def singular_role(word: str) -> tuple[str | None, bool]:
    """The role noun a head word names, and whether it was plural: THUGS -> (thug, True)."""
    w = word.lower().strip("'’")
    vocab = people_words()
    roles = vocab["roles"]
    if w in roles:
        return w, False
    if w in vocab["plurals"]:
        return vocab["plurals"][w], True
    for cut in ("es", "s"):
        if w.endswith(cut) and w[: -len(cut)] in roles:
            return w[: -len(cut)], True
    return None, False


def _count_before(text: str, start: int) -> int | None:
    words = re.findall(r"[\w']+", text[:start].lower())[-4:]
    counts = people_words()["counts"]
    for w in reversed(words):
        if w in counts:
            return int(counts[w])
        if w.isdigit() and 1 < int(w) < 10:
            return int(w)
        if w not in ("of", "a", "more", "other", "big", "burly", "armed", "masked"):
            return None
    return None


def candidates(text: str) -> list[Candidate]:
    """Runs of capitals in ``text`` that may introduce a person, left to right."""
    vocab = people_words()
    furniture, sounds, counts = vocab["furniture"], vocab["sounds"], vocab["counts"]
    out = []
    for m in _RUN.finditer(text):
        tokens = m.group(1).split(" ")
        offset = m.start(1)
        count: int | None = None
        while tokens and (tokens[0].lower().rstrip(".") in furniture or tokens[0].lower()
                          in counts or (number_of(tokens[0]) and len(tokens) > 1)):
            head = tokens.pop(0)
            if head.lower() in counts:
                count = int(counts[head.lower()])
            elif (n := number_of(head)) is not None:
                count = n
            offset += len(head) + 1
        if not tokens:
            continue
        if re.search(r"['’]S$", tokens[-1]):
            tokens[-1] = tokens[-1][:-2]
        words = [t for t in tokens if number_of(t) is None]
        if not words or all(t.lower().rstrip(".") in furniture for t in words):
            continue
        if any(t.lower() in sounds for t in words) or text[m.end(1):m.end(1) + 1] == "!":
            continue
        if len(words) == 1 and len(words[0]) < 2:
            continue
        name = " ".join(tokens)
        end = offset + len(name)
        aged = bool(_AGE.match(text, end))
        singular, plural = singular_role(words[-1])
        if plural and count is None:
            count = _count_before(text, offset)
        out.append(Candidate(offset, end, name, aged, count, singular, plural))
    return out


def _clauses(text: str) -> list[tuple[int, int]]:
    """Comma/semicolon-separated clauses of ``text`` as spans, parentheses kept whole."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch in ",;:—" and depth == 0:
            spans.append((start, i))
            start = i + 1
        elif ch in ".!?" and depth == 0 and (i + 1 == len(text) or text[i + 1] == " "):
            spans.append((start, i))
            return spans
    spans.append((start, len(text)))
    return spans


_PLURAL_VERBS = {"are", "were", "have", "had", "do", "stand", "sit", "wait", "lean", "look",
                 "watch", "turn", "enter", "exit", "come", "go", "step", "walk", "run", "move",
                 "hold", "keep", "stay", "get", "take", "can", "will", "would", "must", "may",
                 "might", "never", "barely"}
# Words a verb is followed by ("steps out", "block the door", "hides behind a crate").
_PARTICLES = {"the", "a", "an", "his", "her", "their", "its", "him", "them", "it", "into",
              "out", "up", "down", "away", "toward", "towards", "through", "past", "across",
              "over", "in", "on", "at", "by", "behind", "from", "to", "off", "around",
              "with", "against", "forward", "back", "open", "shut", "onto", "inside",
              "outside", "along", "after", "for", "between", "beside", "near", "under"}
_OPENERS = {"in", "with", "wearing", "a", "an", "the", "his", "her", "their", "all", "no",
            "one", "two", "three", "four", "as", "like", "of", "from", "on", "under", "over",
            "dressed", "built", "carrying", "holding", "armed", "both", "each", "every",
            "more", "less", "and", "some", "several", "too", "very"}


def _acts(words: list[str], plural: bool = False) -> bool:
    """Whether a clause's words open with a verb: "steps out", "is already waiting",
    "block the door" (for a plural subject)."""
    words = [w for w in words if w not in _ADVERBS]
    if not words:
        return False
    first = words[0]
    nxt = words[1] if len(words) > 1 else None
    if first in ("and", "then", "but"):
        return _acts(words[1:], plural)
    if first in (_PLURAL_VERBS if plural else _VERBS):
        return True
    if first in _OPENERS or first.endswith(("ing", "ed")):
        return False
    if plural:
        return not first.endswith("s") and nxt in _PARTICLES
    return (first.endswith("s") and not first.endswith(("ss", "us", "is", "ous"))
            and first not in _PLURAL_NOUNS and len(first) > 3
            and (nxt is None or nxt in _PARTICLES))


def _first_verb(clause: str, plural: bool) -> int | None:
    """Offset in ``clause`` of the first word that acts, for a clause with no comma after
    the name: "in a grey suit waits by the door" -> the offset of "waits"."""
    matches = list(re.finditer(r"[a-z'’\-]+", clause.lower()))
    words = [m.group(0) for m in matches]
    for i, m in enumerate(matches):
        if _acts(words[i:], plural) and (i == 0 or words[i - 1] not in _OPENERS):
            return m.start()
    return None


def introduction_phrase(text: str, start: int, end: int, plural: bool = False) -> str:
    """The phrase introducing the name at ``text[start:end]``: name, age, look, wardrobe.

    "KADE (40s), broad as a door in a grey suit, is already waiting." ->
    "KADE (40s), broad as a door in a grey suit".
    """
    rest = text[end:]
    age = _AGE.match(rest)
    keep = 0
    if age:
        close = rest.find(")", age.end())
        keep = close + 1 if close >= 0 else len(rest)
    spans = _clauses(rest[keep:])
    cut = keep
    for k, (a, z) in enumerate(spans):
        clause = rest[keep + a : keep + z]
        if k == 0 and clause.strip():
            verb = _first_verb(clause, plural)  # no comma after the name: cut at the verb
            if verb is not None:
                cut = keep + a + verb
                break
            cut = keep + z
            continue
        if _acts(re.findall(r"[a-z'’\-]+", clause.lower()), plural):
            break
        cut = keep + z
    phrase = text[start : end + cut].strip().rstrip(",;:—- ")
    phrase = re.sub(r"\s*,?\s*\b(and|then|but)$", "", phrase)
    return phrase
