"""The watermark: what it costs a previz render, and how often it is recovered.

Cost, measured in one run on shots of the example production (1280x720): previz
render (pose solve + drawing + H.264 encode) next to what sealing adds to mark
every frame (decode, mark, encode again), and the mark alone per frame.

Recovery: each shot's marked clip goes through what happens to video in the wild,
and ``read_frames`` must name its mark among all the shots' marks:
  stripped  the manifest dropped by a stream copy (the pixels untouched)
  crf28     re-encoded with x264 at CRF 28
  half      scaled to 50% (and encoded at CRF 23)
  crop10    10% cut off the width and the height (5% each side), re-encoded at CRF 23
The unmarked clips are read too: any mark found there is a false positive.

    python bench/bench_watermark.py [PRODUCTION] [--shots N]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np

from aktion.backends.previz import PrevizBackend
from aktion.engine.graph import plan
from aktion.media.video import iter_frames
from aktion.production.load import load_production
from aktion.provenance.marking import mark_file, sample_frames
from aktion.provenance.watermark import Marker, mark_for, read_frames


def encode(frames: list[np.ndarray], dst: Path, crf: int, fps: int) -> Path:
    with av.open(str(dst), "w") as out:
        s = out.add_stream("libx264", rate=fps)
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt, s.options = "yuv420p", {"crf": str(crf), "preset": "veryfast"}
        for f in frames:
            out.mux(s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(f), "rgb24")))
        out.mux(s.encode(None))
    return dst


def stripped(src: Path, dst: Path, fps: int) -> Path:
    shutil.copyfile(src, dst)  # marked but never signed: the same pixels a strip leaves
    return dst


def crf28(src: Path, dst: Path, fps: int) -> Path:
    return encode(list(iter_frames(src)), dst, 28, fps)


def half(src: Path, dst: Path, fps: int) -> Path:
    frames = list(iter_frames(src))
    h, w = frames[0].shape[:2]
    size = (w // 4 * 2, h // 4 * 2)
    return encode([cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames], dst, 23,
                  fps)


def crop10(src: Path, dst: Path, fps: int) -> Path:
    frames = list(iter_frames(src))
    h, w = frames[0].shape[:2]
    dy, dx = int(h * 0.05) // 2 * 2, int(w * 0.05) // 2 * 2
    return encode([f[dy:h - dy, dx:w - dx] for f in frames], dst, 23, fps)


ATTACKS: dict[str, Callable[[Path, Path, int], Path]] = {
    "stripped": stripped, "crf28": crf28, "half": half, "crop10": crop10}


def main(root: Path, shots: int) -> None:
    production = load_production(root)
    s = production.settings
    graph = plan(production)
    backend = PrevizBackend()
    work = Path(tempfile.mkdtemp(prefix="aktion-bench-wm-"))
    try:
        clips: list[tuple[str, Path, int]] = []
        render_s = mark_s = 0.0
        frames = 0
        for step in graph:
            if step.kind != "motion_control" or len(clips) >= shots:
                continue
            shot_dir = work / step.shot
            shot_dir.mkdir()
            t0 = time.perf_counter()
            mc = backend.run(step.request, shot_dir, lambda d, t: None)
            render = graph.steps[f"render:{step.shot}"]
            out = backend.run(render.request.model_copy(update={"inputs": mc.outputs}),
                              shot_dir, lambda d, t: None)
            render_s += time.perf_counter() - t0
            video = out.outputs["video"]
            mark = mark_for(render.key, "video")
            t0 = time.perf_counter()
            assert mark_file(video, shot_dir / "marked.mp4", mark)
            mark_s += time.perf_counter() - t0
            n = render.request.shot["duration"]
            frames += n
            clips.append((mark, shot_dir, n))

        sample = next(iter_frames(clips[0][1] / "shot.mp4"))
        marker = Marker("0123456789abcdef", sample.shape[1], sample.shape[0])
        t0 = time.perf_counter()
        for _ in range(48):
            marker(sample)
        per_frame_ms = (time.perf_counter() - t0) / 48 * 1000

        marks = [m for m, _, _ in clips]
        found = {name: 0 for name in ATTACKS}
        read_s = {name: 0.0 for name in ATTACKS}
        false = 0
        for mark, folder, _ in clips:
            for name, attack in ATTACKS.items():
                copy = attack(folder / "marked.mp4", folder / f"{name}.mp4", s.fps)
                t0 = time.perf_counter()
                got = read_frames(sample_frames(copy), marks, [s.width])
                read_s[name] += time.perf_counter() - t0
                found[name] += got is not None and got.mark == mark
            false += read_frames(sample_frames(folder / "shot.mp4"), marks, [s.width]) is not None
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = len(clips)
    print(f"production: {s.name}, {n} shots, {frames} frames at {s.width}x{s.height}")
    print(f"previz render:                 {render_s:6.2f} s  {frames / render_s:6.1f} fps")
    print(f"marking at sealing (re-encode): {mark_s:6.2f} s  {frames / mark_s:6.1f} fps  "
          f"-> render + mark takes {(render_s + mark_s) / render_s:.2f}x the render alone")
    print(f"the mark alone, in memory:      {per_frame_ms:6.2f} ms a frame "
          f"({per_frame_ms / (1000 * render_s / frames):.2f} of a previz frame's time)")
    print("recovery (mark named among all the shots' marks):")
    for name in ATTACKS:
        print(f"  {name:9s} {found[name]:3d}/{n}  ({100 * found[name] / n:5.1f}%)  "
              f"{read_s[name] / n:5.2f} s a clip")
    print(f"  unmarked  {false:3d}/{n} false marks found")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("production", nargs="?", type=Path, default=Path("examples/rooftop"))
    parser.add_argument("--shots", type=int, default=12)
    args = parser.parse_args()
    main(args.production, args.shots)
