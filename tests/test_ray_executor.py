"""The Ray executor on a private local cluster: same cut as the local pool, faults survived."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

ray = pytest.importorskip("ray")

from aktion.backends.base import Capabilities, Progress, StepRequest, StepResult
from aktion.engine.executors import LocalExecutor
from aktion.engine.executors.ray_cluster import RayExecutor
from aktion.engine.executors.synthetic import SleepBackend, synthetic_graph
from aktion.engine.graph import ShotGraph
from aktion.engine.run import Summary, run
from aktion.engine.store import Store

TESTS = Path(__file__).parent


class CrashOnceBackend(SleepBackend):
    """Kills its own worker process the first time it runs (a marker file remembers)."""

    capabilities: ClassVar[Capabilities] = SleepBackend.capabilities

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        marker = Path(request.params["marker"])
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            (workdir / "half.bin").write_bytes(b"half a clip")
            os._exit(1)
        return super().run(request, workdir, progress)


class AlwaysCrashBackend(SleepBackend):
    capabilities: ClassVar[Capabilities] = SleepBackend.capabilities

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        os._exit(1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One small private cluster for the module; returns the HOME it ran under."""
    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in
             ("HOME", "RAY_USAGE_STATS_ENABLED", "RAY_AUTH_MODE")}
    os.environ.update(HOME=str(home), RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="disabled")
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=100 * 1024 * 1024,
             _temp_dir=str(tmp_path_factory.mktemp("ray")), log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(TESTS)}})
    try:
        yield home
    finally:
        ray.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def render(graph: ShotGraph, root: Path, executor=None) -> tuple[Summary, Store]:
    store = Store(root / ".aktion")
    return run(graph, store, executor=executor), store


def cuts(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "out").glob("*.mp4"))}


def test_ray_cut_is_byte_identical_to_local(cluster: Path, tmp_path: Path) -> None:
    local, _ = render(synthetic_graph(tmp_path / "a", shots=6, scenes=2, sleep=0.01),
                      tmp_path / "a", LocalExecutor(2))
    summary, store = render(synthetic_graph(tmp_path / "b", shots=6, scenes=2, sleep=0.01),
                            tmp_path / "b", RayExecutor())
    assert local.ok and summary.ok and summary.count("ran") == 14
    assert cuts(tmp_path / "b") == cuts(tmp_path / "a") and len(cuts(tmp_path / "a")) == 2
    assert store.verify() == []
    again, _ = render(synthetic_graph(tmp_path / "b", shots=6, scenes=2, sleep=0.01),
                      tmp_path / "b",
                      RayExecutor())
    assert again.count("cached") == 14


def test_ray_renders_the_tiny_production_like_local(cluster: Path, tiny: Path,
                                                    tmp_path: Path) -> None:
    pytest.importorskip("aktion.backends.previz")
    import shutil

    from aktion.engine.graph import plan
    from aktion.production.load import load_production

    other = shutil.copytree(tiny, tmp_path / "other")
    local, _ = render(plan(load_production(tiny)), tiny, LocalExecutor())
    summary, store = render(plan(load_production(other)), other, RayExecutor())
    assert local.ok and summary.ok and summary.count("ran") == 8
    assert cuts(other) == cuts(tiny) and cuts(tiny)
    assert store.verify() == []


def test_a_worker_killed_mid_step_is_retried(cluster: Path, tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=4, scenes=1, sleep=0.01)
    step = graph.steps["render:2"]
    marker = tmp_path / "crashed"
    step.backend = f"{__name__}:CrashOnceBackend"
    step.request = step.request.model_copy(
        update={"params": {**step.request.params, "marker": str(marker)}})
    summary, store = render(graph, tmp_path, RayExecutor())
    assert marker.exists(), "the step never killed its worker"
    assert summary.ok and summary.count("ran") == 9
    assert store.verify() == []
    render(synthetic_graph(tmp_path / "ref", shots=4, scenes=1, sleep=0.01), tmp_path / "ref",
                         LocalExecutor(2))
    assert cuts(tmp_path) == cuts(tmp_path / "ref")
    with sqlite3.connect(tmp_path / ".aktion" / "cache.sqlite") as con:
        rows = con.execute("SELECT step_id, COUNT(*) FROM actions GROUP BY step_id").fetchall()
    assert len(rows) == 9 and all(n == 1 for _, n in rows)


def test_a_step_lost_for_good_fails_only_its_shot(cluster: Path, tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=4, scenes=2, sleep=0.01)
    graph.steps["render:0"].backend = f"{__name__}:AlwaysCrashBackend"
    summary, store = render(graph, tmp_path, RayExecutor(retries=1))
    status = {o.step: o.status for o in summary.outcomes}
    assert status["render:0"] == "failed" and status["cut:s0"] == "skipped"
    assert "lost on the cluster" in (summary.outcomes[1].error or "")
    assert all(status[s] == "ran" for s in ("render:1", "render:2", "render:3", "cut:s1"))
    assert store.verify() == [] and list((tmp_path / "out").iterdir()) == [tmp_path / "out" /
                                                                          "s1.mp4"]


def test_the_cluster_wrote_nothing_to_home(cluster: Path) -> None:
    assert list(cluster.iterdir()) == []
