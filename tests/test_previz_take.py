"""Previz takes: what a new take varies on set, from the take's own seed.

Take 1 stays the board byte for byte; take N re-solves the performance with its
beats a few frames earlier or later (never out of order) and films it with an
operator's wobble and a small framing offset, so two takes always differ and
the same seed always gives the same take.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.engine.graph import ShotGraph, plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.media.video import iter_frames
from aktion.previz.moves import MoveLibrary
from aktion.previz.plausibility import check_performance
from aktion.previz.skeleton import Skeleton
from aktion.previz.stage import Stage
from aktion.previz.take import TakeVariation, _contact_offsets
from aktion.production.choreo import Beat
from aktion.production.load import load_production
from conftest import write_production

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rooftop"
LIBRARY = MoveLibrary.load()
_register()


def aktion(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def render(root: Path) -> tuple[ShotGraph, dict[str, bytes]]:
    """Render a production; the bytes of every video its steps made, by step id."""
    graph = plan(load_production(root))
    store = Store.for_production(root)
    try:
        summary = run(graph, store)
        assert summary.ok, summary.outcomes
        videos = {}
        for step in graph:
            action = store.lookup(step.key)
            if "video" in action.outputs:
                videos[step.id] = store.blob_path(action.outputs["video"]).read_bytes()
        return graph, videos
    finally:
        store.close()


def decoded(data: bytes, scratch: Path) -> np.ndarray:
    scratch.write_bytes(data)
    return np.stack(list(iter_frames(scratch))).astype(np.int16)


def test_takes_differ_take_one_stays_the_board_and_a_seed_repeats(tmp_path: Path) -> None:
    root = write_production(tmp_path / "a")
    board_graph, board = render(root)
    assert aktion("take", "new", "2", "--seed", "5", "--path", root).exit_code == 0
    assert aktion("take", "new", "2", "--seed", "6", "--path", root).exit_code == 0
    shown = aktion("plan", root)
    assert shown.exit_code == 0, shown.output
    assert "take 2 (seed 5): beat timing" in shown.output and "framing" in shown.output

    graph, takes = render(root)
    # take 1 is today's board render, key and bytes
    assert graph.steps["render:2"].key == board_graph.steps["render:2"].key
    assert takes["render:2"] == board["render:2"]
    assert graph.steps["cut:roof"].deps["shot:2"] == ("render:2@t3", "video")
    one, two, three = (decoded(takes[s], tmp_path / f"{i}.mp4")
                       for i, s in enumerate(("render:2", "render:2@t2", "render:2@t3")))
    assert one.shape == two.shape == three.shape
    for a, b in ((one, two), (one, three), (two, three)):
        # a take is another camera and performance: every frame differs, not just one
        per_frame = np.abs(a - b).reshape(len(a), -1).mean(1)
        assert per_frame.min() > 0.2, per_frame

    # the same seed in another folder, from a fresh store: the very same bytes
    again = write_production(tmp_path / "b")
    assert aktion("take", "new", "2", "--seed", "5", "--path", again).exit_code == 0
    _, repeat = render(again)
    assert repeat["render:2@t2"] == takes["render:2@t2"]


def test_a_varied_take_still_lands_every_strike(tmp_path: Path) -> None:
    rooftop = load_production(EXAMPLE, moves=LIBRARY.names())
    s = rooftop.settings
    moved = 0
    for scene, shot in rooftop.shots():
        beats = rooftop.beats(shot.id)
        cast = {c: rooftop.cast[c] for c in shot.characters}
        board, _ = Stage(shot, scene.set, cast, beats, LIBRARY, fps=s.fps, width=s.width,
                         height=s.height).perform()
        if not board.contacts:
            continue
        skeletons = {c: Skeleton.from_build(cast[c].build) for c in board.characters}
        for n, seed in ((2, 11), (3, 12), (4, 13)):
            stage = Stage(shot, scene.set, cast, beats, LIBRARY, fps=s.fps, width=s.width,
                          height=s.height, take=TakeVariation(n, seed))
            perf, _ = stage.perform()
            reach = [f for f in check_performance(shot.id, perf, skeletons) if f.check == "reach"]
            assert not reach, f"{shot.id} take {n}: {reach}"
            assert [(c.striker, c.target, c.move) for c in perf.contacts] == \
                [(c.striker, c.target, c.move) for c in board.contacts]
            frames = [c.frame for c in perf.contacts]
            assert frames == sorted(frames)
            shifts = [c.frame - b.frame for c, b in zip(perf.contacts, board.contacts,
                                                         strict=True)]
            assert all(abs(d) <= 3 for d in shifts), (shot.id, n, shifts)
            moved += any(shifts)
    assert moved >= 3  # timing really varies from take to take


def _order(beats: list[Beat], contacts: dict[int, int]) -> list[tuple[int, str]]:
    events = [(b.t, f"start {i}") for i, b in enumerate(beats)]
    events += [(beats[i].t + c, f"contact {i}") for i, c in contacts.items()]
    return events


@pytest.mark.parametrize("fps", [24, 30])
def test_beat_timing_never_crosses_the_contact_order(fps: int) -> None:
    """A tight exchange: a jab, a block between its start and its contact, a counter
    starting with the jab's contact, a dodge together with the counter."""
    beats = [Beat(t=0, who="a", move="guard"),
             Beat(t=4, who="a", move="jab", target="b", hit="head"),
             Beat(t=5, who="b", move="block"),
             Beat(t=9, who="b", move="cross", target="a"),
             Beat(t=9, who="a", move="dodge"),
             Beat(t=20, who="a", move="hook", target="b", hit="body")]
    frames = 22
    contacts = _contact_offsets(beats, LIBRARY, fps, frames)
    assert set(contacts) == {1, 3, 5}
    board = [(t, name) for t, name in _order(beats, contacts)]
    changed = 0
    for seed in range(40):
        varied = TakeVariation(2, seed).beats(beats, LIBRARY, fps, frames)
        assert [b.move for b in varied] == [b.move for b in beats]
        assert varied[0].t == 0  # what starts on the first frame still does
        assert varied[3].t == varied[4].t  # beats that start together stay together
        take = _order(varied, contacts)
        for (t0, a), (u0, _) in zip(board, take, strict=True):
            for (t1, b), (u1, _) in zip(board, take, strict=True):
                assert np.sign(t0 - t1) == np.sign(u0 - u1), (seed, a, b)
        assert all(0 < b.t < frames for b in varied[1:])
        assert all(abs(v.t - b.t) <= round(2 * fps / 24) for v, b in zip(varied, beats,
                                                                          strict=True))
        changed += any(v.t != b.t for v, b in zip(varied, beats, strict=True))
    assert changed >= 30
