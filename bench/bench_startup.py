"""How fast commands answer, each beside Python's own start-up measured in the same run.

Every figure is the best of ``--repeat`` fresh processes (wall clock), printed with its
ratio to ``python -c pass`` so the comparison holds on any machine:

- ``aktion --help``;
- ``aktion render`` of the example with nothing changed (the example is rendered once
  first, in a scratch copy);
- ``aktion plan`` of the example scaled to 1000 shots (its one scene's shots repeated;
  3005 steps), and the same right after ``boards.yaml`` was edited (its parse is then
  not in the compiled cache yet);
- ``aktion render`` of the 1000-shot production with nothing changed. Its store is filled
  by recording every planned step with small stand-in outputs of the names that step
  kind really writes: a rerun with nothing changed only looks steps up and copies the
  published files, so what the other outputs hold does not matter to it.

The compiled cache lives in the scratch folder, so a run starts cold and every figure
after the first run of a command is warm. The machine's load average is printed too.

    python bench/bench_startup.py [--repeat 5] [--shots 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rooftop"
GOALS = {"help": 0.3, "noop": 0.5, "plan": 2.0, "noop1000": 1.5}


def scaled(src: Path, dest: Path, shots: int) -> Path:
    """A copy of ``src`` whose first scene has ``shots`` shots (its own, repeated)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".aktion", "out"))
    yaml = YAML()
    boards = yaml.load((dest / "boards.yaml").read_text())
    choreo = yaml.load((dest / "choreo.yaml").read_text())
    scene = boards["scenes"][0]
    base = list(scene["shots"])
    out = []
    for k in range(shots):
        shot = dict(base[k % len(base)])
        if k >= len(base):
            old, shot["id"] = shot["id"], f"x{k:04d}"
            if old in choreo["shots"]:
                choreo["shots"][shot["id"]] = choreo["shots"][old]
        out.append(shot)
    scene["shots"] = out
    with (dest / "boards.yaml").open("w") as f:
        yaml.dump(boards, f)
    with (dest / "choreo.yaml").open("w") as f:
        yaml.dump(choreo, f)
    return dest


def output_names(root: Path) -> dict[str, list[str]]:
    """Per step kind, the outputs a real render of ``root`` recorded."""
    from aktion.engine.graph import plan
    from aktion.engine.store import Store
    from aktion.production.load import load_production

    graph = plan(load_production(root))
    store = Store.for_production(root)
    try:
        names: dict[str, list[str]] = {}
        for step in graph:
            action = store.lookup(step.key)
            if action is not None:
                names.setdefault(step.kind, sorted(action.outputs))
        return names
    finally:
        store.close()


def fill_store(root: Path, names: dict[str, list[str]], work: Path) -> int:
    """Record every planned step of ``root`` with stand-in outputs; returns the count."""
    from aktion.engine.graph import plan
    from aktion.engine.store import Store
    from aktion.production.load import load_production

    graph = plan(load_production(root))
    store = Store.for_production(root)
    try:
        for step in graph:
            outputs = {}
            for name in names.get(step.kind, ["video"]):
                stand_in = work / f"{name}.bin"
                stand_in.write_bytes(f"{step.key} {name}\n".encode())
                outputs[name] = store.put_file(stand_in)
            store.record(step.key, step.id, outputs, {"stand_in": True}, step.parts)
        return len(graph.steps)
    finally:
        store.close()


def best(cmd: list[str], env: dict[str, str], repeat: int, before=None) -> float:
    """The fastest of ``repeat`` runs of ``cmd`` (``before`` runs, untimed, before each)."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              check=False)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr.decode()[-2000:]}")
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--shots", type=int, default=1000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aktion-startup-"))
    env = dict(os.environ, AKTION_CACHE=str(work / "cache"), AKTION_HOME=str(work / "home"))
    # As installed: Python keeps compiled bytecode. Where the environment says not to
    # (PYTHONDONTWRITEBYTECODE), every command would compile Aktion's sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    aktion = [sys.executable, "-m", "aktion"]
    try:
        example = work / "rooftop"
        shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".aktion", "out"))
        print(f"rendering the example once ({example}) ...", flush=True)
        subprocess.run([*aktion, "render", str(example)], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        big = scaled(EXAMPLE, work / "big", args.shots)
        os.environ.update(AKTION_CACHE=env["AKTION_CACHE"], AKTION_HOME=env["AKTION_HOME"])
        steps = fill_store(big, output_names(example), work)
        edits = iter(range(10**6))

        def edit_boards() -> None:
            with (big / "boards.yaml").open("a") as f:
                f.write(f"# edit {next(edits)}\n")

        load = "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        python = best([sys.executable, "-c", "pass"], env, args.repeat)
        rows = [
            ("help", "aktion --help", best([*aktion, "--help"], env, args.repeat)),
            ("noop", "aktion render (example, nothing changed)",
             best([*aktion, "render", str(example)], env, args.repeat)),
            ("plan", f"aktion plan ({args.shots} shots, {steps} steps)",
             best([*aktion, "plan", str(big)], env, args.repeat)),
            ("", f"aktion plan ({args.shots} shots) after editing boards.yaml",
             best([*aktion, "plan", str(big)], env, args.repeat, edit_boards)),
            ("noop1000", f"aktion render ({args.shots} shots, nothing changed)",
             best([*aktion, "render", str(big)], env, args.repeat)),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"best of {args.repeat} runs; {os.cpu_count()} cores; {load} (before), "
          "load {:.2f} {:.2f} {:.2f} (after)".format(*os.getloadavg()))
    print(f"{'python -c pass':<58} {python:6.3f} s   1.0x")
    for key, what, took in rows:
        goal = f"goal < {GOALS[key]:g} s" if key in GOALS else ""
        print(f"{what:<58} {took:6.3f} s {took / python:5.1f}x  {goal}")


if __name__ == "__main__":
    main()
