"""Measure previz speed: ``python bench/bench_draw.py [--characters 4] [--seconds 60]``.

Draws a generated fight (every strike and defence in the library, exchanged in
pairs) and reports the drawing rate alone and, with ``--encode``, the whole
render step (drawing and H.264 encoding, as the backend does it).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from aktion.previz.moves import MoveLibrary
from aktion.previz.stage import Stage
from aktion.production.board import Box, SetDesign, Shot
from aktion.production.cast import Build, Character, Palette
from aktion.production.choreo import Beat

NAMES = ("vex", "kade", "rio", "mara", "jin", "oda")
COLOURS = ("#c0392b", "#2e86c1", "#27ae60", "#8e44ad", "#d35400", "#16a085")
STRIKES = ("jab", "cross", "hook", "front_kick", "uppercut", "roundhouse")
DEFENCES = ("block", "dodge", "duck")


def fight(characters: int, seconds: float, fps: int, width: int, height: int,
          camera: str, size: str = "FS") -> Stage:  # fmt: skip
    """A deterministic fight: pairs trade strikes and defences every ~0.8 s."""
    names = NAMES[:characters]
    cast = {n: Character(id=n, name=n.upper(), palette=Palette(primary=COLOURS[i]),
                         build=Build(height=1.65 + 0.08 * (i % 4)))
            for i, n in enumerate(names)}  # fmt: skip
    blocking = [{"who": n, "at": (-0.7 if i % 2 == 0 else 0.7, 2.2 * (i // 2)),
                 "facing": 0 if i % 2 == 0 else 180} for i, n in enumerate(names)]  # fmt: skip
    frames = round(seconds * fps)
    beats = []
    step = round(0.8 * fps)
    for n, t in enumerate(range(fps // 4, frames - step, step)):
        for pair in range(0, characters - 1, 2):
            a, b = names[pair], names[pair + 1]
            striker, target = (a, b) if (n + pair) % 2 == 0 else (b, a)
            move = STRIKES[(n + pair) % len(STRIKES)]
            lands = n % 3 != 2
            beats.append(Beat(t=t, who=striker, move=move, target=target,
                              hit=("head", "body")[n % 2] if lands else None))  # fmt: skip
            if not lands:
                beats.append(Beat(t=t + 1, who=target, move=DEFENCES[n % 3]))
    shot = Shot(id="bench", lines=(1, 1), size=size, duration=frames, blocking=blocking,
                move=camera)  # fmt: skip
    design = SetDesign(boxes=[Box(at=(4.0, 3.0), size=(1.2, 1.0, 1.0)),
                              Box(at=(-4.0, -2.5), size=(2.0, 1.4, 0.6))])  # fmt: skip
    return Stage(shot, design, cast, beats, MoveLibrary.load(), fps, width, height, 0,
                 [{"who": "VEX", "text": "You should not have come up here."}])  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--characters", type=int, default=2)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--fps", type=int, default=24)
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--camera", default="static", help="a board camera move, e.g. handheld")
    p.add_argument("--size", default="FS", help="shot size: EWS, WS, FS, MS, ...")
    p.add_argument("--encode", action="store_true", help="also time drawing + H.264 encoding")
    args = p.parse_args()
    stage = fight(args.characters, args.seconds, args.fps, args.width, args.height, args.camera,
                  args.size)
    t0 = time.perf_counter()
    perf, camera = stage.perform()
    t1 = time.perf_counter()
    renderer = stage.renderer(perf.poses, camera, perf.characters)
    for i in range(perf.frames):
        renderer.frame(i)
    t2 = time.perf_counter()
    n = perf.frames
    print(f"{args.characters} characters, {n} frames at {args.width}x{args.height}, "
          f"{args.size}, camera {args.camera}, {len(perf.contacts)} contacts")  # fmt: skip
    print(f"  solve: {t1 - t0:.2f} s")
    print(f"  draw:  {n / (t2 - t1):.0f} fps ({(t2 - t1) / n * 1000:.2f} ms a frame)")
    if args.encode:
        from aktion.backends.base import StepRequest
        from aktion.backends.previz import PrevizBackend

        request = {
            "shot": stage.shot.dump(), "set": stage.design.model_dump(mode="json"),
            "beats": [b.dump() for b in stage.beats],
            "cast": {k: c.dump() for k, c in stage.cast.items()},
            "format": {"fps": args.fps, "width": args.width, "height": args.height},
            "script": {"lines": [1, 1], "dialogue": stage.dialogue},
        }  # fmt: skip
        backend = PrevizBackend()
        with tempfile.TemporaryDirectory() as tmp:
            mc = backend.run(StepRequest(kind="motion_control", **request), Path(tmp) / "mc",
                             lambda d, t: None)  # fmt: skip
            t3 = time.perf_counter()
            backend.run(StepRequest(kind="render", inputs=mc.outputs, **request),
                        Path(tmp) / "render", lambda d, t: None)  # fmt: skip
            t4 = time.perf_counter()
        real = n / args.fps
        print(f"  render step (draw + encode): {t4 - t3:.1f} s for {real:.0f} s of film, "
              f"{n / (t4 - t3):.0f} fps, {real / (t4 - t3):.1f}x real time")  # fmt: skip


if __name__ == "__main__":
    main()
