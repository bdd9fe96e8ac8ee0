"""Executor scaling on a synthetic production: makespan against the ideal.

200 shots in 10 scenes; each shot is a ``layout`` then a ``render`` that sleep a
fixed time, each scene ends in a ``cut`` of its shots (no sleep). For 1, 2 and 4
workers, per executor: the makespan, the ideal (total sleep / workers), their ratio,
and the scheduling overhead per step: worker time not spent in a step's own work,
``(makespan * workers - total work) / steps``. Ray runs on a private local cluster
of ``workers`` CPUs (the steps only sleep, so it may exceed the real cores).

    python bench/bench_scale.py [--shots 200] [--sleep 0.02] [--executors local ray]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from aktion.engine.executors import Executor, LocalExecutor
from aktion.engine.executors.synthetic import synthetic_graph
from aktion.engine.run import run
from aktion.engine.store import Store


def render_once(executor: Executor, shots: int, sleep: float, salt: str) -> tuple[float, int]:
    root = Path(tempfile.mkdtemp(prefix=f"aktion-scale-{salt}-"))
    try:
        graph = synthetic_graph(root, shots=shots, scenes=10, sleep=sleep)
        store = Store(root / ".aktion")
        t0 = time.perf_counter()
        summary = run(graph, store, executor=executor)
        took = time.perf_counter() - t0
        store.close()
        assert summary.ok and summary.count("ran") == len(graph.steps), "render failed"
        return took, len(graph.steps)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def start_ray(cpus: int) -> None:
    """A private local cluster; the steps only sleep, so logical CPUs may exceed real ones."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False,
             object_store_memory=100 * 1024 * 1024)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=200)
    ap.add_argument("--sleep", type=float, default=0.02, help="seconds per shot step")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--executors", nargs="+", default=["local", "ray"])
    a = ap.parse_args()
    work = 2 * a.shots * a.sleep
    print(f"{a.shots} shots, {2 * a.shots} shot steps of {a.sleep * 1000:.0f} ms "
          f"+ 10 cuts: {work:.1f} s of work")
    print(f"{'executor':<9}{'workers':>8}{'makespan s':>12}{'ideal s':>9}{'ratio':>7}"
          f"{'overhead ms/step':>18}")
    for kind in a.executors:
        for w in a.workers:
            if kind == "ray":  # a cluster of w CPUs: Ray itself bounds the steps at once
                from aktion.engine.executors.ray_cluster import RayExecutor

                start_ray(w)
                warm = RayExecutor()  # start the worker processes before timing
                render_once(warm, 4 * w, 0.0, "warm")
                warm.close()
            executor = LocalExecutor(w) if kind == "local" else RayExecutor()
            try:
                took, steps = render_once(executor, a.shots, a.sleep, f"{kind}{w}")
            finally:
                executor.close()
                if kind == "ray":
                    import ray

                    ray.shutdown()
            ideal = work / w
            overhead = (took * w - work) / steps * 1000
            print(f"{kind:<9}{w:>8}{took:>12.2f}{ideal:>9.2f}{took / ideal:>7.2f}"
                  f"{overhead:>18.2f}")

if __name__ == "__main__":
    main()
