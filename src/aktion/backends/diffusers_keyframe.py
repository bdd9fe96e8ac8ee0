"""Keyframes: a diffusion model + depth control (the previz layout) + IP-Adapter identity.

The board fixes the composition (depth control on the previz depth map); each
locked character's reference images fix the look (IP-Adapter). The model family
(SD 1.x/2.x, SDXL, Flux) comes from the model folder; the pipelines are loaded
once per process from local safetensors folders named in ``backends.toml``
(``diffusers_keyframe_load``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aktion.generation.prompts import NEGATIVE, shot_prompt

from .base import BackendError, Progress, StepRequest
from .diffusers_files import control_image, device, gen_size, open_reference
from .diffusers_keyframe_load import keyframe_call, keyframe_pipeline, load_keyframe_pipeline

__all__ = ["load_keyframe_pipeline", "reference_images", "run_keyframe"]


def reference_images(request: StepRequest, cast_dir: Path, size: int) -> list[tuple[str, Any]]:
    """(name, image) for every reference of every character in the shot, bounded."""
    refs = []
    for cid, char in sorted(request.cast.items()):
        for ref in char.get("refs", []):
            path = (cast_dir / ref).resolve()
            if not path.is_relative_to(cast_dir.resolve().parent):
                raise BackendError(f"reference {ref} of {cid} is outside the production")
            refs.append((f"{cid}/{ref}", open_reference(path, size)))
    return refs


def run_keyframe(request: StepRequest, table: dict[str, Any], resolve, cast_dir: Path,
                 workdir: Path, progress: Progress) -> tuple[dict[str, Path], dict[str, Any]]:
    import torch

    ip = table.get("ip_adapter")
    width, height = gen_size(request.format, table)
    pipe = keyframe_pipeline(table, resolve, (width, height))
    control = control_image(request.inputs["depth"], width, height)
    steps = int(table.get("steps", 25))
    kwargs: dict[str, Any] = {}
    refs: list[tuple[str, Any]] = []
    if "refs" in request.params.get("conditioning", []):
        if ip is None:
            raise BackendError("identity needed but no ip_adapter is configured")
        enc = pipe.image_encoder.config.image_size
        refs = reference_images(request, cast_dir, enc)
        kwargs["ip_adapter_image"] = [[im for _, im in refs]]
        pipe.set_ip_adapter_scale(float(table.get("ip_scale", 0.7)))
    elif ip is not None:
        pipe.set_ip_adapter_scale(0.0)
        kwargs["ip_adapter_image"] = [[control]]  # unused at scale 0; the pipeline wants one
    image = keyframe_call(pipe, table)(
        shot_prompt(request.model_dump()), image=control, negative_prompt=NEGATIVE,
        width=width, height=height, num_inference_steps=steps,
        guidance_scale=float(table.get("guidance", 7.0)),
        generator=torch.Generator("cpu").manual_seed(request.seed),
        callback_on_step_end=lambda p, i, t, kw: (progress(i + 1, steps), kw)[1],
        **kwargs,
    ).images[0]
    out = workdir / "keyframe.png"
    image.save(out)
    record = {"pipeline": type(pipe).__name__, "size": [width, height], "steps": steps,
              "control": {"depth": list(control.size)}, "identity_refs": [n for n, _ in refs],
              "device": device()}
    return {"image": out}, record
