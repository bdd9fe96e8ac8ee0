"""Depth and the report measure the output: generated shots that keep their boards and
choreography score higher than shots that do not.

The generative step is played by a backend that returns the previz conditioning it is
given, re-lit (a keyframe that keeps the board; a clip that is the skeleton guide) or
moved a third of the frame across (the subjects not where the board puts them); the
measures, the store, the report and depth are real.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from typer.testing import CliRunner

from aktion.backends.base import Capabilities, StepRequest, StepResult
from aktion.cli import _register, app
from aktion.craft.assess import assess
from aktion.engine import graph as graph_mod
from aktion.engine import router
from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.generation.config import BackendContext
from aktion.generation.measures import clip_frames, step_measures
from aktion.media.images import read_array, write_png_atomic
from aktion.media.video import VideoWriter
from aktion.production.load import load_production
from conftest import TOML, write_production


class TraceBackend:
    """Keyframe: the layout re-lit, or moved; motion: the skeleton guide, or moved."""

    id: ClassVar[str] = "trace"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"keyframe", "motion"}),
        conditioning=frozenset({"layout", "pose", "depth", "refs", "first_frame"}))
    follow = True

    def configure(self, context: BackendContext) -> None:
        self.follow = bool(context.config.get("follow", True))

    def _moved(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        return image if self.follow else np.roll(image, (h // 4, w // 3), (0, 1))

    def run(self, request: StepRequest, workdir: Path, progress: Any) -> StepResult:
        workdir.mkdir(parents=True, exist_ok=True)
        if request.kind == "keyframe":
            relit = self._moved(read_array(request.inputs["frame"])) * 0.8 + 30
            outputs = {"image": write_png_atomic(workdir / "key.png", relit.astype(np.uint8))}
        else:
            fmt = request.format
            with VideoWriter(workdir / "clip.mp4", fmt["width"], fmt["height"], fmt["fps"],
                             crf=12) as w:
                for frame in clip_frames(request.inputs["guide"])[: request.params["frames"]]:
                    w.write(np.ascontiguousarray(self._moved(frame)))
            outputs = {"video": workdir / "clip.mp4"}
        # the clip is a skeleton video: the skeleton reader is the estimator that fits it
        measures = step_measures(request.kind, outputs, request.inputs, estimator="skeleton")
        return StepResult(outputs, {"measures": measures})


@pytest.fixture
def trace_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(router.BUILTIN, "trace", f"{__name__}:TraceBackend")
    monkeypatch.setattr(graph_mod, "BACKEND_VERSIONS", {})


# Pictures large enough for the skeleton's dots to survive H.264 (at 160x96 they do not).
SIZE = {"toml": TOML.replace("width = 160", "width = 640").replace("height = 96", "height = 360")}


def _render(root: Path, follow: bool):
    (root / "backends.toml").write_text(f"[trace]\nfollow = {str(follow).lower()}\n")
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    try:
        assert run(graph, store).ok
        depth, _ = assess(graph, store)
    finally:
        store.close()
    return depth


def test_depth_rises_when_generated_shots_follow_their_boards(tmp_path: Path,
                                                             trace_backend: None) -> None:
    faithful = _render(write_production(tmp_path / "a", **SIZE), follow=True)
    astray = _render(write_production(tmp_path / "b", **SIZE), follow=False)
    for good, bad in zip(faithful.shots, astray.shots, strict=True):
        assert good.parts["adherence"] > 0.7 and bad.parts["adherence"] < 0.4, (good, bad)
        assert {p: v for p, v in good.parts.items() if p != "adherence"} == \
            {p: v for p, v in bad.parts.items() if p != "adherence"}
    assert faithful.score > astray.score

    _register()
    rows = json.loads(CliRunner().invoke(app, ["report", str(tmp_path / "a"), "--policy",
                                               "final", "--json"]).output)
    assert all(r["board_adherence"] > 0.7 and r["pose_adherence"] > 0.7 for r in rows), rows
    table = CliRunner().invoke(app, ["report", str(tmp_path / "b"), "--policy", "final"])
    assert table.exit_code == 0 and "pose adherence" in table.output
