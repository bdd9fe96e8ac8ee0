"""What every diffusers pipeline family shares: the device, safe weights, bounded images.

Weights load from a local folder in safetensors only: a pickle (.bin, .pt, .ckpt)
can run code when loaded, so a folder holding one is refused before anything is
read. Nothing is downloaded at run time (``local_files_only``). CUDA is used when
present, CPU otherwise.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .base import BackendError

PICKLE_SUFFIXES = frozenset({".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"})


def device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def dtype():
    import torch

    return torch.float16 if device() == "cuda" else torch.float32


def check_folder(folder: Path, what: str) -> Path:
    """A model folder that exists and holds safetensors weights and no pickles."""
    if not folder.is_dir():
        raise BackendError(f"{what}: model folder {folder} not found (no download at run time)")
    pickles = sorted(p.name for p in folder.rglob("*") if p.suffix.lower() in PICKLE_SUFFIXES)
    if pickles:
        raise BackendError(f"{what}: {folder} holds pickle weights {pickles[:3]}: "
                           "refusing them; convert to .safetensors")
    if not any(folder.rglob("*.safetensors")):
        raise BackendError(f"{what}: {folder} has no .safetensors weights")
    return folder


def fingerprint(folder: Path) -> str:
    """A cheap identity of a model folder: its configs' content and its weights' sizes."""
    h = hashlib.sha256()
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


def gen_size(fmt: dict[str, int], cap: int) -> tuple[int, int]:
    """The production's aspect at most ``cap`` pixels wide, in multiples of 16."""
    w, h = fmt.get("width", 1280), fmt.get("height", 720)
    scale = min(1.0, cap / max(w, h))
    return max(16, int(w * scale) // 16 * 16), max(16, int(h * scale) // 16 * 16)
