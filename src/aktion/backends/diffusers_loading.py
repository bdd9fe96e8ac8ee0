"""Loading a family's pipeline: dtypes, the memory check, and placement (GPU or offload).

Every family module builds its pipeline on the CPU from checked safetensors
(``diffusers_weights``), then ``place`` puts it on the device whole, or with
``enable_model_cpu_offload`` when it fits only that way (``diffusers_memory``),
or refuses with the figures before a long load ends in an out-of-memory error.
"""

from __future__ import annotations

import importlib
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import BackendError
from .diffusers_families import Family
from .diffusers_files import device
from .diffusers_memory import Fit, Need, activation_bytes, decide, device_memory
from .diffusers_weights import Weights, model_weights, variant_of

ITEMSIZE = {"float16": 2, "bfloat16": 2, "float32": 4}


def dtype_name(fam: Family, setting: str | None, on_cuda: bool | None = None) -> str:
    """The dtype the family's main components run in: the setting, else the family's on
    CUDA (bfloat16 falls back to float16 on GPUs without it), float32 on CPU."""
    if setting:
        return setting
    cuda = device() == "cuda" if on_cuda is None else on_cuda
    if not cuda:
        return "float32"
    if fam.dtype == "bfloat16":
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return fam.dtype


def torch_dtype(name: str):
    import torch

    return getattr(torch, name)


def part_dtype(fam: Family, part: str, main: str) -> str:
    """Components the family keeps in float32 on CUDA (Wan's VAE and image encoder)."""
    return "float32" if part in fam.float32_parts else main


def need(fam: Family, weights: dict[str, Weights], main: str, width: int, height: int,
         frames: int = 1) -> Need:
    """The pipeline's memory need at a generation size (see ``diffusers_memory``)."""
    sized = {name: w.nbytes(ITEMSIZE[part_dtype(fam, name, main)]) for name, w in weights.items()}
    denoiser = weights.get(fam.denoiser)
    wide = math.sqrt(denoiser.params / fam.reference_params) if denoiser else 1.0
    act = activation_bytes(fam.activation_gib, fam.native, fam.frames, width, height, frames,
                           wide)
    at = f"{width}x{height}" + (f"x{frames}" if frames > 1 else "")
    return Need(at, sized, act, (fam.denoiser, "controlnet") if "controlnet" in sized else ())


def place(pipe: Any, fit: Fit) -> Any:
    """On the device whole, or with model CPU offload when the fit says so."""
    if fit.offload:
        pipe.enable_model_cpu_offload()
        return pipe
    return pipe.to(device())


def check_fit(fam: Family, weights: dict[str, Weights], main: str, at: tuple[int, int, int],
              offload: bool | str, memory_gib: float | None, what: str) -> Fit:
    """The placement for a pipeline about to load; when it would not fit whole, the other
    pipelines this process holds (the keyframe model, when the clip model loads) are let
    go first and the memory measured again."""
    needed = need(fam, weights, main, *at)
    fit = decide(needed, device_memory(memory_gib), offload)
    if (not fit.ok or (fit.offload and offload is not True)) and any(c.items for c in _CACHES):
        for cache in _CACHES:
            cache.clear()
        fit = decide(needed, device_memory(memory_gib), offload)
    if not fit.ok:
        raise BackendError(f"{what}: {fit.reason}")
    return fit


def used_variant(w: Weights, variant: str | None) -> str | None:
    """The variant a component really has files of (None when it falls back)."""
    return variant if variant and w.files and variant_of(w.files[0].name) == variant else None


def load_part(folder: Path, part: str, library_class: tuple[str, str], dtype: str,
              variant: str | None) -> Any:
    """One component of a pipeline folder, loaded on its own (to give it its own dtype)."""
    library, cls = library_class
    klass = getattr(importlib.import_module(library), cls)
    kwargs: dict[str, Any] = {"dtype": torch_dtype(dtype), "use_safetensors": True,
                              "local_files_only": True}
    if variant:
        kwargs["variant"] = variant
    return klass.from_pretrained(folder, subfolder=part, **kwargs)


def load_model(cls: Any, folder: Path, dtype: str, weights: Weights,
               variant: str | None) -> Any:
    """A single model folder (a ControlNet) from its safetensors."""
    kwargs: dict[str, Any] = {"local_files_only": True, "use_safetensors": True,
                              "dtype": torch_dtype(dtype)}
    if (v := used_variant(weights, variant)) is not None:
        kwargs["variant"] = v
    return cls.from_pretrained(folder, **kwargs)


def image_encoder(folder: Path, dtype: str) -> Any:
    """An IP-Adapter's CLIP vision encoder, from its folder's safetensors."""
    from transformers import CLIPVisionModelWithProjection

    model_weights(folder, "identity adapter image encoder")
    return CLIPVisionModelWithProjection.from_pretrained(
        folder, dtype=torch_dtype(dtype), use_safetensors=True, local_files_only=True)


@dataclass(frozen=True)
class Size:
    """The generation size a load is checked for (width, height, frames)."""

    width: int
    height: int
    frames: int = 1

    def triple(self) -> tuple[int, int, int]:
        return (self.width, self.height, self.frames)


_CACHES: list[PipelineCache] = []  # every cache of loaded pipelines in this process


class PipelineCache:
    """Loaded pipelines by what was loaded (not by generation size), least recent out.

    Pipelines are large: when one is pushed out it is dropped and the device's
    cache emptied, so the next one has the memory."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        _CACHES.append(self)

    def get(self, key: Any, load: Callable[[], Any]) -> Any:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        while len(self.items) >= self.size:
            self.items.popitem(last=False)
            _empty_device_cache()
        value = self.items[key] = load()
        return value

    def clear(self) -> None:
        self.items.clear()
        _empty_device_cache()


def _empty_device_cache() -> None:
    import gc

    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


def controlled_pipeline(cls: Any, spec: Any, dtype: str, weights: dict[str, Weights],
                        **parts: Any) -> Any:
    """A keyframe pipeline from the model folder, with the parts given (controlnet, ...)
    and the IP-Adapter's image encoder when one is configured."""
    if spec.ip_encoder is not None:
        parts["image_encoder"] = image_encoder(spec.ip_encoder, dtype)
    kwargs: dict[str, Any] = {"local_files_only": True, "use_safetensors": True,
                              "dtype": torch_dtype(dtype)}
    own = [w for name, w in weights.items() if name not in ("controlnet", "ip_adapter",
                                                            "image_encoder")]
    if any(used_variant(w, spec.variant) for w in own):
        kwargs["variant"] = spec.variant
    return cls.from_pretrained(spec.model, **parts, **kwargs)
