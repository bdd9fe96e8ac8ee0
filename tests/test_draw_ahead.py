"""Frames drawn ahead of the encoder: the same pixels and bytes whoever draws them.

The cut stream-copies every shot, so a shot's bytes must not depend on how many drawing
processes ran, on the order frames were drawn, or on what else the process was doing
while x264 encoded them.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from aktion.backends.base import StepRequest
from aktion.backends.previz import PrevizBackend, _stage
from aktion.media.video import VideoWriter
from aktion.previz import draw_ahead
from aktion.previz.camera import CameraPath
from aktion.previz.draw import Renderer
from aktion.production.board import Box, SetDesign, Shot
from aktion.production.cast import Build, Character, Palette
from aktion.production.choreo import Beat

W, H, FPS, FRAMES = 192, 108, 24, 40
CAST = {
    "vex": Character(id="vex", name="VEX", palette=Palette(primary="#c0392b")),
    "kade": Character(id="kade", name="KADE", palette=Palette(primary="#2e86c1"),
                      build=Build(height=1.9, shoulders=0.5, bulk=1.3)),
    "mira": Character(id="mira", name="MIRA", palette=Palette(primary="#27ae60")),
    "rook": Character(id="rook", name="ROOK", palette=Palette(primary="#8e44ad")),
}  # fmt: skip


def fight_request(move: str) -> StepRequest:
    """Two pairs trading blows behind and around two boxes; a shake mid-shot makes a
    still camera move for a few frames (cached and uncached backgrounds both drawn)."""
    shot = Shot(id="F1", lines=(1, 1), size="WS", duration=FRAMES,
                move={"type": move, "amount": 1.0} if move != "static" else "static",
                blocking=[{"who": "vex", "at": (-0.8, -1.2), "facing": 0},
                          {"who": "kade", "at": (0.8, -1.2), "facing": 180},
                          {"who": "mira", "at": (-0.8, 1.2), "facing": 0},
                          {"who": "rook", "at": (0.8, 1.2), "facing": 180}])  # fmt: skip
    beats = [Beat(t=2, who="vex", move="jab", target="kade", hit="head"),
             Beat(t=6, who="rook", move="roundhouse", target="mira", hit="body"),
             Beat(t=14, who="kade", move="cross", target="vex"),
             Beat(t=15, who="vex", move="duck"),
             Beat(t=18, camera="shake", duration=6)]  # fmt: skip
    design = SetDesign(boxes=[Box(at=(0.0, -0.2), size=(0.6, 1.4, 0.6)),
                              Box(at=(-4.0, -3.0), size=(2.0, 2.5, 2.0))])  # fmt: skip
    return StepRequest(
        kind="motion_control", shot=shot.dump(), scene="test",
        set=design.model_dump(mode="json"), beats=[b.dump() for b in beats],
        cast={c: v.dump() for c, v in CAST.items()},
        format={"fps": FPS, "width": W, "height": H}, seed=3,
        script={"lines": [1, 1], "dialogue": [{"who": "VEX", "text": "Now.", "line": 1}]},
    )  # fmt: skip


def renderer_for(request: StepRequest, work: Path) -> Renderer:
    """The render step's renderer, made from a real motion_control step's outputs."""
    mc = PrevizBackend().run(request, work, lambda d, t: None).outputs
    render = request.model_copy(update={"kind": "render", "inputs": mc})
    stage = _stage(render)
    poses = np.load(mc["poses"], mmap_mode="r", allow_pickle=False)
    camera = CameraPath.from_json(json.loads(Path(mc["camera"]).read_text()))
    characters = json.loads(Path(mc["performance"]).read_text())["characters"]
    return stage.renderer(poses, camera, characters)


@pytest.fixture(scope="module", params=["static", "handheld"])
def renderer(request, tmp_path_factory) -> Renderer:
    return renderer_for(fight_request(request.param), tmp_path_factory.mktemp("mc"))


def encode(frames, path: Path) -> str:
    with VideoWriter(path, W, H, FPS) as writer:
        for frame in frames:
            writer.write(frame)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_frames_drawn_in_any_order_are_the_frames_drawn_in_order(renderer: Renderer) -> None:
    in_order = [renderer.frame(i).copy() for i in range(FRAMES)]
    shuffled = list(range(FRAMES))
    random.Random(5).shuffle(shuffled)
    fresh = Renderer(*renderer._args)
    for i in shuffled:
        assert np.array_equal(fresh.frame(i), in_order[i]), f"frame {i} differs out of order"
    assert len({f.tobytes() for f in in_order}) > FRAMES // 2  # the shot moves


def test_drawing_processes_give_the_same_frames_and_bytes(renderer: Renderer,
                                                          tmp_path: Path) -> None:  # fmt: skip
    here = [f.copy() for f in draw_ahead.drawn_frames(renderer, FRAMES, workers=0)]
    for workers in (1, 2):
        drawn = [f.copy() for f in draw_ahead.drawn_frames(renderer, FRAMES, workers=workers,
                                                            min_pixels=0)]  # fmt: skip
        assert len(drawn) == FRAMES
        assert all(np.array_equal(a, b) for a, b in zip(here, drawn, strict=True)), workers
    assert encode(here, tmp_path / "a.mp4") == encode(
        draw_ahead.drawn_frames(renderer, FRAMES, workers=2, min_pixels=0), tmp_path / "b.mp4")


def test_x264_bytes_do_not_depend_on_what_else_the_process_does(renderer: Renderer,
                                                                tmp_path: Path) -> None:  # fmt: skip
    """Two threads of x264 with a fixed count and no B-frames: the same frames give the
    same bytes alone, beside two other encoders, and beside a thread busy in numpy."""
    frames = [renderer.frame(i).copy() for i in range(FRAMES)]
    alone = encode(frames, tmp_path / "alone.mp4")
    stop = threading.Event()

    def busy() -> None:
        a = np.random.default_rng(0).random((200, 200))
        while not stop.is_set():
            a = a @ a.T
            a /= np.abs(a).max()

    found: dict[str, str] = {}
    threads = [threading.Thread(target=busy)]
    threads += [threading.Thread(target=lambda n=n: found.__setitem__(
        n, encode(frames, tmp_path / f"{n}.mp4"))) for n in ("x", "y", "z")]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    assert set(found.values()) == {alone}


def test_a_render_step_is_byte_identical_drawn_here_or_ahead(tmp_path: Path, monkeypatch) -> None:
    request = fight_request("dolly")
    backend = PrevizBackend()
    mc = backend.run(request, tmp_path / "mc", lambda d, t: None).outputs
    render = request.model_copy(update={"kind": "render", "inputs": mc})
    digests = set()
    for workers in ("0", "2"):
        monkeypatch.setenv(draw_ahead.WORKERS_ENV, workers)
        monkeypatch.setattr(draw_ahead, "MIN_PIXELS", 0)
        calls: list[tuple[int, int]] = []
        out = backend.run(render, tmp_path / f"r{workers}", lambda d, t, c=calls: c.append((d, t)))
        assert calls[-1] == (FRAMES, FRAMES) and len(calls) == FRAMES
        digests.add(hashlib.sha256(out.outputs["video"].read_bytes()).hexdigest())
    assert len(digests) == 1


def test_a_failing_frame_is_one_error_naming_it(renderer: Renderer) -> None:
    with pytest.raises(draw_ahead.DrawError, match="IndexError"):
        list(draw_ahead.drawn_frames(renderer, FRAMES + 5, workers=1, min_pixels=0))


def test_workers_setting_is_checked(monkeypatch) -> None:
    monkeypatch.setenv(draw_ahead.WORKERS_ENV, "two")
    with pytest.raises(draw_ahead.DrawError, match="AKTION_DRAW_WORKERS='two'"):
        draw_ahead.draw_workers()
    monkeypatch.setenv(draw_ahead.WORKERS_ENV, "0")
    assert draw_ahead.draw_workers() == 0


UNGUARDED = """\
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
with open({log!r}, "a") as f:
    f.write("ran\\n")
from test_draw_ahead import W, H, FRAMES, fight_request, renderer_for
from aktion.previz import draw_ahead
r = renderer_for(fight_request("static"), Path({work!r}))
n = sum(1 for _ in draw_ahead.drawn_frames(r, FRAMES, workers=1, min_pixels=0))
print(n, draw_ahead._POOL is None)
"""


def test_a_script_without_a_main_guard_draws_on_its_own_thread(tmp_path: Path) -> None:
    """A spawned process runs the main script again; unguarded, that would re-run it."""
    log = tmp_path / "ran.log"
    script = tmp_path / "script.py"
    script.write_text(UNGUARDED.format(tests=str(Path(__file__).parent), log=str(log),
                                       work=str(tmp_path / "mc")))  # fmt: skip
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(FRAMES), "True"]
    assert log.read_text() == "ran\n"
