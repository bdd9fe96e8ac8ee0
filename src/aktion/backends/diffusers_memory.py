"""Will a model fit the device, and how: on the GPU whole, with CPU offload, or not at all.

The need is rough but grounded: the weights' sizes come from the safetensors
headers, converted to the dtype each component runs in, plus the family's
activation memory at its native size scaled to the generation size, plus the
runtime's own overhead. With ``enable_model_cpu_offload`` only one component
sits on the GPU at a time, so the need is the largest component plus the
activations. The same decision is made when ``aktion plan`` routes a step (and
shows it) and when the backend loads the model (with the memory free then).
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3
CUDA_OVERHEAD = int(0.6 * GIB)  # CUDA context, allocator slack, cuDNN workspaces
CPU_OVERHEAD = int(0.4 * GIB)  # torch runtime and the process around it


@dataclass(frozen=True)
class DeviceMemory:
    device: str  # "cuda:0" or "cpu"
    free: int  # bytes this backend may use now
    total: int
    what: str  # "free" (GPU) or "available RAM"

    @property
    def cuda(self) -> bool:
        return self.device.startswith("cuda")


def device_memory(limit_gib: float | None = None) -> DeviceMemory:
    """What the device has free: ``torch.cuda.mem_get_info`` on CUDA, available RAM on CPU.

    ``limit_gib`` (the ``memory_gib`` setting) caps it, for a GPU or machine shared
    with other work."""
    import torch

    if torch.cuda.is_available():
        index = torch.cuda.current_device()
        free, total = torch.cuda.mem_get_info(index)
        mem = DeviceMemory(f"cuda:{index}", int(free), int(total), "free")
    else:
        import psutil

        vm = psutil.virtual_memory()
        mem = DeviceMemory("cpu", int(vm.available), int(vm.total), "available RAM")
    if limit_gib is not None:
        cap = int(float(limit_gib) * GIB)
        mem = DeviceMemory(mem.device, min(mem.free, cap), mem.total,
                           f"{mem.what} (memory_gib = {limit_gib})" if cap < mem.free else mem.what)
    return mem


@dataclass(frozen=True)
class Need:
    """What one pipeline needs: its components' weights and its activations, in bytes."""

    at: str  # the generation size it was estimated for, e.g. "832x480x81"
    weights: dict[str, int]
    activations: int
    together: tuple[str, ...] = ()  # on the GPU at once even when offloaded (denoiser + its
    # ControlNet: diffusers keeps a ControlNet, called every step, there until the call ends)

    def full(self, cuda: bool) -> int:
        return sum(self.weights.values()) + self.activations + _overhead(cuda)

    def offloaded(self) -> int:
        pair = sum(self.weights.get(name, 0) for name in self.together)
        return max(pair, *self.weights.values(), 0) + self.activations + CUDA_OVERHEAD


def _overhead(cuda: bool) -> int:
    return CUDA_OVERHEAD if cuda else CPU_OVERHEAD


def activation_bytes(gib_at_native: float, native: tuple[int, int], native_frames: int,
                     width: int, height: int, frames: int, width_ratio: float = 1.0) -> int:
    """The family's activations at ``native`` scaled to the generation size (linear in
    pixels x frames, as attention with a memory-efficient kernel roughly is) and to the
    denoiser's width (``width_ratio``: the square root of its parameters over the
    family's reference model's; Wan 14B is ~3.3x as wide as Wan 1.3B)."""
    ratio = (width * height * max(1, frames)) / (native[0] * native[1] * max(1, native_frames))
    return int(gib_at_native * GIB * ratio * width_ratio)


@dataclass(frozen=True)
class Fit:
    ok: bool
    offload: bool
    reason: str


def gib(n: int) -> str:
    return f"{n / GIB:.1f} GiB"


def decide(need: Need, mem: DeviceMemory, offload: bool | str = "auto") -> Fit:
    """Whole on the device, with model CPU offload, or refused, with the figures.

    ``offload``: ``"auto"`` offloads only when the model fits no other way; ``True``
    always offloads (CUDA only); ``False`` never does."""
    full = need.full(mem.cuda)
    have = f"{gib(mem.free)} {mem.what} on {mem.device}"
    if not mem.cuda:
        note = " (offload applies to CUDA only)" if offload is True else ""
        if full <= mem.free:
            return Fit(True, False, f"memory: needs ~{gib(full)} at {need.at}, {have}{note}")
        return Fit(False, False, f"needs ~{gib(full)} at {need.at}, {have}; free memory, set "
                                 "a smaller size, or use a smaller model")
    low = need.offloaded()
    with_offload = f"~{gib(low)} with model CPU offload"
    if offload is True:
        if low <= mem.free:
            return Fit(True, True, f"memory: needs ~{gib(full)} at {need.at} ({with_offload}), "
                                   f"{have}: offload = true")
        return Fit(False, True, f"needs {with_offload} at {need.at}, {have}; set a smaller "
                                "size or use a smaller model")
    if full <= mem.free:
        return Fit(True, False, f"memory: needs ~{gib(full)} at {need.at}, {have}")
    if offload is False:
        hint = (f"set offload = true ({with_offload})" if low <= mem.free
                else f"even with offload it needs {with_offload.removeprefix('~')}; set a "
                     "smaller size or use a smaller model")
        return Fit(False, False, f"needs ~{gib(full)} at {need.at}, {have}; {hint}")
    if low <= mem.free:
        return Fit(True, True, f"memory: needs ~{gib(full)} at {need.at}, {have}: fits only "
                               f"with model CPU offload ({with_offload}), so offloading")
    return Fit(False, True, f"needs ~{gib(full)} at {need.at} ({with_offload}), {have}; set "
                            "a smaller size or use a smaller model")
