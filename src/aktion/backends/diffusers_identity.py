"""Identity for keyframes: one IP-Adapter embedding per character, masked to their pixels.

Each character's reference images are encoded and averaged into one image
embedding, and that embedding acts only inside the character's mask from the
previz layout (diffusers' ``IPAdapterMaskProcessor`` and ``ip_adapter_masks``),
so two characters' faces do not blend. A mask is grown a little (``MARGIN``) so a
face a few pixels off the mannequin's still takes its identity, but never over
another character's own pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from aktion.previz.masks import read_masks

from .base import BackendError, StepRequest
from .diffusers_files import open_reference

MARGIN = 0.03  # of the frame's height: how far a character's mask is grown


def reference_sets(request: StepRequest, cast_dir: Path) -> dict[str, list[tuple[str, Any]]]:
    """Character id -> [(name, RGB image)] of their references, in the cast's order.

    A reference must lie inside the production; images are opened with the media
    module's bounds and left at their size (the image encoder resizes them)."""
    root = cast_dir.resolve().parent
    sets: dict[str, list[tuple[str, Any]]] = {}
    for cid, char in sorted(request.cast.items()):
        refs = []
        for ref in char.get("refs", []):
            path = (cast_dir / ref).resolve()
            if not path.is_relative_to(root):
                raise BackendError(f"reference {ref} of {cid} is outside the production")
            refs.append((f"{cid}/{ref}", open_reference(path)))
        if refs:
            sets[cid] = refs
    return sets


def identity_masks(path: Path, characters: list[str]) -> dict[str, np.ndarray]:
    """Character id -> (H, W) uint8 0/255 mask, grown by ``MARGIN``, for those seen."""
    import cv2

    try:
        masks = read_masks(path)
    except ValueError as e:
        raise BackendError(f"keyframe masks: {e}") from None
    if not masks:
        return {}
    h = next(iter(masks.values())).shape[0]
    r = max(1, round(MARGIN * h))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    anyone = np.any(np.stack(list(masks.values())), axis=0)
    out = {}
    for cid in characters:
        own = masks.get(cid)
        if own is None or not own.any():
            continue
        grown = cv2.dilate(own.astype(np.uint8), kernel).astype(bool) & ~(anyone & ~own)
        out[cid] = np.where(grown, 255, 0).astype(np.uint8)
    return out


@dataclass
class Identity:
    """What the pipeline call gets for identity, and what the step records of it."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    characters: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # character -> why

    def record(self) -> dict[str, Any]:
        return {"identity_refs": self.refs, "identity_characters": self.characters,
                "identity_skipped": self.skipped}


def _embeds(pipe, sets: list[list[Any]], classifier_free: bool):
    """One image embedding per character (the mean over their references), as the
    pipeline's ``ip_adapter_image_embeds`` for a single IP-Adapter."""
    import torch
    from diffusers.models.embeddings import ImageProjection

    proj = pipe.unet.encoder_hid_proj.image_projection_layers[0]
    hidden = not isinstance(proj, ImageProjection)  # "plus" adapters read hidden states
    flat = [im for images in sets for im in images]
    pos, neg = pipe.encode_image(flat, pipe._execution_device, 1, hidden)
    bounds = np.cumsum([0] + [len(images) for images in sets]).tolist()
    mean = [(pos[a:b].mean(0), neg[a:b].mean(0)) for a, b in pairwise(bounds)]
    pos = torch.stack([p for p, _ in mean])[None]  # (1, characters, ...)
    neg = torch.stack([n for _, n in mean])[None]
    return [torch.cat([neg, pos]) if classifier_free else pos]


def identity(pipe, request: StepRequest, cast_dir: Path, width: int, height: int,
             guidance: float) -> Identity:
    """Per-character embeddings and masks for the pipeline call (empty if none is seen)."""
    from diffusers.image_processor import IPAdapterMaskProcessor
    from PIL import Image

    sets = reference_sets(request, cast_dir)
    if "masks" not in request.inputs:
        raise BackendError("keyframe needs the layout's `masks` input for per-character "
                           "identity")
    masks = identity_masks(request.inputs["masks"], list(sets))
    out = Identity(skipped={c: "not seen in the layout's frame" for c in sets if c not in masks})
    out.characters = [c for c in sets if c in masks]
    if not out.characters:
        return out
    if not hasattr(pipe, "unet"):  # Flux: its IP-Adapter takes no masks in diffusers
        return _unmasked(out, sets)
    out.refs = [name for c in out.characters for name, _ in sets[c]]
    classifier_free = guidance > 1 and pipe.unet.config.time_cond_proj_dim is None
    embeds = _embeds(pipe, [[im for _, im in sets[c]] for c in out.characters], classifier_free)
    pil = [Image.fromarray(masks[c]) for c in out.characters]
    processed = IPAdapterMaskProcessor().preprocess(pil, height=height, width=width)
    out.kwargs = {"ip_adapter_image_embeds": embeds,
                  "cross_attention_kwargs": {"ip_adapter_masks": [
                      processed.reshape(1, len(pil), *processed.shape[-2:])]}}
    return out


def _unmasked(out: Identity, sets: dict[str, list[tuple[str, Any]]]) -> Identity:
    """Identity for a pipeline whose adapter cannot be confined to a region (Flux):
    honest for one character in frame; two would blend, so that is refused."""
    if len(out.characters) > 1:
        raise BackendError(
            f"{', '.join(out.characters)} have reference images and share the frame, but "
            "this model's IP-Adapter cannot keep each identity to its own region (diffusers "
            "ignores ip_adapter_masks for Flux): use an SD or SDXL keyframe model for this "
            "shot, or frame one of them")
    (cid,) = out.characters
    name, image = sets[cid][0]
    out.refs = [name]
    out.kwargs = {"ip_adapter_image": image}
    if len(sets[cid]) > 1:
        out.skipped.update({n: "this model takes one reference image" for n, _ in sets[cid][1:]})
    return out
