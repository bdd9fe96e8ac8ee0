"""Model folders laid out as full hub downloads: safetensors used, pickles never opened.

The folders are tiny random-weight models saved by the tests, with a pickle that
raises if unpickled beside every safetensors file, fp16 variants, single-file
checkpoints at the top and h94/IP-Adapter's ``models/`` layout. An audit hook
also records every file Python opens, so a pickle read that something caught
and hid would still fail the test.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from safetensors.torch import load_file
from typer.testing import CliRunner

from aktion.backends.base import BackendError
from aktion.backends.diffusers_weights import PICKLE_SUFFIXES, model_weights
from aktion.cli import _register, app
from aktion.engine.graph import plan
from aktion.engine.router import UnmetNeed
from aktion.engine.store import Store
from aktion.media.images import read_array, write_png_atomic
from aktion.production.load import load_production
from conftest import VEX, write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from hub_layouts import sd15_download, wan_download
from steps import output, run_steps
from tiny_models import build_all

OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
        name = os.fsdecode(args[0])
        if Path(name).suffix.lower() in PICKLE_SUFFIXES:
            OPENED.append(name)


sys.addaudithook(_audit)

SD15 = """\
[diffusers.keyframe]
model = "{model}"
variant = "fp16"
controlnet = "{controlnet}"
ip_adapter = "{ip_adapter}"
ip_adapter_weight_name = "models/ip-adapter_sd15.safetensors"
steps = 1
size = 64

[diffusers.motion]
model = "{wan}"
steps = 1
size = 32
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_all(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def download(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {**sd15_download(tiny, tmp_path_factory.mktemp("hub")), "wan": tiny / "wan-vace"}


def production(root: Path, backends: str) -> Path:
    write_production(root, vex=VEX + "refs: [vex/front.png]\n")
    write_png_atomic(root / "cast/vex/front.png", np.full((40, 40, 3), 150, np.uint8))
    (root / "backends.toml").write_text(backends)
    return root


def test_a_full_sd15_download_runs_on_its_safetensors_and_never_opens_a_pickle(
        tmp_path: Path, download: dict[str, Path]) -> None:
    from aktion.backends.diffusers_keyframe import load_keyframe_pipeline

    root = production(tmp_path / "p", SD15.format(**download))
    OPENED.clear()
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    done = run_steps(graph, store, "1", ("layout", "keyframe"))  # the real previz depth
    assert read_array(output(store, done, "layout:1", "depth")).dtype == np.uint16
    action = done["keyframe:1"]
    assert OPENED == []  # not one of the pickles beside the safetensors was opened
    assert action.record["identity_refs"] == ["vex/vex/front.png"]
    assert store.blob_path(action.outputs["image"]).is_file()
    # The fp16 variant's weights are the ones loaded (upcast on CPU), not the full file's.
    pipe = load_keyframe_pipeline(download["model"], download["controlnet"],
                                  download["ip_adapter"], variant="fp16",
                                  ip_adapter_weight_name="models/ip-adapter_sd15.safetensors")
    unet = download["model"] / "unet"
    fp16 = load_file(str(unet / "diffusion_pytorch_model.fp16.safetensors"))["conv_in.weight"]
    full = load_file(str(unet / "diffusion_pytorch_model.safetensors"))["conv_in.weight"]
    assert torch.equal(pipe.unet.conv_in.weight.detach(), fp16.float())
    assert not torch.equal(fp16.float(), full)
    assert pipe.unet.encoder_hid_proj is not None  # the IP-Adapter file named is loaded


def test_weights_there_only_as_pickle_are_refused_naming_the_file(
        tmp_path: Path, download: dict[str, Path]) -> None:
    folders = {k: tmp_path / v.name for k, v in download.items()}
    for key, src in download.items():
        shutil.copytree(src, folders[key])
    for st in (folders["model"] / "unet").glob("*.safetensors"):
        st.unlink()  # the UNet is left with diffusion_pytorch_model{,.fp16}.bin only
    root = production(tmp_path / "p", SD15.format(**folders))
    _register()
    shown = CliRunner().invoke(app, ["plan", str(root), "--policy", "final"])
    assert shown.exit_code == 2 and "Traceback" not in shown.output
    assert "unet/diffusion_pytorch_model.bin is pickle weights with no .safetensors" \
        in " ".join(shown.output.split())
    with pytest.raises(BackendError, match=r"unet/diffusion_pytorch_model\.bin is pickle"):
        model_weights(folders["model"], "keyframe model", "fp16", ("safety_checker",))


def test_an_ip_adapter_folder_of_several_files_needs_its_weight_name(
        tmp_path: Path, download: dict[str, Path]) -> None:
    unnamed = SD15.format(**download).replace(
        'ip_adapter_weight_name = "models/ip-adapter_sd15.safetensors"\n', "")
    with pytest.raises(UnmetNeed, match="set ip_adapter_weight_name"):
        plan(load_production(production(tmp_path / "a", unnamed)), "final")
    named_pickle = SD15.format(**download).replace("ip-adapter_sd15.safetensors",
                                                   "ip-adapter_sd15.bin")
    with pytest.raises(UnmetNeed, match=r"ip-adapter_sd15\.bin is a pickle: refusing it"):
        plan(load_production(production(tmp_path / "b", named_pickle)), "final")
    # The weight file itself may be named instead of folder + weight name.
    direct = unnamed.replace(f'ip_adapter = "{download["ip_adapter"]}"',
                             f'ip_adapter = "{download["ip_adapter"]}/models/'
                             'ip-adapter-plus_sd15.safetensors"')
    graph = plan(load_production(production(tmp_path / "c", direct)), "final")
    assert graph.steps["keyframe:1"].backend == "diffusers"


def test_a_sharded_wan_download_loads_and_every_shard_is_counted(
        tmp_path: Path, tiny: Path) -> None:
    from aktion.backends.diffusers_wan_load import load_vace, motion_spec, motion_weights

    folder = wan_download(tiny, tmp_path)
    weights = motion_weights(motion_spec({"model": folder}, Path))
    assert len(weights["transformer"].files) > 1 and len(weights["text_encoder"].files) > 1
    pipe = load_vace(folder)
    for name, w in weights.items():
        state = getattr(pipe, name).state_dict()
        unique = {t.data_ptr(): t.numel() for t in state.values() if t.is_floating_point()}
        assert w.params == sum(unique.values()), name  # the headers count what it holds
