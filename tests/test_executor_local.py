"""The local pool: parallel where the graph allows, ordered where it does not."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from aktion.backends.base import Capabilities, Progress, StepRequest, StepResult
from aktion.engine.executors import LocalExecutor, make_executor
from aktion.engine.executors.synthetic import SleepBackend, synthetic_graph
from aktion.engine.run import Outcome, Reporter, run
from aktion.engine.store import Store


class Recorder(Reporter):
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.thread = threading.current_thread()

    def started(self, step) -> None:
        assert threading.current_thread() is self.thread
        self.events.append(("started", step.id))

    def progress(self, step, done: int, total: int) -> None:
        self.events.append(("progress", step.id))

    def finished(self, step, outcome: Outcome) -> None:
        self.events.append((outcome.status, step.id))


class FailingBackend(SleepBackend):
    capabilities: ClassVar[Capabilities] = SleepBackend.capabilities

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        raise ValueError("the model ran out of memory")


def test_independent_steps_run_in_parallel_and_cuts_wait(tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=8, scenes=2, sleep=0.1)
    rec = Recorder()
    t0 = time.perf_counter()
    summary = run(graph, Store(tmp_path / ".aktion"), reporter=rec, executor=LocalExecutor(4))
    took = time.perf_counter() - t0
    assert summary.ok and summary.count("ran") == 18
    assert took < 16 * 0.1 * 0.75, f"no parallelism: {took:.2f}s for 1.6s of work"
    finished = [s for e, s in rec.events if e == "ran"]
    for scene, shots in (("s0", range(4)), ("s1", range(4, 8))):
        assert all(finished.index(f"render:{i}") < finished.index(f"cut:{scene}") for i in shots)
    assert all(finished.index(f"layout:{i}") < finished.index(f"render:{i}") for i in range(8))
    assert {("started", s) for s in finished} <= set(rec.events)
    assert [o.step for o in summary.outcomes] == list(graph.steps)  # graph order
    assert (tmp_path / "out" / "s1.mp4").read_bytes().startswith(b"layout 4\nrender 4\n")


def test_a_failure_fails_its_dependants_and_nothing_else(tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=4, scenes=2, sleep=0.0)
    graph.steps["layout:1"].backend = f"{__name__}:FailingBackend"
    store = Store(tmp_path / ".aktion")
    summary = run(graph, store, executor=make_executor("local", workers=2))
    status = {o.step: o.status for o in summary.outcomes}
    errors = {o.step: o.error for o in summary.outcomes}
    assert status["layout:1"] == "failed" and "ran out of memory" in (errors["layout:1"] or "")
    assert status["render:1"] == "skipped" and status["cut:s0"] == "skipped"
    assert "layout:1" in (errors["render:1"] or "")
    assert status["cut:s1"] == "ran" and status["render:0"] == "ran"
    assert store.verify() == [] and list((store.tmp).iterdir()) == []


def test_an_unknown_backend_fails_its_step(tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=2, scenes=1, sleep=0.0)
    graph.steps["render:0"].backend = "no-such-backend"
    summary = run(graph, Store(tmp_path / ".aktion"))
    error = next(o.error for o in summary.outcomes if o.step == "render:0")
    assert "no-such-backend" in (error or "") and summary.count("skipped") == 1


def test_a_rerun_is_all_cached_and_submits_nothing(tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=3, scenes=1, sleep=0.0)
    store = Store(tmp_path / ".aktion")
    run(graph, store)

    class Refuses(LocalExecutor):
        def submit(self, job) -> None:
            raise AssertionError(f"{job.step_id} ran again")

    again = run(graph, store, executor=Refuses(2))
    assert again.count("cached") == 7 and again.ok


def test_ctrl_c_stops_scheduling_and_leaves_the_store_consistent(tmp_path: Path) -> None:
    class Interrupts(Reporter):
        def __init__(self) -> None:
            self.fired = False

        def finished(self, step, outcome: Outcome) -> None:
            if not self.fired and outcome.status == "ran":
                self.fired = True
                raise KeyboardInterrupt

    graph = synthetic_graph(tmp_path, shots=6, scenes=1, sleep=0.05)
    store = Store(tmp_path / ".aktion")
    with pytest.raises(KeyboardInterrupt):
        run(graph, store, reporter=Interrupts(), executor=LocalExecutor(2))
    with sqlite3.connect(tmp_path / ".aktion" / "cache.sqlite") as con:
        recorded = {r[0] for r in con.execute("SELECT step_id FROM actions")}
    assert 1 <= len(recorded) < 13 and "cut:s0" not in recorded
    assert store.verify() == []
    summary = run(graph, store)  # the lock was released; what was recorded is kept
    status = {o.step: o.status for o in summary.outcomes}
    assert summary.ok and all(status[s] == "cached" for s in recorded)


def test_resources_follow_the_backends_declared_device() -> None:
    from aktion.engine.executors import Resources

    def of(device: str) -> Resources:
        return Resources.of(Capabilities(steps=frozenset({"render"}), device=device))

    assert of("cpu") == Resources(cpus=1.0, gpus=0.0)
    assert of("cuda").gpus == 1.0 and of("gpu").gpus == 1.0
    assert of("auto").gpu_if_any and of("auto").gpus == 0.0
    assert of("server").cpus < 1.0
