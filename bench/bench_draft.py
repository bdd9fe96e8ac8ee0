"""Drafting a feature-length script end to end: breakdown, draft, write the files.

Generates a script of ``--pages`` pages (about 55 lines each) from the scene
templates the tests use (repeated headings, a cast introduced in action, camera
directions, title cards, transitions), then times each stage in one run: parse and
break down, draft boards/choreography/cast, merge and write the YAML files, and a
re-draft that finds nothing missing. Ratios are against the breakdown, the peer
every stage starts from; the files are also written again through ruamel's round-trip
writer alone, the peer of the writer ``dump_yaml`` takes when nothing needs the round
trip. Wall and CPU seconds: the CPU column holds when the machine is shared.

    PYTHONPATH=src python bench/bench_draft.py [--pages 120]
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aktion.production.yamlio import _yaml, read_yaml
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
        times: dict[str, tuple[float, float]] = {}

        def timed(name: str, work: Callable[[], Any]) -> Any:
            t, c = time.perf_counter(), time.process_time()
            out = work()
            times[name] = (time.perf_counter() - t, time.process_time() - c)
            return out

        bd = timed("breakdown", lambda: breakdown(root))
        d = timed("draft", lambda: draft(bd))
        report = timed("write files", lambda: write_draft(resolve(root), d))
        again = timed("re-draft (no change)",
                      lambda: write_draft(resolve(root), draft(breakdown(root))))
        assert not again.written, "a re-draft of an unchanged script wrote files"
        docs = [read_yaml(p) for p in report.written]
        timed("round-trip writer", lambda: [_yaml().dump(doc, io.StringIO()) for doc in docs])
        shots = sum(len(sc.shots) for sc in d.scenes)
        print(f"{len(text.splitlines())} lines (~{len(text.splitlines()) // LINES_PER_PAGE} "
              f"pages), {len(bd.scenes)} scenes, {len(bd.characters)} characters, {shots} shots, "
              f"{len(report.cast)} cast files")
        times["end to end"] = tuple(  # type: ignore[assignment]
            sum(times[k][i] for k in ("breakdown", "draft", "write files")) for i in (0, 1))
        peer = times["breakdown"][0]
        print(f"{'stage':<22}{'wall s':>8}{'cpu s':>8}{'x breakdown':>13}")
        for name, (wall, cpu) in times.items():
            print(f"{name:<22}{wall:>8.2f}{cpu:>8.2f}{wall / peer:>13.1f}")
        rt, written = times["round-trip writer"][1], times["write files"][1]
        print(f"writing the files takes {written / rt:.2f}x the CPU of the round-trip writer "
              "alone (which neither merges nor reads)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
