"""Model families: what each pipeline family needs to be loaded and run well.

A model folder says what it is in ``model_index.json`` (``_class_name``); that picks
the family. The family knows its native generation size and the multiple its
latents need, the steps and guidance its authors recommend, the dtype it runs in
on CUDA, and a rough activation memory at its native size (for the memory plan).
On CPU every family has a preview size and step count that finish in seconds
with small models; they are a preview, not the film.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import BackendError
from .diffusers_weights import class_name


@dataclass(frozen=True)
class Family:
    name: str
    label: str
    module: str  # the file that loads it (one per family)
    classes: tuple[str, ...]  # model_index.json _class_name values it accepts
    pipeline: str  # the diffusers pipeline class it runs
    native: tuple[int, int]  # landscape (w, h): the size the family was trained at
    multiple: int  # width and height are multiples of this (VAE x patch; 16 for SD's UNets
    # too, whose latents then halve cleanly twice)
    steps: int
    guidance: float
    dtype: str  # on CUDA
    activation_gib: float  # rough peak activations at ``native`` (and ``frames``) ...
    reference_params: float  # ... for a denoiser (``denoiser``) of this many parameters
    frames: int = 1
    needs_controlnet: bool = True
    identity: bool = True  # an IP-Adapter can be loaded
    control_scale: float | None = None  # controlnet_conditioning_scale, if recommended
    float32_parts: tuple[str, ...] = ()  # components kept in float32 on CUDA
    preview: int = 256  # CPU: long side
    denoiser: str = "transformer"
    preview_steps: int = 4


SD = Family(
    "sd", "Stable Diffusion 1.x/2.x", "aktion.backends.diffusers_sd",
    classes=("StableDiffusionPipeline", "StableDiffusionControlNetPipeline"),
    pipeline="StableDiffusionControlNetPipeline", native=(512, 512), multiple=16, steps=30,
    guidance=7.0, dtype="float16", activation_gib=1.5, reference_params=860e6,
    denoiser="unet")
SDXL = Family(
    "sdxl", "Stable Diffusion XL", "aktion.backends.diffusers_sdxl",
    classes=("StableDiffusionXLPipeline", "StableDiffusionXLControlNetPipeline"),
    pipeline="StableDiffusionXLControlNetPipeline", native=(1024, 1024), multiple=16, steps=30,
    guidance=5.0, dtype="float16", activation_gib=4.0, reference_params=2.57e9,
    control_scale=0.5, denoiser="unet")
FLUX = Family(
    "flux", "Flux + ControlNet", "aktion.backends.diffusers_flux",
    classes=("FluxPipeline", "FluxControlNetPipeline"), pipeline="FluxControlNetPipeline",
    native=(1024, 1024), multiple=16, steps=28, guidance=3.5, dtype="bfloat16",
    activation_gib=4.0, reference_params=11.9e9, control_scale=0.6)
FLUX_CONTROL = Family(
    "flux-control", "Flux depth control (FLUX.1-Depth-dev)", "aktion.backends.diffusers_flux",
    classes=("FluxControlPipeline",), pipeline="FluxControlPipeline", native=(1024, 1024),
    multiple=16, steps=30, guidance=10.0, dtype="bfloat16", activation_gib=4.0,
    reference_params=11.9e9, needs_controlnet=False, identity=False)
WAN = Family(
    "wan", "Wan 2.1 VACE", "aktion.backends.diffusers_wan_load", classes=("WanVACEPipeline",),
    pipeline="WanVACEPipeline", native=(832, 480), multiple=16, steps=30, guidance=5.0,
    dtype="bfloat16", activation_gib=4.0, reference_params=1.56e9, frames=81,
    needs_controlnet=False, identity=False,
    float32_parts=("vae", "image_encoder"), preview=160)
KEYFRAME_FAMILIES = (SD, SDXL, FLUX, FLUX_CONTROL)
MOTION_FAMILIES = (WAN,)
WAN_720P_AREA = 1280 * 720  # Wan's documented flow shift: 3.0 at 480p, 5.0 at 720p


def family_of(folder: Path, kind: str, what: str) -> Family:
    """The family of a pipeline folder, from its ``model_index.json``."""
    if not folder.is_dir():
        raise BackendError(f"{what}: model folder {folder} not found (no download at run time)")
    cls = class_name(folder)
    families = KEYFRAME_FAMILIES if kind == "keyframe" else MOTION_FAMILIES
    for fam in families:
        if cls in fam.classes:
            return fam
    known = "; ".join(f"{f.classes[0]} ({f.label})" for f in families)
    found = f"a `{cls}` folder" if cls else "not a pipeline folder (no model_index.json)"
    raise BackendError(f"{what}: {folder} is {found}; supported: {known}")


def native_size(fam: Family, folder: Path) -> tuple[int, int]:
    """The family's native size, from the model's own config where the pipeline reads it.

    SD-style pipelines default to ``unet.sample_size * vae_scale_factor`` (512 for
    SD 1.5, 768 for SD 2.x, 1024 for SDXL); Flux to 128 * its VAE factor; Wan to 832x480."""
    if fam.name == "wan":
        return fam.native
    vae = _config(folder / "vae" / "config.json")
    factor = 2 ** (len(vae.get("block_out_channels", [0] * 4)) - 1)
    if fam.name in ("sd", "sdxl"):
        side = int(_config(folder / "unet" / "config.json").get("sample_size", 0)) * factor
    else:
        side = 128 * factor
    return (side, side) if side > 0 else fam.native


def _config(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def generation(fam: Family, folder: Path, table: dict[str, Any], on_cuda: bool) -> dict[str, Any]:
    """The generation settings a step runs with: the table's, else the family's defaults.

    On CPU the defaults are a preview (``profile = "cpu-preview"``): small size, few
    steps. They enter the step's key, so a preview is never taken for a CUDA render."""
    preview = not on_cuda and not (table.get("size") and table.get("steps"))
    out: dict[str, Any] = {
        "family": fam.name, "profile": "cpu-preview" if preview else "native",
        "native": list(native_size(fam, folder)) if folder.is_dir() else list(fam.native),
        "multiple": fam.multiple,
        "steps": int(table.get("steps", fam.preview_steps if preview else fam.steps)),
        "guidance": float(table.get("guidance", fam.guidance)),
    }
    if table.get("size"):
        out["size"] = int(table["size"])
    elif preview:
        out["size"] = fam.preview
    scale = table.get("control_scale", fam.control_scale)
    if scale is not None:
        out["control_scale"] = float(scale)
    return out


def flow_shift(table: dict[str, Any], width: int, height: int) -> float:
    """Wan's scheduler shift: the setting, else 3.0 below 720p and 5.0 from 720p up."""
    if table.get("flow_shift") is not None:
        return float(table["flow_shift"])
    return 5.0 if width * height >= 0.9 * WAN_720P_AREA else 3.0


def _capped(w: int, h: int, cap: int, multiple: int) -> tuple[int, int]:
    scale = min(1.0, cap / max(w, h))
    return (max(multiple, int(w * scale) // multiple * multiple),
            max(multiple, int(h * scale) // multiple * multiple))


def gen_size(fmt: dict[str, int], table: dict[str, Any] | int) -> tuple[int, int]:
    """The generation size for the production's aspect.

    With a ``size`` (the setting, or the CPU preview's): the production's aspect at
    most that many pixels on the long side. Otherwise the family's native size: Wan
    832x480 or 480x832 by orientation; image families the native pixel area at the
    production's aspect (SD 1.5 at 16:9: 688x384; SDXL and Flux: 1360x768).
    An int is a long-side cap in multiples of 16 (the older form)."""
    w, h = fmt.get("width", 1280), fmt.get("height", 720)
    if isinstance(table, int):
        return _capped(w, h, table, 16)
    m = int(table.get("multiple", 16))
    if table.get("size"):
        return _capped(w, h, int(table["size"]), m)
    nw, nh = table.get("native") or (512, 512)
    if table.get("family") == "wan":
        return (nw, nh) if w >= h else (nh, nw)
    scale = math.sqrt(nw * nh / (w * h))
    return (max(m, round(w * scale / m) * m), max(m, round(h * scale / m) * m))
