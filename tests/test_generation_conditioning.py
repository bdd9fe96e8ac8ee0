"""What the diffusers models receive, from a real previz render of a small production.

The previz backend renders the layout (millimetre depth map, per-character masks)
and the control maps (the OpenPose-style skeleton video) of each shot; the tiny
random-weight pipelines then run on them, and the arguments of the real modules
(ControlNet, UNet, IP-Adapter attention, text encoders, the VACE pipeline and
transformer) are recorded as they are called: the tests read what each model got.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from aktion.engine.graph import plan
from aktion.engine.router import UnmetNeed
from aktion.engine.store import Store
from aktion.generation.prompts import shot_prompt
from aktion.media.images import read_array, write_png_atomic
from aktion.media.video import iter_frames
from aktion.previz.control_maps import COLORS
from aktion.previz.masks import read_masks
from aktion.production.load import load_production
from conftest import KADE, VEX, write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from steps import output, run_steps, spy
from tiny_models import build_all

BACKENDS = """\
[diffusers.keyframe]
model = "{m}/sd"
controlnet = "{m}/controlnet"
ip_adapter = "{m}/ip"
steps = 2
size = 96

[diffusers.motion]
model = "{m}/wan-vace"
steps = 1
size = 96
max_frames = 9
"""
LOOKS = {
    "vex": "look: Lean and wiry, short black hair under a hood, a cut over one eyebrow.\n"
           "wardrobe: Red nylon courier jacket, black cargo trousers, yellow gloves.\n"
           "refs: [vex/front.png, vex/side.png]\n",
    "kade": "look: Broad as a door, shaved head, a heavy jaw.\n"
            "wardrobe: Charcoal-grey suit, white shirt open at the collar, navy gloves.\n"
            "refs: [kade/front.png]\n",
}
PREVIZ = ("layout", "motion_control", "control_maps")
GEN = (96, 48)  # the 160x96 production generated 96 pixels wide (width, height)


def reference(path: Path, colour: tuple[int, int, int], stripe: int) -> None:
    """A portrait-shaped picture that is unmistakably one character's, not another's."""
    a = np.zeros((64, 48, 3), np.uint8)
    a[:] = colour
    a[::stripe] = 255 - np.array(colour, np.uint8)
    write_png_atomic(path, a)


def cast_with_references(root: Path) -> Path:
    """The tiny two-shot production, both characters described and with references."""
    write_production(root, vex=VEX + LOOKS["vex"], kade=KADE + LOOKS["kade"])
    reference(root / "cast/vex/front.png", (200, 30, 30), 4)
    reference(root / "cast/vex/side.png", (180, 60, 20), 6)
    reference(root / "cast/kade/front.png", (60, 70, 90), 5)
    return root


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory):
    """The production planned under `final`; shot 2's previz steps and keyframe run,
    with what the keyframe's models received recorded in ``seen``."""
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline, UNet2DConditionModel
    from diffusers.models.attention_processor import IPAdapterAttnProcessor2_0
    from transformers import CLIPTextModel, CLIPVisionModelWithProjection

    tmp = tmp_path_factory.mktemp("conditioning")
    models = build_all(tmp / "models")
    root = cast_with_references(tmp / "p")
    (root / "backends.toml").write_text(BACKENDS.format(m=models))
    graph = plan(load_production(root), "final")
    store = Store.for_production(root)
    done = run_steps(graph, store, "2", PREVIZ)
    with pytest.MonkeyPatch.context() as mp:
        seen = {"pipeline": spy(mp, StableDiffusionControlNetPipeline, "__call__"),
                "controlnet": spy(mp, ControlNetModel), "unet": spy(mp, UNet2DConditionModel),
                "image_encoder": spy(mp, CLIPVisionModelWithProjection),
                "ip_attention": spy(mp, IPAdapterAttnProcessor2_0, "__call__"),
                "text_encoder": spy(mp, CLIPTextModel)}
        done = run_steps(graph, store, "2", ("keyframe",), done)
    yield root, graph, store, done, seen
    store.close()


def _resized(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(size)) > 127


def _eroded(mask: np.ndarray, r: int = 1) -> np.ndarray:
    import cv2

    return cv2.erode(mask.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0


def test_depth_reaches_the_controlnet_as_normalised_inverse_depth(studio) -> None:
    _, _, store, done, seen = studio
    calls = seen["controlnet"]
    cond = calls[0]["kwargs"]["controlnet_cond"]
    assert cond.shape[1:] == (3, GEN[1], GEN[0])
    grey = cond[0, 0].numpy()
    assert np.allclose(cond[0, 1].numpy(), grey) and np.allclose(cond[-1].numpy(), cond[0].numpy())
    # The whole 8-bit range is used: the old millimetres / 257 peaked below 0.02 here.
    assert grey.max() > 0.95 and grey.min() == 0.0
    depth = read_array(output(store, done, "layout:2", "depth"))
    size = GEN
    sky = _eroded(_resized(depth == 0, size))
    assert sky.sum() > 100 and grey[sky].max() == 0.0  # sky is black
    masks = read_masks(output(store, done, "layout:2", "masks"))
    body = {c: _eroded(_resized(m, size)) for c, m in masks.items()}
    anyone = _resized(np.any(list(masks.values()), axis=0), size)
    for cid, mask in masks.items():
        behind = (depth > np.percentile(depth[mask], 90)) & (depth > 0)  # the floor beyond
        floor = _eroded(_resized(behind, size)) & ~anyone
        assert body[cid].sum() > 20 and floor.sum() > 20
        assert grey[body[cid]].mean() > grey[floor].mean() + 0.2  # near is bright


def test_each_character_gets_one_identity_inside_their_own_mask(studio) -> None:
    _, _, store, done, seen = studio
    unet, encoder, attention = seen["unet"], seen["image_encoder"], seen["ip_attention"]
    action = done["keyframe:2"]
    assert action.record["identity_characters"] == ["kade", "vex"]
    assert action.record["identity_refs"] == ["kade/kade/front.png", "vex/vex/front.png",
                                              "vex/vex/side.png"]
    # One encoder pass over the three references; each character's embedding is the
    # mean of their own references' embeddings, and nobody else's.
    assert len(encoder) == 1 and encoder[0]["args"][0].shape[0] == 3
    refs = encoder[0]["out"].image_embeds.detach()
    expected = torch.stack([refs[0], refs[1:3].mean(0)])
    embeds = unet[0]["kwargs"]["added_cond_kwargs"]["image_embeds"]
    assert len(embeds) == 1 and embeds[0].shape == (2, 2, 16)  # (uncond + cond, characters)
    assert torch.allclose(embeds[0][1], expected, atol=1e-6)
    assert embeds[0][0].abs().max() == 0  # the unconditional half
    # One mask per character, from the layout's per-character masks of the key frame.
    masks = unet[0]["kwargs"]["cross_attention_kwargs"]["ip_adapter_masks"]
    assert len(masks) == 1 and masks[0].shape == (1, 2, GEN[1], GEN[0])
    previz = read_masks(output(store, done, "layout:2", "masks"))
    for i, cid in enumerate(["kade", "vex"]):
        got = masks[0][0, i].numpy() > 0.5
        own = _eroded(_resized(previz[cid], GEN))
        other = _eroded(_resized(previz["vex" if cid == "kade" else "kade"], GEN))
        assert got[own].mean() > 0.95  # covers the character
        assert got[other].mean() < 0.05  # and not the other one
        assert got.mean() < 0.5
    # The IP-Adapter attention layers themselves get both masks with both embeddings.
    assert attention and all(
        c["kwargs"]["ip_adapter_masks"][0].shape[1] == 2 for c in attention)
    assert all(c["kwargs"]["encoder_hidden_states"][1][0].shape[1] == 2 for c in attention)


def test_keyframe_prompt_fits_the_clip_encoder_in_order(studio) -> None:
    _, graph, _, done, seen = studio
    pipes, encoder = seen["pipeline"], seen["text_encoder"]
    action = done["keyframe:2"]
    text = pipes[0]["kwargs"]["prompt"]
    assert action.record["prompt"]["prompt"] == {"text": text, "tokens": len(
        pipes[0]["self"].tokenizer(text).input_ids), "budget": 77}
    # The encoder got every token of the prompt, up to its end-of-text: nothing cut.
    ids = pipes[0]["self"].tokenizer(text).input_ids
    assert len(ids) <= 77
    assert encoder[0]["args"][0][0, :len(ids)].tolist() == ids
    long = shot_prompt(graph.steps["keyframe:2"].request.model_dump())
    assert len(pipes[0]["self"].tokenizer(long).input_ids) > 77  # which would have been cut
    # Subject first (both characters by name, essentials before the action), then the
    # framing; every word is a whole word of the long form.
    assert text.startswith("VEX, a wiry courier") and "KADE, a heavy enforcer" in text
    assert text.index("KADE") < text.index("medium shot")
    words = set(long.replace(".", " ").replace(",", " ").split())
    assert set(text.replace(".", " ").replace(",", " ").split()) <= words


def _openpose_like(frame: np.ndarray) -> bool:
    """Mostly black, and what is not black is in OpenPose's keypoint/limb colours."""
    lit = frame.max(-1) > 60
    if not 0.002 < lit.mean() < 0.4:
        return False
    palette = np.array(COLORS, np.float32)
    pixels = frame[lit].astype(np.float32)
    # limbs are blended at 0.6 over black, so compare hues: scale each pixel to its max
    norm = pixels / pixels.max(-1, keepdims=True) * 255
    near = np.abs(norm[:, None, :] - palette[None]).max(-1).min(-1)
    return bool(np.mean(near < 90) > 0.8)


def test_motion_follows_the_skeleton_frame_for_frame_with_references(studio,
                                                                     monkeypatch) -> None:
    from diffusers import WanVACEPipeline, WanVACETransformer3DModel
    from PIL import Image
    from transformers import UMT5EncoderModel

    root, graph, store, done, _ = studio
    pipes = spy(monkeypatch, WanVACEPipeline, "__call__")
    transformer = spy(monkeypatch, WanVACETransformer3DModel)
    text = spy(monkeypatch, UMT5EncoderModel)
    done = run_steps(graph, store, "2", ("motion",), done)
    call = pipes[0]["kwargs"]
    video, size = call["video"], (96, 48)
    assert len(video) == 9 and all(f.size == size for f in video)
    # Frame 0 is the keyframe (kept under a black mask); frame i >= 1 is frame i of the
    # previz skeleton video of the shot, not a resampling of it.
    keyframe = read_array(output(store, done, "keyframe:2", "image"))
    assert np.array_equal(np.asarray(video[0]), np.asarray(Image.fromarray(keyframe).resize(size)))
    assert np.asarray(call["mask"][0]).max() == 0 and np.asarray(call["mask"][1]).min() == 255
    pose = [np.asarray(Image.fromarray(f).resize(size))
            for f in iter_frames(output(store, done, "control_maps:2", "pose"))]
    assert len(pose) == 12
    for i in range(1, 9):
        got = np.asarray(video[i])
        assert np.array_equal(got, pose[i]), f"guide frame {i} is not pose frame {i}"
        assert _openpose_like(got)
    assert not np.array_equal(np.asarray(video[1]), np.asarray(video[8]))  # the jab moves
    # Each character's first reference goes in as a VACE reference image...
    refs = call["reference_images"]
    assert [np.asarray(r).shape for r in refs] == [(64, 48, 3), (64, 48, 3)]
    for ref, path in zip(refs, ["kade/front.png", "vex/front.png"], strict=True):
        assert np.array_equal(np.asarray(ref), read_array(root / "cast" / path))
    assert done["motion:2"].record["reference_images"] == ["kade/kade/front.png",
                                                           "vex/vex/front.png"]
    # ... and reaches the transformer as two more latent frames before the clip's three.
    control = transformer[0]["kwargs"]["control_hidden_states"]
    assert control.shape[2] == 2 + 3
    assert transformer[0]["kwargs"]["hidden_states"].shape[2] == 5
    # The UMT5 encoder reads long text: it gets the long form, whole.
    prompt = call["prompt"]
    assert prompt == shot_prompt(graph.steps["motion:2"].request.model_dump())
    assert "red nylon courier jacket" in prompt and "charcoal-grey suit" in prompt
    ids = pipes[0]["self"].tokenizer(prompt).input_ids
    assert len(ids) <= 512 and text[0]["args"][0][0, :len(ids)].tolist() == ids


def test_a_need_the_configuration_cannot_honour_fails_the_plan(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aktion.cli import _register, app

    root = cast_with_references(tmp_path / "p")
    cfg = BACKENDS.format(m=tmp_path / "models")
    (root / "backends.toml").write_text(cfg.replace(f'ip_adapter = "{tmp_path}/models/ip"\n',
                                                    ""))
    with pytest.raises(UnmetNeed) as e:
        plan(load_production(root), "final")
    assert str(e.value) == (
        "shot 1: `keyframe` needs refs conditioning (locked characters vex, kade have "
        "reference images); set ip_adapter in [diffusers.keyframe] of backends.toml")
    _register()
    shown = CliRunner().invoke(app, ["plan", str(root), "--policy", "final"])
    assert shown.exit_code != 0 and "set ip_adapter in [diffusers.keyframe]" in shown.output
    assert "Traceback" not in shown.output
    no_controlnet = cfg.replace(f'controlnet = "{tmp_path}/models/controlnet"\n', "")
    (root / "backends.toml").write_text(no_controlnet)
    with pytest.raises(UnmetNeed, match=r"needs depth conditioning \(the keyframe follows the "
                                        r"board's previz layout\); set controlnet in "
                                        r"\[diffusers.keyframe\] of backends.toml"):
        plan(load_production(root), "final")
