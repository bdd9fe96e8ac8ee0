"""What a panel says in words: the shot's specs and the script lines it shows.

Shared by the storyboard PDF, the contact sheet and the animatic, so the three
describe a shot the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from aktion.production.board import Shot
from aktion.production.script import Script

SCRIPT_KINDS = {"action", "dialogue", "parenthetical", "lyrics", "centered", "transition"}


@dataclass(frozen=True)
class ScriptLine:
    kind: str  # action, dialogue, parenthetical, ...
    text: str
    who: str | None = None

    def __str__(self) -> str:
        return f"{self.who}: {self.text}" if self.who and self.kind == "dialogue" else self.text


def script_lines(script: Script, shot: Shot) -> list[ScriptLine]:
    """The shot's slice of the script, element by element, emphasis markup removed."""
    first, last = shot.lines
    out = []
    for e in script.within(first, last):
        if e.kind not in SCRIPT_KINDS:
            continue
        text = " ".join((e.plain or e.text).split())
        if text:
            out.append(ScriptLine(e.kind, text, e.character))
    return out


def duration_text(frames: int, fps: int) -> str:
    return f"{frames / fps:.2f}s ({frames} fr)".replace(".00s", "s")


def transition_text(shot: Shot) -> str:
    t = shot.transition
    return t.type if t.type == "cut" else f"{t.type} {t.duration} fr"


def spec_line(shot: Shot, move_label: str | None = None) -> str:
    """``MS  eye  35mm  dolly in``: the framing at a glance."""
    return f"{shot.size}  {shot.angle}  {shot.lens:g}mm  {move_label or shot.move.type}"


def first_line(lines: list[ScriptLine]) -> str:
    """The line an animatic caption shows: the first dialogue, else the first action."""
    for kind in ("dialogue", "action"):
        for line in lines:
            if line.kind == kind:
                return str(line)
    return ""
