"""The storyboard PDF: rendered to PNG pages and read back as text.

A seven-shot production (one shot per camera move) prints on two pages of six
panels; every panel shows a frame, and the captions (ids, sizes, moves,
dialogue) are text in the PDF.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from reportlab.lib.pagesizes import A4, landscape
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.media.images import read_array
from aktion.storyboard import pdf as pdf_mod
from conftest import write_production

_register()
runner = CliRunner()
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) not installed; .ci/run installs it",
)

MOVES = [("static", "WS"), ("dolly", "MS"), ("pan", "FS"), ("crane", "WS"),
         ("orbit", "MS"), ("truck", "MCU"), ("tilt", "CU")]


def seven_shots() -> str:
    shots = []
    for i, (move, size) in enumerate(MOVES, start=1):
        lines = "[8, 9]" if i == 2 else "[6, 6]"
        shots.append(f"""\
      - id: "s{i}"
        lines: {lines}
        size: {size}
        move: {move}
        duration: 6
        blocking:
          - {{who: vex, at: [-0.6, 0], facing: 0}}
          - {{who: kade, at: [0.6, 0], facing: 180}}
""")
    return ("schema: Boards.1\nscenes:\n  - id: roof\n    heading: EXT. ROOF - NIGHT\n"
            "    shots:\n" + "".join(shots))


@pytest.fixture
def seven(tmp_path: Path) -> Path:
    return write_production(tmp_path / "seven", boards=seven_shots(), choreo="schema: Choreo.1\n")


def panel_boxes(page_px: tuple[int, int], count: int) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (x0, y0, x1, y1) of the frame area of each panel on a page."""
    width, height = landscape(A4)
    sx, sy = page_px[1] / width, page_px[0] / height
    grid = pdf_mod.Grid()
    cell_w = (width - 2 * pdf_mod.MARGIN - (grid.columns - 1) * pdf_mod.GAP) / grid.columns
    cell_h = (height - 2 * pdf_mod.MARGIN - pdf_mod.HEADER - pdf_mod.FOOTER
              - (grid.rows - 1) * pdf_mod.GAP) / grid.rows
    boxes = []
    for i in range(count):
        r, c = divmod(i, grid.columns)
        x = pdf_mod.MARGIN + c * (cell_w + pdf_mod.GAP)
        top = pdf_mod.MARGIN + pdf_mod.HEADER + r * (cell_h + pdf_mod.GAP)
        img_h = min(cell_w * 96 / 160, cell_h * 0.58)
        boxes.append((int(x * sx) + 2, int(top * sy) + 2, int((x + img_h * 160 / 96) * sx) - 2,
                      int((top + img_h) * sy) - 2))
    return boxes


@needs_poppler
def test_board_pdf_one_panel_per_shot_with_captions(seven: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["board", str(seven)])
    assert result.exit_code == 0, result.output
    pdf = seven / "out" / "roof-storyboard.pdf"
    assert pdf.is_file()

    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(pages_dir / "p")], check=True)
    pages = sorted(pages_dir.glob("p-*.png"))
    assert len(pages) == math.ceil(len(MOVES) / pdf_mod.Grid().per_page) == 2

    remaining = len(MOVES)
    for page in pages:
        image = read_array(page).astype(np.float64)
        n = min(remaining, pdf_mod.Grid().per_page)
        boxes = panel_boxes(image.shape[:2], pdf_mod.Grid().per_page)
        for x0, y0, x1, y1 in boxes[:n]:  # a frame: varied, not white paper
            area = image[y0:y1, x0:x1]
            assert area.std() > 10 and area.mean() < 200, (page.name, (x0, y0))
        for x0, y0, x1, y1 in boxes[n:]:  # the unused cells stay blank
            assert image[y0:y1, x0:x1].std() < 1
        remaining -= n

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Tiny Fight" in text and "EXT. ROOF - NIGHT" in text
    assert "Page 1 of 2" in text and "Page 2 of 2" in text
    for i, (move, size) in enumerate(MOVES, start=1):
        assert f"s{i}" in text and size in text and move in text
    assert "VEX: You're late." in text  # the dialogue of shot s2
    assert "Rain. VEX faces KADE across the gravel." in text
    assert "0.25s (6 fr)" in text and "in: cut" in text
    assert "dolly in" in text  # the direction read from the camera path


def test_board_reuses_cached_layouts(tiny: Path) -> None:
    first = runner.invoke(app, ["board", str(tiny)])
    assert first.exit_code == 0, first.output
    from aktion.engine.graph import plan
    from aktion.engine.store import Store
    from aktion.production.load import load_production
    from aktion.storyboard.outputs import render_layouts

    graph = plan(load_production(tiny))
    store = Store.for_production(tiny)
    try:
        summary = render_layouts(graph, store)
    finally:
        store.close()
    assert summary.count("cached") == 4 and summary.count("ran") == 0
    assert {o.step.split(":")[0] for o in summary.outcomes} == {"layout", "motion_control"}
