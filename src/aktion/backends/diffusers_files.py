"""What every diffusers pipeline family shares: the device, safe weights, bounded images.

Weights load from a local folder in safetensors only: a pickle (.bin, .pt, .ckpt)
can run code when loaded, so it is never opened; a component that has only a
pickle is refused before anything is read (``diffusers_weights``). Nothing is
downloaded at run time (``local_files_only``). CUDA is used when present, CPU
otherwise.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .base import BackendError
from .diffusers_families import gen_size
from .diffusers_weights import PICKLE_SUFFIXES, check_folder

__all__ = ["PICKLE_SUFFIXES", "check_folder", "control_image", "device", "dtype", "fingerprint",
           "gen_size", "model_record", "open_reference"]


def device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def dtype():
    import torch

    return torch.float16 if device() == "cuda" else torch.float32


def fingerprint(folder: Path) -> str:
    """A cheap identity of a model folder (its configs' content and its weights' sizes) or
    of a single weight file (its name and size)."""
    h = hashlib.sha256()
    if folder.is_file():
        h.update(f"{folder.name}:{folder.stat().st_size}".encode())
        return h.hexdigest()[:16]
    if not folder.is_dir():
        return "missing"
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(folder).as_posix()
        if p.suffix == ".json":
            h.update(f"{rel}:".encode() + p.read_bytes())
        elif p.suffix == ".safetensors":
            h.update(f"{rel}:{p.stat().st_size}".encode())
    return h.hexdigest()[:16]


def model_record(folder: Path) -> dict[str, Any]:
    index = folder / "model_index.json"
    cls = json.loads(index.read_text()).get("_class_name") if index.is_file() else None
    return {"name": folder.name, "fingerprint": fingerprint(folder), "class": cls}


def open_reference(path: Path, size: int | None = None):
    """A user's reference image, opened with the media module's bounds, as RGB
    (resized to ``size`` square when given)."""
    from aktion.media.errors import MediaError
    from aktion.media.images import open_image

    try:
        image = open_image(path).convert("RGB")
    except MediaError as e:
        raise BackendError(f"reference image: {e}") from None
    return image.resize((size, size)) if size else image


def control_image(path: Path, width: int, height: int):
    """A previz depth map as the RGB image a depth ControlNet was trained on, of the size.

    Millimetres become normalised inverse depth in 8 bits (near bright, sky black):
    see ``aktion.generation.conditioning``. An 8-bit map passes through as RGB."""
    from PIL import Image

    from aktion.generation.conditioning import depth_control
    from aktion.media.errors import MediaError

    try:
        a = depth_control(path)
    except MediaError as e:
        raise BackendError(f"depth control map: {e}") from None
    return Image.fromarray(a).resize((width, height), Image.Resampling.BILINEAR)

