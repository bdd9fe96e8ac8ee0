"""Canvas: takes, extend, trim, speed ramp, transitions and a score, as graph steps.

Shots are rendered by a tiny stand-in for the previz backend (a box that moves
with the shot's seed), so these tests exercise the engine, the canvas pass and
the editor with real encoding and decoding, fast."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import ClassVar

import av
import numpy as np
import pytest

from aktion.backends.base import Capabilities, Progress, StepRequest, StepResult
from aktion.engine import graph as graph_mod
from aktion.engine import router
from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.media.video import VideoWriter, read_frame
from aktion.production.load import load_production
from aktion.production.takes import Canvas, ShotEdit, Take, load_canvas, save_canvas


class BoxBackend:
    """Renders a shot as a coloured box sliding across at a seed-given speed."""

    id: ClassVar[str] = "previz"
    version: ClassVar[str] = "test-box-1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"layout", "motion_control", "render"}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        if request.kind != "render":
            outs = {}
            for name in ("layout", "poses", "camera", "performance"):
                p = workdir / f"{name}.json"
                p.write_text(f'{{"shot": "{request.shot["id"]}"}}')
                outs[name] = p
            return StepResult(outputs=outs)
        w, h, fps = request.format["width"], request.format["height"], request.format["fps"]
        n = int(request.shot["duration"])
        out = workdir / "shot.mp4"
        speed = 1 + request.seed % 5
        shade = 40 + request.seed % 150
        with VideoWriter(out, w, h, fps) as wr:
            for i in range(n):
                f = np.full((h, w, 3), shade, np.uint8)
                x = (i * speed * 3) % (w - 20)
                f[30:60, x : x + 20] = (230, 60, 60)
                wr.write(f)
        return StepResult(outputs={"video": out}, record={"seed": request.seed})


@pytest.fixture
def box_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(router.BUILTIN, "previz", f"{__name__}:BoxBackend")
    monkeypatch.setattr(graph_mod, "BACKEND_VERSIONS", {})


def render(root: Path):
    production = load_production(root)
    graph = plan(production)
    store = Store.for_production(root)
    try:
        return graph, run(graph, store)
    finally:
        store.close()


def frames_of(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def write_tone(path: Path, seconds: float, rate: int = 22050) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def test_no_canvas_leaves_the_graph_as_planned(tiny: Path, box_backend: None) -> None:
    graph = plan(load_production(tiny))
    assert [s.id for s in graph] == ["layout:1", "motion_control:1", "render:1",
                                     "layout:2", "motion_control:2", "render:2", "cut:roof",
                                     "sheet:roof"]


def test_takes_pick_and_old_takes_kept(tiny: Path, box_backend: None) -> None:
    _, first = render(tiny)
    assert first.ok
    cut = tiny / "out" / "roof.mp4"
    before = read_frame(cut, 12)
    save_canvas(tiny, Canvas(shots={"2": ShotEdit(takes=[Take(seed=3)], pick=2)}))
    graph, second = render(tiny)
    ran = {o.step for o in second.outcomes if o.status == "ran"}
    # a previz take re-solves its performance and camera, then renders them
    assert ran == {"motion_control:2@t2", "render:2@t2", "cut:roof", "sheet:roof"}
    assert graph.steps["render:2@t2"].key != graph.steps["render:2"].key
    assert graph.steps["cut:roof"].deps["shot:2"] == ("render:2@t2", "video")
    after = read_frame(cut, 12)
    assert not np.array_equal(before, after)
    # back to take 1: both takes are cached, only the cut runs again (or is cached)
    canvas = load_canvas(tiny)
    canvas.shots["2"].pick = 1
    save_canvas(tiny, canvas)
    _, third = render(tiny)
    assert {o.step for o in third.outcomes if o.status == "ran"} <= {"cut:roof", "sheet:roof"}
    assert {"render:2", "render:2@t2"} <= {o.step for o in third.outcomes
                                            if o.status == "cached"}


def test_extend_trim_speed_and_dissolve_frame_counts(tiny: Path, box_backend: None) -> None:
    save_canvas(tiny, Canvas.model_validate({"shots": {
        "1": {"extend": 6, "trim": {"in": 2}},
        "2": {"speed": {"start": 1.0, "end": 0.5},
              "transition": {"type": "dissolve", "duration": 4}},
    }}))
    graph, summary = render(tiny)
    assert summary.ok, summary.outcomes
    ids = [s.id for s in graph]
    assert ids.index("extend:1") < ids.index("trim:1") < ids.index("cut:roof")
    assert graph.steps["trim:1"].deps["video"] == ("extend:1", "video")
    entries = graph.steps["cut:roof"].request.params["shots"]
    one, two = (e["duration"] for e in entries)
    assert one == 12 + 6 - 2
    assert two > 12  # slowing down makes the shot longer
    assert frames_of(tiny / "out" / "roof.mp4") == one + two - 4


def test_reorder_and_score(tiny: Path, box_backend: None) -> None:
    write_tone(tiny / "score.wav", 0.5)
    save_canvas(tiny, Canvas.model_validate(
        {"scenes": {"roof": {"audio": "score.wav", "order": ["2", "1"]}}}))
    graph, summary = render(tiny)
    assert summary.ok, summary.outcomes
    assert [e["id"] for e in graph.steps["cut:roof"].request.params["shots"]] == ["2", "1"]
    cut = tiny / "out" / "roof.mp4"
    with av.open(str(cut)) as c:
        assert c.streams.audio[0].codec_context.name == "aac"
        samples = sum(f.samples for f in c.decode(audio=0))
    assert frames_of(cut) == 24
    assert abs(samples - 48000) <= 1024  # one second of picture, padded past the score


def test_bad_pick_is_a_located_error(tiny: Path) -> None:
    from aktion.production.errors import ProductionError

    (tiny / "canvas.yaml").write_text("schema: Canvas.1\nshots:\n  '2':\n    pick: 3\n")
    with pytest.raises(ProductionError) as e:
        load_canvas(tiny)
    assert "canvas.yaml" in str(e.value) and "pick 3" in str(e.value)


def test_example_canvas_plans(box_backend: None) -> None:
    """The rooftop's edit: two takes of sh080 (the second picked), sh130 extended and
    dissolved into."""
    root = Path(__file__).parents[1] / "examples" / "rooftop"
    graph = plan(load_production(root))
    cut = graph.steps["cut:rooftop"]
    assert cut.deps["shot:sh080"] == ("render:sh080@t2", "video")
    assert "render:sh080" in graph.steps
    assert cut.deps["shot:sh130"] == ("extend:sh130", "video")
    last = cut.request.params["shots"][-1]
    assert last["transition"] == {"type": "dissolve", "duration": 12}
    assert last["duration"] == 96 + 24
