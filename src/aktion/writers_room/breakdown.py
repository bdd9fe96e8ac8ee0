"""The breakdown: what a script holds, scene by scene, every item tied to its lines.

It is the first thing a crew makes from a script (who is in which scene, what
happens, in what order), and the ground the draft boards and choreography stand on.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from pathlib import Path

from pydantic import BaseModel, Field

from aktion.production.fountain import Element
from aktion.production.script import Script

from .heading import parse_heading
from .identities import name_key, settle_cast
from .names import NameMatcher, character_id
from .sentences import sentences
from .shot_headings import read_shot_heading


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


class ShotMark(BaseModel):
    """A camera direction written into the scene (POV, INSERT, ANGLE ON): a shot here."""

    line: int
    text: str
    kind: str = Field(description="close, insert, wide, angle, back, pov")
    size: str
    angle: str
    subject: str = ""
    who: list[str] = Field(default_factory=list, description="cast ids the subject names")
    moving: bool = False


class TitleCard(BaseModel):
    """Centered text (``> THREE DAYS LATER <``): a card on screen."""

    line: int
    end_line: int
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
    shots: list[ShotMark] = Field(default_factory=list, description="camera directions")
    titles: list[TitleCard] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return bool(self.beats or self.dialogue or self.shots or self.titles)


class CharacterBreakdown(BaseModel):
    id: str
    name: str
    names: list[str] = Field(default_factory=list, description="every name the script uses")
    first_line: int
    scenes: list[int] = Field(default_factory=list, description="scene indexes (1-based)")
    dialogue_count: int = 0
    description: str = Field(default="", description="the phrase that introduces them")
    description_line: int | None = Field(
        default=None, description="the line that introduces them (else their first in action)")
    speaks: bool = True
    aliases: list[str] = Field(
        default_factory=list, description="other names for them: DETECTIVE MARA, DICK STEEL")
    group: str | None = Field(default=None, description='introduced among others: "THUGS"')


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


def _scene_id(number: str | None, index: int, taken: set[str], numbered: set[str]) -> str:
    """``s<number>`` for a numbered scene (``#12A#`` -> s12a), else ``s<place>``; an id
    taken (by the script's numbers or a repeated number) gets an ``x``."""
    base = character_id(number) if number else str(index)
    sid = f"s{base}"
    if number and sid not in numbered:
        numbered.add(sid)
        return sid
    while sid in taken:
        sid += "x"
    taken.add(sid)
    numbered.add(sid)
    return sid


def _without_first_line(e: Element) -> Element | None:
    """An action paragraph less its first line (a camera direction), or None if that was all."""
    rows = e.text.split("\n")
    if len(rows) < 2:
        return None
    numbers = e.line_numbers or list(range(e.line, e.end_line + 1))
    text = "\n".join(rows[1:])
    return dataclasses.replace(e, text=text, plain="", line=numbers[1],
                               line_numbers=numbers[1:])


def breakdown_script(script: Script, known: dict[str, list[str]] | None = None) -> Breakdown:
    """Break a parsed script down into scenes, characters, beats and dialogue.

    ``known``: cast id -> names (name, then aliases) from the production's cast files.
    """
    elements = script.elements
    cast = settle_cast(elements, known)
    names = cast.names()
    matcher = NameMatcher(names)
    scenes: list[SceneBreakdown] = []
    outside: list[Note] = []
    taken: set[str] = set()
    cues: set[str] = set()
    chars: dict[str, CharacterBreakdown] = {}
    in_action: dict[str, int] = {}  # id -> first line they are named on in action

    def seen(cid: str, line: int, scene: SceneBreakdown) -> CharacterBreakdown:
        ch = chars.get(cid)
        if ch is None:
            person = cast.people[cid]
            ch = chars[cid] = CharacterBreakdown(
                id=cid, name=person.name, names=names[cid], first_line=line,
                group=person.group)
        ch.first_line = min(ch.first_line, line)
        if not ch.scenes or ch.scenes[-1] != scene.index:
            ch.scenes.append(scene.index)
        if cid not in scene.characters:
            scene.characters.append(cid)
        return ch

    headings = any(e.kind == "scene_heading" and read_shot_heading(e.plain) is None
                   for e in elements)
    # the script's own numbers are kept for their scenes: s2 is #2#, not the second
    # unnumbered scene
    taken.update(f"s{character_id(e.number)}" for e in elements
                 if e.kind == "scene_heading" and e.number)
    numbered: set[str] = set()

    def open_scene(e: Element, implicit: bool) -> SceneBreakdown:
        h = parse_heading(e.plain) if not implicit else None
        number = e.number if not implicit else None
        # what comes before the first heading (a title card) is scene 0: the first
        # heading stays s1, as the writer counts
        shift = 1 if scenes and scenes[0].implicit and headings else 0
        place = 0 if implicit and headings else len(scenes) + 1 - shift
        scene = SceneBreakdown(
            index=len(scenes) + 1, id=_scene_id(number, place, taken, numbered),
            heading=e.plain if not implicit else "", number=number,
            int_ext=h.int_ext if h else None, location=h.location if h else "",
            time=h.time if h else None, lines=(e.line, e.end_line), implicit=implicit)
        scenes.append(scene)
        return scene

    def read(e: Element, scene: SceneBreakdown) -> None:
        for s in sentences(e):
            found = matcher.find(s.text)
            ids = list(dict.fromkeys(cid for _, _, cid in found))
            scene.beats.append(Beat(line=s.line, end_line=s.end_line, text=s.text,
                                    who=ids, spans=s.spans))
            for start, _, cid in found:
                at = s.line_at(start)
                seen(cid, at, scene)
                in_action.setdefault(cid, at)

    def mark(text: str, line: int, scene: SceneBreakdown) -> bool:
        sh = read_shot_heading(text)
        if sh is None:
            return False
        who = list(dict.fromkeys(cid for _, _, cid in matcher.find(sh.subject.title())))
        scene.shots.append(ShotMark(line=line, text=text.strip(), kind=sh.kind, size=sh.size,
                                    angle=sh.angle, subject=sh.subject, who=who,
                                    moving=sh.moving))
        for cid in who:
            seen(cid, line, scene)
        return True

    current: SceneBreakdown | None = None
    parenthetical: str | None = None
    cue_exts: tuple[str, ...] = ()
    cue_line = 0
    for e in elements:
        if e.kind == "scene_heading" and read_shot_heading(e.plain) is not None:
            if current is None:
                current = open_scene(e, implicit=True)
            current.lines = (current.lines[0], max(current.lines[1], e.end_line))
            mark(e.plain, e.line, current)  # a shot in this scene, not a new place
            continue
        if e.kind == "scene_heading" or (current is None and e.scene is not None):
            implicit = e.kind != "scene_heading"
            current = open_scene(e, implicit)
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
            first = e.plain.split("\n")[0]
            if mark(first, e.line, current):
                rest = _without_first_line(e)
                if rest is not None:
                    read(rest, current)
            else:
                read(e, current)
        elif e.kind == "centered":
            current.titles.append(TitleCard(line=e.line, end_line=e.end_line, text=e.plain))
        elif e.kind == "character" and e.character:
            cid = cast.by_key[name_key(e.character)]
            seen(cid, e.line, current).dialogue_count += 1
            cues.add(cid)
            parenthetical, cue_exts, cue_line = None, e.extensions, e.line
        elif e.kind == "parenthetical":
            parenthetical = e.plain
        elif e.kind in ("dialogue", "lyrics") and e.character:
            cid = cast.by_key[name_key(e.character)]
            current.dialogue.append(Speech(
                line=e.line, end_line=e.end_line, cue_line=cue_line or e.line, who=cid,
                name=e.character,
                text=e.plain, parenthetical=parenthetical,
                extensions=list(cue_exts), dual=e.dual))
            parenthetical = None
        elif e.kind == "transition":
            current.transitions.append(Transition(line=e.line, text=e.plain))
    groups = {name_key(f) for f in cast.group_forms.values()}
    for ch in chars.values():
        person = cast.people[ch.id]
        ch.speaks = ch.id in cues
        ch.scenes.sort()
        ch.description = person.intro
        ch.description_line = person.intro_line or in_action.get(ch.id)
        keys = {name_key(ch.name)} | groups
        for form in ch.names:
            if name_key(form) not in keys:
                keys.add(name_key(form))
                ch.aliases.append(form)
    return Breakdown(
        script=str(script.path), lines=len(script.lines), title=script.title, scenes=scenes,
        characters=sorted(chars.values(), key=lambda c: c.first_line), notes=outside)


def breakdown(path: Path | str) -> Breakdown:
    """Break down the script of a production folder or a ``.fountain`` file, with the
    names and aliases its cast files already settle."""
    from .cast_files import read_cast_files
    from .source import resolve

    source = resolve(path)
    return breakdown_script(source.script(), known=read_cast_files(source).names)
