"""Keyframes: StableDiffusion + ControlNet (the previz layout's depth) + IP-Adapter identity.

The board fixes the composition (ControlNet on the previz depth map, as normalised
inverse depth); each locked character's reference images fix their look, inside
their own mask of the layout frame (IP-Adapter, ``diffusers_identity``); the prompt
is fitted to the text encoder (``diffusers_prompt``). The models are loaded once
per process from local safetensors folders named in ``backends.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aktion.generation.prompts import NEGATIVE

from .base import BackendError, Progress, StepRequest
from .diffusers_files import control_image, device, gen_size
from .diffusers_identity import Identity, identity
from .diffusers_keyframe_load import keyframe_call, keyframe_pipeline, load_keyframe_pipeline
from .diffusers_prompt import prompt_kwargs, prompt_record

__all__ = ["load_keyframe_pipeline", "run_keyframe"]


def run_keyframe(request: StepRequest, table: dict[str, Any], resolve, cast_dir: Path,
                 workdir: Path, progress: Progress) -> tuple[dict[str, Path], dict[str, Any]]:
    import torch

    ip = table.get("ip_adapter")
    width, height = gen_size(request.format, table)
    pipe = keyframe_pipeline(table, resolve, (width, height))
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
    image = keyframe_call(pipe, table)(
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
