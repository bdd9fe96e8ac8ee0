"""Run a shot graph: skip what the cache has, run the rest, record only what is durable.

One render at a time per production (a lock file). Steps run on an executor
(``executors``: a local pool, or a Ray cluster) as soon as their inputs are done;
this driver alone writes the action cache. A failed step fails the steps that need
it, with the cause, and every other shot still finishes. Scratch lives in the
store's tmp folder and never counts as output.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aktion.backends.base import Backend
from aktion.provenance.home import production_cert

from .blobstore import LocalBlobs
from .executors.base import Done, Event, Executor, Job, Resources
from .executors.local import LocalExecutor
from .executors.worker import backend_class, cause_of, perform
from .graph import ShotGraph, Step
from .router import UnmetNeed, available_backends
from .store import Action, Store, StoreError, file_digest, write_failure

if TYPE_CHECKING:
    from aktion.provenance.sealer import StepSealer


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
        outputs, record = perform(backend, step.id, request, work, progress, store.put_file)
        store.record(step.key, step.id, outputs, record, step.parts)
        return Action(step.key, step.id, outputs, record)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def materialize(store: Store, action: Action, dest: Path, output: str = "video") -> Path:
    """Copy a step's output from the store into the production (``out/``) atomically,
    unless it is already there. A failed copy leaves no partial file behind."""
    video = action.outputs[output]
    if dest.is_file() and dest.stat().st_size == video.size and file_digest(dest) == video.digest:
        return dest
    tmp = dest.with_name(f".{dest.name}.tmp")
    fetched = store.workdir()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        blob = store.fetch(video, fetched)
        shutil.copyfile(blob, tmp)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise write_failure(dest, e) from None
    finally:
        shutil.rmtree(fetched, ignore_errors=True)
    return dest


def _resolve(step: Step) -> tuple[str, Resources]:
    """The backend's import target and what a step of it holds while running.

    A backend id is a registered name, or ``module:Class`` for one not registered."""
    target = step.backend if ":" in step.backend else available_backends().get(step.backend)
    if target is None:
        raise UnmetNeed(f"backend `{step.backend}` is not installed")
    return target, Resources.of(backend_class(target).capabilities)


class _Render:
    """One render's bookkeeping on the driver: the only writer of the action cache."""

    def __init__(self, graph: ShotGraph, store: Store, reporter: Reporter, executor: Executor):
        self.graph, self.store, self.reporter, self.executor = graph, store, reporter, executor
        self.summary = Summary()
        self.done: dict[str, Action] = {}
        self.failed: dict[str, str] = {}
        self.running: dict[str, Step] = {}
        self.started: set[str] = set()
        self.misses: set[str] = set()  # looked up once, not in the cache
        self.published: list[tuple[str, Path]] = []  # (step id, file in out/), as finished
        self.scratch = str(store.tmp) if isinstance(store.blobstore, LocalBlobs) else None
        # Sign and log each finished step here, on the driver: keys never reach workers.
        # A production that records no identity signs nothing: C2PA is not even loaded.
        self.sealer: StepSealer | None = None
        if production_cert(graph.production.root).is_file():
            from aktion.provenance.sealer import StepSealer

            self.sealer = StepSealer.for_production(graph.production.root,
                                                    graph.production.settings.script)

    def finish(self, step: Step, outcome: Outcome, action: Action | None = None) -> None:
        if action is not None:
            self.done[step.id] = action
        else:
            self.failed[step.id] = outcome.error or step.id
        self.summary.outcomes.append(outcome)
        self.reporter.finished(step, outcome)
        if step.publish is not None and action is not None:
            output, rel = step.publish
            dest = self.graph.production.root / rel
            self.published.append((step.id, materialize(self.store, action, dest, output)))

    def settle(self, step: Step) -> bool:
        """Settle a step whose inputs are settled without running it, or submit it.

        Returns False when it must wait for a free worker."""
        blocked = [d for d, _ in step.deps.values() if d in self.failed]
        if blocked:
            self.finish(step, Outcome(step.id, "skipped", error=f"needs {blocked[0]}, which failed"))
            return True
        if step.id not in self.misses:
            cached = self.store.lookup(step.key)
            if cached is not None:
                self.finish(step, Outcome(step.id, "cached"), cached)
                return True
            self.misses.add(step.id)
        if self.executor.free() <= 0:
            return False
        try:
            target, resources = _resolve(step)
            inputs = {name: self.done[dep].outputs[out] for name, (dep, out) in step.deps.items()}
        except Exception as e:  # noqa: BLE001 - an unknown backend fails its shot only
            self.finish(step, Outcome(step.id, "failed", error=cause_of(e)))
            return True
        self.executor.submit(Job(step.id, target, step.request, inputs,
                                 self.store.blobstore.url, self.scratch, resources,
                                 self.graph.context(step), watermark=self.sealer is not None))
        self.running[step.id] = step
        return True

    def event(self, e: Event) -> None:
        step = self.running.get(e.step_id)
        if step is None:
            return
        if e.step_id not in self.started:
            self.started.add(e.step_id)
            self.reporter.started(step)
        if e.kind == "progress":
            self.reporter.progress(step, e.done, e.total)

    def ended(self, d: Done) -> None:
        """Record a finished job once its outputs are durable; else fail it with the cause."""
        step = self.running.pop(d.step_id)
        self.started.discard(d.step_id)
        if d.error is None and d.outputs is not None and self.sealer is not None:
            try:
                inputs = {n: self.done[dep].outputs[o] for n, (dep, o) in step.deps.items()}
                d.outputs = self.sealer.seal(self.store, step, d.outputs, inputs, d.record)
            except Exception as e:  # noqa: BLE001 - a signing failure fails this step only
                d.error = cause_of(e)
        if d.error is None and d.outputs is not None:
            lost = [n for n, o in d.outputs.items() if not self.store.has(o)]
            if not lost:
                self.store.record(step.key, step.id, d.outputs, d.record, step.parts)
                action = Action(step.key, step.id, d.outputs, d.record)
                self.finish(step, Outcome(step.id, "ran", d.seconds), action)
                return
            d.error = f"outputs {lost} are not in the store at {self.store.blobstore.url}"
        self.finish(step, Outcome(step.id, "failed", d.seconds, d.error))

    def waiting_on_deps(self, step: Step) -> bool:
        return any(d not in self.done and d not in self.failed for d, _ in step.deps.values())

    def go(self, steps: list[Step]) -> None:
        waiting = list(steps)
        selected = {s.id for s in steps}
        for s in waiting:  # an input outside the selection must already be in the cache
            for dep, _ in s.deps.values():
                if dep not in selected and dep not in self.done:
                    hit = self.store.lookup(self.graph.steps[dep].key)
                    if hit is not None:
                        self.done[dep] = hit
                    else:
                        self.failed[dep] = f"{dep} was not selected"
        try:
            while waiting or self.running:
                still = []
                for step in waiting:  # graph order: a step comes after its inputs
                    if self.waiting_on_deps(step) or not self.settle(step):
                        still.append(step)
                waiting = still
                if not self.running:
                    for step in waiting:  # cannot happen in a well-formed graph
                        self.finish(step, Outcome(step.id, "skipped", error="inputs never ran"))
                    break
                events, ended = self.executor.poll(0.1)
                for e in events:
                    self.event(e)
                for d in ended:
                    self.ended(d)
        except KeyboardInterrupt:
            # Stop scheduling; keep what finished cleanly, record nothing else.
            for d in self.executor.cancel():
                if d.step_id in self.running:
                    self.ended(d)
            raise


def run(graph: ShotGraph, store: Store, *, shots: list[str] | None = None,
        reporter: Reporter | None = None, executor: Executor | None = None) -> Summary:
    """Render the selected steps on ``executor`` (a local pool when None).

    Independent steps run in parallel; a step starts once its inputs are done.
    Outcomes are listed in graph order whatever order the steps finished in."""
    t0 = time.perf_counter()
    if store.readonly:
        raise StoreError(f"{store.root} is read-only: rendering writes the store; plan, "
                         "explain, check and export work without it")
    own = executor is None
    executor = executor or LocalExecutor()
    try:
        with render_lock(store):
            store.clean_tmp()
            steps = graph.select(shots)
            render = _Render(graph, store, reporter or Reporter(), executor)
            render.go(steps)
    finally:
        if own:
            executor.close()
    order = {step_id: i for i, step_id in enumerate(graph.steps)}
    summary = render.summary
    summary.outcomes.sort(key=lambda o: order.get(o.step, len(order)))
    # Published files in graph order too: completion order depends on thread timing.
    published = sorted(render.published, key=lambda p: order.get(p[0], len(order)))
    summary.outputs = [path for _, path in published]
    summary.seconds = time.perf_counter() - t0
    return summary
