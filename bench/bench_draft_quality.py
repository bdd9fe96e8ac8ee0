"""How well drafted boards stage a script, measured on what previz films.

Each script is drafted into a fresh production (boards, choreography, cast), every
shot is solved and filmed as previz renders it, and three figures are read off the
geometry (see ``aktion.craft.staging``):

- framed: shots whose named subjects are fully in frame on the board frame and through
  at least 90% of the shot (goal 100%);
- faces: dialogue singles and over-the-shoulders whose speaker's face is turned toward
  the lens, three-quarter or frontal (goal >= 95%);
- contradicted: strikes that land where the script says they miss, or miss where it says
  they land (goal 0).

The hand-directed example (``examples/rooftop``, its own boards) is measured in the
same run as the peer.

    python bench/bench_draft_quality.py [SCRIPT.fountain ...]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from aktion.craft.staging import Figures, measure
from aktion.production.load import load_production
from aktion.writers_room.breakdown import breakdown
from aktion.writers_room.draft import draft
from aktion.writers_room.merge import write_draft
from aktion.writers_room.moves import library_moves
from aktion.writers_room.source import resolve

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [
    ROOT / "tests" / "fixtures" / "scripts" / "dockside.fountain",
    ROOT / "tests" / "fixtures" / "scripts" / "spec.fountain",
    ROOT / "tests" / "fixtures" / "scripts" / "last_orders.fountain",
    ROOT / "tests" / "fixtures" / "scripts" / "overpass.fountain",
    ROOT / "examples" / "rooftop" / "script.fountain",
]
TOML = '[production]\nname = "bench"\nfps = 24\nwidth = 640\nheight = 360\n'


def drafted(script: Path, folder: Path) -> Path:
    """A fresh production drafted from ``script`` alone."""
    root = folder / script.stem
    root.mkdir()
    shutil.copy(script, root / "script.fountain")
    (root / "aktion.toml").write_text(TOML)
    write_draft(resolve(root), draft(breakdown(root), fps=24, moves=library_moves()))
    return root


def row(name: str, fig: Figures, seconds: float) -> str:
    return (f"| {name} | {fig.shots} | {fig.framed_share:.0%} | {fig.singles} | "
            f"{fig.facing_share:.0%} | {fig.strikes} | {fig.contradicted} | {seconds:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", type=Path, default=SCRIPTS)
    parser.add_argument("--why", action="store_true", help="list every shot that falls short")
    args = parser.parse_args()
    print("| script | shots | framed | dialogue singles | faces | strikes | contradicted | s |")
    print("|---|---|---|---|---|---|---|---|")
    total = Figures()
    with tempfile.TemporaryDirectory() as tmp:
        for script in args.scripts:
            start = time.perf_counter()
            fig = measure(load_production(drafted(script, Path(tmp))))
            print(row(f"{script.name} (drafted)", fig, time.perf_counter() - start))
            for name in ("shots", "framed", "singles", "facing", "strikes", "contradicted"):
                setattr(total, name, getattr(total, name) + getattr(fig, name))
            if args.why:
                for line in fig.misses:
                    print(f"    {line}")
    print(row("all drafted", total, 0.0).rsplit("|", 2)[0] + "| |")
    start = time.perf_counter()
    peer = measure(load_production(ROOT / "examples" / "rooftop"))
    print(row("examples/rooftop (hand-directed)", peer, time.perf_counter() - start))


if __name__ == "__main__":
    main()
