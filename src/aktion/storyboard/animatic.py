"""The animatic: the scene's cut with a caption per shot burned in.

Each frame of the cut is captioned with the shot it belongs to: the shot id,
size and move, and the shot's first dialogue (else action) line. Shot spans
come from the cut step's own shot list (order, lengths after canvas edits,
transitions), so captions follow the cut even when dissolves overlap shots.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from aktion.canvas.audio import mix
from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.media.atomic import atomic_path
from aktion.media.transitions import TransitionSpec
from aktion.media.video import VideoWriter, iter_frames, probe
from aktion.production.board import Scene

from .captions import first_line, script_lines
from .outputs import cut_step, cut_video

FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class Span:
    shot: str
    start: int  # first frame of the cut showing the shot
    end: int  # frame after its last


def cut_spans(shots: list[dict]) -> list[Span]:
    """Where each shot sits in the cut: a dissolve into a shot pulls it earlier."""
    spans: list[Span] = []
    t = 0
    for i, entry in enumerate(shots):
        trans = entry.get("transition") or {}
        if i > 0 and trans.get("type", "cut") != "cut":
            t -= TransitionSpec(trans["type"], int(trans.get("duration", 0))).overlap
        spans.append(Span(entry["id"], t, t + int(entry["duration"])))
        t += int(entry["duration"])
    return spans


def caption_at(spans: list[Span], frame: int) -> str | None:
    """The shot on screen at ``frame``: the incoming one once a dissolve starts."""
    current = None
    for span in spans:
        if span.start <= frame < span.end:
            current = span.shot
    return current


def burn_caption(image: np.ndarray, top: str, bottom: str) -> np.ndarray:
    """Two caption lines on a dark band at the foot of the frame (RGB, in place)."""
    h, w = image.shape[:2]
    scale = max(0.28, h / 900)
    thick = 1 if h < 600 else 2
    line_h = int(28 * scale) + 4
    band = 2 * line_h + 4
    image[h - band:] = (image[h - band:] * 0.35).astype(np.uint8)
    for i, text in enumerate((top, bottom)):
        if not text:
            continue
        (tw, _), _ = cv2.getTextSize(text, FONT, scale, thick)
        while tw > w - 8 and len(text) > 4:
            text = text[: max(4, int(len(text) * (w - 8) / tw) - 2)] + ".."
            (tw, _), _ = cv2.getTextSize(text, FONT, scale, thick)
        y = h - band + (i + 1) * line_h
        cv2.putText(image, text, (4, y), FONT, scale, (240, 240, 240), thick, cv2.LINE_AA)
    return image


def has_audio(video: Path) -> bool:
    with av.open(str(video)) as c:
        return bool(c.streams.audio)


def write_animatic(graph: ShotGraph, store: Store, scene: Scene, dest: Path) -> Path:
    """Caption the scene's cut into ``dest`` (H.264); raises NotRendered without a cut."""
    production = graph.production
    shots = {s.id: s for s in scene.shots}
    spans = cut_spans(cut_step(graph, scene.id).request.params["shots"])
    captions = {}
    for span in spans:
        shot = shots[span.shot]
        captions[span.shot] = (f"{shot.id}  {shot.size}  {shot.move.type}",
                               first_line(script_lines(production.script, shot)))
    scratch = store.workdir()
    try:
        video = cut_video(graph, store, scene.id, scratch)
        info = probe(video)
        dest.parent.mkdir(parents=True, exist_ok=True)
        silent = scratch / "animatic.mp4"
        with VideoWriter(silent, info.width, info.height, info.fps) as writer:
            for i, frame in enumerate(iter_frames(video)):
                shot = caption_at(spans, i)
                top, bottom = captions.get(shot, ("", "")) if shot else ("", "")
                writer.write(burn_caption(frame.copy(), top, bottom))
        if has_audio(video):  # the cut's sound plays under the captions
            mix(silent, video, dest)
        else:
            with atomic_path(dest) as tmp:
                shutil.copyfile(silent, tmp)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return dest
