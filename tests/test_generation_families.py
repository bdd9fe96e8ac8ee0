"""Each keyframe family (SDXL, Flux + ControlNet, Flux depth control) and Wan's loading
recipe, with tiny random-weight pipelines run for a step through real Aktion steps.

The family is picked from the model folder's ``model_index.json``; what is checked
is that the previz depth reaches the family's control input, the references reach
its IP-Adapter, and its recommended settings reach the pipeline call.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from aktion.backends.base import BackendError
from aktion.backends.diffusers_families import SD, SDXL, WAN, flow_shift, gen_size
from aktion.engine.graph import plan
from aktion.engine.router import UnmetNeed
from aktion.engine.store import Store
from aktion.media.images import write_png_atomic
from aktion.production.load import load_production
from conftest import VEX, write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from steps import run_steps
from tiny_models import build_flux, build_flux_control, build_sdxl, build_wan_vace

MOTION = """
[diffusers.motion]
model = "{m}/wan-vace"
steps = 1
size = 32
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("families")
    for build in (build_sdxl, build_flux, build_flux_control, build_wan_vace):
        build(out)
    return out


def production(root: Path, keyframe: str, models: Path, refs: bool = True) -> Path:
    write_production(root, vex=VEX + ("refs: [vex/front.png]\n" if refs else ""))
    write_png_atomic(root / "cast/vex/front.png", np.full((40, 40, 3), 150, np.uint8))
    (root / "backends.toml").write_text("[diffusers.keyframe]\n" + keyframe.format(m=models)
                                        + MOTION.format(m=models))
    return root


def run_keyframe_step(root: Path, pipe_hooks) -> tuple[dict, object]:
    """Plan, make the shot's previz layout, and run its keyframe with hooks on the pipeline."""
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    done = run_steps(graph, store, "1", ("layout",))
    handles = pipe_hooks()
    try:
        done = run_steps(graph, store, "1", ("keyframe",), done)
    finally:
        for h in handles:
            h.remove()
    return done["keyframe:1"].record, graph.steps["keyframe:1"]


def test_sdxl_follows_the_depth_with_its_controlnet_and_the_refs_with_its_ip_adapter(
        tmp_path: Path, models: Path) -> None:
    from aktion.backends.diffusers_keyframe import load_keyframe_pipeline

    table = ('model = "{m}/sdxl"\ncontrolnet = "{m}/sdxl-controlnet"\n'
             'ip_adapter = "{m}/sdxl-ip"\nsteps = 1\nsize = 64\n')
    root = production(tmp_path / "p", table, models)
    pipe = load_keyframe_pipeline(models / "sdxl", models / "sdxl-controlnet", models / "sdxl-ip")
    seen: dict[str, list] = {"cn": [], "enc": []}

    def hooks():
        return [pipe.controlnet.register_forward_pre_hook(
                    lambda m, a, kw: seen["cn"].append((kw["controlnet_cond"].shape,
                                                        kw["conditioning_scale"])),
                    with_kwargs=True),
                pipe.image_encoder.register_forward_hook(
                    lambda m, a, out: seen["enc"].append(a[0].shape[0]))]

    record, step = run_keyframe_step(root, hooks)
    assert "Stable Diffusion XL" in step.reason
    assert record["pipeline"] == "StableDiffusionXLControlNetPipeline"
    assert record["identity_refs"] == ["vex/vex/front.png"] and seen["enc"] == [1]
    shape, scale = seen["cn"][0]
    assert tuple(shape[-2:]) == (32, 64) and scale == SDXL.control_scale  # 160x96 at 64 wide


def test_flux_with_a_controlnet_takes_the_depth_as_control_image_and_the_refs(
        tmp_path: Path, models: Path) -> None:
    from aktion.backends.diffusers_keyframe import load_keyframe_pipeline

    table = ('model = "{m}/flux"\ncontrolnet = "{m}/flux-controlnet"\n'
             'ip_adapter = "{m}/flux-ip"\n'
             'ip_adapter_image_encoder = "{m}/clip-vit-large-patch14"\n'
             'steps = 1\nsize = 64\ncontrol_scale = 0.4\n')
    root = production(tmp_path / "p", table, models)
    pipe = load_keyframe_pipeline(models / "flux", models / "flux-controlnet",
                                  models / "flux-ip",
                                  ip_adapter_image_encoder=models / "clip-vit-large-patch14")
    seen: dict[str, list] = {"cn": [], "enc": [], "ip": []}

    def hooks():
        return [pipe.controlnet.register_forward_pre_hook(
                    lambda m, a, kw: seen["cn"].append(kw["conditioning_scale"]),
                    with_kwargs=True),
                pipe.image_encoder.register_forward_hook(
                    lambda m, a, out: seen["enc"].append(a[0].shape[0])),
                pipe.transformer.register_forward_pre_hook(
                    lambda m, a, kw: seen["ip"].append(
                        "ip_adapter_image_embeds" in (kw.get("joint_attention_kwargs") or {})),
                    with_kwargs=True)]

    record, step = run_keyframe_step(root, hooks)
    assert "Flux + ControlNet" in step.reason
    assert record["pipeline"] == "FluxControlNetPipeline"
    assert seen["cn"] == [0.4]  # the setting reached the ControlNet
    # The reference is encoded (diffusers also encodes a blank negative) and reaches the
    # transformer.
    assert seen["enc"][0] == 1 and seen["ip"] == [True]


def test_flux_depth_control_takes_the_depth_in_its_own_transformer(
        tmp_path: Path, models: Path) -> None:
    from aktion.backends.diffusers_keyframe import load_keyframe_pipeline

    root = production(tmp_path / "p", 'model = "{m}/flux-depth"\nsteps = 1\nsize = 64\n',
                      models, refs=False)
    pipe = load_keyframe_pipeline(models / "flux-depth")
    channels: list[int] = []

    def hooks():
        return [pipe.transformer.register_forward_pre_hook(
            lambda m, a, kw: channels.append(kw["hidden_states"].shape[-1]), with_kwargs=True)]

    record, step = run_keyframe_step(root, hooks)
    assert "FLUX.1-Depth-dev" in step.reason and record["pipeline"] == "FluxControlPipeline"
    assert channels == [pipe.transformer.config.in_channels]  # own latents + the depth's


def test_a_family_without_what_it_needs_is_refused_at_plan_time(
        tmp_path: Path, models: Path) -> None:
    with pytest.raises(UnmetNeed, match="`keyframe` needs depth conditioning"):
        plan(load_production(production(tmp_path / "a", 'model = "{m}/sdxl"\n', models,
                                        refs=False)), "final")
    with pytest.raises(UnmetNeed, match="takes the depth map itself: remove controlnet"):
        plan(load_production(production(
            tmp_path / "b", 'model = "{m}/flux-depth"\ncontrolnet = "{m}/flux-controlnet"\n',
            models, refs=False)), "final")
    with pytest.raises(UnmetNeed, match="is a `WanVACEPipeline` folder; supported: "
                                        "StableDiffusionPipeline"):
        plan(load_production(production(
            tmp_path / "c", 'model = "{m}/wan-vace"\ncontrolnet = "{m}/sdxl-controlnet"\n',
            models, refs=False)), "final")


def test_wan_keeps_its_vae_in_float32_and_takes_the_flow_shift(models: Path) -> None:
    from aktion.backends.diffusers_wan_load import load_vace, vace_pipeline

    pipe = load_vace(models / "wan-vace", dtype="bfloat16")  # as on CUDA: the documented split
    assert pipe.transformer.dtype == torch.bfloat16 and pipe.text_encoder.dtype == torch.bfloat16
    assert pipe.vae.dtype == torch.float32
    table = {"model": str(models / "wan-vace"), "dtype": "bfloat16", "flow_shift": 7.0}
    assert vace_pipeline(table, Path, (32, 32)) is pipe
    assert pipe.scheduler.config.flow_shift == 7.0
    out = pipe("a fight", video=[_grey()] * 5, mask=[_grey("L", 255)] * 5, height=32, width=32,
               num_frames=5, num_inference_steps=1, output_type="np",
               generator=torch.Generator("cpu").manual_seed(0)).frames[0]
    assert out.shape == (5, 32, 32, 3) and np.isfinite(out).all()
    vace_pipeline({**table, "flow_shift": None}, Path, (832, 480))
    assert pipe.scheduler.config.flow_shift == 3.0  # Wan's 480p shift


def _grey(mode: str = "RGB", value: int = 128):
    from PIL import Image

    return Image.new(mode, (32, 32), value if mode == "L" else (value,) * 3)


def test_generation_sizes_and_shifts_per_family() -> None:
    wide, tall = {"width": 1920, "height": 1080}, {"width": 1080, "height": 1920}
    wan = {"family": "wan", "native": list(WAN.native), "multiple": 16}
    assert gen_size(wide, wan) == (832, 480) and gen_size(tall, wan) == (480, 832)
    sd = {"family": "sd", "native": [512, 512], "multiple": SD.multiple}
    assert gen_size(wide, sd) == (688, 384)  # SD 1.5's pixel area at 16:9
    assert gen_size(wide, {"family": "sdxl", "native": [1024, 1024], "multiple": SDXL.multiple}) \
        == (1360, 768)
    assert gen_size(wide, {"family": "flux", "native": [1024, 1024], "multiple": 16}) \
        == (1360, 768)
    assert gen_size(wide, {**sd, "size": 256}) == (256, 144)  # a cap on the long side
    assert flow_shift({}, 832, 480) == 3.0 and flow_shift({}, 1280, 720) == 5.0
    assert flow_shift({"flow_shift": 4.0}, 1280, 720) == 4.0


def test_a_keyframe_family_loader_refuses_an_unknown_folder(tmp_path: Path) -> None:
    from aktion.backends.diffusers_keyframe import load_keyframe_pipeline

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model_index.json").write_text('{"_class_name": "KandinskyPipeline"}')
    with pytest.raises(BackendError, match="is a `KandinskyPipeline` folder"):
        load_keyframe_pipeline(tmp_path / "m", tmp_path / "cn")


def test_an_unmaskable_adapter_refuses_two_identities_in_one_frame() -> None:
    from aktion.backends.base import BackendError
    from aktion.backends.diffusers_identity import Identity, _unmasked

    sets = {"vex": [("vex/a.png", object()), ("vex/b.png", object())],
            "kade": [("kade/a.png", object())]}
    one = _unmasked(Identity(characters=["vex"]), sets)
    assert one.refs == ["vex/a.png"] and "vex/b.png" in one.skipped
    with pytest.raises(BackendError, match="cannot keep each identity to its own region"):
        _unmasked(Identity(characters=["vex", "kade"]), sets)
