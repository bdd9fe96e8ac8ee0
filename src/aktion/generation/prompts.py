"""Prompts from the director's decisions: script lines, locked cast, and the board.

A prompt is derived, never written by hand, so it changes exactly when its
sources change (and so does the step's content key). It reads, in order:

1. subject: who is in the shot, each character's name, who they are, then their
   look and wardrobe, clause by clause;
2. action: the action lines of the shot's script slice (dialogue is left out);
3. framing: shot size, angle and lens;
4. look: the style of the picture.

Text encoders read a fixed number of tokens (CLIP: 77) and drop the rest, so a
model with a short encoder gets the *budgeted* form, counted with the pipeline's
own tokenizer: first the cast descriptions shrink to their essentials (name, who
they are, first look and wardrobe clause), then the action loses words from its
end, then the look goes, then the cast shrinks clause by clause to their names.
Nothing is ever cut mid-word. Encoders that take long text (T5, UMT5) get the
long form, budgeted only against their own, larger limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SIZES = {"EWS": "extreme wide shot", "WS": "wide shot", "FS": "full shot",
         "MS": "medium shot", "MCU": "medium close-up", "CU": "close-up",
         "ECU": "extreme close-up", "INSERT": "insert shot"}
NEGATIVE = "blurry, deformed hands, extra limbs, text, watermark, low quality"
ANGLES = {"eye": "eye-level", "high": "high angle", "low": "low angle",
          "overhead": "overhead shot", "dutch": "dutch angle"}
STYLE = "cinematic action film still"
ESSENTIALS = 3  # clauses a character keeps until the action has been shortened too

Counter = Callable[[str], int]
"""count(text): the number of tokens a text encoder reads for ``text``."""

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CLAUSE = re.compile(r"[,;]\s+|(?<=[a-z)])\.\s+")
_TOKEN = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate for callers without the model's tokenizer.

    Words and punctuation marks, plus the start and end tokens: about what CLIP's
    BPE makes of plain English (rare words split further, so it errs short)."""
    return len(_TOKEN.findall(text)) + 2


def _plain(text: str) -> str:
    return " ".join(str(text or "").split())


def _lower_first(text: str) -> str:
    """"A wiry courier" -> "a wiry courier" inside a phrase; "VEX" and "I" stay as written."""
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first != "I" and (len(first) == 1 or first[1:].islower()):
        return text[0].lower() + text[1:]
    return text


def _clauses(text: str) -> list[str]:
    parts = _CLAUSE.split(_plain(text).rstrip(".;, "))
    return [_lower_first(p.strip().rstrip(".")) for p in parts if p.strip(" .")]


def _interleave(a: list[str], b: list[str]) -> list[str]:
    out: list[str] = []
    for i in range(max(len(a), len(b))):
        out += a[i:i + 1] + b[i:i + 1]
    return out


@dataclass
class Portrait:
    """A character in words: name, then clauses from most to least essential."""

    name: str
    clauses: list[str]
    keep: int = 0

    @classmethod
    def of(cls, char: dict[str, Any]) -> Portrait:
        sentences = [s for s in _SENTENCE.split(_plain(char.get("description", ""))) if s]
        who = [_lower_first(sentences[0].rstrip(". "))] if sentences else []
        looks = _interleave(_clauses(char.get("look", "")), _clauses(char.get("wardrobe", "")))
        manner = [_lower_first(s.rstrip(". ")) for s in sentences[1:]]  # how they behave: long form only
        clauses = who + looks + manner
        name = str(char.get("name") or char.get("id", "")).strip()
        return cls(name, clauses, len(clauses))

    def text(self) -> str:
        return ", ".join([self.name, *self.clauses[:self.keep]]) if self.name else ""


def character_phrase(char: dict[str, Any]) -> str:
    """A character's whole description as one phrase (name first)."""
    return Portrait.of(char).text()


def action_text(script: dict[str, Any]) -> str:
    """The action lines of a script slice: what is seen, not what is said."""
    from aktion.production.fountain import parse_fountain

    text = str(script.get("text", ""))
    if not text.strip():
        return ""
    _, elements = parse_fountain(text)
    return _plain(" ".join(e.plain or e.text for e in elements if e.kind == "action"))


def framing(shot: dict[str, Any]) -> str:
    angle = ANGLES.get(shot.get("angle", "eye"), f"{shot.get('angle')} angle")
    return f"{SIZES.get(shot.get('size', 'MS'), 'shot')}, {angle}, {int(shot.get('lens', 35))}mm lens"


@dataclass
class ShotWords:
    """The four parts of a shot's prompt, each shortened in place to fit a budget."""

    cast: list[Portrait]
    action: list[str]  # words
    framing: str
    look: str = STYLE

    @classmethod
    def of(cls, request: dict[str, Any]) -> ShotWords:
        cast = [Portrait.of(c) for c in request.get("cast", {}).values()]
        action = action_text(request.get("script", {})).split()
        return cls(cast, action, framing(request.get("shot", {})))

    def text(self, action_words: int | None = None) -> str:
        subject = ". ".join(t for t in (p.text() for p in self.cast) if t)
        action = " ".join(self.action[:action_words]).rstrip(",;:-")
        parts = [subject, action, self.framing, self.look]
        return ". ".join(p.strip().rstrip(".") for p in parts if p.strip())

    def shorten_cast(self, floor: int) -> bool:
        """Drop a clause of the character with the most left (the longest of those), so
        every character keeps about as much, down to ``floor`` clauses."""
        above = [p for p in self.cast if p.keep > floor]
        if not above:
            return False
        max(above, key=lambda p: (p.keep, len(p.text()), -self.cast.index(p))).keep -= 1
        return True

    def shorten_action(self, fits: Callable[[str], bool]) -> None:
        """Keep the most words of the action (from its start) that still fit."""
        lo, hi = 0, len(self.action)  # fits(lo) is assumed; find the largest that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(self.text(mid)):
                lo = mid
            else:
                hi = mid - 1
        self.action = self.action[:lo]


def shot_prompt(request: dict[str, Any], budget: int | None = None,
                count: Counter | None = None) -> str:
    """One prompt for a shot's keyframe and clip: subject, action, framing, look.

    Without ``budget`` the long form; with it, the form that ``count`` (the pipeline's
    tokenizer, else ``estimate_tokens``) says fits in ``budget`` tokens."""
    words = ShotWords.of(request)
    if budget is None:
        return words.text()
    count = count or estimate_tokens

    def fits(text: str | None = None) -> bool:
        return count(words.text() if text is None else text) <= budget

    while not fits() and words.shorten_cast(ESSENTIALS):
        pass
    if not fits():
        words.shorten_action(fits)
    if not fits():
        words.look = ""
    while not fits() and words.shorten_cast(0):
        pass
    text = words.text()
    while not fits(text) and " " in text:  # the framing alone is over: whole words go
        text = text.rsplit(" ", 1)[0].rstrip(",.;:")
    return text
