"""The ``diffusers`` backend: local models from safetensors folders, GPU when present.

One file per pipeline family (``diffusers_sd``, ``diffusers_sdxl``,
``diffusers_flux``, ``diffusers_wan_load``); this one declares what the
configured models can do, how their generation settings and memory need come
out on this machine (``plan_fit``, shown by ``aktion plan``), and dispatches
steps to them. Configured in ``backends.toml`` (see ``aktion.generation.config``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from aktion.generation.config import BackendContext, check_diffusers_table
from aktion.generation.measures import step_measures

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult
from .diffusers_files import model_record
from .diffusers_plan import plan_fit, run_settings, step_generation, takes_depth_itself

CLIP_KINDS = ("motion", "extend", "restyle")
# (table, need) -> the setting of that [diffusers.<table>] without which the need is unmet
REMEDIES = {("keyframe", "refs"): "ip_adapter", ("keyframe", "depth"): "controlnet",
            ("keyframe", "layout"): "controlnet"}
# Pipelines are loaded once per process and are not thread-safe; an executor may run
# several steps at once in threads, so one step at a time uses them (as one GPU would).
_PIPELINES = threading.Lock()


class DiffusersBackend:
    id: ClassVar[str] = "diffusers"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"keyframe", "motion", "extend", "restyle"}),
        conditioning=frozenset({"depth", "layout", "refs", "pose", "first_frame",
                                "last_frames", "video"}),
        deterministic=True, device="auto", cost="free", speed="slow")

    def __init__(self) -> None:
        self.context: BackendContext | None = None

    def configure(self, context: BackendContext) -> None:
        self.context = context

    @classmethod
    def offers(cls, config: dict[str, Any],
               context: BackendContext | None = None) -> dict[str, Capabilities]:
        """What the models named in backends.toml can do, per step kind."""
        out: dict[str, Capabilities] = {}
        key = check_diffusers_table("keyframe", config.get("keyframe", {}))
        if key.get("model"):
            depth = bool(key.get("controlnet")) or takes_depth_itself(key, context)
            cond = ({"depth", "layout"} if depth else set()) | (
                {"refs"} if key.get("ip_adapter") else set())
            out["keyframe"] = Capabilities(frozenset({"keyframe"}), frozenset(cond),
                                           device="auto", speed="slow")
        mot = check_diffusers_table("motion", config.get("motion", {}))
        if mot.get("model"):
            limit = int(mot.get("max_frames", 81))
            out["motion"] = Capabilities(frozenset({"motion"}), frozenset({"first_frame", "pose"}),
                                         max_frames=limit, device="auto", speed="slow")
            out["extend"] = Capabilities(frozenset({"extend"}),
                                         frozenset({"last_frames", "pose"}), device="auto",
                                         speed="slow")
            if mot.get("restyle", False):
                out["restyle"] = Capabilities(frozenset({"restyle"}), frozenset({"video"}),
                                              device="auto", speed="slow")
        return out

    @classmethod
    def remedy(cls, kind: str, need: str) -> str | None:
        """The backends.toml setting that lets a step honour a need ``offers`` left out."""
        table = "keyframe" if kind == "keyframe" else "motion"
        setting = REMEDIES.get((table, need))
        return f"set {setting} in [diffusers.{table}] of backends.toml" if setting else None

    @classmethod
    def model_id(cls, kind: str, config: dict[str, Any],
                 context: BackendContext) -> dict[str, Any]:
        """Names and fingerprints of the models a step uses, and the generation settings
        it runs with on this machine (all enter the content key)."""
        table = config.get("keyframe" if kind == "keyframe" else "motion", {})
        rec = model_record(context.path(table["model"]))
        paths = ("model", "controlnet", "ip_adapter", "ip_adapter_image_encoder")
        placement = ("offload", "memory_gib")  # where it runs, not what it makes
        settings = {k: v for k, v in table.items() if k not in paths + placement}
        for extra in paths[1:]:
            if table.get(extra):
                rec[extra] = model_record(context.path(table[extra]))["fingerprint"]
        gen = step_generation(kind, table, context)
        return {**rec, "settings": settings, **({"generation": gen} if gen else {})}

    @classmethod
    def plan_fit(cls, kind: str, config: dict[str, Any], context: BackendContext,
                 fmt: dict[str, int]) -> tuple[bool, str]:
        """Whether the step's model fits this machine, and the figures (for the plan)."""
        table = config.get("keyframe" if kind == "keyframe" else "motion", {})
        return plan_fit(kind, table, context, fmt)

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        with _PIPELINES:
            return self._run(request, workdir, progress)

    def _run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        if self.context is None:
            raise BackendError("diffusers: not configured (no [diffusers] in backends.toml)")
        ctx = self.context
        if request.kind == "keyframe":
            from .diffusers_keyframe import run_keyframe

            table = run_settings("keyframe", ctx.config["keyframe"], ctx, request)
            outputs, record = run_keyframe(request, table, ctx.path, ctx.cast_dir, workdir,
                                           progress)
        elif request.kind in CLIP_KINDS:
            from .diffusers_wan import run_clip

            table = run_settings("motion", ctx.config["motion"], ctx, request)
            outputs, record = run_clip(request, table, ctx.path, ctx.cast_dir, workdir, progress)
        else:
            raise BackendError(f"diffusers does not do `{request.kind}` steps")
        record["model"] = request.params.get("model", {})
        record["measures"] = step_measures(request.kind, outputs, request.inputs)
        return StepResult(outputs, record)
