"""The built-in editor: stitches a scene's shots into its cut.

Remuxes wherever the shots' codec settings match and re-encodes only the
transition regions; see ``aktion.media.stitch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from aktion.canvas.run_ops import OP_KINDS, add_score, run_op

from .base import Capabilities, Progress, StepRequest, StepResult


class EditorBackend:
    id: ClassVar[str] = "editor"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(steps=frozenset({"cut", *OP_KINDS}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        from aktion.media.stitch import TransitionSpec, stitch  # planning reads only `version`

        if request.kind in OP_KINDS:
            clip, frames = run_op(request, workdir)
            progress(1, 1)
            return StepResult(outputs={"video": clip}, record={"frames": frames})
        shots = request.params["shots"]
        clips = [request.inputs[f"shot:{s['id']}"] for s in shots]
        transitions = []
        for i, s in enumerate(shots):
            t = s.get("transition") or {}
            if i == 0 or t.get("type", "cut") == "cut":
                transitions.append(None)
            else:
                transitions.append(TransitionSpec(type=t["type"], duration=int(t["duration"])))
        out = workdir / f"{request.scene}.mp4"
        report = stitch(clips, out, transitions, fps=request.format["fps"])
        if "mix" in request.inputs:  # the scene's sound mix (aktion.sound), as AAC
            from aktion.canvas.audio import mix

            scored = out.with_name(f"{out.stem}.sound.mp4")
            mix(out, request.inputs["mix"], scored)
            out = scored
        elif request.params.get("audio"):
            out = add_score(out, request.params["audio"], workdir)
        progress(1, 1)
        return StepResult(
            outputs={"video": out},
            record={"frames": report.frames, "remuxed": report.remuxed,
                    "reencoded_frames": report.reencoded_frames},
        )
