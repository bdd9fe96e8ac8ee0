"""Loading a keyframe pipeline of any supported family from the folders backends.toml names.

The model folder's ``model_index.json`` picks the family (SD 1.x/2.x, SDXL, Flux
with a ControlNet, Flux depth control); its module loads the pipeline with the
depth control and, where the family has one, the IP-Adapter. Pipelines are
cached per process by what was loaded, so every shot of a render reuses them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import BackendError
from .diffusers_families import Family, family_of, gen_size, generation
from .diffusers_files import device
from .diffusers_loading import PipelineCache, Size, check_fit, dtype_name, place
from .diffusers_weights import Weights, component_weights, header_sizes, model_weights, single_file

# Components a keyframe load never reads from the model folder: the safety checker and
# its feature extractor are not used, and the IP-Adapter's image encoder comes with it.
SKIPPED = ("safety_checker", "feature_extractor", "image_encoder")
_CACHE = PipelineCache(2)


@dataclass(frozen=True)
class KeyframeSpec:
    """What one keyframe pipeline is loaded from (the cache key: no generation size)."""

    model: Path
    controlnet: Path | None = None
    ip_weight: Path | None = None
    ip_encoder: Path | None = None
    variant: str | None = None
    dtype: str | None = None
    offload: bool | str = "auto"
    memory_gib: float | None = None


def keyframe_spec(table: dict[str, Any], resolve: Callable[[str], Path]) -> KeyframeSpec:
    """The spec from a ``[diffusers.keyframe]`` table (paths resolved by ``resolve``)."""
    ip_weight = ip_encoder = None
    if table.get("ip_adapter"):
        ip_path = resolve(table["ip_adapter"])
        ip_weight = single_file(ip_path, table.get("ip_adapter_weight_name"), "ip_adapter")
        ip_encoder = _image_encoder_folder(table, resolve, ip_path, ip_weight)
    return KeyframeSpec(
        model=resolve(table["model"]),
        controlnet=resolve(table["controlnet"]) if table.get("controlnet") else None,
        ip_weight=ip_weight, ip_encoder=ip_encoder, variant=table.get("variant"),
        dtype=table.get("dtype"), offload=table.get("offload", "auto"),
        memory_gib=table.get("memory_gib"))


def _image_encoder_folder(table: dict[str, Any], resolve: Callable[[str], Path], ip_path: Path,
                          weight: Path) -> Path:
    """The setting, else ``image_encoder/`` beside the weight file or at the folder's top
    (h94/IP-Adapter keeps ``models/image_encoder`` beside ``models/ip-adapter_sd15...``)."""
    if table.get("ip_adapter_image_encoder"):
        return resolve(table["ip_adapter_image_encoder"])
    for candidate in (weight.parent / "image_encoder", ip_path / "image_encoder"):
        if candidate.is_dir():
            return candidate
    raise BackendError(f"ip_adapter: no image_encoder/ folder beside {weight.name}; set "
                       "ip_adapter_image_encoder to the CLIP vision encoder's folder")


def family_module(fam: Family):
    return importlib.import_module(fam.module)


def keyframe_family(spec: KeyframeSpec) -> Family:
    fam = family_of(spec.model, "keyframe", "keyframe model")
    if fam.needs_controlnet and spec.controlnet is None:
        raise BackendError(f"keyframe model: {spec.model} is {fam.label}: it needs a depth "
                           "controlnet (set controlnet)")
    if not fam.needs_controlnet and spec.controlnet is not None:
        raise BackendError(f"keyframe model: {spec.model} is {fam.label}, which takes the "
                           "depth map itself: remove controlnet")
    if spec.ip_weight is not None and not fam.identity:
        raise BackendError(f"ip_adapter: {fam.label} has no IP-Adapter in diffusers; remove "
                           "ip_adapter (or use a Flux base model with a ControlNet)")
    return fam


def keyframe_weights(spec: KeyframeSpec) -> dict[str, Weights]:
    """Every safetensors file the load reads, by component, checked (pickles ignored)."""
    weights = model_weights(spec.model, "keyframe model", spec.variant, SKIPPED)
    if spec.controlnet is not None:
        weights["controlnet"] = model_weights(spec.controlnet, "keyframe controlnet",
                                              spec.variant)[""]
    if spec.ip_weight is not None:
        params, other = header_sizes(spec.ip_weight)
        weights["ip_adapter"] = Weights((spec.ip_weight,), params, other)
    if spec.ip_encoder is not None:
        if not spec.ip_encoder.is_dir():
            raise BackendError(f"ip_adapter_image_encoder: {spec.ip_encoder} not found")
        weights["image_encoder"] = component_weights(spec.ip_encoder, None,
                                                     "identity adapter image encoder")
    return weights


def _load(spec: KeyframeSpec, at: Size) -> Any:
    fam = keyframe_family(spec)
    weights = keyframe_weights(spec)
    main = dtype_name(fam, spec.dtype)
    fit = check_fit(fam, weights, main, at.triple(), spec.offload, spec.memory_gib,
                    "keyframe model")
    pipe = family_module(fam).load(spec, main, weights)
    pipe.set_progress_bar_config(disable=True)
    return place(pipe, fit)


def cached_pipeline(spec: KeyframeSpec, at: Size | None = None) -> Any:
    """The pipeline for ``spec``, loaded once per process (checked for ``at``'s size)."""
    if at is None:  # the family's own size (the preview's on CPU)
        fam = keyframe_family(spec)
        gen = generation(fam, spec.model, {}, device() == "cuda")
        w, h = gen["native"]
        at = Size(*gen_size({"width": w, "height": h}, gen))
    return _CACHE.get(spec, lambda: _load(spec, at))


def load_keyframe_pipeline(model: Path, controlnet: Path | None = None,
                           ip_adapter: Path | None = None, **settings: Any) -> Any:
    """The keyframe pipeline for these folders and settings (the same one a render uses)."""
    table = {"model": model, "controlnet": controlnet, "ip_adapter": ip_adapter, **settings}
    return cached_pipeline(keyframe_spec(table, Path))


def keyframe_pipeline(table: dict[str, Any], resolve: Callable[[str], Path],
                      size: tuple[int, int]) -> Any:
    """The pipeline a ``[diffusers.keyframe]`` table names, checked for the size made."""
    return cached_pipeline(keyframe_spec(table, resolve), Size(*size))


def keyframe_call(pipe: Any, table: dict[str, Any]) -> Callable[..., Any]:
    """``pipe`` called with Stable Diffusion's keyword names, in its family's terms."""
    from .diffusers_families import KEYFRAME_FAMILIES

    fam = next((f for f in KEYFRAME_FAMILIES if type(pipe).__name__ == f.pipeline), None)
    module = family_module(fam) if fam else None

    def call(*args: Any, **kwargs: Any) -> Any:
        if module is not None:
            kwargs = module.call_kwargs(pipe, kwargs, table)
        return pipe(*args, **kwargs)

    return call
