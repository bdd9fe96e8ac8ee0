"""Burn-ins: shot id, timecode and the dialogue line being spoken, drawn on the frame.

Previz is watched in review, so every frame says which shot it is, when, and
what is being said; the dialogue of the shot's script slice is spread over the
shot in proportion to each line's length.
"""

from __future__ import annotations

import cv2
import numpy as np

from aktion.production.timing import timecode

from .dialogue_slots import Line

FONT = cv2.FONT_HERSHEY_DUPLEX


def _wrap(text: str, scale: float, width: int) -> list[str]:
    words, rows, row = text.split(), [], ""
    for w in words:
        trial = f"{row} {w}".strip()
        if row and cv2.getTextSize(trial, FONT, scale, 1)[0][0] > width:
            rows.append(row)
            row = w
        else:
            row = trial
    if row:
        rows.append(row)
    return rows


def draw_title_card(img: np.ndarray, text: str) -> None:
    """A title card: the text centred, white on black, over the whole frame."""
    height, width = img.shape[:2]
    img[:] = 0
    scale = max(0.5, height / 720 * 1.1)
    thick = max(1, round(height / 720 * 2))
    rows = [r for part in text.split("\n") for r in _wrap(part, scale, int(width * 0.8))]
    (_, th), _ = cv2.getTextSize("0", FONT, scale, thick)
    step = int(th * 1.9)
    y = (height - step * (len(rows) - 1)) // 2 + th // 2
    for row in rows:
        (rw, _), _ = cv2.getTextSize(row, FONT, scale, thick)
        cv2.putText(img, row, ((width - rw) // 2, y), FONT, scale, (235, 235, 235), thick,
                    cv2.LINE_AA)
        y += step


class Burnin:
    """Draws the burn-ins of one shot; a shot with a ``title`` is drawn as its card first.
    ``overlays=False`` draws the card alone (a layout frame has no burn-ins)."""

    def __init__(self, shot_id: str, fps: int, width: int, height: int, lines: list[Line],
                 start_frame: int = 0, title: str | None = None,
                 overlays: bool = True):  # fmt: skip
        self.title = title
        self.overlays = overlays
        self.shot_id = shot_id
        self.fps = fps
        self.width = width
        self.height = height
        self.start_frame = start_frame
        self.scale = max(0.35, height / 720 * 0.6)
        self.thick = max(1, round(height / 720))
        self.pad = max(4, round(height / 720 * 10))
        self._lines = lines
        self._wrapped = {ln.text: _wrap(ln.text, self.scale, int(width * 0.8)) for ln in lines}

    def _text(self, img: np.ndarray, text: str, org: tuple[int, int]) -> None:
        shadow = (org[0] + self.thick, org[1] + self.thick)
        cv2.putText(img, text, shadow, FONT, self.scale, (0, 0, 0), self.thick, cv2.LINE_AA)
        cv2.putText(img, text, org, FONT, self.scale, (240, 240, 240), self.thick, cv2.LINE_AA)

    def draw(self, img: np.ndarray, frame: int) -> None:
        if self.title:
            draw_title_card(img, self.title)
        if not self.overlays:
            return
        (_, th), _ = cv2.getTextSize("0", FONT, self.scale, self.thick)
        top = self.pad + th
        self._text(img, self.shot_id, (self.pad, top))
        tc = timecode(self.start_frame + frame, self.fps)
        (tw, _), _ = cv2.getTextSize(tc, FONT, self.scale, self.thick)
        self._text(img, tc, (self.width - self.pad - tw, top))
        line = next((ln for ln in self._lines if ln.start <= frame < ln.end), None)
        if line is None:
            return
        rows = self._wrapped[line.text]
        step = int(th * 1.7)
        y = self.height - self.pad - step * (len(rows) - 1)
        y0 = max(0, y - th - self.pad // 2)
        region = img[y0 : self.height - self.pad // 2 + 1]
        np.right_shift(region, 1, out=region)  # a dark band keeps text readable
        for row in rows:
            (rw, _), _ = cv2.getTextSize(row, FONT, self.scale, self.thick)
            self._text(img, row, ((self.width - rw) // 2, y))
            y += step
