"""The executor interface: jobs in, results and progress events out.

A job is everything a stateless worker needs to run one step: the backend to
load, the request as data, the input blobs by digest, and where blobs live. A
worker writes its outputs to the blob store and returns their digests; the
driver checks they are durable and records them. Nothing a worker does can mark
a step done, so a worker that dies at any moment leaves nothing half-recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from aktion.backends.base import Capabilities, StepRequest
from aktion.generation.config import BackendContext

from ..blobstore import Output


@dataclass(frozen=True)
class Resources:
    """What one step holds while it runs, from its backend's declared device.

    ``gpu``/``cuda``: a whole GPU; ``auto``: a GPU where the cluster has one;
    ``server``: a fraction of a CPU, since the work happens on a remote server."""

    cpus: float = 1.0
    gpus: float = 0.0
    gpu_if_any: bool = False

    @classmethod
    def of(cls, capabilities: Capabilities) -> Resources:
        device = capabilities.device.lower()
        if device in ("gpu", "cuda"):
            return cls(gpus=1.0)
        if device == "auto":
            return cls(gpu_if_any=True)
        if device == "server":
            return cls(cpus=0.25)
        return cls()


@dataclass(frozen=True)
class Job:
    step_id: str
    target: str  # "module:Class" of the backend
    request: StepRequest  # without inputs
    inputs: dict[str, Output]  # input name -> blob
    blobs: str  # where blobs live: a path or an fsspec URL
    scratch: str | None = None  # a folder for workdirs, when it exists on the worker
    resources: Resources = Resources()
    context: BackendContext | None = None  # the plan's configuration of the backend
    watermark: bool = False  # mark picture frames as they are written (the production signs)


@dataclass
class Done:
    """A job's end: its outputs (already in the blob store) or why it failed."""

    step_id: str
    outputs: dict[str, Output] | None = None
    record: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Event:
    """Progress from a worker: ``started``, or ``progress`` with done/total."""

    step_id: str
    kind: str
    done: int = 0
    total: int = 0


class Executor(Protocol):
    def free(self) -> int:
        """How many more jobs may be submitted now."""
        ...

    def submit(self, job: Job) -> None: ...

    def poll(self, timeout: float) -> tuple[list[Event], list[Done]]:
        """Wait up to ``timeout`` for a job to end; return events and ends since last poll."""
        ...

    def cancel(self) -> list[Done]:
        """Stop: submit nothing more, end or drop running jobs; returns jobs that did end."""
        ...

    def close(self) -> None: ...
