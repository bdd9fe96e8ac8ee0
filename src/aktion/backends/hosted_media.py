"""A hosted model's clip, checked and rewritten in the production's format.

Vendors return their own size, frame rate and length. The clip is decoded (a file
that does not decode is an error, never a crash mid-cut), resized to the
production's frame and cut or held to the step's frame count, then encoded the
way every Aktion clip is, so the editor can stitch it with the rest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .base import BackendError, StepRequest

MAX_FRAMES = 4000


def normalise(clip: Path, request: StepRequest, workdir: Path) -> tuple[Path, int]:
    from PIL import Image

    from aktion.media.errors import MediaError
    from aktion.media.video import VideoWriter, iter_frames

    fmt = request.format
    size = (fmt["width"], fmt["height"])
    want = int(request.params.get("frames", 0)) or None
    out = workdir / f"{request.kind}.mp4"
    n = 0
    last: np.ndarray | None = None
    try:
        with VideoWriter(out, size[0], size[1], fmt["fps"]) as writer:
            for frame in iter_frames(clip, stop=want or MAX_FRAMES):
                last = np.asarray(Image.fromarray(frame).resize(size))
                writer.write(last)
                n += 1
            if last is None:
                raise BackendError("fal: the returned clip has no frames")
            while want and n < want:  # a shorter clip holds its last frame
                writer.write(last)
                n += 1
    except MediaError as e:
        raise BackendError(f"fal: the returned clip is not a readable video: {e}") from None
    return out, n
