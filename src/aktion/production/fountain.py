"""A line-aware Fountain 1.1 reader: every element knows the script lines it came from.

screenplain parses Fountain well but keeps no line numbers, and tracing shots and
beats back to script lines is the point of Aktion; so the element pass is ours.
It follows the Fountain 1.1 rules and bends them only where real scripts are messy:
a scene heading may be followed directly by action, a transition may close an action
paragraph, and a cue-like line ending in ``:``, ``!`` or ``?`` is not a character cue.

Element kinds: ``scene_heading``, ``action``, ``character``, ``parenthetical``,
``dialogue``, ``lyrics``, ``transition``, ``centered``, ``page_break``, ``section``,
``synopsis``, ``note``. The boneyard (``/* */``) is dropped, but its lines still count.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

ElementKind = str

_HEADING = re.compile(r"^(?:INT\./EXT|INT/EXT|INT|EXT|EST|I/E)(?:\.|\s)", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9][A-Za-z0-9.\-]*)#\s*$")
_TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9 _\-]*):(.*)$")
_TITLE_KEYS = {
    "title", "credit", "author", "authors", "source", "draft date", "date", "contact",
    "copyright", "notes", "revision", "episode", "format",
}
_PAGE_BREAK = re.compile(r"^={3,}$")
# Transitions real scripts write without ``TO:`` or a ``>``: FADE OUT., FADE IN:, INTERCUT.
_BARE_TRANSITION = re.compile(
    r"^(?:FADE (?:IN|OUT|TO BLACK|TO WHITE)|(?:CUT|SMASH|SMASH CUT) TO BLACK|IRIS (?:IN|OUT)"
    r"|INTERCUT(?: WITH)?(?: [A-Z' ]+)?|END OF (?:FLASHBACK|DREAM|MONTAGE)|FREEZE FRAME)[.:]?$")
# A camera direction heads a shot inside a scene (ANGLE ON MARA, CLOSE ON: the key,
# KADE'S POV); a line that opens with one is never a character cue.
CAMERA_DIRECTION = re.compile(
    r"^(?:(?:EXTREME |VERY )?CLOSE(?:[ -]?UP)?(?: ON| SHOT)?|ECU|CU|ANGLE(?: ON)?"
    r"|(?:REVERSE|LOW|HIGH|DUTCH|WIDE|NEW|ANOTHER) ANGLE(?: ON)?|WIDE(?: SHOT)?(?: ON)?"
    r"|(?:MEDIUM|TWO|TRACKING|MOVING|OVERHEAD|AERIAL|ESTABLISHING|OVER THE SHOULDER) SHOT"
    r"(?: ON| OF)?|OVERHEAD|AERIAL(?: VIEW)?|BIRD'S[ -]EYE(?: VIEW)?|INSERT(?: SHOT)?"
    r"|BACK (?:TO|ON)|RESUME(?: SCENE)?|POV|P\.O\.V\.|ON)\b(?![.'])"
    r"|^[A-Z0-9'’\- ]+['’]S (?:POV|P\.O\.V\.)(?:\W|$)|^[A-Z0-9'’\- ]+ POV$")
_EMPHASIS = [
    re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*"),
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"),
    re.compile(r"_(?=\S)(.+?)(?<=\S)_"),
]
_CONTENT_KINDS = {"action", "character", "dialogue", "parenthetical", "lyrics", "centered"}


@dataclass
class Element:
    """One typed piece of the script, with the 1-based lines it spans."""

    kind: ElementKind
    text: str  # as written (emphasis markup kept); multi-line elements joined with "\n"
    line: int  # 1-based first line
    end_line: int  # 1-based last line
    character: str | None = None  # speaker for character/dialogue/parenthetical/lyrics
    scene: int | None = None  # 0-based index of the scene it belongs to
    plain: str = ""  # ``text`` without emphasis markup or escapes
    line_numbers: list[int] = field(default_factory=list)  # script line of each text line
    number: str | None = None  # scene number written as #12A#
    extensions: tuple[str, ...] = ()  # character extensions: ("V.O.", "CONT'D")
    dual: str | None = None  # "left" / "right" for both sides of dual dialogue
    depth: int = 0  # section depth: 1 for #, 2 for ##, ...
    indent: int = 0  # leading spaces of an action line (tabs count as four)
    forced: bool = False  # written with a forcing mark (. ! @ > ~)

    def line_of(self, text_line: int) -> int:
        """The script line of the ``text_line``-th (0-based) line of ``text``."""
        return self.line_numbers[text_line] if self.line_numbers else self.line


def strip_emphasis(text: str) -> str:
    """Fountain emphasis (``*italic*``, ``**bold**``, ``_underline_``) removed, escapes resolved."""
    out = text.replace("\\*", "\x00").replace("\\_", "\x01")
    for pattern in _EMPHASIS:
        out = pattern.sub(r"\1", out)
    return out.replace("\x00", "*").replace("\x01", "_")


@dataclass
class _Removed:
    """What the note/boneyard pass left of the text, and the notes it lifted out."""

    lines: list[str]
    gone: list[bool]  # the line held only notes or boneyard: skip it, it is not blank
    notes: list[Element]


def _remove_notes_and_boneyard(lines: list[str]) -> _Removed:
    joined = "\n".join(lines)
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)

    def line_at(offset: int) -> int:
        return bisect_right(starts, offset)  # 1-based

    cuts: list[tuple[int, int]] = []
    notes: list[Element] = []
    pos = 0
    while True:
        b, n = joined.find("/*", pos), joined.find("[[", pos)
        if b < 0 and n < 0:
            break
        if b >= 0 and (n < 0 or b < n):
            end = joined.find("*/", b + 2)
            if end < 0:  # an unclosed boneyard is text: hiding the rest would lose the script
                pos = b + 2
                continue
            cuts.append((b, end + 2))
            pos = end + 2
        else:
            end = joined.find("]]", n + 2)
            body = joined[n + 2 : end] if end >= 0 else ""
            if end < 0 or "\n\n" in body:  # notes may not cross an empty line
                pos = n + 2
                continue
            cuts.append((n, end + 2))
            first, last = line_at(n), line_at(end + 1)
            text = "\n".join(s.strip() for s in body.split("\n"))
            notes.append(Element("note", text, first, last, plain=text,
                                 line_numbers=list(range(first, last + 1))))
            pos = end + 2
    if not cuts:
        return _Removed(list(lines), [False] * len(lines), notes)
    pieces, prev = [], 0
    for a, z in cuts:
        pieces.append(joined[prev:a])
        pieces.append("\n" * joined.count("\n", a, z))
        prev = z
    pieces.append(joined[prev:])
    kept = "".join(pieces).split("\n")
    touched = set()
    for a, z in cuts:
        touched.update(range(line_at(a) - 1, line_at(max(a, z - 1))))
    gone = [i in touched and not kept[i].strip() for i in range(len(kept))]
    return _Removed(kept, gone, notes)


def _title_page(lines: list[str], gone: list[bool]) -> tuple[dict[str, str], int]:
    """The title page's keys and the index of the first line after it (0 if there is none)."""
    i = 0
    while i < len(lines) and (gone[i] or not lines[i].strip()):
        i += 1
    title: dict[str, str] = {}
    key: str | None = None
    known = False
    while i < len(lines) and (gone[i] or lines[i].strip()):
        raw = lines[i]
        if gone[i]:
            i += 1
            continue
        m = _TITLE_KEY.match(raw)
        if m and not raw[:1].isspace():
            key = m.group(1).strip()
            title[key] = m.group(2).strip()
            known = known or key.lower() in _TITLE_KEYS
        elif key is not None and raw.startswith(("   ", "\t")):
            value = raw.strip()
            title[key] = f"{title[key]}\n{value}" if title[key] else value
        else:
            return {}, 0
        i += 1
    return (title, i) if known else ({}, 0)


def _is_transition(s: str) -> bool:
    return s.isupper() and (s.endswith("TO:") or bool(_BARE_TRANSITION.match(s)))


def _cue(s: str) -> tuple[str, tuple[str, ...], bool] | None:
    """Name, extensions and dual caret of a character cue, or None if ``s`` is not one."""
    forced = s.startswith("@")
    body = s[1:].strip() if forced else s
    dual = body.endswith("^")
    if dual:
        body = body[:-1].rstrip()
    name, _, rest = body.partition("(")
    name = name.strip()
    exts = tuple(x.strip() for x in re.findall(r"\(([^)]*)\)", "(" + rest)) if rest else ()
    if not name:
        return None
    if not forced:
        if name != name.upper() or not any(c.isalpha() for c in name):
            return None
        if name[-1] in ":!?" or (rest and not body.endswith(")")):
            return None
        if CAMERA_DIRECTION.match(name):  # ANGLE ON MARA with her action right under it
            return None
    return name, exts, dual


class _Parser:
    """The element pass over the lines that notes and boneyard left."""

    def __init__(self, lines: list[str], gone: list[bool], start: int):
        self.lines = lines
        self.rows = [i for i in range(start, len(lines)) if not gone[i]]
        self.out: list[Element] = []
        self.state: str | None = None  # None (between paragraphs), "action", "dialogue"
        self.speaker: str | None = None
        self.open: Element | None = None  # the paragraph element lines are added to
        self.dual_side: str | None = None
        self.last_block: int | None = None  # index in out of the previous dialogue cue
        self.block_start: int | None = None  # index in out of the current dialogue cue
        self.partner: int | None = None  # the dialogue block just before this paragraph

    def emit(self, kind: str, text: str, line: int, **kw) -> Element:
        e = Element(kind, text, line, line, line_numbers=[line], **kw)
        self.out.append(e)
        return e

    def extend(self, text: str, line: int) -> None:
        assert self.open is not None
        self.open.text += "\n" + text
        self.open.end_line = line
        self.open.line_numbers.append(line)

    def close(self) -> None:
        """A blank line: the paragraph, and any dialogue block, ends."""
        if self.state == "dialogue":
            self.last_block = self.block_start
        elif self.state is not None:
            self.last_block = None
        self.state, self.speaker, self.open, self.dual_side = None, None, None, None

    def run(self) -> list[Element]:
        rows = self.rows
        for k, i in enumerate(rows):
            raw = self.lines[i]
            s = raw.strip()
            line = i + 1
            if not s:
                if raw == "  " and self.state is not None:
                    self.spacer(line)  # two spaces: an intended empty line inside
                else:
                    self.close()
                continue
            nxt = self.lines[rows[k + 1]] if k + 1 < len(rows) else ""
            if self.state == "dialogue":
                self.dialogue_line(s, line)
            elif self.state == "action":
                self.action_line(raw, s, line, nxt)
            else:
                self.paragraph_start(raw, s, line, nxt)
        self.close()
        return self.out

    def spacer(self, line: int) -> None:
        """An empty line kept inside dialogue or action; it ends a lyric."""
        if self.open is not None and self.open.kind in ("dialogue", "action"):
            self.extend("", line)
        else:
            self.open = None

    def dialogue_line(self, s: str, line: int) -> None:
        who, side = self.speaker, self.dual_side
        if s.startswith("(") and s.endswith(")"):
            self.emit("parenthetical", s, line, character=who, dual=side)
            self.open = None
        elif s.startswith("~"):
            text = s[1:].lstrip()
            if self.open is not None and self.open.kind == "lyrics":
                self.extend(text, line)
            else:
                self.open = self.emit("lyrics", text, line, character=who, dual=side, forced=True)
        elif self.open is not None and self.open.kind == "dialogue":
            self.extend(s, line)
        else:
            self.open = self.emit("dialogue", s, line, character=who, dual=side)

    def action_line(self, raw: str, s: str, line: int, nxt: str) -> None:
        if self.open is None:  # after a spacer that ended a lyric
            self.paragraph_start(raw, s, line, nxt)
        elif self.open.kind == "lyrics" or s.startswith("~"):
            if s.startswith("~") and self.open.kind == "lyrics":
                self.extend(s[1:].lstrip(), line)
            elif s.startswith("~"):
                self.open = self.emit("lyrics", s[1:].lstrip(), line, forced=True)
            else:
                self.start_action(self.action_text(raw)[0], line)
        elif _HEADING.match(s) and s.isupper():  # messy: a heading glued under action
            self.close()
            self.paragraph_start(raw, s, line, nxt)
        elif _is_transition(s) and not nxt.strip():
            self.close()
            self.emit("transition", s, line)
        else:
            text, forced = self.action_text(raw)
            self.extend(text, line)
            self.open.forced = self.open.forced or forced

    @staticmethod
    def action_text(raw: str) -> tuple[str, bool]:
        text = raw.expandtabs(4).rstrip()
        body = text.lstrip()
        if body.startswith("!"):
            return text[: len(text) - len(body)] + body[1:], True
        return text, False

    def paragraph_start(self, raw: str, s: str, line: int, nxt: str) -> None:
        self.close()
        self.partner, self.last_block = self.last_block, None
        if _PAGE_BREAK.match(s):
            self.emit("page_break", s, line)
        elif s.startswith("#"):
            depth = len(s) - len(s.lstrip("#"))
            self.emit("section", s[depth:].strip(), line, depth=depth)
        elif s.startswith("="):
            self.emit("synopsis", s[1:].strip(), line)
        elif s.startswith(">") and s.endswith("<") and len(s) > 1:
            self.emit("centered", s[1:-1].strip(), line, forced=True)
        elif s.startswith(">"):
            self.emit("transition", s[1:].strip(), line, forced=True)
        elif re.match(r"^\.[A-Za-z0-9]", s):
            self.heading(s[1:], line, forced=True)
        elif s.startswith("~"):
            self.state = "action"
            self.open = self.emit("lyrics", s[1:].lstrip(), line, forced=True)
        elif s.startswith("!"):
            text, _ = self.action_text(raw)
            self.start_action(text, line, forced=True)
        elif s.startswith("@") and (cue := _cue(s)):
            self.character(cue, line, forced=True)
        elif _HEADING.match(s) and (s.isupper() or not nxt.strip()):
            self.heading(s, line)
        elif _is_transition(s):
            self.emit("transition", s, line)
        elif nxt.strip() and not _HEADING.match(nxt.strip()) and (cue := _cue(s)):
            self.character(cue, line)
        else:
            text, _ = self.action_text(raw)
            self.start_action(text, line)

    def start_action(self, text: str, line: int, forced: bool = False) -> None:
        self.state = "action"
        indent = len(text) - len(text.lstrip(" "))
        self.open = self.emit("action", text, line, indent=indent, forced=forced)

    def heading(self, s: str, line: int, forced: bool = False) -> None:
        m = _SCENE_NUMBER.search(s)
        number = m.group(1) if m else None
        text = s[: m.start()].strip() if m else s.strip()
        self.emit("scene_heading", text, line, number=number, forced=forced)

    def character(self, cue: tuple[str, tuple[str, ...], bool], line: int, forced=False) -> None:
        name, exts, caret = cue
        side = None
        if caret and self.partner is not None:
            side = "right"
            for e in self.out[self.partner :]:
                e.dual = "left"
        self.block_start = len(self.out)
        self.emit("character", name, line, character=name, extensions=exts, dual=side,
                  forced=forced)
        self.state, self.speaker, self.dual_side, self.open = "dialogue", name, side, None


def _assign_scenes(elements: list[Element]) -> None:
    """Scene index per element; content before the first heading is an implicit scene."""
    scene: int | None = None
    for e in elements:
        if e.kind == "scene_heading":
            scene = 0 if scene is None else scene + 1
        elif scene is None and e.kind in _CONTENT_KINDS:
            scene = 0
        e.scene = scene


def parse_fountain(text: str) -> tuple[dict[str, str], list[Element]]:
    """The title page and the elements of a Fountain script, in script order.

    Lines are numbered as ``str.splitlines`` numbers them, so element lines index
    ``Script.lines`` directly.
    """
    lines = text.splitlines()
    removed = _remove_notes_and_boneyard(lines)
    title, start = _title_page(removed.lines, removed.gone)
    elements = _Parser(removed.lines, removed.gone, start).run()
    elements.extend(n for n in removed.notes if n.line > start)
    elements.sort(key=lambda e: e.line)  # stable: notes follow what shares their line
    _assign_scenes(elements)
    for e in elements:
        if not e.plain:
            e.plain = strip_emphasis(e.text)
    return title, elements
