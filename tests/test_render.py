"""End to end: a production renders to a cut; reruns do nothing; a kill loses nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import av

from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.production.load import load_production
from conftest import BOARDS, CHOREO, write_production


def render(root: Path, shots: list[str] | None = None):
    production = load_production(root)
    store = Store.for_production(root)
    try:
        return run(plan(production), store, shots=shots)
    finally:
        store.close()


def decoded_frames(path: Path) -> tuple[int, int, int, float]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        n = sum(1 for _ in c.decode(s))
        return n, s.codec_context.width, s.codec_context.height, float(s.average_rate)


def test_render_cut_rerun_and_one_beat(tiny: Path) -> None:
    first = render(tiny)
    assert first.ok and first.count("ran") == 8
    cut = tiny / "out" / "roof.mp4"
    assert first.outputs == [cut, tiny / "out" / "roof-contact-sheet.png"]
    assert decoded_frames(cut) == (24, 160, 96, 24.0)

    again = render(tiny)
    assert again.count("ran") == 0 and again.count("cached") == 8

    (tiny / "choreo.yaml").write_text(CHOREO.replace("{t: 1, who", "{t: 3, who"))
    third = render(tiny)
    ran = {o.step for o in third.outcomes if o.status == "ran"}
    assert ran == {"layout:2", "motion_control:2", "render:2", "cut:roof", "sheet:roof"}
    assert decoded_frames(cut)[0] == 24


def test_render_selected_shots_only(tiny: Path) -> None:
    summary = render(tiny, shots=["2"])
    assert {o.step for o in summary.outcomes} == {"layout:2", "motion_control:2", "render:2"}
    assert not (tiny / "out").exists()


def test_a_failing_step_fails_only_what_needs_it(tiny: Path) -> None:
    production = load_production(tiny)
    graph = plan(production)
    graph.steps["render:1"].backend = "no-such-backend"
    store = Store.for_production(tiny)
    summary = run(graph, store)
    status = {o.step: o.status for o in summary.outcomes}
    assert status["render:1"] == "failed" and status["cut:roof"] == "skipped"
    assert status["render:2"] == "ran"
    assert "no-such-backend" in next(o.error for o in summary.outcomes if o.step == "render:1")
    assert store.verify() == []


def _partial_videos(scratch: Path) -> list[Path]:
    """Video files being written in the store's scratch; steps come and go while we look."""
    try:
        return [f for f in scratch.rglob("*.mp4*") if _size(f)]
    except FileNotFoundError:  # a step's folder was removed mid-walk
        return []


def _size(path: Path) -> int:
    """A scratch file's size; 0 if it was renamed away while we looked."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


LONG = BOARDS.replace("duration: 12\n        blocking:\n          - {who: vex, at: [-0.5",
                      "duration: 480\n        blocking:\n          - {who: vex, at: [-0.5")


def test_kill_during_render_then_resume(tmp_path: Path) -> None:
    root = write_production(tmp_path / "p", boards=LONG)
    db = root / ".aktion" / "cache.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "aktion", "render", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done_before: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as con:
                    done_before = {r[0] for r in con.execute("SELECT step_id FROM actions")}
            except sqlite3.OperationalError:
                pass
        partial = _partial_videos(root / ".aktion" / "tmp")
        if {"render:1", "motion_control:2"} <= done_before and partial:
            break  # shot 2 is being written right now
        time.sleep(0.01)
    assert proc.poll() is None, "render finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert "render:1" in done_before and not (root / "out" / "roof.mp4").exists()

    store = Store.for_production(root)
    assert store.verify() == []  # nothing half-written was ever recorded
    with sqlite3.connect(db) as con:
        recorded = {r[0] for r in con.execute("SELECT step_id FROM actions")}
    store.close()
    assert "render:2" not in recorded

    summary = render(root)
    status = {o.step: o.status for o in summary.outcomes}
    assert all(status[s] == "cached" for s in recorded)
    assert status["render:2"] == "ran" and summary.ok
    assert decoded_frames(root / "out" / "roof.mp4")[0] == 12 + 480
    assert list((root / ".aktion" / "tmp").iterdir()) == []


class _LastFirst:
    """A local pool that hands back every batch of finished jobs newest first, so the
    driver sees the reverse of submission order (what a busy machine may do)."""

    def __init__(self) -> None:
        from aktion.engine.executors.local import LocalExecutor

        self.inner = LocalExecutor(workers=2)
        self.pending: set[str] = set()

    def free(self) -> int:
        return self.inner.free()

    def submit(self, job) -> None:
        self.pending.add(job.step_id)
        self.inner.submit(job)

    def poll(self, timeout: float):
        events, ended = [], []
        while self.pending:  # wait for every job in flight, then release them reversed
            ev, done = self.inner.poll(timeout)
            events += ev
            ended += done
            self.pending -= {d.step_id for d in done}
        return events, ended[::-1]

    def cancel(self):
        return self.inner.cancel()

    def close(self) -> None:
        self.inner.close()


def test_published_outputs_follow_the_graph_not_completion_order(tiny: Path) -> None:
    production = load_production(tiny)
    store = Store.for_production(tiny)
    executor = _LastFirst()
    try:
        summary = run(plan(production), store, executor=executor)
    finally:
        executor.close()
        store.close()
    assert summary.ok
    assert summary.outputs == [tiny / "out" / "roof.mp4", tiny / "out" / "roof-contact-sheet.png"]


def test_locking_an_unchanged_character_renders_nothing(tiny: Path) -> None:
    from typer.testing import CliRunner

    from aktion.cli import _register, app

    assert render(tiny).ok
    _register()
    locked = CliRunner().invoke(app, ["cast", "lock", "vex", str(tiny)])
    assert locked.exit_code == 0, locked.output
    assert "locked:" in (tiny / "cast" / "vex.yaml").read_text()
    again = render(tiny)
    assert again.ok and again.count("ran") == 0
