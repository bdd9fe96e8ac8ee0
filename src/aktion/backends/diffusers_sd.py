"""Stable Diffusion 1.x / 2.x keyframes: a depth ControlNet and an IP-Adapter.

Real folders: ``stable-diffusion-v1-5/stable-diffusion-v1-5`` (or a 2.x pipeline),
``lllyasviel/control_v11f1p_sd15_depth``, and ``h94/IP-Adapter`` with
``ip_adapter_weight_name = "models/ip-adapter_sd15.safetensors"`` (its
``models/image_encoder`` is found beside the file).
"""

from __future__ import annotations

from typing import Any

from .diffusers_loading import controlled_pipeline, load_model
from .diffusers_weights import Weights


def load(spec: Any, dtype: str, weights: dict[str, Weights]) -> Any:
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline

    cn = load_model(ControlNetModel, spec.controlnet, dtype, weights["controlnet"], spec.variant)
    pipe = controlled_pipeline(StableDiffusionControlNetPipeline, spec, dtype, weights,
                               controlnet=cn, safety_checker=None, feature_extractor=None,
                               requires_safety_checker=False)
    load_ip_adapter(pipe, spec)
    return pipe


def load_ip_adapter(pipe: Any, spec: Any) -> None:
    """The IP-Adapter file into the UNet (its image encoder is already in the pipeline)."""
    if spec.ip_weight is None:
        return
    pipe.load_ip_adapter(str(spec.ip_weight.parent), subfolder="",
                         weight_name=spec.ip_weight.name, image_encoder_folder=None,
                         local_files_only=True)


def call_kwargs(pipe: Any, kwargs: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    """SD's own keyword names; the ControlNet strength when one is set."""
    if table.get("control_scale") is not None:
        kwargs.setdefault("controlnet_conditioning_scale", float(table["control_scale"]))
    return kwargs
