"""The memory plan: what a model needs, what the device has, and what the plan says.

``decide`` is checked on figures like real ones (Wan 1.3B and 14B on 24 and 80 GiB
cards, where no GPU is at hand); the plan and the run are checked on this machine
with tiny models: the figures appear in ``aktion plan``'s reason, a model that
cannot fit is refused before anything loads, and on CPU the defaults are a
preview that the plan says is one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from typer.testing import CliRunner

from aktion.backends.diffusers_memory import GIB, DeviceMemory, Need, decide, device_memory
from aktion.cli import _register, app
from aktion.engine.graph import plan
from aktion.engine.router import UnmetNeed
from aktion.engine.store import Store
from aktion.production.load import load_production
from conftest import TOML, write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from steps import run_steps
from tiny_models import build_all

# Wan 2.1 VACE 1.3B in bfloat16 with its float32 VAE (sizes from the released weights).
WAN_13B = Need("832x480x81", {"transformer": int(3.1 * GIB), "text_encoder": int(10.6 * GIB),
                              "vae": int(0.5 * GIB)}, int(4.0 * GIB))
WAN_14B = Need("1280x720x81", {"transformer": int(32.6 * GIB),
                               "text_encoder": int(10.6 * GIB), "vae": int(0.5 * GIB)},
               int(30.0 * GIB))


def cuda(free_gib: float) -> DeviceMemory:
    return DeviceMemory("cuda:0", int(free_gib * GIB), int(80 * GIB), "free")


def test_a_model_that_fits_runs_whole_on_the_gpu() -> None:
    fit = decide(WAN_13B, cuda(40.0))
    assert fit.ok and not fit.offload
    assert fit.reason == "memory: needs ~18.8 GiB at 832x480x81, 40.0 GiB free on cuda:0"


def test_a_model_that_fits_only_with_offload_is_offloaded() -> None:
    fit = decide(WAN_13B, cuda(16.0))
    assert fit.ok and fit.offload
    assert "fits only with model CPU offload (~15.2 GiB with model CPU offload)" in fit.reason


def test_offload_false_refuses_and_says_what_would_fit() -> None:
    fit = decide(WAN_13B, cuda(16.0), offload=False)
    assert not fit.ok
    assert fit.reason == ("needs ~18.8 GiB at 832x480x81, 16.0 GiB free on cuda:0; set "
                          "offload = true (~15.2 GiB with model CPU offload)")


def test_a_model_too_big_even_offloaded_is_refused_with_the_figures() -> None:
    fit = decide(WAN_14B, cuda(40.0))
    assert not fit.ok
    assert "needs ~74.3 GiB at 1280x720x81 (~63.2 GiB with model CPU offload), 40.0 GiB " \
           "free on cuda:0" in fit.reason
    assert decide(WAN_14B, cuda(79.0)).ok  # an 80 GiB card takes it, offloaded


def test_offload_true_always_offloads_on_cuda_and_is_a_note_on_cpu() -> None:
    assert decide(WAN_13B, cuda(40.0), offload=True).offload
    cpu = DeviceMemory("cpu", int(64 * GIB), int(64 * GIB), "available RAM")
    fit = decide(WAN_13B, cpu, offload=True)
    assert fit.ok and not fit.offload and "offload applies to CUDA only" in fit.reason


def test_a_controlnet_stays_beside_its_denoiser_when_offloaded() -> None:
    sdxl = {"unet": int(4.8 * GIB), "controlnet": int(2.3 * GIB), "text_encoder_2": int(1.3 * GIB),
            "text_encoder": int(0.2 * GIB), "vae": int(0.2 * GIB)}
    alone = Need("1368x768", sdxl, int(4.0 * GIB))
    paired = Need("1368x768", sdxl, int(4.0 * GIB), ("unet", "controlnet"))
    assert paired.offloaded() - alone.offloaded() == sdxl["controlnet"]
    assert decide(paired, cuda(10.0)).ok is False  # 4.8 + 2.3 + 4.0 + 0.6 > 10
    assert decide(alone, cuda(10.0)).offload  # what a per-component estimate would claim


def test_device_memory_reports_this_machine_and_honours_a_cap() -> None:
    mem = device_memory()
    assert mem.device == ("cuda:0" if torch.cuda.is_available() else "cpu")
    assert 0 < mem.free <= mem.total
    capped = device_memory(0.5)
    assert capped.free == min(mem.free, int(0.5 * GIB)) and "memory_gib = 0.5" in capped.what


BACKENDS = """\
[diffusers.keyframe]
model = "{m}/sd"
controlnet = "{m}/controlnet"
{extra}
[diffusers.motion]
model = "{m}/wan-vace"
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_all(tmp_path_factory.mktemp("models"))


def production(root: Path, models: Path, extra: str = "", small: bool = False) -> Path:
    if small:  # a smaller frame, so the preview below is quick on a busy 2-core machine
        write_production(root, toml=TOML.replace("width = 160", "width = 112")
                         .replace("height = 96", "height = 64"))
    else:
        write_production(root)
    (root / "backends.toml").write_text(BACKENDS.format(m=models, extra=extra))
    return root


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU preview is for CPU machines")
def test_cpu_defaults_are_a_preview_and_the_plan_says_so(tmp_path: Path, models: Path) -> None:
    root = production(tmp_path / "p", models, small=True)
    _register()
    shown = CliRunner().invoke(app, ["plan", str(root), "--policy", "final"])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.replace("│", " ").split())
    assert "Stable Diffusion 1.x/2.x, float32; memory: needs ~" in text
    assert "available RAM on cpu" in text
    assert "CPU preview: 112x64, 4 steps (on CUDA:" in text  # the SD preview: 4 steps
    assert "Wan 2.1 VACE, float32; memory: needs" in text
    graph = plan(load_production(root), "final")
    gen = graph.steps["keyframe:1"].request.params["model"]["generation"]
    assert gen["profile"] == "cpu-preview" and gen["steps"] == 4  # in the step's key
    store = Store.for_production(root)
    action = run_steps(graph, store, "1", ("layout", "keyframe"))["keyframe:1"]
    assert action.record["steps"] == 4 and action.record["size"] == [112, 64]


def test_a_model_that_cannot_fit_is_refused_at_plan_time_with_the_figures(
        tmp_path: Path, models: Path) -> None:
    root = production(tmp_path / "p", models, extra="memory_gib = 0.05")
    with pytest.raises(UnmetNeed, match=r"`keyframe` cannot run here: diffusers: .*needs ~0\.\d "
                                        r"GiB at \d+x\d+, 0\.0 GiB .*\(memory_gib = 0\.05\)"):
        plan(load_production(root), "final")
    _register()
    shown = CliRunner().invoke(app, ["plan", str(root), "--policy", "final"])
    assert shown.exit_code == 2 and "Traceback" not in shown.output
    assert "cannot plan" in shown.output and "memory_gib = 0.05" in shown.output


def test_offload_true_on_cpu_is_planned_with_a_note(tmp_path: Path, models: Path) -> None:
    root = production(tmp_path / "p", models, extra="offload = true")
    reason = plan(load_production(root), "final").steps["keyframe:1"].reason
    device = "cuda:0" if torch.cuda.is_available() else "cpu"
    assert f"on {device}" in reason
    if device == "cpu":
        assert "offload applies to CUDA only" in reason


def test_a_wrong_setting_is_one_clear_line(tmp_path: Path, models: Path) -> None:
    root = production(tmp_path / "p", models, extra='offload = "sometimes"')
    _register()
    shown = CliRunner().invoke(app, ["plan", str(root), "--policy", "final"])
    assert shown.exit_code == 2 and "Traceback" not in shown.output
    assert "backends.toml: diffusers.keyframe.offload = 'sometimes': expected true, false " \
           "or \"auto\"" in " ".join(shown.output.split())


def test_a_load_that_cannot_fit_lets_the_other_pipelines_go_then_refuses(models: Path) -> None:
    from aktion.backends.base import BackendError
    from aktion.backends.diffusers_keyframe_load import _CACHE as KEYFRAMES
    from aktion.backends.diffusers_keyframe_load import load_keyframe_pipeline
    from aktion.backends.diffusers_wan_load import load_vace

    load_keyframe_pipeline(models / "sd", models / "controlnet")
    assert KEYFRAMES.items
    with pytest.raises(BackendError, match=r"motion model: needs ~0\.\d GiB at \d+x\d+x81, "
                                           r"0\.0 GiB .*\(memory_gib = 0\.01\)"):
        load_vace(models / "wan-vace", memory_gib=0.01)  # refused before anything loads
    assert not KEYFRAMES.items  # the keyframe pipeline was let go to make room first
