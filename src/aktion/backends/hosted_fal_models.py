"""Request builders for video models hosted on fal, one per conditioning style.

Each builder turns an Aktion step into the model's documented input payload (the
"Input Schema" on the model's fal page), nothing more: the backend submits it.
Media travel as ``data:`` URIs, which fal accepts wherever it takes a file URL, so
nothing is uploaded to a third-party bucket under a guessable name.

- ``kling-i2v``: Kling 2.1 Pro image-to-video; first frame (``image_url``) and an
  optional last frame (``tail_image_url``).
- ``vidu-reference``: Vidu Q1 reference-to-video; up to 7 reference images
  (``reference_image_urls``) for the look of characters and set.
- ``wan-vace-pose``: Wan VACE 14B pose; a motion video (``video_url``, the previz
  render of the choreography) drives the pose, plus first frame and references.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aktion.generation.prompts import NEGATIVE, shot_prompt

from .base import BackendError, StepRequest

MAX_INLINE_BYTES = 20 * 1024 * 1024  # a data: URI larger than this is refused
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
        ".webp": "image/webp", ".mp4": "video/mp4", ".mov": "video/quicktime"}


def data_uri(path: Path) -> str:
    """A bounded file as a ``data:`` URI (fal_client's own encoder)."""
    import fal_client

    mime = MIME.get(path.suffix.lower())
    if mime is None:
        raise BackendError(f"fal: {path.name}: only {', '.join(sorted(MIME))} files are sent")
    size = path.stat().st_size
    if size > MAX_INLINE_BYTES:
        raise BackendError(f"fal: {path.name} is {size} bytes; the limit is {MAX_INLINE_BYTES}")
    return fal_client.encode(path.read_bytes(), mime)


@dataclass(frozen=True)
class Media:
    """The files a builder may send: the step's inputs and the cast's reference images."""

    inputs: dict[str, Path]
    refs: list[Path]

    def url(self, name: str) -> str | None:
        path = self.inputs.get(name)
        return data_uri(path) if path is not None else None


def aspect(fmt: dict[str, int]) -> str:
    w, h = fmt.get("width", 16), fmt.get("height", 9)
    return "16:9" if w > h * 1.2 else "9:16" if h > w * 1.2 else "1:1"


def kling_i2v(request: StepRequest, media: Media) -> dict[str, Any]:
    seconds = request.params.get("frames", 0) / max(1, request.format.get("fps", 24))
    payload: dict[str, Any] = {
        "prompt": shot_prompt(request.model_dump()), "image_url": media.url("image"),
        "duration": "10" if seconds > 5 else "5", "negative_prompt": NEGATIVE,
        "cfg_scale": 0.5,
    }
    if "last" in media.inputs:
        payload["tail_image_url"] = media.url("last")
    return payload


def vidu_reference(request: StepRequest, media: Media) -> dict[str, Any]:
    images = [p for p in [media.inputs.get("image"), *media.refs] if p is not None][:7]
    return {
        "prompt": shot_prompt(request.model_dump()),
        "reference_image_urls": [data_uri(p) for p in images],
        "aspect_ratio": aspect(request.format), "movement_amplitude": "auto",
        "seed": request.seed,
    }


def wan_vace_pose(request: StepRequest, media: Media) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "prompt": shot_prompt(request.model_dump()), "negative_prompt": NEGATIVE,
        "video_url": media.url("guide"), "num_frames": int(request.params.get("frames", 81)),
        "frames_per_second": int(request.format.get("fps", 16)), "seed": request.seed,
        "resolution": "480p", "aspect_ratio": aspect(request.format),
    }
    if "image" in media.inputs:
        payload["first_frame_url"] = media.url("image")
    if media.refs:
        payload["ref_image_urls"] = [data_uri(p) for p in media.refs]
    return payload


@dataclass(frozen=True)
class Model:
    name: str
    endpoint: str  # the fal model id
    conditioning: frozenset[str]  # what a motion step built for it honours
    build: Callable[[StepRequest, Media], dict[str, Any]]
    max_frames: int | None = None


MODELS = {m.name: m for m in (
    Model("kling-i2v", "fal-ai/kling-video/v2.1/pro/image-to-video",
          frozenset({"first_frame", "last_frame"}), kling_i2v, max_frames=240),
    Model("vidu-reference", "fal-ai/vidu/q1/reference-to-video", frozenset({"refs"}),
          vidu_reference, max_frames=120),
    Model("wan-vace-pose", "fal-ai/wan-vace-14b/pose",
          frozenset({"pose", "first_frame", "refs"}), wan_vace_pose, max_frames=241),
)}
