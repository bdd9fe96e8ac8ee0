"""What the editor backend does for a canvas step or a scene's score."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aktion.backends.base import BackendError, StepRequest

OP_KINDS = frozenset({"extend", "trim", "speed"})


def run_op(request: StepRequest, workdir: Path) -> tuple[Path, int]:
    """Run one clip operation; returns the written clip and its frame count."""
    from . import ops  # video I/O: imported by the step, not by planning

    src = request.inputs["video"]
    out = workdir / f"{request.kind}.mp4"
    p = request.params
    if request.kind == "extend":
        n = ops.extend(src, out, int(p["frames"]))
    elif request.kind == "trim":
        n = ops.trim(src, out, int(p["in"]), p.get("out"))
    elif request.kind == "speed":
        n = ops.speed(src, out, float(p["start"]), float(p["end"]))
    else:
        raise BackendError(f"editor: no canvas operation `{request.kind}`")
    return out, n


def production_root(workdir: Path) -> Path:
    """A step's scratch lives in ``<production>/.aktion/tmp``; sources sit beside it."""
    for parent in workdir.resolve().parents:
        if parent.name == ".aktion":
            return parent.parent
    raise BackendError(f"editor: {workdir} is not inside a production's store")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_score(video: Path, audio: dict, workdir: Path) -> Path:
    """Mix the scene's score into ``video``; the file must still be the one planned."""
    score = production_root(workdir) / audio["file"]
    if not score.is_file() or _sha256(score) != audio["digest"]:
        raise BackendError(f"editor: score {score} changed or vanished since planning")
    out = video.with_name(f"{video.stem}.scored.mp4")
    from .audio import mix

    mix(video, score, out)
    return out
