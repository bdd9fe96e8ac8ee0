"""Peak memory of a whole render against the production's length.

Builds productions of about 1 and 10 minutes at 1280x720 from the example's shots
(its shot list repeated under new ids, with their choreography), renders each from
scratch with ``aktion render`` in a process of its own, and prints that process's peak
resident memory. The 1-minute render is the peer: a ratio near 1.0 means memory stays
flat as the film gets longer (the goal is under 500 MB for both).

    python bench/bench_memory.py [--minutes 1 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rooftop"
RUN = """
import resource, sys
from aktion.cli import main
sys.argv = ["aktion", "render", sys.argv[1]]
try:
    main()
finally:
    print("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def build(dest: Path, minutes: float) -> tuple[int, int]:
    """A production of at least ``minutes`` made of the example's shots; (shots, frames)."""
    yaml = YAML()
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("out", ".aktion",
                                                                  "canvas.yaml"))
    boards = yaml.load((EXAMPLE / "boards.yaml").read_text())
    choreo = yaml.load((EXAMPLE / "choreo.yaml").read_text())
    shots = list(boards["scenes"][0]["shots"])
    beats = dict(choreo["shots"])
    fps = 24
    one = sum(_frames(s["duration"], fps) for s in shots)
    copies = max(1, math.ceil(minutes * 60 * fps / one))
    out_shots, out_beats = [], {}
    for k in range(copies):
        for s in shots:
            shot = dict(s)
            shot["id"] = s["id"] if k == 0 else f"{s['id']}r{k:02d}"
            out_shots.append(shot)
            if s["id"] in beats:
                out_beats[shot["id"]] = beats[s["id"]]
    boards["scenes"][0]["shots"] = out_shots
    choreo["shots"] = out_beats
    with (dest / "boards.yaml").open("w") as f:
        yaml.dump(boards, f)
    with (dest / "choreo.yaml").open("w") as f:
        yaml.dump(choreo, f)
    return len(out_shots), copies * one


def _frames(duration: object, fps: int) -> int:
    text = str(duration)
    return round(float(text[:-1]) * fps) if text.endswith("s") else int(text)


def peak(root: Path) -> tuple[float, float]:
    """(peak resident MB, seconds) of ``aktion render root`` in a fresh process."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN, str(root)], capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"render failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    kb = next(int(line.split()[1]) for line in done.stderr.splitlines()
              if line.startswith("peak_rss_kb"))
    return kb / 1024, seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[1, 10])
    ap.add_argument("--keep", type=Path, help="build the productions here and keep them")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="aktion-mem-"))
    results = []
    try:
        for minutes in args.minutes:
            root = work / f"film-{minutes:g}min"
            shutil.rmtree(root, ignore_errors=True)
            shots, frames = build(root, minutes)
            mb, seconds = peak(root)
            results.append((minutes, shots, frames, mb, seconds))
            print(f"{minutes:>4g} min: {shots:4d} shots, {frames:6d} frames at 1280x720 -> "
                  f"peak RSS {mb:6.0f} MB  (render {seconds:.0f} s)", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    base = results[0][3]
    for minutes, _, _, mb, _ in results[1:]:
        print(f"ratio {minutes:g} min / {results[0][0]:g} min: {mb / base:.2f} "
              f"(1.0 = memory flat with length)")
    worst = max(r[3] for r in results)
    print(f"goal: under 500 MB for every length -> {'met' if worst < 500 else 'NOT met'} "
          f"(worst {worst:.0f} MB)")


if __name__ == "__main__":
    main()
