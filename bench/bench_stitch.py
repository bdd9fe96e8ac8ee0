"""Benchmark the cut: stream-copy stitching against re-encoding the whole scene.

Makes N synthetic 1280x720 shots with VideoWriter, then, in the same run and on
the same files, times (1) ``stitch`` with cuts (pure remux), (2) ``stitch`` with a
dissolve at every join (re-encodes only the joins), and (3) a full decode and
re-encode of all shots into one file with the same settings.

    python bench/bench_stitch.py [--shots 10] [--seconds 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from aktion.media import TransitionSpec, VideoWriter, iter_frames, probe, stitch


def make_shot(path: Path, n: int, w: int, h: int, fps: int, seed: int) -> None:
    """Moving gradients: cheap to draw, with real motion for the encoder."""
    x = np.arange(w, dtype=np.int32)[None, :]
    y = np.arange(h, dtype=np.int32)[:, None]
    frame = np.empty((h, w, 3), np.uint8)
    frame[..., 2] = ((x + y) // 4 + seed * 30) & 255
    with VideoWriter(path, w, h, fps) as out:
        for i in range(n):
            frame[..., 0] = (x + i * 6 + seed * 50) & 255
            frame[..., 1] = (y + i * 3) & 255
            out.write(frame)


def reencode_all(shots: list[Path], out: Path, w: int, h: int, fps: int) -> int:
    with VideoWriter(out, w, h, fps) as writer:
        for shot in shots:
            for frame in iter_frames(shot):
                writer.write(frame)
    return writer.frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--fps", type=int, default=24)
    a = ap.parse_args()
    n = round(a.seconds * a.fps)

    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        t0 = time.perf_counter()
        shots = [work / f"shot{i:02d}.mp4" for i in range(a.shots)]
        for i, p in enumerate(shots):
            make_shot(p, n, a.width, a.height, a.fps, i)
        made = time.perf_counter() - t0
        total = a.shots * n
        print(
            f"{a.shots} shots x {n} frames at {a.width}x{a.height} {a.fps} fps "
            f"({total} frames) made in {made:.2f} s ({total / made:.0f} fps encode)"
        )

        t0 = time.perf_counter()
        cut = stitch(shots, work / "cut.mp4", fps=a.fps)
        t_cut = time.perf_counter() - t0
        assert cut.frames == probe(work / "cut.mp4").frames == total
        assert cut.reencoded_frames == 0

        joins = [TransitionSpec("dissolve", a.fps // 2)] * (a.shots - 1)
        t0 = time.perf_counter()
        dis = stitch(shots, work / "dissolves.mp4", joins, a.fps)
        t_dis = time.perf_counter() - t0

        t0 = time.perf_counter()
        full = reencode_all(shots, work / "full.mp4", a.width, a.height, a.fps)
        t_full = time.perf_counter() - t0
        assert full == total

    print(f"stitch, cuts (remux):         {t_cut:8.3f} s  ({cut.reencoded_frames} re-encoded)")
    print(
        f"stitch, {a.shots - 1} dissolves:          {t_dis:8.3f} s  "
        f"({dis.reencoded_frames} of {dis.frames} frames re-encoded)"
    )
    print(f"full decode + re-encode:      {t_full:8.3f} s  ({total} frames)")
    print(f"speed-up, remux vs re-encode:     {t_full / t_cut:8.0f}x")
    print(f"speed-up, dissolves vs re-encode: {t_full / t_dis:8.1f}x")


if __name__ == "__main__":
    main()
