"""End to end: ``aktion render --policy final`` with tiny diffusers models, on CPU.

The models are random-weight pipelines built from configs (pictures are noise);
what is checked is the pipeline: previz conditioning, keyframes, clips and the
cut all run through the real CLI and store, the plan says why, the report reads
the measures recorded, and changing a character re-renders only their shots.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.media.images import write_png_atomic
from aktion.media.video import iter_frames
from aktion.production.load import load_production
from conftest import BOARDS, VEX, write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from tiny_models import build_all

BACKENDS = """\
[diffusers.keyframe]
model = "{m}/sd"
controlnet = "{m}/controlnet"
ip_adapter = "{m}/ip"
steps = 1
size = 64

[diffusers.motion]
model = "{m}/wan-vace"
steps = 1
size = 32
max_frames = 13
"""
# kade only in shot 2, so relocking kade must touch shot 2 alone
SOLO_BOARDS = BOARDS.replace(
    "          - {who: vex, at: [-0.6, 0], facing: 0}\n"
    "          - {who: kade, at: [0.6, 0], facing: 180}\n",
    "          - {who: vex, at: [-0.6, 0], facing: 0}\n")


def test_final_render_plan_report_and_relock(tmp_path: Path) -> None:
    models = build_all(tmp_path / "models")
    root = write_production(tmp_path / "p", vex=VEX + "refs: [vex/front.png]\n",
                            boards=SOLO_BOARDS)
    write_png_atomic(root / "cast/vex/front.png", np.full((40, 40, 3), 120, np.uint8))
    (root / "backends.toml").write_text(BACKENDS.format(m=models))
    _register()
    cli = CliRunner()

    shown = cli.invoke(app, ["plan", str(root), "--policy", "final"])
    assert shown.exit_code == 0, shown.output
    assert "policy final: diffusers" in shown.output and "pose: choreographed" in shown.output

    done = cli.invoke(app, ["render", str(root), "--policy", "final"])
    assert done.exit_code == 0, done.output
    graph = plan(load_production(root), "final")
    kinds = {s.kind for s in graph}
    assert kinds == {"layout", "motion_control", "render", "control_maps", "keyframe", "motion",
                     "cut", "sheet"}
    cut = root / "out" / "roof.mp4"
    assert sum(1 for _ in iter_frames(cut)) == 24  # two 12-frame shots

    rows = json.loads(cli.invoke(app, ["report", str(root), "--policy", "final",
                                       "--json"]).output)
    assert [r["shot"] for r in rows] == ["1", "2"] and all(r["rendered"] for r in rows)
    assert all(r["flicker"] is not None and r["board_adherence"] is not None for r in rows)
    assert rows[0]["seam_to_next"] is not None and rows[1]["seam_to_next"] is None
    table = cli.invoke(app, ["report", str(root), "--policy", "final"])
    assert table.exit_code == 0 and "board adherence" in table.output

    kade = root / "cast/kade.yaml"
    kade.write_text(textwrap.dedent(kade.read_text()).replace("A heavy", "A huge"))
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    try:
        summary = run(graph, store)
    finally:
        store.close()
    ran = {o.step for o in summary.outcomes if o.status == "ran"}
    assert summary.ok
    assert ran == {f"{k}:2" for k in ("layout", "motion_control", "render", "control_maps",
                                      "keyframe", "motion")} | {"cut:roof", "sheet:roof"}
