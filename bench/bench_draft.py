"""Drafting a feature-length script end to end: breakdown, draft, write the files.

Generates a script of ``--pages`` pages (about 55 lines each) from the scene
templates the tests use (repeated headings, a cast introduced in action, camera
directions, title cards, transitions), then times each stage in one run: parse and
break down, draft boards/choreography/cast, merge and write the YAML files, and a
re-draft that finds nothing missing. Ratios are against the breakdown, the peer
every stage starts from.

    PYTHONPATH=src python bench/bench_draft.py [--pages 120]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from aktion.writers_room.breakdown import breakdown
from aktion.writers_room.draft import draft
from aktion.writers_room.merge import write_draft
from aktion.writers_room.source import resolve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from long_scripts import long_script

LINES_PER_PAGE = 55


def script_of(pages: int) -> str:
    """The shortest templated script of at least ``pages`` pages."""
    scenes = max(1, pages)
    while len(long_script(scenes).splitlines()) < pages * LINES_PER_PAGE:
        scenes += 8
    return long_script(scenes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=120)
    args = ap.parse_args()
    text = script_of(args.pages)
    root = Path(tempfile.mkdtemp(prefix="aktion-draft-"))
    try:
        (root / "script.fountain").write_text(text)
        (root / "aktion.toml").write_text('[production]\nname = "bench"\nfps = 24\n')
        times: dict[str, float] = {}
        t = time.perf_counter()
        bd = breakdown(root)
        times["breakdown"] = time.perf_counter() - t
        t = time.perf_counter()
        d = draft(bd)
        times["draft"] = time.perf_counter() - t
        t = time.perf_counter()
        report = write_draft(resolve(root), d)
        times["write files"] = time.perf_counter() - t
        t = time.perf_counter()
        again = write_draft(resolve(root), draft(breakdown(root)))
        times["re-draft (no change)"] = time.perf_counter() - t
        assert not again.written, "a re-draft of an unchanged script wrote files"
        shots = sum(len(sc.shots) for sc in d.scenes)
        print(f"{len(text.splitlines())} lines (~{len(text.splitlines()) // LINES_PER_PAGE} "
              f"pages), {len(bd.scenes)} scenes, {len(bd.characters)} characters, {shots} shots, "
              f"{len(report.cast)} cast files")
        peer = times["breakdown"]
        print(f"{'stage':<22}{'s':>8}{'x breakdown':>13}")
        for name, secs in times.items():
            print(f"{name:<22}{secs:>8.2f}{secs / peer:>13.1f}")
        total = times["breakdown"] + times["draft"] + times["write files"]
        print(f"{'end to end':<22}{total:>8.2f}{total / peer:>13.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
