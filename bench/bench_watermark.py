"""The watermark: what it costs a previz render, and how often it is recovered.

Cost, measured in one run on shots of the example production (1280x720): each
shot's previz render (drawing + H.264 encode) done twice, plain and with every frame
marked as it is written (what a signed render does), and, for clips a backend
writes some other way, marking at sealing (decode, mark, encode again).

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
from aktion.provenance.frame_marks import marking
from aktion.provenance.marking import mark_file, sample_frames
from aktion.provenance.watermark import read_frames


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
        plain_s = marked_s = resealed_s = 0.0
        frames = 0
        for step in graph:
            if step.kind != "motion_control" or len(clips) >= shots:
                continue
            shot_dir = work / step.shot
            (shot_dir / "plain").mkdir(parents=True)
            (shot_dir / "marked").mkdir()
            mc = backend.run(step.request, shot_dir, lambda d, t: None)
            render = graph.steps[f"render:{step.shot}"]
            request = render.request.model_copy(update={"inputs": mc.outputs})
            t0 = time.perf_counter()
            plain = backend.run(request, shot_dir / "plain", lambda d, t: None)
            plain_s += time.perf_counter() - t0
            t0 = time.perf_counter()
            with marking(render.id, render.kind, request.hashed()) as written:
                out = backend.run(request, shot_dir / "marked", lambda d, t: None)
            marked_s += time.perf_counter() - t0
            assert written is not None
            mark = written.for_outputs(out.outputs)["video"]
            t0 = time.perf_counter()
            assert mark_file(plain.outputs["video"], shot_dir / "resealed.mp4", mark)
            resealed_s += time.perf_counter() - t0
            frames += render.request.shot["duration"]
            clips.append((mark, shot_dir, render.request.shot["duration"]))

        marks = [m for m, _, _ in clips]
        found = {name: 0 for name in ATTACKS}
        read_s = {name: 0.0 for name in ATTACKS}
        false = 0
        for mark, folder, _ in clips:
            for name, attack in ATTACKS.items():
                copy = attack(folder / "marked" / "shot.mp4", folder / f"{name}.mp4", s.fps)
                t0 = time.perf_counter()
                got = read_frames(sample_frames(copy), marks, [s.width])
                read_s[name] += time.perf_counter() - t0
                found[name] += got is not None and got.mark == mark
            false += read_frames(sample_frames(folder / "plain" / "shot.mp4"), marks,
                                 [s.width]) is not None
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = len(clips)
    print(f"production: {s.name}, {n} shots, {frames} frames at {s.width}x{s.height}")
    print(f"previz render, plain:             {plain_s:6.2f} s  {frames / plain_s:6.1f} fps")
    print(f"previz render, marked as written: {marked_s:6.2f} s  {frames / marked_s:6.1f} fps"
          f"  ({marked_s / plain_s:.2f}x the plain render)")
    print(f"marking at sealing instead:       {resealed_s:6.2f} s  (render + that: "
          f"{(plain_s + resealed_s) / plain_s:.2f}x; only for clips written another way)")
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
