"""Run a shot graph: skip what the cache has, run the rest, record only what is durable.

One render at a time per production (a lock file). Steps run in graph order; a
failed step fails the steps that need it, with the cause, and every other shot
still finishes. Scratch lives in the store's tmp folder and never counts as output.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aktion.backends.base import Backend, BackendError, StepResult

from .graph import ShotGraph, Step
from .router import load_backend
from .store import Action, Store


@dataclass
class Outcome:
    step: str
    status: str  # ran, cached, failed, skipped
    seconds: float = 0.0
    error: str | None = None


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not any(o.status in ("failed", "skipped") for o in self.outcomes)


class Reporter:
    """Hooks for progress display; the CLI and the studio implement them."""

    def started(self, step: Step) -> None: ...
    def progress(self, step: Step, done: int, total: int) -> None: ...
    def finished(self, step: Step, outcome: Outcome) -> None: ...


class RenderLocked(RuntimeError):
    pass


@contextmanager
def render_lock(store: Store) -> Iterator[None]:
    """Refuse a second concurrent render of the same production."""
    path = store.root / "render.lock"
    with path.open("a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RenderLocked(f"another render of this production is running ({path})") from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def execute(step: Step, inputs: dict[str, Path], store: Store, backend: Backend,
            progress: Callable[[int, int], None]) -> Action:
    """Run one step in a scratch folder and move its outputs into the store."""
    work = store.workdir()
    try:
        request = step.request.model_copy(update={"inputs": inputs})
        result: StepResult = backend.run(request, work, progress)
        missing = [n for n, p in result.outputs.items() if not Path(p).is_file()]
        if missing:
            raise BackendError(f"{backend.id} reported outputs it did not write: {missing}")
        outputs = {name: store.put_file(Path(p)) for name, p in result.outputs.items()}
        record = {"backend": backend.id, "backend_version": str(backend.version),
                  "step": step.id, "locks": step.request.locks, **result.record}
        store.record(step.key, step.id, outputs, record, step.parts)
        return Action(step.key, step.id, outputs, record)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def materialize(store: Store, action: Action, dest: Path) -> Path:
    """Copy a cut from the store to ``out/`` atomically, unless it is already there."""
    blob = store.blob_path(action.outputs["video"])
    if dest.is_file() and dest.stat().st_size == blob.stat().st_size:
        from .store import file_digest

        if file_digest(dest) == action.outputs["video"].digest:
            return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.copyfile(blob, tmp)
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, dest)
    return dest


def run(graph: ShotGraph, store: Store, *, shots: list[str] | None = None,
        reporter: Reporter | None = None) -> Summary:
    reporter = reporter or Reporter()
    t0 = time.perf_counter()
    summary = Summary()
    done: dict[str, Action] = {}
    failed: dict[str, str] = {}
    backends: dict[str, Backend] = {}
    with render_lock(store):
        store.clean_tmp()
        for step in graph.select(shots):
            blocked = [d for d, _ in step.deps.values() if d in failed]
            if blocked:
                outcome = Outcome(step.id, "skipped", error=f"needs {blocked[0]}, which failed")
                failed[step.id] = outcome.error or ""
                summary.outcomes.append(outcome)
                reporter.finished(step, outcome)
                continue
            cached = store.lookup(step.key)
            if cached is not None:
                done[step.id] = cached
                outcome = Outcome(step.id, "cached")
            else:
                reporter.started(step)
                s0 = time.perf_counter()
                try:
                    inputs = {
                        name: store.blob_path(done[dep].outputs[out])
                        for name, (dep, out) in step.deps.items()
                    }
                    if step.backend not in backends:
                        backends[step.backend] = load_backend(step.backend)
                    done[step.id] = execute(
                        step, inputs, store, backends[step.backend],
                        lambda d, t, s=step: reporter.progress(s, d, t),
                    )
                    outcome = Outcome(step.id, "ran", time.perf_counter() - s0)
                # A backend dying mid-shot must not stop the other shots; Ctrl-C still does.
                except Exception as e:  # noqa: BLE001
                    cause = str(e) if isinstance(e, BackendError) else (
                        f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")
                    failed[step.id] = cause
                    outcome = Outcome(step.id, "failed", time.perf_counter() - s0, cause)
            summary.outcomes.append(outcome)
            reporter.finished(step, outcome)
            if step.kind == "cut" and step.id in done:
                dest = graph.production.root / "out" / f"{step.scene}.mp4"
                summary.outputs.append(materialize(store, done[step.id], dest))
    summary.seconds = time.perf_counter() - t0
    return summary
