"""Script export to PDF and Final Draft (FDX) through screenplain's own exporters.

screenplain is stricter than real scripts: a scene heading followed directly by
action reads as a character cue with dialogue, and a dual-dialogue caret with no
partner stays in the character name. Our line-aware reading of the script knows
better, so the text is tidied with it first (a blank line after each heading, a
lone caret dropped); nothing else changes.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Literal

from screenplain.export.fdx import to_fdx
from screenplain.export.pdf import to_pdf
from screenplain.parsers import fountain

from aktion.production.script import Script

Format = Literal["pdf", "fdx"]
FORMATS: tuple[str, ...] = ("pdf", "fdx")


def screenplain_lines(script: Script) -> list[str]:
    """The script's lines, tidied where screenplain would misread them."""
    lines = list(script.lines)
    lone_carets = {e.line - 1 for e in script.elements
                   if e.kind == "character" and e.dual is None}
    for i in lone_carets:
        if 0 <= i < len(lines) and lines[i].rstrip().endswith("^"):
            lines[i] = lines[i].rstrip()[:-1].rstrip()
    headings = sorted({e.end_line for e in script.elements if e.kind == "scene_heading"},
                      reverse=True)
    for end in headings:  # from the bottom, so earlier indices hold
        if end < len(lines) and lines[end].strip():
            lines.insert(end, "")
    return lines


def export_script(script: Script, fmt: Format, dest: Path) -> Path:
    """Write ``dest`` as PDF or FDX; atomic (a temp file renamed into place)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    screenplay = fountain.parse_lines(screenplain_lines(script))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    if fmt == "fdx":
        out = io.StringIO()
        to_fdx(screenplay, out)
        tmp.write_text(out.getvalue(), encoding="utf-8")
    else:
        to_pdf(screenplay, str(tmp))
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, dest)
    return dest
