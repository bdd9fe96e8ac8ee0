"""A line-aware Fountain 1.1 reader: every element knows the script line it came from.

screenplain parses Fountain well but keeps no line numbers, and tracing shots and
beats back to script lines is the point of Aktion; so the element pass is ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ElementKind = str  # scene_heading, action, character, parenthetical, dialogue, transition, ...

_HEADING = re.compile(r"^(INT|EXT|EST|INT\./EXT|INT/EXT|I/E)[\. ]", re.IGNORECASE)
_TRANSITION = re.compile(r"^[A-Z0-9 ]+TO:$")
_CHARACTER = re.compile(r"^[A-Z][A-Z0-9 ._\-']*(\s*\(.*\))?\s*\^?$")


@dataclass
class Element:
    kind: ElementKind
    text: str
    line: int  # 1-based first line
    end_line: int  # 1-based last line
    character: str | None = None  # speaker for character/dialogue/parenthetical
    scene: int | None = None  # index of the scene it belongs to


def parse_fountain(text: str) -> tuple[dict[str, str], list[Element]]:
    lines = text.splitlines()
    title: dict[str, str] = {}
    elements: list[Element] = []
    i, n = 0, len(lines)
    scene: int | None = None
    speaker: str | None = None
    while i < n:
        raw = lines[i]
        s = raw.strip()
        if not s:
            speaker = None
            i += 1
            continue
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= n or not lines[i + 1].strip()
        if speaker is not None:
            if s.startswith("(") and s.endswith(")"):
                elements.append(Element("parenthetical", s, i + 1, i + 1, speaker, scene))
            else:
                elements.append(Element("dialogue", s, i + 1, i + 1, speaker, scene))
            i += 1
            continue
        if prev_blank and (_HEADING.match(s) or (s.startswith(".") and not s.startswith(".."))):
            scene = 0 if scene is None else scene + 1
            heading = s.removeprefix(".")
            elements.append(Element("scene_heading", heading.strip(), i + 1, i + 1, None, scene))
        elif prev_blank and next_blank and (_TRANSITION.match(s) or s.startswith(">")):
            elements.append(Element("transition", s.lstrip("> ").strip(), i + 1, i + 1, None, scene))
        elif prev_blank and not next_blank and (_CHARACTER.match(s) or s.startswith("@")):
            name = re.sub(r"\s*\(.*\)\s*$", "", s.lstrip("@").rstrip("^").strip())
            speaker = name
            elements.append(Element("character", name, i + 1, i + 1, name, scene))
        else:
            elements.append(Element("action", s.lstrip("!"), i + 1, i + 1, None, scene))
        i += 1
    return title, elements
