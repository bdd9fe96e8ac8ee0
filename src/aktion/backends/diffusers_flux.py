"""Flux keyframes, two ways to follow the previz depth.

- ``FluxControlNetPipeline``: a Flux base pipeline folder (``FLUX.1-dev``) and a
  Flux depth ControlNet folder (``FluxControlNetModel``, e.g.
  ``Shakker-Labs/FLUX.1-dev-ControlNet-Depth``); an XLabs-format IP-Adapter
  (``XLabs-AI/flux-ip-adapter``, ``ip_adapter.safetensors``) with a CLIP ViT-L
  vision encoder folder (``ip_adapter_image_encoder``) for identity.
- ``FluxControlPipeline``: ``FLUX.1-Depth-dev``, whose transformer takes the depth
  map itself (no controlnet; no IP-Adapter in diffusers for it).

Flux runs in bfloat16 on CUDA; it has no negative prompt at its distilled guidance.
"""

from __future__ import annotations

from typing import Any

from .diffusers_loading import controlled_pipeline, load_model
from .diffusers_weights import Weights


def load(spec: Any, dtype: str, weights: dict[str, Weights]) -> Any:
    from diffusers import FluxControlNetModel, FluxControlNetPipeline, FluxControlPipeline

    if spec.controlnet is None:
        return controlled_pipeline(FluxControlPipeline, spec, dtype, weights)
    cn = load_model(FluxControlNetModel, spec.controlnet, dtype, weights["controlnet"],
                    spec.variant)
    pipe = controlled_pipeline(FluxControlNetPipeline, spec, dtype, weights, controlnet=cn)
    if spec.ip_weight is not None:
        pipe.load_ip_adapter(str(spec.ip_weight.parent), weight_name=spec.ip_weight.name,
                             subfolder="", image_encoder_pretrained_model_name_or_path=None,
                             local_files_only=True)
    return pipe


def call_kwargs(pipe: Any, kwargs: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    """The control map goes in as ``control_image``; the negative prompt is dropped (it
    would only act with ``true_cfg_scale``, doubling the cost)."""
    kwargs = dict(kwargs)
    if "image" in kwargs:
        kwargs["control_image"] = kwargs.pop("image")
    kwargs.pop("negative_prompt", None)
    if hasattr(pipe, "controlnet") and table.get("control_scale") is not None:
        kwargs.setdefault("controlnet_conditioning_scale", float(table["control_scale"]))
    return kwargs
