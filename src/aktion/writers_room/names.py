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


class NameMatcher:
    """Finds cast members in action text: full names, possessives, and a distinctive
    single word of a longer name (STEEL for DICK STEEL), capitalised as names are."""

    def __init__(self, names: dict[str, list[str]]):
        """``names``: character id -> the names the script uses for them."""
        words: dict[str, set[str]] = {}
        alias: dict[str, str] = {}
        for cid, forms in names.items():
            for form in forms:
                alias[form.lower()] = cid
                tokens = re.findall(r"[A-Za-z0-9'\-]+", form)
                if len(tokens) > 1:
                    for tok in tokens:
                        if len(tok) > 2 and tok.lower() not in _TITLES:
                            words.setdefault(tok.lower(), set()).add(cid)
        for word, ids in words.items():
            if len(ids) == 1 and word not in alias:
                alias[word] = next(iter(ids))
        self.alias = alias
        forms_sorted = sorted(alias, key=len, reverse=True)
        if forms_sorted:
            body = "|".join(re.escape(f) for f in forms_sorted)
            self.pattern: re.Pattern[str] | None = re.compile(
                rf"(?<![\w'])({body})(?:'s|’s|')?(?![\w])", re.IGNORECASE)
        else:
            self.pattern = None

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, id)`` of each name in ``text``, in order; names start with a capital."""
        if self.pattern is None:
            return []
        return [(m.start(), m.end(), self.alias[m.group(1).lower()])
                for m in self.pattern.finditer(text) if m.group(1)[0].isupper()]

    def ids(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for _, _, cid in self.find(text):
            seen.setdefault(cid)
        return list(seen)
