"""The default executor: a bounded pool of threads on this machine.

Threads, not processes: a step's heavy work (video encode, numpy, a model on a
GPU) releases the GIL, a step shares the driver's memory and filesystem, and a
killed render leaves no orphan process writing into the store.
"""

from __future__ import annotations

import os
import queue
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from .base import Done, Event, Job
from .worker import run_job


class LocalExecutor:
    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or min(4, os.cpu_count() or 1))
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="aktion-step")
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._running: set[Future[Done]] = set()

    def free(self) -> int:
        return self.workers - len(self._running)

    def submit(self, job: Job) -> None:
        self._running.add(self._pool.submit(run_job, job, self._events.put))

    def _events_so_far(self) -> list[Event]:
        events = []
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                return events

    def poll(self, timeout: float) -> tuple[list[Event], list[Done]]:
        ended, _ = wait(self._running, timeout=timeout, return_when=FIRST_COMPLETED)
        self._running -= ended
        return self._events_so_far(), [f.result() for f in ended]

    def cancel(self) -> list[Done]:
        """Running steps cannot be interrupted safely in a thread: let them finish."""
        ended, _ = wait(self._running)
        self._running.clear()
        self._events_so_far()
        return [f.result() for f in ended]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
