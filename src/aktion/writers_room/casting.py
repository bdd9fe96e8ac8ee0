"""A first draft of a cast member from how the script introduces them.

"KADE (40s), broad as a door in a grey suit" gives broad shoulders and a grey primary;
the director refines cast/kade.yaml and locks it. What the script does not say is
drawn from the character's id (the same script always gives the same cast), and the
wardrobe of characters with no colour is chosen so that no two who share a scene
look alike at thumbnail size.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from aktion.production.cast import Build, Palette
from aktion.production.yamlio import safe_table

from .breakdown import Breakdown, CharacterBreakdown

_STOPS = {",", ";", ".", "and", "with", "in", "a", "an", "the", "his", "her", "their", "of",
          "wears", "wearing", "under", "over"}
_AGE_WORDS = {"teen": 15, "twent": 25, "thirt": 35, "fort": 45, "fift": 55, "sixt": 65,
              "sevent": 75, "eight": 85, "ninet": 95}


@lru_cache(maxsize=1)
def looks() -> dict[str, Any]:
    text = resources.files("aktion.writers_room").joinpath("looks.yaml").read_text("utf-8")
    return safe_table(text)


def age_of(text: str) -> int | None:
    """The age a description gives: "(40s)" -> 45, "(12)" -> 12, "in her sixties" -> 65."""
    m = re.search(r"\((?:[^)]*?\b)?(\d{1,2})(s)?\b", text)
    if m:
        return int(m.group(1)) + (5 if m.group(2) else 0)
    stems = "|".join(_AGE_WORDS)
    m = re.search(rf"(?:\(|\bin (?:his|her|their) )[^)]*?\b({stems})", text.lower())
    return _AGE_WORDS[m.group(1)] if m else None


def _unit(cid: str, what: str) -> float:
    """A number in [0, 1) fixed by the id: the same character always draws the same."""
    return int(hashlib.sha256(f"{cid}:{what}".encode()).hexdigest()[:8], 16) / 16**8


def _body(cid: str, gender: str | None) -> dict[str, float]:
    ranges = looks()["bodies"].get(gender or "n", looks()["bodies"]["n"])
    size = _unit(cid, "size")  # one draw for height and shoulders: tall people are broad
    out = {}
    for key, (lo, hi) in ranges.items():
        t = size if key in ("height", "shoulders") else _unit(cid, key)
        out[key] = round(lo + (hi - lo) * t, 2)
    return out


def _build(text: str, cid: str = "", gender: str | None = None) -> Build:
    data = Build().model_dump()
    if cid:
        data.update(_body(cid, gender))
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


def _palette(text: str) -> tuple[Palette, list[str], set[str]]:
    """Colours next to clothing words: the palette, the garments found, the slots filled."""
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
    return Palette.model_validate(data), garments, filled


def lab(hex_colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB ``#rrggbb``."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference: about 2 is just noticeable, over 25 reads apart at a glance."""
    la, lb = lab(a), lab(b)
    return sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5


APART = 25.0  # the least ΔE between the primaries of two characters who share a scene


def _pick(cid: str, taken: list[str]) -> str:
    """The first distinct colour, from the id's own place in the list, that is APART from
    every colour ``taken`` by the people this character shares a scene with; failing
    that, the one farthest from them."""
    choices = looks()["distinct"]
    start = int(_unit(cid, "primary") * len(choices))
    order = choices[start:] + choices[:start]
    if not taken:
        return order[0]
    best, best_d = order[0], -1.0
    for colour in order:
        d = min(delta_e(colour, t) for t in taken)
        if d >= APART:
            return colour
        if d > best_d:
            best, best_d = colour, d
    return best


def _choice(cid: str, what: str, key: str) -> str:
    options = looks()[key]
    return options[int(_unit(cid, what) * len(options))]


def _seed(cid: str) -> int:
    return int(hashlib.sha256(cid.encode()).hexdigest()[:8], 16) % 1_000_000


def draft_character(ch: CharacterBreakdown, gender: str | None = None,
                    primary: str | None = None) -> dict[str, Any]:
    """A ``Character`` document (plain data) for ``cast/<id>.yaml``.

    ``primary``: the torso colour to use when the description names none (see
    ``draft_cast``); legs, accents, skin and build the script does not give come
    from the id.
    """
    text = ch.description
    build = _build(text, ch.id, gender)
    palette, garments, filled = _palette(text)
    data = palette.model_dump()
    if "primary" not in filled:
        data["primary"] = primary or _pick(ch.id, [])
    if "secondary" not in filled:
        data["secondary"] = _choice(ch.id, "legs", "legs")
    if "accent" not in filled:
        data["accent"] = _choice(ch.id, "accent", "accents")
    data["skin"] = _choice(ch.id, "skin", "skin")
    m = re.search(r"\(([^)]*)\)", text)
    look = m.group(1).strip() if m else ""
    doc: dict[str, Any] = {"schema": "Character.1", "id": ch.id, "name": ch.name}
    if ch.aliases:
        doc["aliases"] = list(ch.aliases)
    doc["description"] = text or f"{ch.name}, as the script has them."
    if look:
        doc["look"] = look
    if garments:
        doc["wardrobe"] = ", ".join(dict.fromkeys(garments))
    doc["build"] = {k: round(v, 2) for k, v in build.model_dump().items()}
    doc["palette"] = data
    doc["seed"] = _seed(ch.id)
    return doc


def draft_cast(bd: Breakdown, ids: set[str], genders: dict[str, str] | None = None,
               fixed: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Cast documents for ``ids``, wardrobe chosen for the whole script.

    Every character of the breakdown is coloured in order of appearance, so drafting
    one scene gives the colours drafting all of them would. A character whose
    description names no torso colour takes a distinct colour APART from everyone they
    share a scene with (``fixed``: id -> primary of cast files that exist already).
    """
    genders = genders or {}
    fixed = dict(fixed or {})
    neighbours: dict[str, set[str]] = {}
    for scene in bd.scenes:
        for cid in scene.characters:
            neighbours.setdefault(cid, set()).update(c for c in scene.characters if c != cid)
    primary: dict[str, str] = {}
    for ch in bd.characters:  # colours the script gives come first: they are not ours
        if ch.id in fixed:
            primary[ch.id] = fixed[ch.id]
        elif "primary" in _palette(ch.description)[2]:
            primary[ch.id] = _palette(ch.description)[0].primary
    for ch in bd.characters:
        if ch.id not in primary:
            taken = [primary[n] for n in sorted(neighbours.get(ch.id, ())) if n in primary]
            primary[ch.id] = _pick(ch.id, taken)
    return [draft_character(ch, genders.get(ch.id), primary[ch.id])
            for ch in bd.characters if ch.id in ids]
