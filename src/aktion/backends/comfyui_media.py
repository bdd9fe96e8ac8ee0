"""Files to and from ComfyUI: inputs as the nodes expect them, results as Aktion's clips.

Going in, the previz depth map (16-bit millimetres) becomes 8-bit normalised inverse
depth: ComfyUI's LoadImage rescales only 32-bit ``I`` images, so a 16-bit PNG would
arrive as a 0/255 mask. Every upload is named from its content. Coming back, a
keyframe or clip is checked against the step: its frame is fitted to the
production's size (cropped to the aspect first when the workflow made another
shape), and a clip is trimmed to the frame count asked for or, when a few frames
short, held on its last frame; a result far off in length or shape is an error.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np

from .base import BackendError, StepRequest

ASPECT_TOLERANCE = 0.02  # aspect ratios this close are resized, not cropped
MIN_KEPT_AREA = 0.5  # a crop that keeps less than this of the frame is an error
SHORT_LIMIT = 0.75  # a clip shorter than this share of the frames asked for is an error
LONG_LIMIT = 4.0  # ... and one longer than this many times
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".webp"}
VIDEO_EXT = {".mp4", ".webm", ".mov", ".mkv", ".gif", ".webp"}


def content_name(data: bytes, suffix: str) -> str:
    return f"aktion-{hashlib.sha256(data).hexdigest()[:20]}{suffix.lower()}"


def png_bytes(array: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


def input_file(name: str, path: Path) -> tuple[bytes, str]:
    """The bytes to upload for a step input, and their suffix."""
    from aktion.generation.conditioning import depth_control
    from aktion.media.errors import MediaError

    if not path.is_file():
        raise BackendError(f"comfyui: input `{name}` is missing: {path}")
    if name == "depth":
        try:
            return png_bytes(depth_control(path)), ".png"
        except MediaError as e:
            raise BackendError(f"comfyui: depth input: {e}") from None
    return path.read_bytes(), path.suffix.lower() or ".bin"


def neutral_reference() -> bytes:
    """Mid-grey, for a reference slot whose character is not in the shot."""
    return png_bytes(np.full((64, 64, 3), 128, np.uint8))


def reference_files(request: StepRequest, cast_dir: Path) -> dict[str, list[Path]]:
    """Each character's reference images, in the order the cast lists them."""
    from aktion.media.errors import MediaError
    from aktion.media.images import open_image

    cast_dir = cast_dir.resolve()
    refs: dict[str, list[Path]] = {}
    for cid, char in sorted(request.cast.items()):
        for ref in char.get("refs", []):
            path = (cast_dir / ref).resolve()
            if not path.is_relative_to(cast_dir.parent) or not path.is_file():
                raise BackendError(f"comfyui: reference {ref} of {cid} is not in the "
                                   "production")
            try:
                open_image(path)
            except MediaError as e:
                raise BackendError(f"comfyui: reference of {cid}: {e}") from None
            refs.setdefault(cid, []).append(path)
    return refs


def fit(frame: np.ndarray, width: int, height: int) -> tuple[np.ndarray, bool]:
    """``frame`` at (width, height); True when it had to be cropped to the aspect."""
    from PIL import Image

    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame, False
    want, have = width / height, w / h
    im = Image.fromarray(frame)
    cropped = abs(have / want - 1) > ASPECT_TOLERANCE
    if cropped:
        cw, ch = (round(h * want), h) if have > want else (w, round(w / want))
        if cw * ch < MIN_KEPT_AREA * w * h:
            raise BackendError(f"comfyui returned a {w}x{h} frame for a {width}x{height} "
                               "production: map `width` and `height` to the workflow's size")
        left, top = (w - cw) // 2, (h - ch) // 2
        im = im.crop((left, top, left + cw, top + ch))
    return np.asarray(im.resize((width, height), Image.LANCZOS)), cropped


def conform_image(files: list[Path], request: StepRequest,
                  workdir: Path) -> tuple[Path, dict[str, Any]]:
    from aktion.media.errors import MediaError
    from aktion.media.images import open_image, write_png_atomic

    path = files[0]
    if path.suffix.lower() not in IMAGE_EXT:
        raise BackendError(f"comfyui: the keyframe workflow returned {path.suffix} "
                           "(expected an image)")
    try:
        frame = np.asarray(open_image(path).convert("RGB"))
    except MediaError as e:
        raise BackendError(f"comfyui returned an unreadable image: {e}") from None
    fmt = request.format
    out, cropped = fit(frame, fmt["width"], fmt["height"])
    record = {"returned": {"size": [frame.shape[1], frame.shape[0]], "images": len(files)},
              "cropped": cropped}
    return write_png_atomic(workdir / "keyframe.png", out), record


def conform_clip(files: list[Path], request: StepRequest,
                 workdir: Path) -> tuple[Path, dict[str, Any]]:
    """The step's clip: ``params.frames`` frames at the production's size and rate."""
    from aktion.media.errors import MediaError
    from aktion.media.video import VideoWriter, iter_frames, probe

    fmt = request.format
    want = int(request.params.get("frames") or request.shot.get("duration") or 0)
    try:
        if len(files) == 1 and files[0].suffix.lower() in VIDEO_EXT:
            info = probe(files[0])
            got, fps = info.frames, float(info.fps)
            frames = iter_frames(files[0], stop=want or None)
        elif all(f.suffix.lower() in IMAGE_EXT for f in files):  # a batch saved as images
            got, fps = len(files), None
            frames = (_rgb(f) for f in files[:want or None])
        else:
            raise BackendError(f"comfyui: the {request.kind} workflow returned "
                               f"{', '.join(f.name for f in files)} (expected one video or "
                               "a batch of images)")
        if want and not SHORT_LIMIT * want <= got <= LONG_LIMIT * want:
            hint = "it returns the whole shot: the clip, then the new frames" \
                if request.kind == "extend" else "map `frames` to its length input"
            raise BackendError(f"comfyui: the {request.kind} workflow returned {got} frames "
                               f"for a {want}-frame step: {hint}")
        out = workdir / f"{request.kind}.mp4"
        written, cropped, last = 0, False, None
        with VideoWriter(out, fmt["width"], fmt["height"], fmt["fps"]) as w:
            for frame in frames:
                last, c = fit(frame, fmt["width"], fmt["height"])
                cropped |= c
                w.write(last)
                written += 1
            if last is None:
                raise BackendError(f"comfyui: the {request.kind} workflow returned no frames")
            held = max(want - written, 0)
            for _ in range(held):
                w.write(last)
    except MediaError as e:
        raise BackendError(f"comfyui returned an unreadable clip: {e}") from None
    record = {"returned": {"frames": got, "fps": fps}, "frames": written + held,
              "trimmed": max(got - written, 0), "held": held, "cropped": cropped}
    return out, record


def _rgb(path: Path) -> np.ndarray:
    from aktion.media.images import open_image

    return np.asarray(open_image(path).convert("RGB"))
