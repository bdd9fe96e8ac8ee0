"""Action paragraphs into sentence-level beats, each knowing the script line it is on.

Fountain takes every line break as intent, so a line that ends a sentence ends a
beat; a line that stops mid-sentence (a hard wrap) runs on into the next line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

from aktion.production.fountain import Element, strip_emphasis

_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_ENDS = (".", "!", "?", "…", '"', "'", "”", "’", ")", "--", "—", ":")
_LAST_WORD = re.compile(r"([A-Za-z]+)\W*$")
_WORD_REACH = 64  # characters looked back for the word before a full stop ("Mr.")
_ABBREV = {"mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "lt", "sgt", "capt", "no", "mt"}


@dataclass
class Sentence:
    text: str
    line: int  # line of its first character
    end_line: int  # line of its last character
    spans: list[tuple[int, int]]  # (offset in text, script line) where each line's part starts

    def line_at(self, offset: int) -> int:
        """The script line holding the character at ``offset`` of ``text``."""
        starts = [a for a, _ in self.spans]
        return self.spans[max(0, bisect_right(starts, offset) - 1)][1]


def _units(element: Element) -> list[list[tuple[int, str]]]:
    """Runs of (line, text) that read as one passage: hard-wrapped lines are joined."""
    units: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for k, raw in enumerate(element.text.split("\n")):
        text = strip_emphasis(raw).strip()
        if not text:
            if current:
                units.append(current)
            current = []
            continue
        current.append((element.line_of(k), text))
        if text.endswith(_ENDS):
            units.append(current)
            current = []
    if current:
        units.append(current)
    return units


def _cuts(text: str) -> list[int]:
    cuts = []
    for m in _BOUNDARY.finditer(text):
        word = _LAST_WORD.search(text, max(0, m.start() - _WORD_REACH), m.start())
        if word and (word.group(1).lower() in _ABBREV or len(word.group(1)) == 1 and
                     word.group(1).isupper()):
            continue  # "Mr. Kade", "J. Vex"
        cuts.append(m.end())
    return cuts


def sentences(element: Element) -> list[Sentence]:
    """The sentences of an action element, in order, with their script lines."""
    out: list[Sentence] = []
    for unit in _units(element):
        text, spans = "", []
        for line, part in unit:
            if text:
                text += " "
            spans.append((len(text), line))
            text += part
        bounds = [0, *_cuts(text), len(text)]
        starts = [off for off, _ in spans]
        for a, z in pairwise(bounds):
            piece = text[a:z].strip()
            if not piece:
                continue
            start = a + (len(text[a:z]) - len(text[a:z].lstrip()))
            k = bisect_right(starts, start)  # spans are searched, never scanned: linear overall
            first = spans[max(0, k - 1)][1]
            own = []
            while k < len(spans) and starts[k] < start + len(piece):
                own.append((starts[k] - start, spans[k][1]))
                k += 1
            sent = Sentence(piece, first, first, [(0, first), *own])
            sent.end_line = sent.line_at(len(piece) - 1)
            out.append(sent)
    return out
