"""The Ray executor: each step a Ray task, sized by its backend's declared needs.

Ray schedules and retries; Aktion builds no scheduler of its own. A worker that
dies mid-step is retried (``retries`` times) on any worker; since a worker only
writes content-addressed blobs and hands back digests, a retry can duplicate a
blob write but never a record. Progress travels through a small actor that the
driver drains each time it polls, so the same reporter shows it.
"""

from __future__ import annotations

import time
from typing import Any

import ray
from ray.exceptions import RayError

from .base import Done, Event, Job
from .worker import run_job


class ProgressSink:
    """Holds worker events until the driver drains them."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def push(self, event: Event) -> None:
        self.events.append(event)

    def drain(self) -> list[Event]:
        events, self.events = self.events, []
        return events


def _remote_step(job: Job, sink: Any) -> Done:
    """Runs on a Ray worker: the stateless step, with progress sent at most 5 times a second."""
    last = [0.0]

    def emit(event: Event) -> None:
        now = time.monotonic()
        if event.kind == "progress" and event.done < event.total and now - last[0] < 0.2:
            return
        last[0] = now
        sink.push.remote(event)

    return run_job(job, emit)


class RayExecutor:
    """Steps as Ray tasks on the cluster at ``address`` (or a private local one).

    ``workers`` caps the steps in flight (default: twice the cluster's CPUs)."""

    def __init__(self, address: str | None = None, workers: int | None = None,
                 retries: int = 2):
        self._owns_cluster = not ray.is_initialized()
        if self._owns_cluster:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        self.retries = retries
        # Ray bounds how many run at once by the cluster's resources; keeping a second
        # round queued on the cluster hides the driver's round trip between steps.
        self.slots = workers or 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._sink = ray.remote(num_cpus=0)(ProgressSink).remote()
        self._task = ray.remote(_remote_step)
        self._refs: dict[Any, str] = {}
        self._has_gpu = ray.cluster_resources().get("GPU", 0) > 0

    def free(self) -> int:
        return self.slots - len(self._refs)

    def submit(self, job: Job) -> None:
        r = job.resources
        gpus = r.gpus or (1.0 if r.gpu_if_any and self._has_gpu else 0.0)
        ref = self._task.options(
            num_cpus=job.resources.cpus, num_gpus=gpus,
            max_retries=self.retries, retry_exceptions=False, name=job.step_id,
        ).remote(job, self._sink)
        self._refs[ref] = job.step_id

    def _collect(self, ready: list[Any]) -> list[Done]:
        ended = []
        for ref in ready:
            step_id = self._refs.pop(ref)
            try:
                ended.append(ray.get(ref))
            except RayError as e:  # the worker died more often than retries allow
                ended.append(Done(step_id, error=f"lost on the cluster: {type(e).__name__}: "
                                                 f"{str(e).splitlines()[0] if str(e) else ''}"))
        return ended

    def poll(self, timeout: float) -> tuple[list[Event], list[Done]]:
        refs = list(self._refs)
        ready: list[Any] = []
        if refs:
            ready, rest = ray.wait(refs, num_returns=1, timeout=timeout)
            if ready and rest:
                more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
                ready += more
        ended = self._collect(ready)
        return ray.get(self._sink.drain.remote()), ended

    def cancel(self) -> list[Done]:
        """Cancel every task in flight; a cancelled step is simply not recorded."""
        for ref in self._refs:
            ray.cancel(ref, force=False)
        self._refs.clear()
        return []

    def close(self) -> None:
        ray.kill(self._sink)
        if self._owns_cluster:
            ray.shutdown()
