"""Render jobs: the engine's ``run`` in a background thread, with events to stream.

Cancelling raises ``JobCancelled`` from the reporter hooks, the next time the engine
reports. It is a BaseException, like Ctrl-C, so the engine does not mistake it for a
failed step: the running step's scratch folder is removed and nothing unfinished is
recorded, which is exactly what leaves the store consistent after a kill.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aktion.engine.graph import Step, plan
from aktion.engine.run import Outcome, Reporter, run
from aktion.engine.store import Store


class JobCancelled(BaseException):
    """Raised inside the engine's thread to stop a render between reports."""


@dataclass
class Job:
    id: str
    shots: list[str] | None
    state: str = "queued"  # queued, running, done, failed, cancelled
    error: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    cancel_requested: bool = False
    closed: bool = False  # the last event has been emitted
    changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    root: str = ""  # the production folder: never shown, paths are relative to it
    total: int | None = None  # steps the render considers (cached ones included)

    def emit(self, event: dict[str, Any]) -> None:
        event = {k: self.relative(v) if isinstance(v, str) else v for k, v in event.items()}
        with self.changed:
            event = {"seq": len(self.events), **event}
            self.events.append(event)
            self.changed.notify_all()

    def view(self) -> dict[str, Any]:
        steps: dict[str, dict[str, Any]] = {}
        for e in self.events:
            if "step" in e:
                steps.setdefault(e["step"], {}).update(
                    {k: v for k, v in e.items() if k not in ("seq", "type")})
        done = sum(1 for st in steps.values() if st.get("status") not in (None, "running"))
        return {"id": self.id, "shots": self.shots, "state": self.state, "error": self.error,
                "steps": steps, "events": len(self.events), "total": self.total, "done": done}

    def relative(self, text: str) -> str:
        """``text`` with the production's absolute path made relative."""
        if not self.root:
            return text
        return text.replace(self.root + "/", "").replace(self.root, ".")

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "cancelled")


class JobReporter(Reporter):
    def __init__(self, job: Job):
        self.job = job

    def _check(self) -> None:
        if self.job.cancel_requested:
            raise JobCancelled()

    def started(self, step: Step) -> None:
        self._check()
        self.job.emit({"type": "started", "step": step.id, "shot": step.shot,
                       "kind": step.kind, "status": "running"})

    def progress(self, step: Step, done: int, total: int) -> None:
        self._check()
        self.job.emit({"type": "progress", "step": step.id, "done": done, "total": total})

    def finished(self, step: Step, outcome: Outcome) -> None:
        self.job.emit({"type": "finished", "step": step.id, "shot": step.shot,
                       "kind": step.kind, "status": outcome.status,
                       "seconds": round(outcome.seconds, 3), "error": outcome.error})
        self._check()


class JobManager:
    """Jobs of one production; the engine's render lock keeps renders one at a time."""

    def __init__(self, root: Path):
        self.root = root
        self.jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, shots: list[str] | None) -> Job:
        with self._lock:
            job = Job(str(next(self._ids)), shots, root=str(self.root))
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job,), daemon=True,
                         name=f"aktion-job-{job.id}").start()
        return job

    def cancel(self, job: Job) -> None:
        job.cancel_requested = True
        job.emit({"type": "cancelling"})

    def _run(self, job: Job) -> None:
        # Loaded here, in the job's thread: the render sees the files as they are now.
        from aktion.production.load import load_production

        from .context import move_names

        job.state = "running"
        job.emit({"type": "state", "state": "running"})
        store = None
        try:
            production = load_production(self.root, moves=move_names(self.root))
            graph = plan(production)
            job.total = len(graph.select(job.shots))
            job.emit({"type": "plan", "total": job.total})
            store = Store.for_production(self.root)
            summary = run(graph, store, shots=job.shots, reporter=JobReporter(job))
            job.state = "done" if summary.ok else "failed"
            if not summary.ok:
                job.error = job.relative(
                    next((o.error for o in summary.outcomes if o.error), "a step failed"))
            job.emit({"type": "summary", "ran": summary.count("ran"),
                      "cached": summary.count("cached"), "failed": summary.count("failed"),
                      "skipped": summary.count("skipped"), "seconds": round(summary.seconds, 3),
                      "outputs": [str(p.relative_to(self.root)) for p in summary.outputs]})
        except JobCancelled:
            job.state = "cancelled"
        # A job must end in a state the page can show, whatever went wrong.
        except Exception as e:  # noqa: BLE001
            job.state, job.error = "failed", job.relative(f"{type(e).__name__}: {e}")
        finally:
            if store is not None:
                store.close()
            job.emit({"type": "state", "state": job.state, "error": job.error})
            job.closed = True
