"""A first draft of a cast member from how the script introduces them.

"KADE (40s), broad as a door in a grey suit" gives broad shoulders and a grey primary;
the director refines cast/kade.yaml and locks it.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from aktion.production.cast import Build, Palette

from .breakdown import CharacterBreakdown

_STOPS = {",", ";", ".", "and", "with", "in", "a", "an", "the", "his", "her", "their", "of",
          "wears", "wearing", "under", "over"}
_AGE_WORDS = {"teen": 15, "twent": 25, "thirt": 35, "fort": 45, "fift": 55, "sixt": 65,
              "sevent": 75, "eight": 85, "ninet": 95}


@lru_cache(maxsize=1)
def looks() -> dict[str, Any]:
    text = resources.files("aktion.writers_room").joinpath("looks.yaml").read_text("utf-8")
    return YAML(typ="safe").load(text)


def age_of(text: str) -> int | None:
    """The age a description gives: "(40s)" -> 45, "(12)" -> 12, "in her sixties" -> 65."""
    m = re.search(r"\((?:[^)]*?\b)?(\d{1,2})(s)?\b", text)
    if m:
        return int(m.group(1)) + (5 if m.group(2) else 0)
    stems = "|".join(_AGE_WORDS)
    m = re.search(rf"(?:\(|\bin (?:his|her|their) )[^)]*?\b({stems})", text.lower())
    return _AGE_WORDS[m.group(1)] if m else None


def _build(text: str) -> Build:
    data = Build().model_dump()
    table = looks()
    words = set(re.findall(r"[a-z]+", text.lower()))
    for word, values in table["build"].items():
        if word in words:
            data.update(values)
    age = age_of(text)
    if age is not None:
        for rule in table["age"].values():
            if age <= rule.get("max", 999) and age >= rule.get("min", 0):
                data.update({k: v for k, v in rule.items() if k in data})
                data["height"] += rule.get("height_delta", 0.0)
    return Build.model_validate(data)


def _palette(text: str) -> tuple[Palette, list[str]]:
    """Colours next to clothing words; returns the palette and the garments found."""
    table = looks()
    colours, materials = table["colours"], table.get("materials", {})
    slots = {w: slot for slot, ws in table["clothing"].items() for w in ws}
    words = re.findall(r"[a-z\-]+|[,;.]", text.lower())
    data = Palette().model_dump()
    filled: set[str] = set()
    garments: list[str] = []
    for i, word in enumerate(words):
        if word not in slots:
            continue
        start = i
        while start > 0 and i - start < 3 and words[start - 1] not in _STOPS and (
                words[start - 1] not in slots):
            start -= 1
        before = words[start:i]
        colour = next((colours[w] for w in reversed(before) if w in colours), None) or next(
            (materials[w] for w in reversed(before) if w in materials), None)
        garments.append(" ".join([*before, word]))
        if colour and slots[word] not in filled:
            data[slots[word]] = colour
            filled.add(slots[word])
    return Palette.model_validate(data), garments


def _seed(cid: str) -> int:
    return int(hashlib.sha256(cid.encode()).hexdigest()[:8], 16) % 1_000_000


def draft_character(ch: CharacterBreakdown) -> dict[str, Any]:
    """A ``Character`` document (plain data) for ``cast/<id>.yaml``."""
    text = ch.description
    build = _build(text)
    palette, garments = _palette(text)
    m = re.search(r"\(([^)]*)\)", text)
    look = m.group(1).strip() if m else ""
    doc: dict[str, Any] = {"schema": "Character.1", "id": ch.id, "name": ch.name}
    doc["description"] = text or f"{ch.name}, as the script has them."
    if look:
        doc["look"] = look
    if garments:
        doc["wardrobe"] = ", ".join(dict.fromkeys(garments))
    doc["build"] = {k: round(v, 2) for k, v in build.model_dump().items()}
    doc["palette"] = palette.model_dump()
    doc["seed"] = _seed(ch.id)
    return doc
