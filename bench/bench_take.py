"""What a previz take costs beside its board: ``python bench/bench_take.py [--repeat 3]``.

A take re-solves the shot's performance and camera (``Stage.perform``) with its
variation; drawing and encoding then cost what the board's do. Solves every shot
of the example production as the board and as a take, alternately in the same
run, and prints the ratio.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from aktion.previz.moves import MoveLibrary
from aktion.previz.stage import Stage
from aktion.previz.take import TakeVariation
from aktion.production.load import load_production

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rooftop"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    production = load_production(EXAMPLE)
    library = MoveLibrary.for_production(production.root)
    s = production.settings
    seconds = {"board": 0.0, "take": 0.0}
    for _ in range(args.repeat):
        for scene, shot in production.shots():
            cast = {c: production.cast[c] for c in shot.characters}
            for name, take in (("board", None), ("take", TakeVariation(2, 80802))):
                stage = Stage(shot, scene.set, cast, production.beats(shot.id), library,
                              fps=s.fps, width=s.width, height=s.height, seed=1, take=take)
                t = time.perf_counter()
                stage.perform()
                seconds[name] += time.perf_counter() - t
    shots = len(list(production.shots())) * args.repeat
    for name, total in seconds.items():
        print(f"{name:>5}: {total / shots * 1000:7.1f} ms per shot solve")
    print(f"take / board: {seconds['take'] / seconds['board']:.3f}")


if __name__ == "__main__":
    main()
