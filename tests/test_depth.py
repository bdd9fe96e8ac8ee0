"""Depth rises as a production is developed: bare prompt, script, cast, boards, choreography."""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

from aktion.craft.assess import assess, write_report
from aktion.engine.graph import plan
from aktion.engine.store import Store
from aktion.production.load import load_production
from conftest import BOARDS, CHOREO, KADE, SCRIPT, TOML, VEX
from test_canvas import box_backend, render  # noqa: F401

PROMPT = "Title: Tiny Fight\n\nEXT. ROOF - NIGHT\n\nTwo fighters trade blows on a wet roof.\n"
BARE_BOARDS = """\
schema: Boards.1
scenes:
  - id: roof
    shots:
      - {id: "1", lines: [5, 5], duration: 12}
"""
SCRIPTED = BARE_BOARDS.replace("lines: [5, 5]", "lines: [4, 12]")
CAST = SCRIPTED.replace("duration: 12}", "duration: 12, frame: [vex, kade]}")
EMPTY_CHOREO = "schema: Choreo.1\nshots: {}\n"


def stage(root: Path, script: str, boards: str, choreo: str, cast: bool) -> Path:
    if root.exists():
        shutil.rmtree(root)
    files = {"aktion.toml": TOML, "script.fountain": script, "boards.yaml": boards,
             "choreo.yaml": choreo}
    if cast:
        files |= {"cast/vex.yaml": VEX, "cast/kade.yaml": KADE}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def depth_of(root: Path) -> float:
    store = Store.for_production(root)
    try:
        depth, _ = assess(plan(load_production(root)), store)
        return depth.score
    finally:
        store.close()


def test_depth_rises_step_by_step(tmp_path: Path, box_backend: None) -> None:  # noqa: F811
    root = tmp_path / "p"
    one_shot = BOARDS.split("      - id: \"2\"")[0]
    stages = [
        (PROMPT, BARE_BOARDS, EMPTY_CHOREO, False),  # a bare prompt
        (SCRIPT, SCRIPTED, EMPTY_CHOREO, False),  # a script with people and lines
        (SCRIPT, CAST, EMPTY_CHOREO, True),  # the cast locked and framed
        (SCRIPT, one_shot, EMPTY_CHOREO, True),  # boarded: size, lens, blocking
        (SCRIPT, one_shot, CHOREO.split('  "2":')[0], True),  # choreographed
    ]
    scores = [depth_of(stage(root, *s)) for s in stages]
    assert scores[0] == 0
    assert all(a < b for a, b in pairwise(scores)), scores


def test_report_has_storyboard_frames(tiny: Path, box_backend: None) -> None:  # noqa: F811
    _, summary = render(tiny)
    assert summary.ok
    store = Store.for_production(tiny)
    try:
        depth, dest = write_report(plan(load_production(tiny)), store)
    finally:
        store.close()
    text = dest.read_text()
    assert dest == tiny / "out" / "depth.html"
    assert text.count("data:image/png;base64,") == 2
    assert f"depth {depth.score:.0f}/100" in text
    assert all(s.score > 0 for s in depth.shots)
