"""The diffusers backend through real Aktion steps, with tiny random-weight pipelines.

The models are built from configs, saved as safetensors and reloaded with
``from_pretrained(local_files_only=True)`` by the backend itself, as a user's
would be. The pictures are noise; the tests check that the director's decisions
(the layout's depth, the locked character's references, the pose guide) reach
the pipelines.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from aktion.backends.base import BackendError
from aktion.engine.graph import plan
from aktion.engine.router import load_backend
from aktion.engine.run import execute
from aktion.engine.store import Store
from aktion.media.images import write_png_atomic
from aktion.media.video import VideoWriter, iter_frames
from aktion.production.errors import ProductionError
from aktion.production.load import load_production
from conftest import VEX, write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from steps import run_steps
from tiny_models import build_all

BACKENDS = """\
[diffusers.keyframe]
model = "{m}/sd"
controlnet = "{m}/controlnet"
ip_adapter = "{m}/ip"
steps = 2
size = 64

[diffusers.motion]
model = "{m}/wan-vace"
steps = 2
size = 32
max_frames = 9
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_all(tmp_path_factory.mktemp("models"))


def final_production(root: Path, models: Path) -> Path:
    write_production(root, vex=VEX + "refs: [vex/front.png, vex/side.png]\n")
    for i, name in enumerate(("front", "side")):
        write_png_atomic(root / f"cast/vex/{name}.png",
                         np.full((40, 40, 3), 60 + 90 * i, np.uint8))
    (root / "backends.toml").write_text(BACKENDS.format(m=models))
    return root


def guide_video(path: Path, frames: int, shift: int = 0, noise: bool = False) -> Path:
    rng = np.random.default_rng(shift)
    with VideoWriter(path, 160, 96, 24) as w:
        for i in range(frames):
            if noise:  # a guide nothing like a figure: the clip must change with it
                f = rng.integers(0, 256, (96, 160, 3), dtype=np.uint8)
            else:
                f = np.zeros((96, 160, 3), np.uint8)
                x = 20 + (4 * i + shift) % 120
                f[20:80, x:x + 12] = 255  # a figure crossing the frame
            w.write(f)
    return path


def test_plan_routes_keyframe_and_motion_with_reasons(tmp_path: Path, models: Path) -> None:
    prod = load_production(final_production(tmp_path / "p", models))
    graph = plan(prod, "final")
    kinds = [s.id for s in graph if s.shot == "2"]
    assert kinds == ["layout:2", "motion_control:2", "render:2", "control_maps:2", "keyframe:2",
                     "motion:2", "extend:2"]  # 12 frames > the motion model's 9: extended
    key = graph.steps["keyframe:2"]
    assert key.backend == "diffusers" and "refs: locked character vex has reference images" \
        in key.reason
    assert "pose: choreographed" in graph.steps["motion:2"].reason
    assert graph.steps["cut:roof"].deps["shot:2"] == ("extend:2", "video")


def test_keyframe_gets_depth_control_and_identity_refs(tmp_path: Path, models: Path) -> None:
    from aktion.backends.diffusers_keyframe import load_keyframe_pipeline

    root = final_production(tmp_path / "p", models)
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    pipe = load_keyframe_pipeline(models / "sd", models / "controlnet", models / "ip")
    seen: dict[str, list] = {"cn": [], "enc": []}
    h1 = pipe.controlnet.register_forward_pre_hook(
        lambda m, a, kw: seen["cn"].append(kw["controlnet_cond"].shape), with_kwargs=True)
    h2 = pipe.image_encoder.register_forward_hook(
        lambda m, a, out: seen["enc"].append(a[0].shape[0]))
    try:
        for shot in ("1", "2"):  # vex is in both shots: both get her references
            action = run_steps(graph, store, shot, ("layout", "keyframe"))[f"keyframe:{shot}"]
            assert action.record["identity_refs"] == ["vex/vex/front.png", "vex/vex/side.png"]
    finally:
        h1.remove()
        h2.remove()
    assert pipe.unet.encoder_hid_proj is not None  # the IP-Adapter's projection is loaded
    assert seen["enc"] and all(n == 2 for n in seen["enc"])  # both refs encoded
    assert seen["cn"] and tuple(seen["cn"][0][-2:]) == (32, 64)  # 160x96 at 64 px wide
    assert store.blob_path(action.outputs["image"]).is_file()


def test_motion_follows_the_pose_guide_from_the_keyframe(tmp_path: Path, models: Path) -> None:
    from aktion.backends.diffusers_wan import load_vace

    root = final_production(tmp_path / "p", models)
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    backend = load_backend("diffusers", graph.contexts["diffusers"])
    pipe = load_vace(models / "wan-vace")
    controls: list[list] = []  # per run: the VACE control tensors the transformer received
    hook = pipe.transformer.register_forward_pre_hook(
        lambda m, a, kw: controls[-1].append(kw["control_hidden_states"].detach().clone()),
        with_kwargs=True)
    key = tmp_path / "key.png"
    write_png_atomic(key, np.full((32, 64, 3), 128, np.uint8))
    step = graph.steps["motion:2"]
    try:
        for noise in (False, True):
            controls.append([])
            guide = guide_video(tmp_path / f"guide{noise}.mp4", 12, noise=noise)
            action = execute(step, {"image": key, "guide": guide, "poses": key}, store,
                             backend, lambda d, t: None)
            store.db.execute("DELETE FROM actions")  # the same key: run it again
            clip = np.stack(list(iter_frames(store.blob_path(action.outputs["video"]))))
    finally:
        hook.remove()
    assert action.record["frames"] == 9 and action.record["pose_guide_frames"] == 8
    assert clip.shape == (9, 96, 160, 3)
    # The guide reaches the transformer as VACE control: another guide, another control.
    # (Pixels are not compared: tiny random weights make the effect smaller than a uint8.)
    assert all(controls) and all(c.abs().sum() > 0 for run in controls for c in run)
    first, second = controls[0][0], controls[1][0]
    assert first.shape == second.shape
    assert (first - second).abs().max().item() > 1e-3


def test_extend_continues_to_the_shot_length(tmp_path: Path, models: Path) -> None:
    root = final_production(tmp_path / "p", models)
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    clip = guide_video(tmp_path / "clip.mp4", 9)
    guide = guide_video(tmp_path / "guide.mp4", 12, 7)
    action = execute(graph.steps["extend:2"], {"video": clip, "guide": guide}, store,
                     load_backend("diffusers", graph.contexts["diffusers"]), lambda d, t: None)
    assert action.record["frames"] == 12 and action.record["extended_chunks"] == 1


def test_two_productions_in_one_process_keep_their_own_models(
        tmp_path: Path, models: Path) -> None:
    """The backend's configuration travels with each plan, not with the process: planning
    a second production does not change what the first one's steps run with."""
    first = plan(load_production(final_production(tmp_path / "a", models)), "final")
    other = final_production(tmp_path / "b", models)
    (other / "backends.toml").write_text(BACKENDS.format(m=models).replace("size = 64",
                                                                           "size = 32"))
    second = plan(load_production(other), "final")
    a, b = first.context(first.steps["keyframe:1"]), second.context(second.steps["keyframe:1"])
    assert a is not None and b is not None
    assert a.root == tmp_path / "a" and a.config["keyframe"]["size"] == 64
    assert b.root == tmp_path / "b" and b.config["keyframe"]["size"] == 32
    assert first.context(first.steps["layout:1"]) is None  # previz needs none
    assert load_backend("diffusers", a).context == a
    with pytest.raises(BackendError, match="not configured"):  # no context, no guessing
        load_backend("diffusers").run(first.steps["keyframe:1"].request, tmp_path,
                                      lambda d, t: None)


def test_pickle_weights_are_refused(tmp_path: Path) -> None:
    from aktion.backends.diffusers_files import check_folder

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    (tmp_path / "m" / "diffusion_pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(BackendError, match=r"diffusion_pytorch_model\.bin is pickle weights"):
        check_folder(tmp_path / "m", "keyframe model")


def test_bad_reference_image_is_a_clear_error(tmp_path: Path, models: Path) -> None:
    root = final_production(tmp_path / "p", models)
    (root / "cast/vex/side.png").write_bytes(b"GIF89a" + b"\0" * 64)
    with pytest.raises(ProductionError, match=r"vex.yaml:\d+: reference image `vex/side.png` "
                       "is not an image"):
        load_production(root)  # refused at load, long before a GPU would decode it


def test_changing_a_locked_character_rekeys_only_their_generated_shots(
        tmp_path: Path, models: Path) -> None:
    root = final_production(tmp_path / "p", models)
    before = plan(load_production(root), "final")
    (root / "cast/kade.yaml").write_text(textwrap.dedent(
        (root / "cast/kade.yaml").read_text()).replace("A heavy", "A huge"))
    after = plan(load_production(root), "final")
    changed = {s for s in before.steps if before.steps[s].key != after.steps[s].key}
    assert {"keyframe:1", "motion:1", "keyframe:2", "motion:2"} <= changed  # kade in both
