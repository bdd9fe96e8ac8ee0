"""Loading Wan VACE the way diffusers documents it, on the hardware there is.

On CUDA the transformer and text encoder run in bfloat16 (float16 on GPUs
without it) while the VAE (and an image encoder, where the folder has one) stay
in float32, as the WanVACEPipeline example does for decoding quality. The
scheduler's flow shift follows the generation size (3.0 at 480p, 5.0 at 720p)
unless ``flow_shift`` is set. The pipeline is offloaded to the CPU between
components when it fits only that way, or when ``offload = true``.

Real folders: ``Wan-AI/Wan2.1-VACE-1.3B-diffusers`` and ``...-14B-diffusers``
(sharded safetensors, UniPC scheduler with flow sigmas).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import BackendError
from .diffusers_families import WAN, family_of, flow_shift, gen_size, generation
from .diffusers_files import device
from .diffusers_loading import (
    PipelineCache,
    Size,
    check_fit,
    dtype_name,
    load_part,
    place,
    torch_dtype,
    used_variant,
)
from .diffusers_weights import Weights, model_weights, pipeline_components

_CACHE = PipelineCache(1)


@dataclass(frozen=True)
class MotionSpec:
    model: Path
    variant: str | None = None
    dtype: str | None = None
    offload: bool | str = "auto"
    memory_gib: float | None = None


def motion_spec(table: dict[str, Any], resolve: Callable[[str], Path]) -> MotionSpec:
    return MotionSpec(resolve(table["model"]), table.get("variant"), table.get("dtype"),
                      table.get("offload", "auto"), table.get("memory_gib"))


def motion_weights(spec: MotionSpec) -> dict[str, Weights]:
    family_of(spec.model, "motion", "motion model")
    return model_weights(spec.model, "motion model", spec.variant)


def _load(spec: MotionSpec, at: Size) -> Any:
    from diffusers import WanVACEPipeline

    weights = motion_weights(spec)
    main = dtype_name(WAN, spec.dtype)
    fit = check_fit(WAN, weights, main, at.triple(), spec.offload, spec.memory_gib,
                    "motion model")
    components = pipeline_components(spec.model)
    parts = {name: load_part(spec.model, name, components[name], "float32",
                             used_variant(weights[name], spec.variant))
             for name in WAN.float32_parts if name in weights and main != "float32"}
    kwargs: dict[str, Any] = {"local_files_only": True, "use_safetensors": True,
                              "dtype": torch_dtype(main)}
    if any(used_variant(w, spec.variant) for w in weights.values()):
        kwargs["variant"] = spec.variant
    try:
        pipe = WanVACEPipeline.from_pretrained(spec.model, **parts, **kwargs)
    except (OSError, ValueError) as e:
        raise BackendError(f"motion model: {spec.model}: {e}") from None
    pipe.set_progress_bar_config(disable=True)
    return place(pipe, fit)


def load_vace(model: Path, **settings: Any) -> Any:
    """The VACE pipeline for a folder and settings (the same one a render uses)."""
    spec = motion_spec({"model": model, **settings}, Path)
    gen = generation(WAN, spec.model, {}, device() == "cuda")
    w, h = gen["native"]
    at = Size(*gen_size({"width": w, "height": h}, gen), WAN.frames)
    return _CACHE.get(spec, lambda: _load(spec, at))


def vace_pipeline(table: dict[str, Any], resolve: Callable[[str], Path],
                  size: tuple[int, int]) -> Any:
    """The pipeline a ``[diffusers.motion]`` table names, checked for the size made, with
    the scheduler's flow shift for that size."""
    spec = motion_spec(table, resolve)
    at = Size(*size, int(table.get("max_frames", WAN.frames)))
    pipe = _CACHE.get(spec, lambda: _load(spec, at))
    set_flow_shift(pipe, flow_shift(table, *size))
    return pipe


def set_flow_shift(pipe: Any, shift: float) -> None:
    """The scheduler with ``shift``: ``flow_shift`` for UniPC/DPM flow-sigma schedulers (as
    the Wan folders ship), ``shift`` for flow-matching Euler."""
    config = pipe.scheduler.config
    key = "flow_shift" if "flow_shift" in config else "shift" if "shift" in config else None
    if key is None or float(config[key]) == float(shift):
        return
    pipe.scheduler = type(pipe.scheduler).from_config(config, **{key: float(shift)})
