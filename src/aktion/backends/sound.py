"""The built-in ``sound`` backend: a shot's effects (``sfx``) and a scene's mix (``mix``).

The work is in ``sound_desk``, loaded when a step runs: planning asks every backend its
version, and a plan must not load SciPy and PyAV to ask it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult


class SoundBackend:
    id: ClassVar[str] = "sound"
    version: ClassVar[str] = "3"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"sfx", "mix"}), deterministic=True, device="cpu", cost="free",
        speed="fast")

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        from . import sound_desk

        workdir = Path(workdir)
        if request.kind == "sfx":
            return sound_desk.sfx(request, workdir, progress)
        if request.kind == "mix":
            return sound_desk.mix(request, workdir, progress)
        raise BackendError(f"sound does not do `{request.kind}` steps (it does sfx and mix)")
