"""The board's camera: shot size, lens, side of the line, angle, moves and camera beats."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aktion.previz.camera import CameraPath, shot_camera, time_map, vertical_fov
from aktion.previz.moves import MoveLibrary
from aktion.previz.performance import Performance, solve
from aktion.previz.skeleton import INDEX
from aktion.production.board import Shot
from aktion.production.cast import Character
from aktion.production.choreo import Beat

CAST = {"vex": Character(id="vex", name="VEX"), "kade": Character(id="kade", name="KADE")}
W, H = 320, 180


@pytest.fixture(scope="module")
def library() -> MoveLibrary:
    return MoveLibrary.load()


def _camera(library: MoveLibrary, beats: list[Beat] | None = None, seed: int = 0,
            **board) -> tuple[CameraPath, Performance]:  # fmt: skip
    board.setdefault("duration", 24)
    shot = Shot(id="C1", lines=(1, 1), blocking=[
        {"who": "vex", "at": (-0.7, 0.0)}, {"who": "kade", "at": (0.7, 0.0), "facing": 180}],
        **board)  # fmt: skip
    perf = solve(shot, [], CAST, library, 24)
    return shot_camera(shot, perf, beats or [], W, H, seed), perf


def _height_px(cam: CameraPath, perf: Performance, who: int = 0, frame: int = 0) -> float:
    joints = perf.poses[frame, who]
    head = joints[INDEX["head"]] + [0, 0.11, 0]
    foot = joints[INDEX["l_ankle"]] - [0, 0.07, 0]
    a, b = cam.project(np.array([head, foot]), frame)
    return float(abs(a[1] - b[1]))


def test_vertical_fov_of_a_full_frame_lens() -> None:
    assert vertical_fov(50) == pytest.approx(26.99, abs=0.01)
    assert vertical_fov(12) == pytest.approx(90.0)


def test_a_wider_shot_size_frames_more(library) -> None:
    sizes = ["EWS", "WS", "FS", "MS", "MCU", "CU", "ECU"]
    spans = []
    for size in sizes:
        cam, perf = _camera(library, size=size)
        spans.append(_height_px(cam, perf))
    assert spans == sorted(spans)
    assert spans[0] < 0.2 * H  # an extreme wide shot: small figures
    cam, perf = _camera(library, size="FS")
    assert 0.55 * H < _height_px(cam, perf) < H  # a full shot: head to toe fits


def test_full_shot_keeps_both_fighters_in_frame(library) -> None:
    cam, perf = _camera(library, size="FS")
    px = cam.project(perf.poses[0, :, INDEX["head"]], 0)
    assert np.all((px[:, 0] > 0) & (px[:, 0] < W) & (px[:, 1] > 0) & (px[:, 1] < H))


def test_the_lens_sets_the_distance_not_the_framing(library) -> None:
    wide, perf = _camera(library, size="MS", lens=24)
    long, _ = _camera(library, size="MS", lens=85)
    centre = perf.poses[0, :, INDEX["pelvis"]].mean(0)
    d_wide = np.linalg.norm(wide.position[0] - centre)
    d_long = np.linalg.norm(long.position[0] - centre)
    assert d_long > 3 * d_wide
    assert _height_px(long, perf) == pytest.approx(_height_px(wide, perf), rel=0.2)


def test_the_side_flips_the_camera_across_the_line(library) -> None:
    left, perf = _camera(library, side="left")
    right, _ = _camera(library, side="right")
    a = perf.poses[0, 0, INDEX["pelvis"]]
    b = perf.poses[0, 1, INDEX["pelvis"]]
    line = (b - a)[[0, 2]]

    def side_of(cam: CameraPath) -> float:
        rel = (cam.position[0] - a)[[0, 2]]
        return float(np.sign(line[0] * rel[1] - line[1] * rel[0]))

    assert side_of(left) == -side_of(right) != 0
    # screen direction swaps: who is on the left of the frame changes
    xl = left.project(np.array([a, b]), 0)[:, 0]
    xr = right.project(np.array([a, b]), 0)[:, 0]
    assert (xl[0] < xl[1]) != (xr[0] < xr[1])


def test_screen_direction_agrees_with_the_craft_checks(library) -> None:
    from aktion.craft.screen import screen_x

    for side in ("left", "right"):
        cam, perf = _camera(library, side=side, size="FS")
        shot = Shot(id="C2", lines=(1, 1), duration=1, side=side)
        px = cam.project(perf.poses[0, :, INDEX["pelvis"]].astype(float), 0)[:, 0]
        craft = [screen_x(shot, at, (1.0, 0.0)) for at in ((-0.7, 0.0), (0.7, 0.0))]
        assert (px[0] < px[1]) == (craft[0] < craft[1])
    cam, perf = _camera(library, side="left", size="CU", frame=["kade"])
    kade = perf.poses[0, 1, INDEX["head"]].astype(float)
    assert cam.project(kade[None], 0)[0, 0] == pytest.approx(W / 2, abs=W * 0.15)
    to_cam = (cam.position[0] - kade)[[0, 2]]
    assert to_cam[0] < 0 < to_cam[1]  # in front of kade (who looks along -x), on the +z side


def test_angles(library) -> None:
    eye, _ = _camera(library, angle="eye")
    high, _ = _camera(library, angle="high")
    low, _ = _camera(library, angle="low")
    over, _ = _camera(library, angle="overhead")
    dutch, _ = _camera(library, angle="dutch")
    assert eye.pitch[0] == pytest.approx(0.0)
    assert high.position[0, 1] > eye.position[0, 1] and high.pitch[0] < -10
    assert low.position[0, 1] < eye.position[0, 1] and low.pitch[0] > 5
    assert over.pitch[0] < -80 and over.position[0, 1] > 2
    assert dutch.roll[0] != 0 and eye.roll[0] == 0
    # the roll tilts the horizon: a level line ahead is no longer level on screen
    for cam, tilted in ((eye, False), (dutch, True)):
        fwd = cam.basis[0, 2]
        right = cam.basis[0, 0]
        pts = np.array([cam.position[0] + 10 * fwd - 3 * right,
                        cam.position[0] + 10 * fwd + 3 * right])  # fmt: skip
        pts[:, 1] = cam.position[0, 1]
        px = cam.project(pts, 0)
        assert (abs(px[0, 1] - px[1, 1]) > 3) == tilted


@pytest.mark.parametrize("move", ["pan", "tilt", "dolly", "truck", "crane", "orbit", "handheld"])
def test_moves_change_the_camera_over_the_shot(library, move: str) -> None:
    cam, _ = _camera(library, move={"type": move, "start": 4, "end": 20})
    state = np.column_stack([cam.position, cam.yaw, cam.pitch, cam.roll])
    assert np.allclose(state[0], state[2])
    assert not np.allclose(state[0], state[12])
    np.testing.assert_allclose(state[21], state[23])  # done after `end`
    assert np.abs(np.diff(state, axis=0)).max() < 5  # smooth, no jumps


def test_pan_amount_is_in_degrees(library) -> None:
    cam, _ = _camera(library, move={"type": "pan", "amount": 40})
    assert cam.yaw[-1] - cam.yaw[0] == pytest.approx(40)
    cam, _ = _camera(library, move={"type": "dolly", "amount": 1.5})
    assert np.linalg.norm(cam.position[-1] - cam.position[0]) == pytest.approx(1.5)


def test_handheld_is_deterministic_from_the_seed(library) -> None:
    a, _ = _camera(library, move="handheld", seed=5)
    b, _ = _camera(library, move="handheld", seed=5)
    c, _ = _camera(library, move="handheld", seed=6)
    np.testing.assert_array_equal(a.yaw, b.yaw)
    assert not np.allclose(a.yaw, c.yaw)


def test_camera_beats(library) -> None:
    shake, _ = _camera(library, [Beat(t=8, camera="shake")])
    still, _ = _camera(library)
    assert np.allclose(shake.yaw[:8], still.yaw[:8])
    assert not np.allclose(shake.yaw[8:14], still.yaw[8:14])
    assert np.allclose(shake.yaw[-4:], still.yaw[-4:])
    push, _ = _camera(library, [Beat(t=2, camera="push_in", duration=10)])
    assert np.linalg.norm(push.position[-1] - push.position[0]) > 0.3
    whip, _ = _camera(library, [Beat(t=4, camera="whip_pan", who="kade")])
    assert abs(whip.yaw[-1] - whip.yaw[0]) > 1
    held, _ = _camera(library, [Beat(t=6, camera="hold", duration=8)], move="pan")
    assert held.yaw[6] == held.yaw[13] and held.yaw[14] > held.yaw[13]


def test_speed_ramp_remaps_time() -> None:
    times = time_map([Beat(t=10, camera="speed_ramp", speed=0.25, duration=12)], 40, 24)
    assert times[:11].tolist() == list(range(11))
    rates = np.diff(times)
    assert rates[14:18].max() < 0.3
    assert times[-1] < 39
    assert np.all(rates > 0)


def test_projection_round_trips_and_hides_what_is_behind(library) -> None:
    cam, perf = _camera(library)
    restored = CameraPath.from_json(cam.to_json())
    pts = perf.poses[0, 0]
    np.testing.assert_allclose(restored.project(pts, 0), cam.project(pts, 0), atol=1e-3)
    behind = cam.position[0] - 2 * cam.basis[0, 2]
    assert np.isnan(cam.project(behind[None], 0)).all()
    centre = cam.position[0] + 5 * cam.basis[0, 2]
    np.testing.assert_allclose(cam.project(centre[None], 0)[0], [W / 2, H / 2], atol=1e-6)
    assert cam.to_json()["fov_deg"][0] == pytest.approx(2 * math.degrees(math.atan(12 / 35)))


def test_a_tight_frame_keeps_its_subject(library) -> None:
    shot = Shot(id="C3", lines=(1, 1), duration=72, size="CU", frame=["vex"], blocking=[
        {"who": "vex", "at": (-0.7, 0.0)}, {"who": "kade", "at": (0.7, 0.0), "facing": 180}])
    perf = solve(shot, [Beat(t=4, who="vex", move="fall")], CAST, library, 24)
    cam = shot_camera(shot, perf, [], W, H, 0)
    heads = np.array([cam.project(perf.poses[f, 0, INDEX["head"]][None].astype(float), f)[0]
                      for f in range(72)])  # fmt: skip
    assert np.all((heads[:, 0] > 0) & (heads[:, 0] < W) & (heads[:, 1] > 0) & (heads[:, 1] < H))
    assert np.ptp(cam.pitch) > 10  # it tilted down with her
    assert np.ptp(cam.position, axis=0).max() == 0  # from where it stands
    wide = Shot(id="C4", lines=(1, 1), duration=72, size="WS", blocking=shot.blocking)
    still = shot_camera(wide, solve(wide, [Beat(t=4, who="vex", move="fall")], CAST, library, 24),
                        [], W, H, 0)  # fmt: skip
    assert np.ptp(still.yaw) == 0 and np.ptp(still.pitch) == 0  # a static wide shot is locked off


# --- what the frame shows: faces toward the lens, named subjects held in frame --------------


def test_a_single_is_seen_over_the_shoulder_of_whom_they_play_to(library) -> None:
    from aktion.previz.framing import face_turn, in_frame_share

    for who, other in (("kade", "vex"), ("vex", "kade")):
        cam, perf = _camera(library, size="MS", lens=50, frame=[who])
        k, o = perf.characters.index(who), perf.characters.index(other)
        me = perf.poses[0, k, INDEX["pelvis"]][[0, 2]]
        partner = perf.poses[0, o, INDEX["pelvis"]][[0, 2]]
        lens = cam.position[0][[0, 2]]
        assert np.dot(lens - me, partner - me) > 0  # on the partner's side of the single ...
        assert lens[1] > 0.3  # ... and on the scene's (left: +z) side of the line
        assert np.median(face_turn(perf, cam, k)) < 35  # the face, not the back of the head
        assert in_frame_share(perf, cam, k, "MS").min() == 1.0
    # facing away from the partner, the same camera sees the back of the head
    away = Shot(id="C5", lines=(1, 1), duration=24, size="MS", lens=50, frame=["kade"],
                blocking=[{"who": "vex", "at": (-0.7, 0.0)},
                          {"who": "kade", "at": (0.7, 0.0), "facing": 0}])  # fmt: skip
    perf = solve(away, [], CAST, library, 24)
    cam = shot_camera(away, perf, [], W, H, 0)
    assert np.median(face_turn(perf, cam, 1)) > 120


def test_a_frame_that_names_several_holds_them_all_at_any_size(library) -> None:
    from aktion.previz.framing import in_frame_share

    for size in ("MCU", "CU"):
        cam, perf = _camera(library, size=size, frame=["vex", "kade"])
        for k in range(2):
            assert in_frame_share(perf, cam, k, size).min() == 1.0, (size, k)


def test_a_group_spread_in_depth_is_fitted_whole(library) -> None:
    from aktion.previz.framing import in_frame_share

    cast = {**CAST, "rio": Character(id="rio", name="RIO")}
    shot = Shot(id="C6", lines=(1, 1), duration=24, size="FS", blocking=[
        {"who": "vex", "at": (-0.5, 0.0)}, {"who": "kade", "at": (0.5, 0.0), "facing": 180},
        {"who": "rio", "at": (0.0, -4.0), "facing": 90}])  # fmt: skip
    perf = solve(shot, [], cast, library, 24)
    cam = shot_camera(shot, perf, [], W, H, 0)
    for k in range(3):
        assert in_frame_share(perf, cam, k, "FS").min() == 1.0, perf.characters[k]


def test_a_tight_single_keeps_the_head_through_a_blow(library) -> None:
    from aktion.previz.framing import in_frame_share

    shot = Shot(id="C7", lines=(1, 1), duration=48, size="MCU", lens=65, frame=["kade"],
                move="handheld", blocking=[{"who": "vex", "at": (-0.5, 0.0)},
                                           {"who": "kade", "at": (0.5, 0.0), "facing": 180}])
    beats = [Beat(t=4, who="vex", move="cross", target="kade", hit="head", intensity=1.5),
             Beat(t=14, camera="shake", intensity=1.5)]
    perf = solve(shot, beats, CAST, library, 24)
    cam = shot_camera(shot, perf, beats, W, H, 0)
    assert in_frame_share(perf, cam, 1, "MCU").min() == 1.0


def test_the_attackers_lunge_does_not_cover_the_face_that_takes_it(library) -> None:
    from aktion.previz.framing import face_hidden, face_turn

    shot = Shot(id="C8", lines=(1, 1), duration=40, size="CU", lens=85, frame=["kade"],
                move="handheld", blocking=[{"who": "vex", "at": (-0.4, 0.0)},
                                           {"who": "kade", "at": (0.4, 0.0), "facing": 180}])
    for move in ("knee", "hook"):
        beats = [Beat(t=4, who="vex", move=move, target="kade", hit="body")]
        perf = solve(shot, beats, CAST, library, 24)
        cam = shot_camera(shot, perf, beats, W, H, 0)
        assert face_hidden(perf, cam, 1).mean() < 0.05, move
        assert np.median(face_turn(perf, cam, 1)) < 60  # still three-quarter on his face
        # framed as close over the shoulder as a dialogue single, her lunge covers his face
        talk = shot_camera(shot, perf, [], W, H, 0)
        assert face_hidden(perf, talk, 1).mean() > 0.1, move
