"""Previz speed against its ceiling, measured in one run on the example production.

Prints previz frames per second (pose solve + drawing + H.264 encode, every shot of
the example) next to an encode-only ceiling: the same number of frames, already
drawn and held in memory, pushed through the same encoder with no drawing. A ratio
near 1.0 means drawing costs little next to encoding.

    python bench/bench_previz.py [PRODUCTION]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from aktion.backends.previz import PrevizBackend
from aktion.engine.graph import plan
from aktion.media.video import VideoWriter, iter_frames
from aktion.production.load import load_production


def main(root: Path) -> None:
    production = load_production(root)
    graph = plan(production)
    backend = PrevizBackend()
    s = production.settings
    work = Path(tempfile.mkdtemp(prefix="aktion-bench-"))
    try:
        frames = 0
        t0 = time.perf_counter()
        videos = []
        for step in graph:
            if step.kind != "motion_control":
                continue
            shot_dir = work / step.shot
            shot_dir.mkdir()
            mc = backend.run(step.request, shot_dir, lambda d, t: None)
            render = graph.steps[f"render:{step.shot}"].request.model_copy(
                update={"inputs": mc.outputs})
            out = backend.run(render, shot_dir, lambda d, t: None)
            videos.append(out.outputs["video"])
            frames += render.shot["duration"]
        previz_s = time.perf_counter() - t0

        sample = [f for _, f in zip(range(48), iter_frames(videos[len(videos) // 2]))]
        t0 = time.perf_counter()
        with VideoWriter(work / "ceiling.mp4", s.width, s.height, s.fps) as w:
            for i in range(frames):
                w.write(sample[i % len(sample)])
        encode_s = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)

    previz_fps, encode_fps = frames / previz_s, frames / encode_s
    seconds = frames / s.fps
    print(f"production: {s.name}  {frames} frames at {s.width}x{s.height}, {s.fps} fps "
          f"({seconds:.1f} s of film)")
    print(f"previz (solve + draw + encode): {previz_s:6.2f} s  {previz_fps:7.1f} fps  "
          f"{seconds / previz_s:5.1f}x real time")
    print(f"encode-only ceiling:            {encode_s:6.2f} s  {encode_fps:7.1f} fps")
    print(f"previz / ceiling: {previz_fps / encode_fps:.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "examples/rooftop"))
