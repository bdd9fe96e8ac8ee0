"""Benchmark the diffusers backend against the bare diffusers pipeline it drives.

On the example production's first shot, in the same run: the backend's
``keyframe`` and ``motion`` steps (real previz depth and pose guide, the store,
the measures) against the same loaded pipeline called directly on the same
inputs (same prompt, control, seed, size and steps). The goal is the backend
within 3% of the bare pipeline.

By default the models are tiny random-weight pipelines on the CPU, with the
CPU's preview defaults. ``--device cuda --real-sizes`` builds random-weight
pipelines of the real architectures' sizes instead (the SD 1.5 UNet, VAE,
ControlNet and CLIP-L text encoder; the Wan 2.1 VACE 1.3B transformer and VAE,
with a 2-layer UMT5 of the real width, since text encoding is done once per call
by both sides) at the families' native sizes, loaded the way diffusers
documents (fp16 SD; bf16 Wan with a float32 VAE).

    python bench/bench_diffusers.py [--device cpu|cuda] [--real-sizes] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_real(out: Path) -> Path:
    """Random-weight SD 1.5 + ControlNet and Wan 2.1 VACE 1.3B, at their real sizes."""
    import torch
    from diffusers import (
        AutoencoderKL,
        AutoencoderKLWan,
        ControlNetModel,
        DDIMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
        UniPCMultistepScheduler,
        WanVACEPipeline,
        WanVACETransformer3DModel,
    )
    from tiny_models import clip_tokenizer, t5_tokenizer
    from transformers import CLIPTextConfig, CLIPTextModel, UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(  # stable-diffusion-v1-5's unet/config.json
        sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
        block_out_channels=(320, 640, 1280, 1280), cross_attention_dim=768,
        attention_head_dim=8,
        down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3)
    vae = AutoencoderKL(
        block_out_channels=(128, 256, 512, 512), layers_per_block=2, latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
        sample_size=512)
    tok = clip_tokenizer()
    text = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tok), hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
        num_attention_heads=12, max_position_embeddings=77, bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id))
    controlnet = ControlNetModel.from_unet(unet)
    half = torch.float16  # saved as the hub's fp16 files are: half the disk and the load
    StableDiffusionPipeline(
        vae=vae, text_encoder=text, tokenizer=tok, unet=unet, scheduler=DDIMScheduler(),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    ).to(half).save_pretrained(out / "sd", safe_serialization=True)
    controlnet.to(half).save_pretrained(out / "controlnet", safe_serialization=True)
    del unet, vae, text, controlnet

    transformer = WanVACETransformer3DModel(  # Wan2.1-VACE-1.3B-diffusers' transformer
        patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16,
        out_channels=16, text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30,
        cross_attn_norm=True, qk_norm="rms_norm_across_heads", eps=1e-6,
        rope_max_seq_len=1024, vace_layers=[0, 5, 10, 15, 20, 25], vace_in_channels=96)
    t5tok = t5_tokenizer()
    umt5 = UMT5EncoderModel(UMT5Config(vocab_size=len(t5tok), d_model=4096, d_kv=64,
                                       d_ff=10240, num_layers=2, num_heads=64))
    WanVACEPipeline(  # bf16 like the released weights; the VAE in float32
        tokenizer=t5tok, text_encoder=umt5.to(torch.bfloat16), vae=AutoencoderKLWan(),
        transformer=transformer.to(torch.bfloat16),
        scheduler=UniPCMultistepScheduler(prediction_type="flow_prediction",
                                          use_flow_sigmas=True, flow_shift=3.0),
    ).save_pretrained(out / "wan-vace", safe_serialization=True)
    return out


def backends_toml(models: Path, a: argparse.Namespace) -> str:
    key = f'[diffusers.keyframe]\nmodel = "{models}/sd"\ncontrolnet = "{models}/controlnet"\n'
    mot = f'[diffusers.motion]\nmodel = "{models}/wan-vace"\nmax_frames = {a.frames}\n'
    if a.steps:
        key += f"steps = {a.steps}\n"
        mot += f"steps = {a.steps}\n"
    return key + mot


def alternate(ours, bare, repeats: int) -> tuple[float, float]:
    """Best-of-``repeats`` times of both, run turn about so a busy machine slows both alike."""
    t_ours, t_bare = [], []
    for _ in range(repeats):
        for fn, times in ((bare, t_bare), (ours, t_ours)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return min(t_ours), min(t_bare)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--real-sizes", action="store_true",
                    help="random-weight pipelines of SD 1.5's and Wan 1.3B's real sizes")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=0, help="0: the backend's defaults")
    ap.add_argument("--frames", type=int, default=17, help="the motion clip's frames")
    ap.add_argument("--threads", type=int, default=1, help="torch threads on CPU")
    a = ap.parse_args()
    if a.device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # before torch is imported
    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "generation"))
    import torch

    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA device here")
    if a.device == "cpu":
        torch.set_num_threads(a.threads)  # a fixed share of a shared machine: steadier times

    from tiny_models import build_all

    from aktion.backends.diffusers_files import control_image
    from aktion.backends.diffusers_keyframe_load import keyframe_pipeline
    from aktion.backends.diffusers_prompt import LONG_TOKENS, fitted_prompt
    from aktion.backends.diffusers_wan import _frames, _vace_len, reference_images
    from aktion.backends.diffusers_wan_load import vace_pipeline
    from aktion.engine.graph import plan
    from aktion.engine.router import load_backend
    from aktion.engine.run import execute
    from aktion.engine.store import Store
    from aktion.generation.prompts import NEGATIVE
    from aktion.media.images import open_image
    from aktion.production.load import load_production

    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        t0 = time.perf_counter()
        models = build_real(work / "models") if a.real_sizes else build_all(work / "models")
        print(f"{'real-size' if a.real_sizes else 'tiny'} random-weight models built in "
              f"{time.perf_counter() - t0:.1f} s; device {a.device}")
        root = work / "rooftop"
        shutil.copytree(ROOT / "examples" / "rooftop", root,
                        ignore=shutil.ignore_patterns("out", ".aktion"))
        (root / "backends.toml").write_text(backends_toml(models, a))
        graph = plan(load_production(root), "final")
        shot = next(s.shot for s in graph if s.kind == "keyframe")
        store = Store.for_production(root)
        previz = load_backend("previz")
        done = {}
        for kind in ("layout", "motion_control", "control_maps"):
            step = graph.steps[f"{kind}:{shot}"]
            inputs = {n: store.blob_path(done[dep].outputs[out])
                      for n, (dep, out) in step.deps.items()}
            done[step.id] = execute(step, inputs, store, previz, lambda i, n: None)
        backend = load_backend("diffusers", graph.contexts["diffusers"])
        key_step, mot_step = graph.steps[f"keyframe:{shot}"], graph.steps[f"motion:{shot}"]
        print(f"shot {shot}: keyframe: {key_step.reason}")
        print(f"shot {shot}: motion: {mot_step.reason}")
        depth = store.blob_path(done[f"layout:{shot}"].outputs["depth"])
        frame = store.blob_path(done[f"layout:{shot}"].outputs["frame"])
        guide = store.blob_path(done[f"control_maps:{shot}"].outputs["pose"])
        poses = store.blob_path(done[f"motion_control:{shot}"].outputs["poses"])

        def backend_keyframe():
            return execute(key_step, {"frame": frame, "depth": depth}, store, backend,
                           lambda i, n: None)

        first = backend_keyframe()  # loads the pipeline; the runs below are warm
        key_image = store.blob_path(first.outputs["image"])

        def backend_motion():
            return execute(mot_step, {"image": key_image, "guide": guide, "poses": poses},
                           store, backend, lambda i, n: None)

        backend_motion()
        ctx = graph.contexts["diffusers"]
        key_table = {**ctx.config["keyframe"], **key_step.request.params["model"]["generation"]}
        mot_table = {**ctx.config["motion"], **mot_step.request.params["model"]["generation"]}
        w, h = first.record["size"]
        kpipe = keyframe_pipeline(key_table, ctx.path, (w, h))
        prompt = fitted_prompt(key_step.request.model_dump(), kpipe.tokenizer)
        control = control_image(depth, w, h)
        steps = first.record["steps"]

        def bare_keyframe():
            return kpipe(  # SD's own call: the pipeline exactly as diffusers documents it
                prompt, image=control, negative_prompt=NEGATIVE, width=w, height=h,
                num_inference_steps=steps, guidance_scale=key_table["guidance"],
                generator=torch.Generator("cpu").manual_seed(key_step.request.seed),
            ).images[0]

        from aktion.backends.diffusers_families import gen_size

        mw, mh = gen_size(mot_step.request.format, mot_table)
        vpipe = vace_pipeline(mot_table, ctx.path, (mw, mh))
        n = _vace_len(int(mot_step.request.params["frames"]))
        from PIL import Image

        video = [open_image(key_image).convert("RGB").resize((mw, mh)),
                 *_frames(guide, n, (mw, mh))[1:]]
        mask = [Image.new("L", (mw, mh), 0 if i < 1 else 255) for i in range(n)]

        # What the backend conditions on, given to the bare pipeline too: the prompt fitted
        # to the text encoder and each character's reference image (a latent frame each).
        mot_prompt = fitted_prompt(mot_step.request.model_dump(), vpipe.tokenizer)
        refs = [im for _, im in reference_images(mot_step.request, ctx.cast_dir)]

        def bare_motion():
            return vpipe(prompt=mot_prompt, negative_prompt=NEGATIVE,
                         max_sequence_length=LONG_TOKENS, video=video, mask=mask,
                         reference_images=refs or None, height=mh, width=mw, num_frames=n,
                         num_inference_steps=mot_table["steps"],
                         guidance_scale=mot_table["guidance"],
                         conditioning_scale=float(mot_table.get("control_scale", 1.0)),
                         generator=torch.Generator("cpu").manual_seed(mot_step.request.seed),
                         output_type="np").frames[0]

        from aktion.generation.measures import step_measures

        rows = []
        for name, ours, bare, size, inputs in (
                ("keyframe", backend_keyframe, bare_keyframe, f"{w}x{h}, {steps} steps",
                 {"frame": frame, "depth": depth}),
                ("motion", backend_motion, bare_motion,
                 f"{mw}x{mh}x{n}, {mot_table['steps']} steps", {})):
            bare()  # warm
            t_ours, t_bare = alternate(ours, bare, a.repeats)
            outputs = {k: store.blob_path(v) for k, v in ours().outputs.items()}
            t_measure, _ = alternate(lambda o=outputs, i=inputs, k=name: step_measures(k, o, i),
                                     lambda: None, a.repeats)
            rows.append((name, size, t_ours, t_bare, t_measure))
        store.close()
    print(f"\n{'step':<9} {'size':<22} {'backend':>9} {'bare':>9} {'ratio':>7}  measures")
    for name, size, t_ours, t_bare, t_measure in rows:
        print(f"{name:<9} {size:<22} {t_ours:8.2f}s {t_bare:8.2f}s {t_ours / t_bare:7.3f}  "
              f"{t_measure:.2f}s")
    print(f"(best of {a.repeats}, run turn about; goal: the backend within 1.03x of the bare "
          "pipeline; measures: the part of the backend's time spent on the step's measures)")


if __name__ == "__main__":
    main()
