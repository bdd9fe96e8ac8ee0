"""The synonym table (``verbs.yaml``): which words in an action line name which move.

The table is data so a director can teach Aktion their own vocabulary; this module
only loads it and finds its phrases in a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

_X = r"(?:[\w'’\-]+\s+){0,2}[\w'’\-]+"


def _bare(word: str) -> str | None:
    """The bare verb of a present-tense form: jabs -> jab, ducks -> duck, parries -> parry."""
    if len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
        return None
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    return word[:-1]


def _pattern(phrase: str) -> str:
    parts = []
    for word in phrase.lower().split():
        parts.append(_X if word == "{x}" else re.escape(word))
    return r"\s+".join(parts)


@dataclass(frozen=True)
class Phrase:
    text: str
    move: str
    noun: bool  # names a strike as a thing ("a hook") rather than doing it ("hooks")
    regex: re.Pattern[str]


@dataclass
class VerbTable:
    phrases: list[Phrase]
    kinds: dict[str, str]  # move -> strike / defence / travel / reaction / stance
    fallback: dict[str, list[str]]
    default_hit: dict[str, str]
    hits: dict[str, str]  # body word -> zone
    landing: list[str]
    camera: dict[str, list[str]]
    props: list[str]
    insert_verbs: list[str]
    finder: re.Pattern[str] = field(init=False)
    exact: dict[str, Phrase] = field(init=False)
    nouns: dict[str, str] = field(init=False)  # strike named as a thing -> move

    def __post_init__(self) -> None:
        ordered = sorted(self.phrases, key=lambda p: (-len(p.text.replace("{x}", "xxxx")),
                                                      p.noun))
        self.phrases = ordered
        body = "|".join(p.regex.pattern for p in ordered)
        self.finder = re.compile(rf"(?<![\w'’])(?:{body})(?![\w'’])", re.IGNORECASE)
        self.exact = {}
        self.nouns = {" ".join(p.text.lower().split()): p.move for p in ordered if p.noun}
        for p in ordered:
            if "{x}" not in p.text:
                self.exact.setdefault(" ".join(p.text.lower().split()), p)

    def find(self, text: str) -> list[tuple[int, int, Phrase]]:
        """Every phrase of the table in ``text``, leftmost-longest, not overlapping."""
        out = []
        for m in self.finder.finditer(text):
            said = " ".join(m.group(0).lower().split())
            phrase = self.exact.get(said)
            if phrase is None:
                phrase = next(p for p in self.phrases if p.regex.fullmatch(said))
            out.append((m.start(), m.end(), phrase))
        return out

    def kind(self, move: str) -> str:
        return self.kinds.get(move, "stance")


def _phrases(table: dict[str, list[str]], noun: bool) -> list[Phrase]:
    out: list[Phrase] = []
    seen: set[tuple[str, bool]] = set()
    for move, forms in table.items():
        for form in forms:
            variants = [str(form)]
            words = str(form).split()
            if not noun and (bare := _bare(words[0].lower())):
                variants.append(" ".join([bare, *words[1:]]))
            for v in variants:
                key = (" ".join(v.lower().split()), noun)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Phrase(v, str(move), noun, re.compile(_pattern(v), re.IGNORECASE)))
    return out


def _invert(groups: dict[str, list[str]]) -> dict[str, str]:
    return {str(word).lower(): str(key) for key, words in groups.items() for word in words}


def load_table(path: Path | None = None) -> VerbTable:
    """The synonym table: the package's ``verbs.yaml``, or another file of the same shape."""
    if path is None:
        text = resources.files("aktion.writers_room").joinpath("verbs.yaml").read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = YAML(typ="safe").load(text)
    return VerbTable(
        phrases=_phrases(data["verbs"], False) + _phrases(data.get("nouns", {}), True),
        kinds=_invert(data.get("kinds", {})),
        fallback={str(k): [str(x) for x in v] for k, v in data.get("fallback", {}).items()},
        default_hit={str(k): str(v) for k, v in data.get("default_hit", {}).items()},
        hits=_invert(data.get("hits", {})),
        landing=[str(w).lower() for w in data.get("landing", [])],
        camera={str(k): [str(w).lower() for w in v] for k, v in data.get("camera", {}).items()},
        props=[str(w).lower() for w in data.get("props", [])],
        insert_verbs=[str(w).lower() for w in data.get("insert_verbs", [])],
    )


@lru_cache(maxsize=1)
def default_table() -> VerbTable:
    return load_table()
