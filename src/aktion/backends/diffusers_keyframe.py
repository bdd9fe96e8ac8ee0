"""Keyframes: StableDiffusion + ControlNet (the previz layout's depth) + IP-Adapter identity.

The board fixes the composition (ControlNet on the previz depth map, as normalised
inverse depth); each locked character's reference images fix their look, inside
their own mask of the layout frame (IP-Adapter, ``diffusers_identity``); the prompt
is fitted to the text encoder (``diffusers_prompt``). The models are loaded once
per process from local safetensors folders named in ``backends.toml``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from aktion.generation.prompts import NEGATIVE

from .base import BackendError, Progress, StepRequest
from .diffusers_files import check_folder, control_image, device, dtype, gen_size
from .diffusers_identity import Identity, identity
from .diffusers_prompt import prompt_kwargs, prompt_record


@lru_cache(maxsize=2)
def load_keyframe_pipeline(model: Path, controlnet: Path, ip_adapter: Path | None):
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline

    check_folder(model, "keyframe model")
    check_folder(controlnet, "keyframe controlnet")
    cn = ControlNetModel.from_pretrained(controlnet, local_files_only=True,
                                         use_safetensors=True, torch_dtype=dtype())
    pipe = StableDiffusionControlNetPipeline.from_pretrained(
        model, controlnet=cn, safety_checker=None, feature_extractor=None,
        requires_safety_checker=False, local_files_only=True, use_safetensors=True,
        torch_dtype=dtype())
    if ip_adapter is not None:
        check_folder(ip_adapter, "identity adapter")
        weights = min(ip_adapter.glob("*.safetensors")).name
        pipe.load_ip_adapter(str(ip_adapter), subfolder="", weight_name=weights,
                             image_encoder_folder="image_encoder", local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device())


def run_keyframe(request: StepRequest, table: dict[str, Any], resolve, cast_dir: Path,
                 workdir: Path, progress: Progress) -> tuple[dict[str, Path], dict[str, Any]]:
    import torch

    ip = table.get("ip_adapter")
    pipe = load_keyframe_pipeline(resolve(table["model"]), resolve(table["controlnet"]),
                                  resolve(ip) if ip else None)
    width, height = gen_size(request.format, int(table.get("size", 512)))
    control = control_image(request.inputs["depth"], width, height)
    steps = int(table.get("steps", 25))
    guidance = float(table.get("guidance", 7.0))
    kwargs: dict[str, Any] = {}
    who = Identity()
    if "refs" in request.params.get("conditioning", []):
        if ip is None:
            raise BackendError("keyframe needs refs but no ip_adapter is set in "
                               "[diffusers.keyframe] of backends.toml")
        who = identity(pipe, request, cast_dir, width, height, guidance)
        kwargs.update(who.kwargs)
    if ip is not None:
        pipe.set_ip_adapter_scale(float(table.get("ip_scale", 0.7)) if who.characters else 0.0)
        if not who.characters:  # unused at scale 0, but a pipeline with an adapter wants one
            kwargs["ip_adapter_image"] = [[control]]
    prompts = prompt_kwargs(pipe, request.model_dump())
    image = pipe(
        **prompts, image=control, negative_prompt=NEGATIVE,
        width=width, height=height, num_inference_steps=steps, guidance_scale=guidance,
        generator=torch.Generator("cpu").manual_seed(request.seed),
        callback_on_step_end=lambda p, i, t, kw: (progress(i + 1, steps), kw)[1],
        **kwargs,
    ).images[0]
    out = workdir / "keyframe.png"
    image.save(out)
    record = {"pipeline": type(pipe).__name__, "size": [width, height], "steps": steps,
              "control": {"depth": list(control.size)}, **who.record(),
              "prompt": prompt_record(pipe, prompts), "device": device()}
    return {"image": out}, record
