"""The storyboard PDF: panels in a grid on landscape pages, a header and page numbers.

Each panel is the previz frame (move arrow drawn on it), the shot id and
framing, the mini floor plan, duration and transition, then the script lines
the shot covers. Text stays text (not pixels), so it can be searched and read
back.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from .captions import ScriptLine
from .floor_plan import PlanView

PAGE = landscape(A4)
MARGIN, GAP, HEADER, FOOTER = 24.0, 12.0, 30.0, 18.0
FONT, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"


@dataclass
class Panel:
    shot: str
    image: np.ndarray  # RGB, the move arrow already drawn
    specs: str  # size, angle, lens, move
    timing: str  # duration and transition
    plan: PlanView
    lines: list[ScriptLine] = field(default_factory=list)


@dataclass(frozen=True)
class Grid:
    columns: int = 3
    rows: int = 2

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


def pages_needed(panels: int, grid: Grid) -> int:
    return max(1, math.ceil(panels / grid.per_page))


def _draw_plan(c: Canvas, view: PlanView, x: float, y: float, size: float) -> None:
    """The plan in a square whose lower-left corner is (x, y); unit y runs down the page."""

    def at(p: tuple[float, float]) -> tuple[float, float]:
        return x + p[0] * size, y + (1 - p[1]) * size

    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setLineWidth(0.5)
    c.rect(x, y, size, size)
    c.saveState()
    p = c.beginPath()
    p.rect(x, y, size, size)
    c.clipPath(p, stroke=0)
    if view.line is not None:
        c.setDash(2, 2)
        c.setStrokeColorRGB(0.8, 0.2, 0.2)
        (x1, y1), (x2, y2) = at(view.line[0]), at(view.line[1])
        c.line(x1, y1, x2, y2)
        c.setDash()
    arrow = size * 0.14
    for m in view.marks:
        mx, my = at(m.at)
        c.setFillColorRGB(0.15, 0.15, 0.15)
        c.setStrokeColorRGB(0.15, 0.15, 0.15)
        c.circle(mx, my, size * 0.04, fill=1, stroke=0)
        c.setLineWidth(1)
        c.line(mx, my, mx + m.facing[0] * arrow, my - m.facing[1] * arrow)
        c.setFont(FONT, 5)
        name = m.who.upper()[:8]
        if m.at[0] > 0.6:  # near the right edge: label to the left of the mark
            c.drawRightString(mx - 2, my + size * 0.05, name)
        else:
            c.drawString(mx + 2, my + size * 0.05, name)
    if view.camera is not None:
        cx, cy = at(view.camera)
        c.setFillColorRGB(0.1, 0.35, 0.8)
        c.rect(cx - 2.5, cy - 2.5, 5, 5, fill=1, stroke=0)
        if view.camera_facing is not None:
            c.setStrokeColorRGB(0.1, 0.35, 0.8)
            fx, fy = view.camera_facing
            c.line(cx, cy, cx + fx * arrow, cy - fy * arrow)
    c.restoreState()


def _draw_panel(c: Canvas, panel: Panel, x: float, top: float, w: float, h: float) -> None:
    ih, iw = panel.image.shape[:2]
    img_h = min(w * ih / iw, h * 0.58)
    img_w = img_h * iw / ih
    c.drawImage(ImageReader(Image.fromarray(panel.image)), x, top - img_h, img_w, img_h)
    c.setStrokeColorRGB(0.2, 0.2, 0.2)
    c.setLineWidth(0.6)
    c.rect(x, top - img_h, img_w, img_h)
    plan = min(h - img_h - 6, w * 0.3, 64.0)
    text_w = w - plan - 6
    y = top - img_h - 12
    c.setFillColorRGB(0, 0, 0)
    c.setFont(BOLD, 10)
    c.drawString(x, y, panel.shot)
    c.setFont(FONT, 7.5)
    c.drawString(x + c.stringWidth(panel.shot, BOLD, 10) + 6, y, panel.specs)
    y -= 10
    c.setFillColorRGB(0.3, 0.3, 0.3)
    c.drawString(x, y, panel.timing)
    _draw_plan(c, panel.plan, x + w - plan, top - img_h - 4 - plan, plan)
    bottom = top - h
    size, lead = 6.8, 8.0
    for line in panel.lines:
        font = FONT if line.kind == "dialogue" else ITALIC
        grey = 0.0 if line.kind == "dialogue" else 0.25
        c.setFillColorRGB(grey, grey, grey)
        for part in simpleSplit(str(line), font, size, text_w):
            y -= lead
            if y < bottom + 2:
                return
            c.setFont(font, size)
            c.drawString(x, y, part)


def write_storyboard(path: Path, panels: list[Panel], *, title: str, heading: str,
                     grid: Grid | None = None) -> Path:
    """Write the storyboard PDF atomically; one panel per shot, ``grid`` panels a page."""
    grid = grid or Grid()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    width, height = PAGE
    c = Canvas(str(tmp), pagesize=PAGE, pageCompression=1)
    c.setTitle(f"{title} - {heading}" if heading else title)
    c.setCreator("Aktion")
    cell_w = (width - 2 * MARGIN - (grid.columns - 1) * GAP) / grid.columns
    cell_h = (height - 2 * MARGIN - HEADER - FOOTER - (grid.rows - 1) * GAP) / grid.rows
    total = pages_needed(len(panels), grid)
    for page in range(total):
        c.setFont(BOLD, 13)
        c.drawString(MARGIN, height - MARGIN - 12, title)
        c.setFont(FONT, 10)
        c.drawRightString(width - MARGIN, height - MARGIN - 12, heading)
        c.setFont(FONT, 8)
        c.drawCentredString(width / 2, MARGIN, f"Page {page + 1} of {total}")
        chunk = panels[page * grid.per_page:(page + 1) * grid.per_page]
        for i, panel in enumerate(chunk):
            r, col = divmod(i, grid.columns)
            x = MARGIN + col * (cell_w + GAP)
            top = height - MARGIN - HEADER - r * (cell_h + GAP)
            _draw_panel(c, panel, x, top, cell_w, cell_h)
        c.showPage()
    c.save()
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path
