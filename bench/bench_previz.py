"""Previz speed against the encoder's pace, measured in one run on the example production.

Previz: every ``motion_control`` and ``render`` step of the production, run by the
engine exactly as ``aktion render`` runs them (the local executor, a fresh store): the
choreography solved, every frame drawn and encoded to H.264, the outputs stored.

Both sides start warm: the renderer's modules are imported and the drawing processes
started before anything is timed (``aktion render`` starts them once, for every shot;
``bench_startup.py`` measures start-up).

Ceiling: the same number of frames, already drawn and held in memory (a sample of the
production's own previz, cycled), pushed through the same H.264 writer with nothing
else to do, in clips as long as the shots: one clip after another, and as many clips
at once as the executor runs steps at once. The faster of the two is the ceiling (on a
busy machine more threads also win more of it: the parallel ceiling keeps that fair).
A ratio near 1.0 means solving and drawing cost nothing next to encoding. The load
average of the machine is printed with each run.

    python bench/bench_previz.py [PRODUCTION] [--repeat 3] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from aktion.engine.executors import LocalExecutor
from aktion.engine.graph import ShotGraph, plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.media.video import VideoWriter, iter_frames
from aktion.previz import draw_ahead
from aktion.production.load import load_production
from cpu_time import cpu_seconds

SAMPLE = 48  # frames of the ceiling's sample


def previz_graph(root: Path) -> tuple[ShotGraph, int]:
    """The production's solve and render steps alone, and how many frames they make."""
    graph = plan(load_production(root), "previz")
    graph.steps = {k: s for k, s in graph.steps.items()
                   if s.kind in ("motion_control", "render")}  # fmt: skip
    frames = sum(s.request.shot["duration"] for s in graph if s.kind == "render")
    return graph, frames


def time_previz(graph: ShotGraph, work: Path, workers: int | None) -> tuple[float, list[Path]]:
    store = Store(work / ".aktion")
    executor = LocalExecutor(workers)
    try:
        t0 = time.perf_counter()
        summary = run(graph, store, executor=executor)
        took = time.perf_counter() - t0
    finally:
        executor.close()
    if not summary.ok:
        raise SystemExit(f"previz failed: {[o.error for o in summary.outcomes if o.error]}")
    videos = []
    for step in graph:
        if step.kind == "render":
            action = store.lookup(step.key)
            assert action is not None
            videos.append(store.fetch(action.outputs["video"], work / "videos" / step.id))
    store.close()
    return took, videos


def time_ceiling(sample: list[np.ndarray], lengths: list[int], fps: int, work: Path,
                 at_once: int = 1) -> float:  # fmt: skip
    """Seconds to encode clips of ``lengths`` frames, ``at_once`` clips at a time."""
    height, width = sample[0].shape[:2]
    starts = np.cumsum([0, *lengths[:-1]]).tolist()

    def clip(k: int) -> None:
        with VideoWriter(work / f"ceiling{k}.mp4", width, height, fps) as writer:
            for i in range(lengths[k]):
                writer.write(sample[(starts[k] + i) % len(sample)])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(clip, range(len(lengths))))
    return time.perf_counter() - t0


def warm_up() -> None:
    """Import what the previz steps import when they first run."""
    import aktion.previz.stage  # noqa: F401


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("production", nargs="?", default="examples/rooftop")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    ap.add_argument("--workers", type=int, default=None, help="steps at once (default: auto)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    warm_up()
    drawing = draw_ahead.start()
    warm = time.perf_counter() - t0
    graph, frames = previz_graph(Path(args.production))
    s = graph.production.settings
    lengths = [st.request.shot["duration"] for st in graph if st.kind == "render"]
    seconds = frames / s.fps
    print(f"production: {s.name}  {frames} frames at {s.width}x{s.height}, {s.fps} fps "
          f"({seconds:.1f} s of film), {len(lengths)} shots; {os.cpu_count()} cores, "
          f"{drawing} drawing process(es), started with the imports in {warm:.2f} s")
    workers = LocalExecutor(args.workers).workers
    best = {"previz": float("inf"), "one": float("inf"), "many": float("inf")}
    sample: list[np.ndarray] = []
    for rep in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="aktion-bench-"))
        try:
            before = load()
            took, cpu = {}, {}
            c0 = cpu_seconds()
            took["previz"], videos = time_previz(graph, work, args.workers)
            cpu["previz"] = cpu_seconds() - c0
            if not sample:
                middle = videos[len(videos) // 2]
                sample = [f.copy() for _, f in zip(range(SAMPLE), iter_frames(middle))]
            c0 = cpu_seconds()
            took["one"] = time_ceiling(sample, lengths, s.fps, work)
            cpu["one"] = cpu_seconds() - c0
            took["many"] = time_ceiling(sample, lengths, s.fps, work, workers)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        ceiling = min(took["one"], took["many"])
        print(f"  run {rep + 1}: previz {frames / took['previz']:6.1f} fps; ceiling "
              f"{frames / took['one']:6.1f} fps one clip at a time, {frames / took['many']:6.1f}"
              f" fps {workers} at once; ratio {ceiling / took['previz']:.2f}  "
              f"({before} before, {load()} after)")
        print(f"         CPU per frame: previz {cpu['previz'] / frames * 1000:.1f} ms (with "
              f"the drawing processes), encoding alone {cpu['one'] / frames * 1000:.1f} ms")
        best = {k: min(v, took[k]) for k, v in best.items()}
    previz_fps = frames / best["previz"]
    ceiling_fps = frames / min(best["one"], best["many"])
    print(f"previz (solve + draw + encode, engine, {workers} steps at once): "
          f"{best['previz']:6.2f} s  {previz_fps:7.1f} fps  {seconds / best['previz']:5.1f}x "
          "real time")
    print(f"encode-only ceiling: {frames / best['one']:.1f} fps one clip at a time, "
          f"{frames / best['many']:.1f} fps {workers} at once")
    print(f"previz / ceiling: {previz_fps / ceiling_fps:.2f} (goal >= 0.8)")


if __name__ == "__main__":
    main()
