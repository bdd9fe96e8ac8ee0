"""Control maps: the decoded pose video shows every keypoint where the render projects it."""

from __future__ import annotations

import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from aktion.previz.control_maps import (
    COLORS,
    MASK_COLORS,
    _scale,
    keypoints,
    project_keypoints,
    write_control_maps,
)
from aktion.previz.moves import MoveLibrary
from aktion.previz.skeleton import INDEX
from aktion.previz.stage import Stage
from aktion.production.board import SetDesign, Shot
from aktion.production.cast import Character, Palette
from aktion.production.choreo import Beat

CAST = {
    "vex": Character(id="vex", name="VEX"),
    "kade": Character(id="kade", name="KADE", palette=Palette(primary="#2e86c1")),
}
W, H = 640, 360


def _decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory):
    shot = Shot(
        id="C1", lines=(1, 1), size="FS", duration=20,
        blocking=[{"who": "vex", "at": (-0.7, 0.0)},
                  {"who": "kade", "at": (0.7, 0.0), "facing": 180}],
    )  # fmt: skip
    beats = [Beat(t=2, who="vex", move="jab", target="kade", hit="head")]
    stage = Stage(shot, SetDesign(), CAST, beats, MoveLibrary.load(), fps=24, width=W, height=H)
    perf, camera = stage.perform()
    out = tmp_path_factory.mktemp("maps")
    paths = write_control_maps(out, stage.design, perf.characters, CAST, perf.poses, camera)
    return perf, camera, paths


def test_keypoints_follow_the_coco_order() -> None:
    joints = np.random.default_rng(0).normal(size=(len(INDEX), 3))
    k = keypoints(joints)
    assert k.shape == (18, 3)
    np.testing.assert_allclose(k[0], joints[INDEX["nose"]])
    np.testing.assert_allclose(
        k[1], (joints[INDEX["l_shoulder"]] + joints[INDEX["r_shoulder"]]) / 2
    )
    np.testing.assert_allclose(k[4], joints[INDEX["r_wrist"]])
    np.testing.assert_allclose(k[17], joints[INDEX["l_ear"]])


def test_the_decoded_pose_video_matches_the_projected_skeleton(maps) -> None:
    perf, camera, paths = maps
    frames = _decode(paths.pose)
    assert len(frames) == perf.frames and frames[0].shape == (H, W, 3)
    radius, _ = _scale(W, H)
    checked = 0
    for f, img in enumerate(frames):
        px = project_keypoints(perf.poses, camera, f).reshape(-1, 2)
        colour_of = np.tile(np.arange(18), len(perf.characters))
        for n, (p, k) in enumerate(zip(px, colour_of, strict=True)):
            if not np.isfinite(p).all() or not (8 <= p[0] < W - 8 and 8 <= p[1] < H - 8):
                continue
            others = np.delete(px, n, axis=0)
            if np.nanmin(np.linalg.norm(others - p, axis=1)) < 2 * radius + 4:
                continue  # dots that overlap on screen cannot be told apart
            x0, y0 = int(p[0]) - 9, int(p[1]) - 9
            win = img[y0 : y0 + 19, x0 : x0 + 19].astype(np.float64)
            dist = np.abs(win - np.array(COLORS[k])).max(-1)
            hit = (dist < 40).astype(np.uint8)
            count, _, _, centres = cv2.connectedComponentsWithStats(hit)
            assert count > 1, f"frame {f}: keypoint {k} not drawn near {p}"
            # the blob of the keypoint's colour nearest the projection (crossing limbs,
            # blended, can add up to a similar colour elsewhere in the window)
            blobs = centres[1:] + np.array([x0, y0]) + 0.5
            centre = blobs[np.argmin(np.linalg.norm(blobs - p, axis=1))]
            err = np.linalg.norm(centre - p)
            assert err <= 2.0, f"frame {f}: keypoint {k} at {centre}, projected {p} ({err:.2f} px)"
            checked += 1
    assert checked >= 10 * perf.frames  # most keypoints are checked on every frame


def test_depth_mask_and_camera_outputs(maps) -> None:
    perf, camera, paths = maps
    depth = _decode(paths.depth)
    mask = _decode(paths.mask)
    assert len(depth) == len(mask) == perf.frames
    # the mask shows each character in its colour, near where its pelvis projects
    for c in range(len(perf.characters)):
        p = camera.project(perf.poses[0, c, INDEX["chest"]].astype(float), 0)
        pix = mask[0][int(p[1]), int(p[0])].astype(int)
        assert np.abs(pix - np.array(MASK_COLORS[c])).max() < 40
        # people are nearer than the far floor: brighter in inverse depth
        assert depth[0][int(p[1]), int(p[0])].mean() > depth[0][2, W // 2].mean()
    data = json.loads(paths.camera.read_text())
    assert data["frames"] == perf.frames
    m = np.array(data["world_to_camera"][5])
    k = np.array(data["intrinsics"][5])
    point = perf.poses[5, 0, INDEX["head"]].astype(float)
    cam = m[:3, :3] @ point + m[:3, 3]
    uv = (k @ cam)[:2] / cam[2]
    np.testing.assert_allclose(uv, camera.project(point, 5), atol=1e-3)
    kp = json.loads(paths.keypoints.read_text())
    assert kp["format"] == "coco18" and len(kp["frames"]) == perf.frames


def test_the_previz_backend_makes_control_maps_from_motion_control(tmp_path: Path) -> None:
    from aktion.backends.base import StepRequest
    from aktion.backends.previz import PrevizBackend
    from aktion.engine.graph import INPUTS, READS, STEP_VERSIONS

    assert "control_maps" in STEP_VERSIONS and "control_maps" in READS
    assert set(INPUTS["control_maps"]) == {"poses", "camera", "performance"}
    shot = Shot(id="C2", lines=(1, 1), size="FS", duration=8,
                blocking=[{"who": "vex", "at": (-0.7, 0.0)},
                          {"who": "kade", "at": (0.7, 0.0), "facing": 180}])  # fmt: skip
    data = {
        "shot": shot.dump(), "scene": "s", "set": SetDesign().model_dump(mode="json"),
        "beats": [Beat(t=1, who="kade", move="jab", target="vex").dump()],
        "cast": {c: v.dump() for c, v in CAST.items()},
        "format": {"fps": 24, "width": 96, "height": 64}, "seed": 1,
    }  # fmt: skip
    backend = PrevizBackend()
    mc = backend.run(StepRequest(kind="motion_control", **data), tmp_path / "mc", lambda d, t: None)
    request = StepRequest(kind="control_maps", inputs={k: str(v) for k, v in mc.outputs.items()},
                          **data)  # fmt: skip
    result = backend.run(request, tmp_path / "cm", lambda d, t: None)
    assert set(result.outputs) == {"pose", "depth", "mask", "camera_path", "keypoints"}
    assert len(_decode(result.outputs["pose"])) == 8
