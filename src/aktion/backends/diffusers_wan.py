"""Clips with Wan VACE: first frame + pose guide (motion), continuation (extend), restyle.

VACE takes a control video and a mask: frames under a black mask are kept, the
rest are generated following the control. So one pipeline serves three steps:
- motion: frame 0 is the keyframe (kept), frames 1.. follow the previz render of
  the choreography (the pose guide);
- extend: the clip's last frames are kept and the guide continues the action;
- restyle: the whole clip is the control, regenerated in the prompt's look.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from aktion.generation.prompts import NEGATIVE, shot_prompt
from aktion.media.video import VideoWriter, iter_frames

from .base import Progress, StepRequest
from .diffusers_files import device, gen_size
from .diffusers_wan_load import load_vace, vace_pipeline

__all__ = ["load_vace", "run_clip"]

OVERLAP = 5  # frames of the previous chunk kept when extending (4k+1 for the VAE)


def _frames(path: Path, count: int, size: tuple[int, int]) -> list:
    """``count`` frames of a video resampled evenly in time, as PIL images of ``size``."""
    from PIL import Image

    frames = [Image.fromarray(f) for f in iter_frames(path)]
    idx = np.linspace(0, len(frames) - 1, count).round().astype(int) if frames else []
    return [frames[i].resize(size) for i in idx]


def _vace_len(n: int) -> int:
    return n if n % 4 == 1 else n + (4 - (n - 1) % 4)


def _generate(pipe, request: StepRequest, table: dict[str, Any], video: list, keep: int,
              progress: Progress):
    import torch
    from PIL import Image

    w, h = video[0].size
    mask = [Image.new("L", (w, h), 0 if i < keep else 255) for i in range(len(video))]
    steps = int(table.get("steps", 30))
    out = pipe(
        prompt=shot_prompt(request.model_dump()), negative_prompt=NEGATIVE, video=video,
        mask=mask, height=h, width=w, num_frames=len(video), num_inference_steps=steps,
        guidance_scale=float(table.get("guidance", 5.0)),
        conditioning_scale=float(table.get("control_scale", 1.0)),
        generator=torch.Generator("cpu").manual_seed(request.seed), output_type="np",
        callback_on_step_end=lambda p, i, t, kw: (progress(i + 1, steps), kw)[1],
    ).frames[0]
    return (np.clip(out, 0, 1) * 255).round().astype(np.uint8)


def _write(frames: np.ndarray, request: StepRequest, out: Path) -> Path:
    from PIL import Image

    fmt = request.format
    with VideoWriter(out, fmt["width"], fmt["height"], fmt["fps"]) as writer:
        for f in frames:
            writer.write(np.asarray(Image.fromarray(f).resize((fmt["width"], fmt["height"]))))
    return out


def run_clip(request: StepRequest, table: dict[str, Any], resolve, workdir: Path,
             progress: Progress) -> tuple[dict[str, Path], dict[str, Any]]:
    from PIL import Image

    from aktion.media.images import open_image

    size = gen_size(request.format, table)
    pipe = vace_pipeline(table, resolve, size)
    frames = int(request.params.get("frames", 17))
    record: dict[str, Any] = {"pipeline": type(pipe).__name__, "size": list(size),
                              "device": device()}
    if request.kind == "motion":
        n = _vace_len(frames)
        guide = _frames(request.inputs["guide"], n, size)
        first = open_image(request.inputs["image"]).convert("RGB").resize(size)
        video = [first, *guide[1:]]
        clip = _generate(pipe, request, table, video, 1, progress)[:frames]
        record.update(first_frame=True, pose_guide_frames=len(guide) - 1)
    elif request.kind == "extend":
        clip = np.stack(list(iter_frames(request.inputs["video"])))
        clip = np.stack([np.asarray(Image.fromarray(f).resize(size)) for f in clip])
        guide = _frames(request.inputs["guide"], frames, size)
        chunk = int(table.get("max_frames", 17))
        chunks = 0
        while len(clip) < frames:
            n = _vace_len(min(chunk, frames - len(clip) + OVERLAP))
            tail = [Image.fromarray(f) for f in clip[-OVERLAP:]]
            start = len(clip)
            rest = guide[start:start + n - OVERLAP]
            rest += [rest[-1] if rest else tail[-1]] * (n - OVERLAP - len(rest))
            new = _generate(pipe, request, table, tail + rest, OVERLAP, progress)
            clip = np.concatenate([clip, new[OVERLAP:]])[:frames]
            chunks += 1
        record.update(extended_chunks=chunks, overlap=OVERLAP)
    else:  # restyle
        src = [Image.fromarray(f).resize(size) for f in iter_frames(request.inputs["video"])]
        n = len(src)
        clip = _generate(pipe, request, table, src + [src[-1]] * (_vace_len(n) - n), 0,
                         progress)[:n]
        record.update(restyled_frames=n)
    record["frames"] = len(clip)
    return {"video": _write(clip, request, workdir / f"{request.kind}.mp4")}, record
