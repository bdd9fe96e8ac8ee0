"""End to end: the example's canvas under ``draft`` and ``final``, with tiny diffusers models.

The example production is copied and made small (128x72, shots of 12 or 16 frames)
and rendered with random-weight pipelines on CPU. Its ``canvas.yaml`` picks a second
take of sh080 and extends sh130 into a dissolve; a take of sh020 is added with
``aktion take new``. Every clip of the cut and every tile of the contact sheet must
come from the generative steps (decoded frames match the generated clip and differ
from the previz render), takes included, and a canvas extend continues the
generated clip.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.engine.graph import ShotGraph, Step, plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.generation.report import shot_rows
from aktion.media.images import read_array
from aktion.media.video import iter_frames
from aktion.production.errors import ProductionError
from aktion.production.load import load_production
from aktion.production.takes import load_canvas, save_canvas
from aktion.production.yamlio import dump_yaml, plain, read_yaml
from aktion.storyboard.tiles import clip_frame, contact_sheet

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from tiny_models import build_all

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rooftop"
LONG = {"sh080": 16, "sh130": 16}  # longer than the motion model's 13 frames: extended
SHORT = 12
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
restyle = true
"""
GENERATED = {"draft": {"motion", "extend"}, "final": {"restyle"}}
_register()


def small_example(dest: Path) -> Path:
    """The example at 128x72 with short shots (beats past a shot's new end dropped)."""
    # the example as committed: not what a local render or `make demo` added to it
    root = Path(shutil.copytree(EXAMPLE, dest,
                                ignore=shutil.ignore_patterns(".aktion", "out", "identity")))
    toml = root / "aktion.toml"
    toml.write_text(toml.read_text().replace("width = 1280", "width = 128")
                    .replace("height = 720", "height = 72"))
    boards = plain(read_yaml(root / "boards.yaml"))
    lengths = {}
    for scene in boards["scenes"]:
        for shot in scene["shots"]:
            shot["duration"] = lengths[shot["id"]] = LONG.get(shot["id"], SHORT)
            if isinstance(shot["move"], dict) and shot["move"].get("end") is not None:
                shot["move"]["end"] = shot["duration"] - 1
    (root / "boards.yaml").write_text(dump_yaml(boards))
    choreo = plain(read_yaml(root / "choreo.yaml"))
    for shot_id, shot in choreo["shots"].items():
        shot["beats"] = [b for b in shot["beats"] if b["t"] < lengths[shot_id]]
    (root / "choreo.yaml").write_text(dump_yaml(choreo))
    return root


def origin(graph: ShotGraph, step: Step) -> Step:
    """From a canvas operation back to the clip it edits."""
    while step.backend == "editor" and "video" in step.deps:
        step = graph.steps[step.deps["video"][0]]
    return step


def frames(store: Store, step: Step) -> np.ndarray:
    action = store.lookup(step.key)
    assert action is not None, f"{step.id} did not run"
    return np.stack(list(iter_frames(store.blob_path(action.outputs["video"])))).astype(np.int16)


def mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_example_canvas_under_draft_and_final(tmp_path: Path) -> None:
    models = build_all(tmp_path / "models")
    root = small_example(tmp_path / "rooftop")
    (root / "backends.toml").write_text(BACKENDS.format(m=models))
    cli = CliRunner()
    added = cli.invoke(app, ["take", "new", "sh020", "--seed", "7", "--path", str(root)])
    assert added.exit_code == 0, added.output
    shown = cli.invoke(app, ["plan", str(root), "--policy", "draft"])
    assert shown.exit_code == 0, shown.output
    assert "take 2 (seed 7): keyframe and motion re-run with the take's seed" in shown.output

    for policy, kinds in GENERATED.items():
        graph = plan(load_production(root), policy)
        store = Store.for_production(root)
        try:
            summary = run(graph, store)
            assert summary.ok, [o for o in summary.outcomes if o.error]
            cut_step = graph.steps["cut:rooftop"]
            cut = np.stack(list(iter_frames(root / "out" / "rooftop.mp4"))).astype(np.int16)
            at, tiles = 0, []
            for entry in cut_step.request.params["shots"]:
                shot = entry["id"]
                feed = graph.steps[cut_step.deps[f"shot:{shot}"][0]]
                source = origin(graph, feed)
                assert source.backend == "diffusers" and source.kind in kinds, (policy, shot)
                if shot in ("sh080", "sh020"):  # the picked second takes
                    assert source.id == f"{source.kind}:{shot}@t2"
                    take1 = frames(store, graph.steps[f"{source.kind}:{shot}"])
                    assert mad(frames(store, source), take1) > 0.5  # another seed
                generated = frames(store, source)
                previz = frames(store, graph.steps[f"render:{shot}"])
                fed = frames(store, feed)
                n = len(generated)
                assert len(previz) == n and len(fed) == entry["duration"]
                for k in (0, n // 2, n - 1):  # the clip the cut uses is the generated one
                    assert mad(fed[k], generated[k]) < 3, (policy, shot, k)
                    assert mad(fed[k], previz[k]) > 25, (policy, shot, k)
                for k in range(n, len(fed)):  # a canvas extend continues the generated clip
                    assert mad(fed[k], generated[-1]) < mad(fed[k], previz[-1]), (shot, k)
                if entry["transition"]["type"] == "dissolve":
                    at -= entry["transition"]["duration"]
                mid = len(fed) // 2  # the cut shows this very frame (copied, or re-encoded)
                errors = [mad(cut[at + mid], f) for f in fed]
                assert int(np.argmin(errors)) == mid and errors[mid] < 6, (policy, shot)
                assert mad(cut[at + mid], previz[min(mid, n - 1)]) > 25, (policy, shot)
                at += len(fed)
                tiles.append(clip_frame(store.blob_path(store.lookup(feed.key).outputs["video"])))
            assert at == len(cut)
            sheet = read_array(root / "out" / "rooftop-contact-sheet.png")
            params = graph.steps["sheet:rooftop"].request.params
            labels = [t["label"] for t in params["tiles"]]
            expected = contact_sheet(tiles, labels, title=params["title"])
            assert np.array_equal(sheet, expected), policy
            assert any("take 2" in label for label in labels)
            # the report is about what the cut shows: the picked take's clip, with the
            # board adherence of the keyframe it started from
            rows = {r["shot"]: r for r in shot_rows(graph, store)}
            assert list(rows) == [e["id"] for e in cut_step.request.params["shots"]]
            for shot, row in rows.items():
                feed = graph.steps[cut_step.deps[f"shot:{shot}"][0]]
                assert row["step"] == origin(graph, feed).id and row["backend"] == "diffusers"
                assert row["rendered"] and row["board_adherence"] is not None, (policy, row)
            shown = cli.invoke(app, ["report", str(root), "--policy", policy])
            assert shown.exit_code == 0, shown.output
            assert all(shot in shown.output for shot in rows)
        finally:
            store.close()

    # a take may name its backend; one that cannot do the step is a located error
    canvas = load_canvas(root)
    canvas.shots["sh080"].takes[0].backend = "diffusers"
    save_canvas(root, canvas)
    step = plan(load_production(root), "draft").steps["motion:sh080@t2"]
    assert step.backend == "diffusers" and "backend chosen for this take" in step.reason
    canvas.shots["sh080"].takes[0].backend = "fal"
    save_canvas(root, canvas)
    with pytest.raises(ProductionError) as e:
        plan(load_production(root), "draft")
    assert "canvas.yaml:" in str(e.value) and "`fal`" in str(e.value)
