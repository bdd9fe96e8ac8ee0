"""What the scene's sound costs beside its picture, and how well it is in sync.

Renders the example production (a copy, one step at a time so step times compare),
then prints the seconds spent on sound steps (dialogue, effects, mix) against the
picture steps (layout, motion control, render, canvas edits) and the sync errors in
frames: every impact's onset found in the mix against its contact frame, every
line's start found in the dialogue stem against its board frame.

    python bench/bench_sound.py
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from aktion.engine.executors.local import LocalExecutor
from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.production.load import load_production
from aktion.sound.sync import impact_error, line_error, onset_strength
from aktion.sound.timeline import scene_times
from aktion.sound.wav import read_wav

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rooftop"
SOUND = ("dialogue", "sfx", "mix")
PICTURE = ("layout", "motion_control", "render", "extend", "trim", "speed")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "rooftop"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aktion", "out"))
        graph = plan(load_production(root))
        store = Store.for_production(root)
        t0 = time.perf_counter()
        summary = run(graph, store, executor=LocalExecutor(workers=1))
        wall = time.perf_counter() - t0
        assert summary.ok, [o.error for o in summary.outcomes if o.error]
        seconds = {"sound": 0.0, "picture": 0.0}
        for o in summary.outcomes:
            kind = graph.steps[o.step].kind
            if kind in SOUND:
                seconds["sound"] += o.seconds
            elif kind in PICTURE:
                seconds["picture"] += o.seconds
        print(f"render (one step at a time): {wall:.1f} s")
        print(f"picture steps: {seconds['picture']:6.1f} s")
        print(f"sound steps:   {seconds['sound']:6.1f} s")
        print(f"sound / picture: {seconds['sound'] / seconds['picture']:.3f}")
        fps = graph.production.settings.fps
        for cut in [s for s in graph if s.kind == "cut"]:
            mix = graph.steps[cut.deps["mix"][0]]
            action = store.lookup(mix.key)
            strength = onset_strength(read_wav(store.blob_path(action.outputs["mix"])))
            dialogue = read_wav(store.blob_path(action.outputs["dialogue"]))
            times = {t.id: t for t in scene_times(mix.request.params["shots"])}
            hits: list[float | None] = []
            for name, (dep, _) in mix.deps.items():
                if not name.startswith("cues:"):
                    continue
                sfx = graph.steps[dep]
                mc = graph.steps[sfx.deps["performance"][0]]
                perf = json.loads(store.blob_path(
                    store.lookup(mc.key).outputs["performance"]).read_text())
                for c in perf["contacts"]:
                    at = times[sfx.shot].place(int(c["frame"]))
                    if at is not None:
                        hits.append(impact_error(strength, at, fps))
            lines = [line_error(dialogue, times[ln["shot"]].place(ln["frame"]), fps)
                     for ln in mix.request.params["lines"]]
            for label, errors in (("impacts", hits), ("lines", lines)):
                found = [abs(e) for e in errors if e is not None]
                worst = max(found, default=0.0)
                mean = sum(found) / len(found) if found else 0.0
                print(f"{cut.scene} {label}: {len(found)}/{len(errors)} found, sync error "
                      f"mean {mean:.2f} frames, worst {worst:.2f} frames")
        store.close()


if __name__ == "__main__":
    main()
