"""Clips with Wan VACE: first frame + pose guide (motion), continuation (extend), restyle.

VACE takes a control video and a mask: frames under a black mask are kept, the
rest are generated following the control. So one pipeline serves three steps:
- motion: frame 0 is the keyframe (kept), frame i follows frame i of the previz
  OpenPose-style skeleton video of the choreography (the pose guide);
- extend: the clip's last frames are kept and the guide continues the action;
- restyle: the whole clip is the control, regenerated in the prompt's look.
Each character's first reference image goes in as a VACE reference image, and the
prompt is the long form, fitted to the UMT5 encoder's 512 tokens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from aktion.generation.prompts import NEGATIVE
from aktion.media.video import VideoWriter, iter_frames

from .base import BackendError, Progress, StepRequest
from .diffusers_files import device, gen_size
from .diffusers_identity import reference_sets
from .diffusers_prompt import LONG_TOKENS, fitted_prompt, prompt_record
from .diffusers_wan_load import load_vace, vace_pipeline

__all__ = ["load_vace", "run_clip"]

OVERLAP = 5  # frames of the previous chunk kept when extending (4k+1 for the VAE)


def _frames(path: Path, count: int, size: tuple[int, int]) -> list:
    """The first ``count`` frames of a video, frame for frame (a control video has the
    shot's frame rate), the last one held past its end; as PIL images of ``size``."""
    from PIL import Image

    frames = []
    for f in iter_frames(path):
        if len(frames) == count:
            break
        frames.append(Image.fromarray(f).resize(size))
    if not frames:
        raise BackendError(f"control video {Path(path).name} has no frames")
    return frames + [frames[-1]] * (count - len(frames))


def reference_images(request: StepRequest, cast_dir: Path) -> list[tuple[str, Any]]:
    """(name, image): each character's first reference, the one VACE keeps in view.

    VACE places every reference on a white frame of the clip's size and prepends it
    to the video, so one per character keeps the cost to a latent frame each."""
    return [refs[0] for refs in reference_sets(request, cast_dir).values()]


def _vace_len(n: int) -> int:
    return n if n % 4 == 1 else n + (4 - (n - 1) % 4)


def _generate(pipe, request: StepRequest, table: dict[str, Any], video: list, keep: int,
              progress: Progress, prompt: str, refs: list):
    import torch
    from PIL import Image

    w, h = video[0].size
    mask = [Image.new("L", (w, h), 0 if i < keep else 255) for i in range(len(video))]
    steps = int(table.get("steps", 30))
    out = pipe(
        prompt=prompt, negative_prompt=NEGATIVE,
        max_sequence_length=LONG_TOKENS, video=video, mask=mask,
        reference_images=refs or None, height=h, width=w, num_frames=len(video),
        num_inference_steps=steps, guidance_scale=float(table.get("guidance", 5.0)),
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


def run_clip(request: StepRequest, table: dict[str, Any], resolve, cast_dir: Path,
             workdir: Path, progress: Progress) -> tuple[dict[str, Path], dict[str, Any]]:
    from PIL import Image

    from aktion.media.images import open_image

    size = gen_size(request.format, table)
    pipe = vace_pipeline(table, resolve, size)
    frames = int(request.params.get("frames", 17))
    named = reference_images(request, cast_dir)
    prompt = fitted_prompt(request.model_dump(), pipe.tokenizer)
    record: dict[str, Any] = {"pipeline": type(pipe).__name__, "size": list(size),
                              "device": device(), "reference_images": [n for n, _ in named],
                              "prompt": prompt_record(pipe, {"prompt": prompt})}
    call = (progress, prompt, [im for _, im in named])
    if request.kind == "motion":
        n = _vace_len(frames)
        guide = _frames(request.inputs["guide"], n, size)  # frame i follows pose frame i
        first = open_image(request.inputs["image"]).convert("RGB").resize(size)
        video = [first, *guide[1:]]
        clip = _generate(pipe, request, table, video, 1, *call)[:frames]
        record.update(first_frame=True, pose_guide_frames=len(guide) - 1)
    elif request.kind == "extend":
        clip = np.stack(list(iter_frames(request.inputs["video"])))
        clip = np.stack([np.asarray(Image.fromarray(f).resize(size)) for f in clip])
        guide = _frames(request.inputs["guide"], frames + 4, size)  # + what _vace_len adds
        chunk = int(table.get("max_frames", 17))
        chunks = 0
        while len(clip) < frames:
            n = _vace_len(min(chunk, frames - len(clip) + OVERLAP))
            tail = [Image.fromarray(f) for f in clip[-OVERLAP:]]
            rest = guide[len(clip):len(clip) + n - OVERLAP]
            new = _generate(pipe, request, table, tail + rest, OVERLAP, *call)
            clip = np.concatenate([clip, new[OVERLAP:]])[:frames]
            chunks += 1
        record.update(extended_chunks=chunks, overlap=OVERLAP)
    else:  # restyle
        src = [Image.fromarray(f).resize(size) for f in iter_frames(request.inputs["video"])]
        n = len(src)
        clip = _generate(pipe, request, table, src + [src[-1]] * (_vace_len(n) - n), 0,
                         *call)[:n]
        record.update(restyled_frames=n)
    record["frames"] = len(clip)
    return {"video": _write(clip, request, workdir / f"{request.kind}.mp4")}, record
