"""The layout step's per-character masks: whose pixels are whose in the board frame."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from aktion.engine.graph import INPUTS, plan
from aktion.engine.store import Store
from aktion.media.images import read_array
from aktion.previz.camera import CameraPath
from aktion.previz.control_maps import MASK_COLORS, draw_mask, project_keypoints
from aktion.previz.masks import character_masks, read_masks, write_masks
from aktion.production.load import load_production
from conftest import write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from steps import output, run_steps


@pytest.fixture
def rendered(tmp_path: Path):
    root = write_production(tmp_path / "p")
    graph = plan(load_production(root), "previz")
    store = Store.for_production(root)
    yield graph, store, run_steps(graph, store, "2", ("layout", "motion_control"))
    store.close()


def test_layout_masks_are_each_characters_pixels_at_the_key_frame(rendered) -> None:
    _, store, done = rendered
    masks = read_masks(output(store, done, "layout:2", "masks"))
    assert list(masks) == ["vex", "kade"]  # the performance's order
    depth = read_array(output(store, done, "layout:2", "depth"))
    assert all(m.shape == depth.shape and m.sum() > 500 for m in masks.values())
    assert not (masks["vex"] & masks["kade"]).any()  # the nearer body owns a pixel
    assert all((depth[m] > 0).all() for m in masks.values())  # a body is a surface
    # Each character's neck (projected from the solved poses at the key frame) is theirs.
    key = done["layout:2"].record["key_frame"]
    poses = np.load(output(store, done, "motion_control:2", "poses"))
    camera = CameraPath.from_json(json.loads(
        output(store, done, "motion_control:2", "camera").read_text()))
    necks = project_keypoints(poses, camera, key)[:, 1]
    for (cid, mask), (x, y) in zip(masks.items(), necks.round().astype(int), strict=True):
        assert mask[y, x], f"{cid}'s neck is not in their mask"
        others = [m for c, m in masks.items() if c != cid]
        assert not any(m[y, x] for m in others)


def test_the_mask_video_and_the_layout_masks_agree(rendered) -> None:
    """One drawing of whose pixels are whose serves both the video and the layout."""
    graph, store, done = rendered
    from aktion.backends.previz import _stage

    stage = _stage(graph.steps["layout:2"].request)
    perf, camera = stage.perform()
    cast = [stage.cast[c] for c in perf.characters]
    key = done["layout:2"].record["key_frame"]
    joints = perf.poses[key].astype(np.float64)
    masks = character_masks(cast, joints, camera, key)
    colour = draw_mask(cast, joints, camera, key)
    for i, mask in enumerate(masks):
        assert (colour[mask] == MASK_COLORS[i]).all()
    assert (colour[~masks.any(0)] == 0).all()
    assert np.array_equal(masks, np.stack(list(read_masks(
        output(store, done, "layout:2", "masks")).values())))


def test_the_keyframe_reads_the_layout_masks() -> None:
    assert INPUTS["keyframe"]["masks"] == ("layout", "masks")


def test_a_bad_mask_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "masks.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a character mask file"):
        read_masks(bad)
    with pytest.raises(ValueError, match="2 characters but masks of shape"):
        write_masks(tmp_path / "m.npz", ["a", "b"], np.zeros((1, 4, 4), bool))
