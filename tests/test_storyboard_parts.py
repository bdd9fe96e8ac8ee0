"""Storyboard parts: move directions from camera paths, the floor plan, contact sheet, animatic.

The contact sheet must show the take the cut uses; it is tested with a tiny
stand-in backend whose frames are shaded by the render seed, so take 1 and
take 2 of a shot look different.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from typer.testing import CliRunner

from aktion.backends.base import Capabilities, Progress, StepRequest, StepResult
from aktion.cli import _register, app
from aktion.engine import graph as graph_mod
from aktion.engine import router
from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.media.images import read_array
from aktion.media.video import VideoWriter, probe, read_frame
from aktion.previz.camera import CameraPath
from aktion.production.board import CameraMove, Shot
from aktion.production.load import load_production
from aktion.production.takes import Canvas, ShotEdit, Take, save_canvas
from aktion.storyboard.animatic import caption_at, cut_spans
from aktion.storyboard.contact_sheet import scene_sheet
from aktion.storyboard.floor_plan import plan_view, side_of_line
from aktion.storyboard.move_arrow import describe_move, draw_move
from aktion.storyboard.outputs import picked_clip_step

_register()
runner = CliRunner()


def path(frames: int = 10, *, dpos=(0.0, 0.0, 0.0), dyaw=0.0, dpitch=0.0) -> CameraPath:
    """A camera at (0, 1.5, -5) looking along +z, moving linearly by the given deltas."""
    t = np.linspace(0, 1, frames)
    pos = np.array([0.0, 1.5, -5.0]) + t[:, None] * np.array(dpos)
    yaw = 90.0 + dyaw * t
    return CameraPath(160, 96, 24, pos, yaw, dpitch * t, np.zeros(frames), np.full(frames, 35.0),
                      np.arange(frames, dtype=float))


@pytest.mark.parametrize(("kind", "camera", "direction"), [
    ("dolly", path(dpos=(0, 0, 1)), "in"),  # along the lens (+z)
    ("dolly", path(dpos=(0, 0, -1)), "out"),
    ("crane", path(dpos=(0, 2, 0)), "up"),
    ("crane", path(dpos=(0, -2, 0)), "down"),
    ("pan", path(dyaw=30), "right"),
    ("pan", path(dyaw=-30), "left"),
    ("tilt", path(dpitch=10), "up"),
    ("tilt", path(dpitch=-10), "down"),
    # looking along +z, the camera's right is -x
    ("truck", path(dpos=(-1, 0, 0)), "right"),
    ("truck", path(dpos=(1, 0, 0)), "left"),
    ("dolly", path(), ""),  # no travel: no direction to claim
])
def test_move_direction_follows_the_camera_path(kind: str, camera: CameraPath,
                                                direction: str) -> None:
    arrow = describe_move(CameraMove(type=kind), camera)  # type: ignore[arg-type]
    assert arrow.direction == direction
    assert arrow.label == f"{kind} {direction}".strip()


def test_pan_right_slides_the_picture_left() -> None:
    """Cross-check the pan's name with the picture: a point ahead moves to screen left."""
    cam = path(dyaw=30)
    ahead = cam.position[0] + cam.basis[0][2] * 10
    assert cam.project(ahead, cam.frames - 1)[0] < cam.width / 2


def test_arrows_drawn_only_for_directed_moves() -> None:
    frame = np.zeros((96, 160, 3), np.uint8)
    moved = draw_move(frame, describe_move(CameraMove(type="dolly"), path(dpos=(0, 0, 1))))
    assert (moved != 0).any() and not (frame != 0).any()  # a copy, the input untouched
    still = draw_move(frame, describe_move(CameraMove(type="static"), path()))
    assert not (still != 0).any()


def test_floor_plan_puts_the_camera_off_the_line() -> None:
    shot = Shot(id="1", lines=(1, 1), duration=12, blocking=[
        {"who": "vex", "at": (-1, 0), "facing": 0}, {"who": "kade", "at": (1, 0), "facing": 180}])
    view = plan_view(shot, path(), 0)
    assert [m.who for m in view.marks] == ["vex", "kade"]
    assert view.marks[0].facing == pytest.approx((1.0, 0.0))
    assert view.line is not None and view.camera is not None
    assert abs(side_of_line(view, view.camera)) > 0.01
    for p in [view.camera, *(m.at for m in view.marks)]:
        assert 0 <= p[0] <= 1 and 0 <= p[1] <= 1


def test_cut_spans_follow_dissolves() -> None:
    shots = [{"id": "a", "duration": 12, "transition": {"type": "cut", "duration": 0}},
             {"id": "b", "duration": 12, "transition": {"type": "dissolve", "duration": 4}},
             {"id": "c", "duration": 10, "transition": {"type": "dip", "duration": 4}}]
    spans = cut_spans(shots)
    assert [(s.start, s.end) for s in spans] == [(0, 12), (8, 20), (20, 30)]
    assert caption_at(spans, 7) == "a" and caption_at(spans, 8) == "b"
    assert caption_at(spans, 29) == "c" and caption_at(spans, 30) is None


class ShadeBackend:
    """Renders a shot as a flat shade given by its seed: takes look different."""

    id: ClassVar[str] = "previz"
    version: ClassVar[str] = "test-shade-1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"layout", "motion_control", "render"}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        if request.kind != "render":
            outs = {}
            for name in ("poses", "camera", "performance", "frame", "depth"):
                p = workdir / f"{name}.json"
                p.write_text("{}")
                outs[name] = p
            return StepResult(outputs=outs)
        w, h, fps = request.format["width"], request.format["height"], request.format["fps"]
        out = workdir / "shot.mp4"
        with VideoWriter(out, w, h, fps) as wr:
            for _ in range(int(request.shot["duration"])):
                wr.write(np.full((h, w, 3), shade(request.seed), np.uint8))
        return StepResult(outputs={"video": out}, record={"seed": request.seed})


def shade(seed: int) -> int:
    return 30 + seed % 200


@pytest.fixture
def shade_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(router.BUILTIN, "previz", f"{__name__}:ShadeBackend")
    monkeypatch.setattr(graph_mod, "BACKEND_VERSIONS", {})


def test_contact_sheet_shows_the_picked_take(tiny: Path, shade_backend: None) -> None:
    canvas = Canvas(shots={"2": ShotEdit(takes=[Take(seed=1), Take(seed=150)], pick=3)})
    save_canvas(tiny, canvas)
    production = load_production(tiny)
    graph = plan(production)
    store = Store.for_production(tiny)
    try:
        assert run(graph, store).ok
        assert picked_clip_step(graph, "roof", "2").id == "render:2@t3"
        sheet = scene_sheet(graph, store, production.boards.scenes[0], columns=2, tile_width=80)
    finally:
        store.close()
    # tiles: pad 8, title 34; the second tile starts at x = 8 + 80 + 8
    tile_h = round(80 * 96 / 160)
    take3 = sheet[34 + 8 + 4: 34 + 8 + tile_h - 4, 96 + 4: 96 + 80 - 4].mean()
    assert take3 == pytest.approx(shade(150), abs=6)
    assert abs(take3 - shade(1)) > 50
    result = runner.invoke(app, ["sheet", str(tiny)])
    assert result.exit_code == 0, result.output
    png = read_array(tiny / "out" / "roof-contact-sheet.png")
    assert png.shape[0] > 34 and png[:, :, 0].std() > 0


def test_sheet_and_animatic_ask_for_a_render_first(tiny: Path) -> None:
    for command in (["sheet", "--out", str(tiny / "custom.png")], ["animatic"]):
        result = runner.invoke(app, [*command, str(tiny)])
        assert result.exit_code == 1
        assert "aktion render" in result.output


def test_plain_sheet_is_the_signed_graph_output(tiny: Path) -> None:
    """Without --out the sheet is the render's own step output, rendered if needed."""
    result = runner.invoke(app, ["sheet", str(tiny)])
    assert result.exit_code == 0, result.output
    assert "roof-contact-sheet.png" in result.output
    assert read_array(tiny / "out" / "roof-contact-sheet.png").shape[0] > 34


def test_animatic_has_the_cuts_frames_with_captions(tiny: Path) -> None:
    assert runner.invoke(app, ["render", str(tiny)]).exit_code == 0
    result = runner.invoke(app, ["animatic", str(tiny)])
    assert result.exit_code == 0, result.output
    cut, animatic = tiny / "out" / "roof.mp4", tiny / "out" / "roof-animatic.mp4"
    assert probe(animatic).frames == probe(cut).frames == 24
    a, c = read_frame(animatic, 3).astype(int), read_frame(cut, 3).astype(int)
    h = a.shape[0]
    assert np.abs(a[: h // 2] - c[: h // 2]).mean() < 4  # the picture is the cut's
    assert np.abs(a[-12:] - c[-12:]).mean() > 10  # with a caption band at the foot
