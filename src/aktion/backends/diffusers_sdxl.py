"""Stable Diffusion XL keyframes: a depth ControlNet and an IP-Adapter.

Real folders: ``stabilityai/stable-diffusion-xl-base-1.0`` (``variant = "fp16"``
loads its ``.fp16.safetensors``), ``diffusers/controlnet-depth-sdxl-1.0``, and
``h94/IP-Adapter`` with ``ip_adapter_weight_name =
"sdxl_models/ip-adapter_sdxl.safetensors"`` (``sdxl_models/image_encoder`` beside it).
The invisible watermark is off so a render does not depend on whether that
package happens to be installed.
"""

from __future__ import annotations

from typing import Any

from .diffusers_loading import controlled_pipeline, load_model
from .diffusers_sd import call_kwargs, load_ip_adapter
from .diffusers_weights import Weights

__all__ = ["call_kwargs", "load"]


def load(spec: Any, dtype: str, weights: dict[str, Weights]) -> Any:
    from diffusers import ControlNetModel, StableDiffusionXLControlNetPipeline

    cn = load_model(ControlNetModel, spec.controlnet, dtype, weights["controlnet"], spec.variant)
    pipe = controlled_pipeline(StableDiffusionXLControlNetPipeline, spec, dtype, weights,
                               controlnet=cn, feature_extractor=None, add_watermarker=False)
    load_ip_adapter(pipe, spec)
    return pipe
