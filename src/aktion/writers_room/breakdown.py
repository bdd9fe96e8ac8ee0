"""The breakdown: what a script holds, scene by scene, every item tied to its lines.

It is the first thing a crew makes from a script (who is in which scene, what
happens, in what order), and the ground the draft boards and choreography stand on.
"""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

from pydantic import BaseModel, Field

from aktion.production.fountain import Element
from aktion.production.script import Script

from .heading import parse_heading
from .names import NameMatcher, character_id, introductions
from .sentences import sentences


class Beat(BaseModel):
    """One sentence of action, the smallest thing a shot or a move is drafted from."""

    line: int
    end_line: int
    text: str
    who: list[str] = Field(default_factory=list, description="cast ids named, in order")
    spans: list[tuple[int, int]] = Field(
        default_factory=list, description="(offset in text, script line) per line it spans")

    def line_at(self, offset: int) -> int:
        starts = [a for a, _ in self.spans]
        return self.spans[max(0, bisect_right(starts, offset) - 1)][1] if self.spans else self.line


class Speech(BaseModel):
    """A run of dialogue under one cue (split at parentheticals)."""

    line: int
    end_line: int
    cue_line: int = Field(description="the line of the character cue it is spoken under")
    who: str
    name: str
    text: str
    parenthetical: str | None = None
    extensions: list[str] = Field(default_factory=list)
    dual: str | None = None


class Transition(BaseModel):
    line: int
    text: str


class Note(BaseModel):
    kind: str  # note, section, synopsis
    line: int
    end_line: int
    text: str
    depth: int = 0


class SceneBreakdown(BaseModel):
    index: int = Field(description="1-based order in the script")
    id: str
    heading: str
    number: str | None = Field(default=None, description="the script's own scene number")
    int_ext: str | None = None
    location: str = ""
    time: str | None = None
    lines: tuple[int, int]
    implicit: bool = Field(default=False, description="no heading: the script's untitled scene")
    characters: list[str] = Field(default_factory=list)
    beats: list[Beat] = Field(default_factory=list)
    dialogue: list[Speech] = Field(default_factory=list)
    transitions: list[Transition] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)


class CharacterBreakdown(BaseModel):
    id: str
    name: str
    names: list[str] = Field(default_factory=list, description="every name the script uses")
    first_line: int
    scenes: list[int] = Field(default_factory=list, description="scene indexes (1-based)")
    dialogue_count: int = 0
    description: str = Field(default="", description="the action that introduces them")
    description_line: int | None = None
    speaks: bool = True


class Breakdown(BaseModel):
    script: str
    lines: int
    title: dict[str, str] = Field(default_factory=dict)
    scenes: list[SceneBreakdown] = Field(default_factory=list)
    characters: list[CharacterBreakdown] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list, description="notes and sections outside scenes")

    def scene(self, index: int) -> SceneBreakdown:
        return self.scenes[index - 1]

    def character(self, cid: str) -> CharacterBreakdown | None:
        return next((c for c in self.characters if c.id == cid), None)


def _scene_id(number: str | None, index: int, taken: set[str]) -> str:
    base = character_id(number) if number else str(index)
    sid = f"s{base}"
    while sid in taken:
        sid += "x"
    taken.add(sid)
    return sid


def _cast_names(elements: list[Element]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Character id -> names used; and name (upper) -> id. Cues first, then action intros."""
    names: dict[str, list[str]] = {}
    by_name: dict[str, str] = {}

    def add(name: str) -> str:
        key = name.upper()
        if key not in by_name:
            cid = character_id(name, set(names))
            by_name[key] = cid
            names.setdefault(cid, []).append(name)
        return by_name[key]

    for e in elements:
        if e.kind == "character" and e.character:
            add(e.character)
    for e in elements:
        if e.kind != "action":
            continue
        for _, intro in introductions(e.plain):
            if intro.upper() in by_name:
                continue
            tokens = intro.upper().split()
            known = next((by_name[t] for t in tokens if t in by_name), None)
            if known:  # DICK STEEL (50s) introduces the STEEL who speaks later
                by_name[intro.upper()] = known
                names[known].append(intro)
            else:
                add(intro)
    return names, by_name


def breakdown_script(script: Script) -> Breakdown:
    """Break a parsed script down into scenes, characters, beats and dialogue."""
    elements = script.elements
    names, by_name = _cast_names(elements)
    matcher = NameMatcher(names)
    scenes: list[SceneBreakdown] = []
    outside: list[Note] = []
    taken: set[str] = set()
    cues: set[str] = set()
    chars: dict[str, CharacterBreakdown] = {}

    def seen(cid: str, line: int, scene: SceneBreakdown) -> CharacterBreakdown:
        ch = chars.get(cid)
        if ch is None:
            ch = chars[cid] = CharacterBreakdown(
                id=cid, name=names[cid][0], names=names[cid], first_line=line)
        ch.first_line = min(ch.first_line, line)
        if scene.index not in ch.scenes:
            ch.scenes.append(scene.index)
        if cid not in scene.characters:
            scene.characters.append(cid)
        return ch

    current: SceneBreakdown | None = None
    parenthetical: str | None = None
    cue_exts: tuple[str, ...] = ()
    cue_line = 0
    for e in elements:
        if e.kind == "scene_heading" or (current is None and e.scene is not None):
            implicit = e.kind != "scene_heading"
            h = parse_heading(e.plain) if not implicit else None
            number = e.number if not implicit else None
            current = SceneBreakdown(
                index=len(scenes) + 1, id=_scene_id(number, len(scenes) + 1, taken),
                heading=e.plain if not implicit else "", number=number,
                int_ext=h.int_ext if h else None, location=h.location if h else "",
                time=h.time if h else None, lines=(e.line, e.end_line), implicit=implicit)
            scenes.append(current)
            if not implicit:
                continue
        if e.kind in ("note", "section", "synopsis"):
            note = Note(kind=e.kind, line=e.line, end_line=e.end_line, text=e.plain, depth=e.depth)
            (current.notes if current is not None and e.scene is not None else outside).append(note)
            continue
        if current is None:
            if e.kind == "transition":
                outside.append(Note(kind="transition", line=e.line, end_line=e.line, text=e.plain))
            continue
        current.lines = (current.lines[0], max(current.lines[1], e.end_line))
        if e.kind == "action":
            for s in sentences(e):
                found = matcher.find(s.text)
                ids = list(dict.fromkeys(cid for _, _, cid in found))
                current.beats.append(Beat(line=s.line, end_line=s.end_line, text=s.text,
                                          who=ids, spans=s.spans))
                for start, _, cid in found:
                    ch = seen(cid, s.line_at(start), current)
                    if not ch.description:
                        ch.description, ch.description_line = s.text, s.line
        elif e.kind == "character" and e.character:
            cid = by_name[e.character.upper()]
            seen(cid, e.line, current).dialogue_count += 1
            cues.add(cid)
            parenthetical, cue_exts, cue_line = None, e.extensions, e.line
        elif e.kind == "parenthetical":
            parenthetical = e.plain
        elif e.kind in ("dialogue", "lyrics") and e.character:
            cid = by_name[e.character.upper()]
            current.dialogue.append(Speech(
                line=e.line, end_line=e.end_line, cue_line=cue_line or e.line, who=cid,
                name=e.character,
                text=e.plain, parenthetical=parenthetical,
                extensions=list(cue_exts), dual=e.dual))
            parenthetical = None
        elif e.kind == "transition":
            current.transitions.append(Transition(line=e.line, text=e.plain))
    for ch in chars.values():
        ch.speaks = ch.id in cues
        ch.scenes.sort()
    return Breakdown(
        script=str(script.path), lines=len(script.lines), title=script.title, scenes=scenes,
        characters=sorted(chars.values(), key=lambda c: c.first_line), notes=outside)


def breakdown(path: Path | str) -> Breakdown:
    """Break down the script of a production folder or a ``.fountain`` file."""
    from .source import resolve

    return breakdown_script(resolve(path).script())
