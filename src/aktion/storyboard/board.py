"""A scene's storyboard: each shot's layout frame, move, plan and lines, as PDF panels.

Layout frames are rendered first when the cache lacks them (they are the cheap
steps of a shot), so a board can be printed before anything else is rendered.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.production.board import Scene

from .captions import duration_text, script_lines, spec_line, transition_text
from .floor_plan import plan_view
from .move_arrow import describe_move, draw_move
from .outputs import shot_layout
from .pdf import Grid, Panel, write_storyboard

PANEL_WIDTH = 640  # pixels the frame is drawn at: arrows stay crisp on small formats


def _sized(frame: np.ndarray, width: int = PANEL_WIDTH) -> np.ndarray:
    h, w = frame.shape[:2]
    if w == width:
        return frame
    interp = cv2.INTER_AREA if w > width else cv2.INTER_CUBIC
    return cv2.resize(frame, (width, round(width * h / w)), interpolation=interp)


def scene_panels(graph: ShotGraph, store: Store, scene: Scene) -> list[Panel]:
    """One panel per shot of ``scene``, in board order; layouts must be in the store."""
    production = graph.production
    fps = production.settings.fps
    scratch = store.workdir()
    panels = []
    try:
        for shot in scene.shots:
            layout = shot_layout(graph, store, shot.id, scratch)
            arrow = describe_move(shot.move, layout.camera)
            panels.append(Panel(
                shot=shot.id,
                image=draw_move(_sized(layout.frame), arrow),
                specs=spec_line(shot, arrow.label),
                timing=f"{duration_text(shot.duration, fps)}  in: {transition_text(shot)}",
                plan=plan_view(shot, layout.camera, layout.key_frame),
                lines=script_lines(production.script, shot),
            ))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return panels


def write_scene_board(graph: ShotGraph, store: Store, scene: Scene, dest: Path,
                      grid: Grid | None = None) -> Path:
    """The scene's storyboard PDF at ``dest``."""
    s = graph.production.settings
    return write_storyboard(dest, scene_panels(graph, store, scene),
                            title=s.title or s.name, heading=scene.heading or scene.id, grid=grid)
