"""Character names: the ids the cast uses, and finding names in action lines."""

from __future__ import annotations

import re
import unicodedata

# Words that open or pad a name but never identify a character on their own.
_TITLES = {
    "the", "a", "an", "mr", "mrs", "ms", "dr", "big", "old", "young", "little", "officer",
    "agent", "captain", "detective", "sergeant", "sgt", "lt", "uncle", "aunt", "man", "woman",
    "guy", "girl", "boy", "kid", "lady", "sir", "madam", "de", "van", "von", "el", "la",
}

_INTRO = re.compile(
    r"(?<![A-Za-z'])((?:[A-Z][A-Z'\-]+|#?\d+)(?: (?:[A-Z][A-Z'\-]+|#?\d+)){0,2})"
    r" ?\((?=[^)]*(?:\d|teen|twent|thirt|fort|fift|sixt|sevent|eight|ageless))"
)


def character_id(name: str, taken: set[str] | None = None) -> str:
    """The cast id for a script name: ``BIG TONY`` -> ``big_tony``, ``O'NEIL`` -> ``oneil``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"['.]", "", ascii_name.lower())
    slug = re.sub(r"[^a-z0-9]+", "_", slug).strip("_") or "character"
    if taken is None or slug not in taken:
        return slug
    n = 2
    while f"{slug}_{n}" in taken:
        n += 1
    return f"{slug}_{n}"


def introductions(text: str) -> list[tuple[int, str]]:
    """Names introduced screenplay-style in an action line: ``KADE (40s), broad...``."""
    return [(m.start(1), m.group(1)) for m in _INTRO.finditer(text)]


_NUMBER_WORDS = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT",
                 "NINE", "TEN"]
_ORDINALS = ["ZEROTH", "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH",
             "EIGHTH", "NINTH", "TENTH"]
_NUMBERISH = re.compile(r"^(?:#?\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten)$",
                        re.IGNORECASE)


def _number_forms(form: str) -> list[str]:
    """A name ending in a number, as scripts write it: GUARD 1, GUARD #1, GUARD ONE."""
    m = re.match(r"^(.*\S)\s+#?(\d+|[A-Za-z]+)$", form)
    if not m:
        return [form]
    word = m.group(2).upper()
    n = int(word) if word.isdigit() else (
        _NUMBER_WORDS.index(word) if word in _NUMBER_WORDS else None)
    if n is None:
        return [form]
    base = m.group(1)
    out = [form, f"{base} {n}", f"{base} #{n}"]
    if n < len(_NUMBER_WORDS):
        out.append(f"{base} {_NUMBER_WORDS[n]}")
    if n < len(_ORDINALS) and " " not in base:
        out.append(f"the {_ORDINALS[n].lower()} {base.lower()}")  # "the first thug"
    return list(dict.fromkeys(out))


class NameMatcher:
    """Finds cast members in action text: full names, possessives, and a distinctive
    single word of a longer name (STEEL for DICK STEEL), capitalised as names are.

    A name several characters share is a group ("THUGS" for THUG 1 and THUG 2): it
    finds each of them at that place. A name ending in a number matches however the
    number is written (GUARD ONE, Guard #1, guard 1)."""

    def __init__(self, names: dict[str, list[str]]):
        """``names``: character id -> the names the script uses for them."""
        words: dict[str, set[str]] = {}
        alias: dict[str, list[str]] = {}
        for cid, forms in names.items():
            for form in forms:
                for variant in _number_forms(form):
                    ids = alias.setdefault(variant.lower(), [])
                    if cid not in ids:
                        ids.append(cid)
                tokens = re.findall(r"[A-Za-z0-9'\-]+", form)
                if len(tokens) > 1:
                    for tok in tokens:
                        if len(tok) > 2 and tok.lower() not in _TITLES and (
                                not _NUMBERISH.match(tok)):
                            words.setdefault(tok.lower(), set()).add(cid)
        for word, ids in words.items():
            if len(ids) == 1 and word not in alias:
                alias[word] = [next(iter(ids))]
        self.alias = {form: tuple(ids) for form, ids in alias.items()}
        forms_sorted = sorted(alias, key=len, reverse=True)
        if forms_sorted:
            body = "|".join(re.escape(f) for f in forms_sorted)
            self.pattern: re.Pattern[str] | None = re.compile(
                rf"(?<![\w'])({body})(?:'s|’s|')?(?![\w])", re.IGNORECASE)
        else:
            self.pattern = None

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, id)`` of each name in ``text``, in order; names start with a capital.
        A group name gives one entry per member, at the same place."""
        if self.pattern is None:
            return []
        return [(m.start(), m.end(), cid) for m in self.pattern.finditer(text)
                if m.group(1)[0].isupper() or m.group(1)[:4].lower() == "the "
                for cid in self.alias[m.group(1).lower()]]

    def ids(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for _, _, cid in self.find(text):
            seen.setdefault(cid)
        return list(seen)
