"""What a diffusers step will run with on this machine, decided when the plan is made.

The family (from the model folder) and the device give the generation settings
(size, steps, guidance): the family's native ones on CUDA, a preview on CPU.
They enter the step's key, so a CPU preview is never taken for a CUDA render;
the step runs with exactly them, even on another machine. The memory check
gives the plan's reason its figures, and refuses a model that cannot fit.
"""

from __future__ import annotations

from typing import Any

from aktion.generation.config import BackendContext

from .base import BackendError, StepRequest
from .diffusers_families import WAN, Family, gen_size, generation
from .diffusers_memory import decide, device_memory


def _on_cuda() -> bool:
    from .diffusers_files import device

    return device() == "cuda"


def _family(kind: str, table: dict[str, Any], context: BackendContext) -> tuple[Family, Any]:
    """(family, spec) for the table's model; raises BackendError naming what is wrong."""
    if kind == "keyframe":
        from .diffusers_keyframe_load import keyframe_family, keyframe_spec

        spec = keyframe_spec(table, context.path)
        return keyframe_family(spec), spec
    from .diffusers_families import family_of
    from .diffusers_wan_load import motion_spec

    spec = motion_spec(table, context.path)
    return family_of(spec.model, "motion", "motion model"), spec


def takes_depth_itself(table: dict[str, Any], context: BackendContext | None) -> bool:
    """Whether the keyframe model follows a depth map with no ControlNet: a Flux depth
    control folder. Without the production's context, say yes and let ``plan_fit`` check."""
    if context is None:
        return True
    from .diffusers_families import family_of

    try:
        return not family_of(context.path(table["model"]), "keyframe", "").needs_controlnet
    except BackendError:
        return False


def step_generation(kind: str, table: dict[str, Any],
                    context: BackendContext) -> dict[str, Any] | None:
    """The generation settings for the step (None when the model cannot be read now)."""
    try:
        fam, spec = _family(kind, table, context)
        return generation(fam, spec.model, table, _on_cuda())
    except (BackendError, ImportError):
        return None


def run_settings(kind: str, table: dict[str, Any], context: BackendContext,
                 request: StepRequest) -> dict[str, Any]:
    """The table a step runs with: backends.toml's, with the plan's generation settings."""
    gen = request.params.get("model", {}).get("generation")
    if gen is None:
        fam, spec = _family(kind, table, context)
        gen = generation(fam, spec.model, table, _on_cuda())
    return {**table, **gen}


def plan_fit(kind: str, table: dict[str, Any], context: BackendContext,
             fmt: dict[str, int]) -> tuple[bool, str]:
    """(fits, reason with the figures) for the step's model on this machine."""
    from .diffusers_loading import dtype_name, need

    model = context.path(table["model"])
    if not model.is_dir():
        return True, f"model folder {model} not found, memory not checked"
    try:
        fam, spec = _family(kind, table, context)
        if kind == "keyframe":
            from .diffusers_keyframe_load import keyframe_weights

            weights = keyframe_weights(spec)
        else:
            from .diffusers_wan_load import motion_weights

            weights = motion_weights(spec)
        on_cuda = _on_cuda()
    except BackendError as e:
        return False, str(e)
    except ImportError as e:
        return False, f"diffusers cannot run here ({e}); pip install 'aktion[diffusers]'"
    gen = generation(fam, spec.model, table, on_cuda)
    width, height = gen_size(fmt, gen)
    frames = int(table.get("max_frames", WAN.frames)) if fam is WAN else 1
    main = dtype_name(fam, spec.dtype, on_cuda)
    fit = decide(need(fam, weights, main, width, height, frames),
                 device_memory(spec.memory_gib), spec.offload)
    reason = f"{fam.label}, {main}; {fit.reason}"
    if gen["profile"] == "cpu-preview":
        native = generation(fam, spec.model, table, True)
        nw, nh = gen_size(fmt, native)
        reason += (f"; CPU preview: {width}x{height}, {gen['steps']} steps (on CUDA: "
                   f"{nw}x{nh}, {native['steps']} steps)")
    return fit.ok, reason
