"""Content keys: same input same key; any conditioning change a new key; no paths."""

from __future__ import annotations

import shutil
from pathlib import Path

from aktion.engine.graph import plan
from aktion.engine.keys import canonical_json, content_key
from aktion.production.load import load_production
from conftest import CHOREO, VEX, write_production


def keys(root: Path) -> dict[str, str]:
    return {s.id: s.key for s in plan(load_production(root))}


def changed(a: dict[str, str], b: dict[str, str]) -> set[str]:
    return {k for k in a if a[k] != b.get(k)}


def test_canonical_json_ignores_key_order() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert content_key({"x": "1", "y": "2"}) == content_key({"y": "2", "x": "1"})


def test_graph_shape(tiny: Path) -> None:
    graph = plan(load_production(tiny))
    assert list(graph.steps) == [
        "layout:1", "motion_control:1", "render:1",
        "layout:2", "motion_control:2", "render:2", "cut:roof", "sheet:roof",
    ]
    assert graph.steps["render:2"].deps["poses"] == ("motion_control:2", "poses")
    assert set(graph.steps["cut:roof"].deps) == {"shot:1", "shot:2"}


def test_same_input_same_key(tiny: Path) -> None:
    assert keys(tiny) == keys(tiny)


def test_paths_never_enter_keys(tiny: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "other-name"
    shutil.copytree(tiny, moved)
    assert keys(tiny) == keys(moved)


def test_one_beat_changes_that_shot_and_the_cut_only(tmp_path: Path) -> None:
    a = keys(write_production(tmp_path / "a"))
    b = keys(write_production(tmp_path / "b", choreo=CHOREO.replace("{t: 1, who", "{t: 2, who")))
    assert changed(a, b) == {"layout:2", "motion_control:2", "render:2", "cut:roof",
                             "sheet:roof"}


def test_cast_change_touches_only_shots_that_show_them(tmp_path: Path) -> None:
    a_root = write_production(tmp_path / "a")
    a = keys(a_root)
    b = keys(write_production(tmp_path / "b", vex=VEX.replace("#d62828", "#aa0000")))
    assert changed(a, b) == set(a)  # vex is in both shots
    assert load_production(a_root).locks["vex"] != load_production(tmp_path / "b").locks["vex"]


def test_every_conditioning_change_is_a_new_key(tmp_path: Path) -> None:
    base = keys(write_production(tmp_path / "base"))
    from conftest import BOARDS, SCRIPT, TOML

    variants = {
        "seed": {"toml": TOML.replace("seed = 7", "seed = 8")},
        "fps": {"toml": TOML.replace("fps = 24", "fps = 25")},
        "lens": {"boards": BOARDS.replace("lens: 28", "lens: 35")},
        "set": {"boards": BOARDS.replace("size: [1.0, 1.0, 1.0]", "size: [1.0, 2.0, 1.0]")},
        "script": {"script": SCRIPT.replace("You're late.", "You're early.")},
    }
    for name, override in variants.items():
        other = keys(write_production(tmp_path / name, **override))
        assert changed(base, other), f"{name} did not change any key"
    lens = keys(write_production(tmp_path / "lens2", boards=BOARDS.replace("lens: 28", "lens: 35")))
    assert changed(base, lens) == {"layout:1", "motion_control:1", "render:1", "cut:roof",
                                   "sheet:roof"}
    line = keys(write_production(tmp_path / "s2", script=SCRIPT.replace("You're late.", "Late.")))
    assert "render:1" in changed(base, line) and "motion_control:1" not in changed(base, line)


def test_a_production_move_reaches_previz_and_its_key(tmp_path: Path) -> None:
    """Adding a move is adding a file to the production's moves/: it is planned, keyed and
    rendered, and editing it re-keys the shots that may perform it."""
    import aktion.previz.moves as library
    from aktion.engine.run import run
    from aktion.engine.store import Store

    root = write_production(tmp_path / "p")
    text = (Path(library.__file__).parent / "moves" / "jab.yaml").read_text()
    (root / "moves").mkdir()
    (root / "moves" / "lunge.yaml").write_text(text.replace("name: jab", "name: lunge"))
    (root / "choreo.yaml").write_text(CHOREO.replace("move: jab", "move: lunge"))
    before = keys(root)
    graph = plan(load_production(root))
    assert graph.steps["motion_control:2"].request.params["moves"]["lunge"]["name"] == "lunge"
    assert run(graph, Store.for_production(root), shots=["2"]).ok
    (root / "moves" / "lunge.yaml").write_text(
        text.replace("name: jab", "name: lunge").replace("duration:", "duration: 30 #"))
    assert "motion_control:2" in changed(before, keys(root))
