"""Drawing: the set, mannequins painted far to near and hidden by boxes, labels, burn-ins."""

from __future__ import annotations

import numpy as np
import pytest

from aktion.previz.dialogue_slots import spread_dialogue
from aktion.previz.moves import MoveLibrary
from aktion.previz.skeleton import INDEX
from aktion.previz.stage import Stage
from aktion.production.board import Box, SetDesign, Shot
from aktion.production.cast import Character, Palette

RED, BLUE = "#c0392b", "#2e86c1"
CAST = {
    "vex": Character(id="vex", name="VEX", palette=Palette(primary=RED)),
    "kade": Character(id="kade", name="KADE", palette=Palette(primary=BLUE)),
}
W, H = 320, 180


@pytest.fixture(scope="module")
def library() -> MoveLibrary:
    return MoveLibrary.load()


def _stage(library, blocking, design=None, frames=6, **board) -> Stage:
    shot = Shot(id="D1", lines=(1, 1), duration=frames, blocking=blocking, **board)
    return Stage(shot, design or SetDesign(), CAST, [], library, 24, W, H, 0,
                 [{"who": "VEX", "text": "Now."}])  # fmt: skip


def _share(img: np.ndarray, colour: str, xy, radius: int = 3) -> float:
    """Share of pixels around ``xy`` with the chroma of ``colour``."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], float)
    x, y = (round(v) for v in xy)
    patch = img[y - radius : y + radius + 1, x - radius : x + radius + 1].reshape(-1, 3)
    p = patch.astype(float)
    chroma = p / np.maximum(p.sum(1), 1)[:, None]
    return float(np.mean(np.linalg.norm(chroma - target / target.sum(), axis=1) < 0.05))


def _chest(perf, who: int, frame: int = 0) -> np.ndarray:
    j = perf.poses[frame, who]
    return ((j[INDEX["spine"]] + j[INDEX["chest"]]) / 2).astype(float)


def test_the_nearer_mannequin_is_painted_over_the_farther(library) -> None:
    solo = _stage(library, [{"who": "vex", "at": (0.0, 0.0)}], size="FS")
    perf, camera = solo.perform()
    centre = _chest(perf, 0)
    ray = centre - camera.position[0]
    ray[1] = 0.0
    ray /= np.linalg.norm(ray)
    xy = camera.project(centre[None], 0)[0]
    for offset, front in ((1.5, RED), (-1.0, BLUE)):  # kade behind vex, then in front
        spot = centre + ray * offset
        pair = _stage(library, [{"who": "vex", "at": (0.0, 0.0)},
                                {"who": "kade", "at": (float(spot[0]), float(spot[2]))}],
                      size="FS")  # fmt: skip
        both, _ = pair.perform()
        img = pair.renderer(both.poses, camera, both.characters, burnins=False).frame(0)
        back = BLUE if front == RED else RED
        assert _share(img, front, xy) > 0.5 and _share(img, back, xy) == 0


def test_a_box_hides_who_stands_behind_it(library) -> None:
    blocking = [{"who": "vex", "at": (0.0, 0.0)}]
    open_stage = _stage(library, blocking, size="FS", side="left")
    perf, camera = open_stage.perform()
    # the camera stands on vex's front-left; put the wall between them
    cam = camera.position[0]
    centre = _chest(perf, 0)
    mid = (cam + centre) / 2
    wall = SetDesign(boxes=[Box(at=(float(mid[0]), float(mid[2])), size=(0.6, 2.4, 0.6),
                                color="#777777")])  # fmt: skip
    xy = camera.project(centre[None], 0)[0]
    seen = open_stage.renderer(perf.poses, camera, perf.characters, burnins=False).frame(0)
    assert _share(seen, RED, xy) > 0.5
    walled = _stage(library, blocking, design=wall, size="FS", side="left")
    hidden = walled.renderer(perf.poses, camera, perf.characters, burnins=False).frame(0)
    assert _share(hidden, RED, xy) == 0
    grey = hidden[int(xy[1]), int(xy[0])].astype(int)
    assert np.ptp(grey) < 12  # the box's grey, not the sky or the floor's blue-grey tint


def test_a_box_behind_the_mannequin_does_not_hide_it(library) -> None:
    blocking = [{"who": "vex", "at": (0.0, 0.0)}]
    stage = _stage(library, blocking, size="FS")
    perf, camera = stage.perform()
    cam = camera.position[0]
    centre = _chest(perf, 0)
    beyond = centre + (centre - cam) * 0.8
    wall = SetDesign(boxes=[Box(at=(float(beyond[0]), float(beyond[2])), size=(2.0, 3.0, 2.0))])
    img = _stage(library, blocking, design=wall, size="FS").renderer(
        perf.poses, camera, perf.characters, burnins=False).frame(0)  # fmt: skip
    assert _share(img, RED, camera.project(centre[None], 0)[0]) > 0.5


def test_labels_name_each_character_above_the_head(library) -> None:
    stage = _stage(library, [{"who": "vex", "at": (0.0, 0.0)}], size="FS")
    perf, camera = stage.perform()
    plain = stage.renderer(perf.poses, camera, perf.characters, burnins=False, labels=False)
    named = stage.renderer(perf.poses, camera, perf.characters, burnins=False, labels=True)
    a, b = plain.frame(0).copy(), named.frame(0).copy()
    changed = np.argwhere(np.any(a != b, axis=2))
    head = camera.project(perf.poses[0, 0, INDEX["head"]][None].astype(float), 0)[0]
    assert len(changed) > 20
    assert changed[:, 0].max() < head[1]  # all above the head
    assert abs(changed[:, 1].mean() - head[0]) < 15  # centred on it


def test_burn_ins_show_the_timecode_and_the_dialogue(library) -> None:
    stage = _stage(library, [{"who": "vex", "at": (0.0, 0.0)}], frames=30)
    perf, camera = stage.perform()
    renderer = stage.renderer(perf.poses, camera, perf.characters)
    bare = stage.renderer(perf.poses, camera, perf.characters, burnins=False)
    f0, f1 = renderer.frame(0).copy(), renderer.frame(1).copy()
    corner = (slice(0, 20), slice(W - 90, W))
    assert np.any(f0[corner] != f1[corner])  # the timecode ticks
    bottom = (slice(H - 25, H), slice(0, W))
    assert np.any(f0[bottom] != bare.frame(0)[bottom])  # the line being spoken


def test_dialogue_is_spread_over_the_shot_by_length() -> None:
    lines = spread_dialogue([{"who": "VEX", "text": "Hi."},
                             {"who": "KADE", "text": "You should not have come here at all."},
                             {"who": "VEX", "text": ""}], 100)  # fmt: skip
    assert [ln.text.split(":")[0] for ln in lines] == ["VEX", "KADE"]
    assert lines[0].start == 0 and lines[-1].end == 100 and lines[0].end == lines[1].start
    assert lines[1].end - lines[1].start > 2 * (lines[0].end - lines[0].start)
    assert spread_dialogue([], 50) == []


def test_a_moving_camera_redraws_the_set(library) -> None:
    stage = _stage(library, [{"who": "vex", "at": (0.0, 0.0)}], frames=24,
                   move={"type": "pan", "amount": 25})  # fmt: skip
    perf, camera = stage.perform()
    renderer = stage.renderer(perf.poses, camera, perf.characters, burnins=False)
    first, last = renderer.frame(0).copy(), renderer.frame(23).copy()
    floor = (slice(H - 40, H), slice(0, W))
    assert np.mean(first[floor] != last[floor]) > 0.05
