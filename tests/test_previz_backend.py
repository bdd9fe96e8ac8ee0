"""The previz backend end to end: motion control, layout, and a video decoded with PyAV."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from aktion.backends.base import Backend, BackendError, StepRequest
from aktion.backends.previz import PrevizBackend
from aktion.media.images import read_array
from aktion.previz.camera import CameraPath
from aktion.previz.masks import read_masks
from aktion.previz.skeleton import INDEX, JOINTS
from aktion.production.board import Box, SetDesign, Shot
from aktion.production.cast import Character, Palette
from aktion.production.choreo import Beat

W, H, FPS, FRAMES = 160, 96, 24, 30
RED, BLUE = "#c0392b", "#2e86c1"


def _request(kind: str, **changes) -> StepRequest:
    shot = Shot(
        id="1A", lines=(3, 6), size="FS", duration=FRAMES, side="left",
        blocking=[{"who": "vex", "at": (-0.7, 0.0), "facing": 0},
                  {"who": "kade", "at": (0.7, 0.0), "facing": 180}],
    )  # fmt: skip
    cast = {
        "vex": Character(id="vex", name="VEX", palette=Palette(primary=RED)).dump(),
        "kade": Character(id="kade", name="KADE", palette=Palette(primary=BLUE)).dump(),
    }
    beats = [Beat(t=4, who="vex", move="jab", target="kade", hit="head").dump(),
             Beat(t=14, camera="shake").dump()]  # fmt: skip
    data = {
        "kind": kind, "shot": shot.dump(), "scene": "roof",
        "set": SetDesign(boxes=[Box(at=(3.0, 3.0), size=(1, 1, 1))]).model_dump(mode="json"),
        "beats": beats, "cast": cast, "format": {"fps": FPS, "width": W, "height": H},
        "script": {"lines": [3, 6], "dialogue": [{"who": "VEX", "text": "You're late.", "line": 4}]},
        "seed": 7,
    }  # fmt: skip
    data.update(changes)
    return StepRequest(**data)


def _run(kind: str, workdir: Path, **changes):
    calls: list[tuple[int, int]] = []
    result = PrevizBackend().run(_request(kind, **changes), workdir, lambda d, t: calls.append((d, t)))
    return result, calls


@pytest.fixture(scope="module")
def motion(tmp_path_factory) -> dict[str, Path]:
    result, _ = _run("motion_control", tmp_path_factory.mktemp("mc"))
    return result.outputs


@pytest.fixture(scope="module")
def video(tmp_path_factory, motion) -> tuple[Path, list[tuple[int, int]]]:
    result, calls = _run("render", tmp_path_factory.mktemp("render"), inputs=motion)
    return result.outputs["video"], calls


def _decode(path: Path) -> tuple[list[np.ndarray], av.video.stream.VideoStream]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return frames, stream


def _near_colour(img: np.ndarray, xy: np.ndarray, colour: str, radius: int = 6) -> bool:
    """Whether a pixel of the palette colour (any shade) lies within ``radius`` of ``xy``."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], float)
    x, y = round(xy[0]), round(xy[1])
    patch = img[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1]
    p = patch.reshape(-1, 3).astype(float)
    bright = p.sum(1)
    chroma = p / np.maximum(bright, 1)[:, None]
    close = np.linalg.norm(chroma - target / target.sum(), axis=1) < 0.05
    return bool(np.any(close & (bright > 0.3 * target.sum())))


def test_it_is_a_backend() -> None:
    backend = PrevizBackend()
    assert isinstance(backend, Backend)
    assert backend.id == "previz" and backend.version == "1"
    caps = backend.capabilities
    assert caps.steps == {"layout", "motion_control", "render", "control_maps"}
    assert caps.conditioning == {"layout", "pose", "depth"}
    assert caps.deterministic and caps.device == "cpu"


def test_motion_control_writes_poses_camera_and_performance(motion) -> None:
    poses = np.load(motion["poses"])
    assert poses.dtype == np.float32 and poses.shape == (FRAMES, 2, len(JOINTS), 3)
    perf = json.loads(motion["performance"].read_text())
    assert perf["characters"] == ["vex", "kade"]
    assert perf["joints"] == list(JOINTS)
    (contact,) = perf["contacts"]
    assert contact["frame"] == 4 + 4 and contact["target"] == "kade"
    assert contact["zone"] == "head" and contact["effector"] == "l_wrist"
    camera = CameraPath.from_json(json.loads(motion["camera"].read_text()))
    assert camera.frames == FRAMES and (camera.width, camera.height) == (W, H)
    assert camera.yaw[14] != camera.yaw[13]  # the shake beat


def test_render_decodes_with_the_right_size_rate_and_length(video) -> None:
    path, calls = video
    frames, stream = _decode(path)
    assert len(frames) == FRAMES
    assert (stream.codec_context.width, stream.codec_context.height) == (W, H)
    assert stream.codec_context.name == "h264"
    assert stream.average_rate == FPS
    assert frames[0].shape == (H, W, 3)
    assert calls == [(i + 1, FRAMES) for i in range(FRAMES)]


def test_each_mannequin_is_where_the_board_puts_it(video, motion) -> None:
    path, _ = video
    frames, _ = _decode(path)
    camera = CameraPath.from_json(json.loads(motion["camera"].read_text()))
    poses = np.load(motion["poses"])
    for frame in (0, 20):
        img = frames[frame]
        for who, colour, other in ((0, RED, BLUE), (1, BLUE, RED)):
            chest = poses[frame, who, INDEX["spine"]] * 0.5 + poses[frame, who, INDEX["chest"]] * 0.5
            xy = camera.project(chest[None].astype(float), frame)[0]
            assert 0 <= xy[0] < W and 0 <= xy[1] < H
            assert _near_colour(img, xy, colour, radius=2), (frame, who)
            assert not _near_colour(img, xy, other, radius=1)
    # the board blocks vex at (-0.7, 0): the mark itself projects under vex
    mark = camera.project(np.array([[-0.7, 1.1, 0.0]]), 0)[0]
    assert _near_colour(frames[0], mark, RED, radius=4)


def test_the_same_request_gives_the_same_bytes(tmp_path: Path, motion, video) -> None:
    again, _ = _run("motion_control", tmp_path / "mc")
    for name in ("poses", "camera", "performance"):
        assert again.outputs[name].read_bytes() == motion[name].read_bytes()
    render, _ = _run("render", tmp_path / "render", inputs=again.outputs)
    assert render.outputs["video"].read_bytes() == video[0].read_bytes()


def test_another_seed_moves_the_handheld_camera(tmp_path: Path) -> None:
    shot = _request("motion_control").shot | {"move": {"type": "handheld"}}
    a, _ = _run("motion_control", tmp_path / "a", shot=shot)
    b, _ = _run("motion_control", tmp_path / "b", shot=shot, seed=8)
    assert a.outputs["camera"].read_bytes() != b.outputs["camera"].read_bytes()
    assert a.outputs["poses"].read_bytes() == b.outputs["poses"].read_bytes()


def test_layout_writes_the_key_frame_and_a_16_bit_depth_map(tmp_path: Path, motion) -> None:
    result, _ = _run("layout", tmp_path)
    assert result.record["key_frame"] == 8  # the first contact
    image = read_array(result.outputs["frame"])
    assert image.shape == (H, W, 3) and image.dtype == np.uint8
    depth = read_array(result.outputs["depth"])
    assert depth.dtype == np.uint16 and depth.shape == (H, W)
    camera = CameraPath.from_json(json.loads(motion["camera"].read_text()))
    poses = np.load(motion["poses"])
    chest = poses[8, 0, INDEX["chest"]].astype(float)
    x, y = camera.project(chest[None], 8)[0].round().astype(int)
    expected = camera.to_camera(chest[None], 8)[0, 2] * 1000
    assert abs(int(depth[y, x]) - expected) < 250  # millimetres, at the body's surface
    assert depth[0, W // 2] == 0  # sky: no surface
    assert depth[H - 1, W // 2] > 0  # floor
    assert depth[H - 1, W // 2] < depth[int(H * 0.62), W // 2]  # the floor recedes
    masks = read_masks(result.outputs["masks"])  # each character's pixels in that frame
    assert any(m[y, x] for m in masks.values()) and all(m.shape == (H, W) for m in masks.values())
    seen = np.any(np.stack(list(masks.values())), axis=0)
    assert seen.sum() < (depth > 0).sum()  # people, not the set


def test_a_production_move_travels_in_the_request(tmp_path: Path) -> None:
    move = {"schema": "Move.1", "name": "stomp", "kind": "strike", "duration": 12,
            "base": "guard", "contact": 6, "effector": "r_ankle",
            "keys": [{"t": 0}, {"t": 6, "joints": {"r_hip": [0, 0, 50]}}, {"t": 12}]}  # fmt: skip
    beats = [Beat(t=2, who="vex", move="stomp", target="kade", hit="legs").dump()]
    result, _ = _run("motion_control", tmp_path, beats=beats, params={"moves": {"stomp": move}})
    perf = json.loads(result.outputs["performance"].read_text())
    assert perf["contacts"][0]["move"] == "stomp"


def test_failures_are_backend_errors(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="does not do `keyframe`"):
        _run("keyframe", tmp_path)
    with pytest.raises(BackendError, match="no move `moonwalk`"):
        _run("motion_control", tmp_path, beats=[{"t": 1, "who": "vex", "move": "moonwalk"}])
    with pytest.raises(BackendError, match="needs the `poses` input"):
        _run("render", tmp_path)
