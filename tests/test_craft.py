"""Craft checks flag a crossed line, a jump cut, a broken eyeline and a teleport."""

from __future__ import annotations

from pathlib import Path

from aktion.craft import check_production
from aktion.production.load import load_production
from conftest import BOARDS, write_production

EXAMPLE = Path(__file__).parents[1] / "examples" / "rooftop"


def findings(tmp_path: Path, boards: str, rule: str | None = None):
    production = load_production(write_production(tmp_path / "p", boards=boards))
    found = check_production(production)
    return [f for f in found if rule is None or f.rule == rule]


def test_the_tiny_production_is_clean(tiny: Path) -> None:
    assert check_production(load_production(tiny)) == []


def test_camera_crossing_the_line_is_flagged(tmp_path: Path) -> None:
    crossed = BOARDS.replace("move: dolly", "move: dolly\n        side: right")
    [f] = findings(tmp_path, crossed, "180")
    assert f.shots == ("1", "2") and f.severity == "error"
    assert "VEX is screen-left of KADE in 1 but screen-right in 2" in f.why
    assert "camera crossed the line" in f.why


def test_swapped_blocking_is_flagged(tmp_path: Path) -> None:
    swapped = BOARDS.replace("{who: vex, at: [-0.5, 0], facing: 0}",
                             "{who: vex, at: [0.9, 0], facing: 180}")
    assert [f.shots for f in findings(tmp_path, swapped, "180")] == [("1", "2")]


def test_jump_cut_is_flagged(tmp_path: Path) -> None:
    jump = BOARDS.replace("size: MS\n        move: dolly", "size: WS\n        lens: 30")
    [f] = findings(tmp_path, jump, "jump_cut")
    assert f.shots == ("1", "2") and "WS" in f.why
    # a dissolve between the same set-ups is a choice, not a jump
    dissolved = jump.replace("lens: 30", "lens: 30\n        transition: {type: dissolve, "
                             "duration: 4}")
    assert findings(tmp_path / "d", dissolved, "jump_cut") == []


def test_eyeline_mismatch_in_singles(tmp_path: Path) -> None:
    singles = BOARDS.replace("lens: 28\n", "lens: 28\n        frame: [vex]\n").replace(
        "move: dolly\n", "move: dolly\n        frame: [kade]\n")
    assert findings(tmp_path / "ok", singles, "eyeline") == []
    wrong = singles.replace("{who: kade, at: [0.5, 0], facing: 180}",
                            "{who: kade, at: [0.5, 0], facing: 0}")
    [f] = findings(tmp_path / "bad", wrong, "eyeline")
    assert f.shots == ("1", "2") and "both look screen-right" in f.why


def test_teleport_between_shots(tmp_path: Path) -> None:
    moved = BOARDS.replace("{who: kade, at: [0.5, 0], facing: 180}",
                           "{who: kade, at: [3.5, 0], facing: 180}")
    [f] = findings(tmp_path, moved, "continuity")
    assert f.shots == ("1", "2") and "KADE" in f.why and "2.9 m away" in f.why


def test_example_production_findings() -> None:
    """The rooftop keeps its line, eyelines and marks; any finding here must be explained."""
    found = check_production(load_production(EXAMPLE))
    assert [f for f in found if f.severity == "error"] == []


def test_an_insert_is_nobodys_eyeline(tmp_path: Path) -> None:
    singles = BOARDS.replace("lens: 28\n", "lens: 28\n        frame: [vex]\n").replace(
        "move: dolly\n", "move: dolly\n        frame: [kade]\n").replace(
        "{who: kade, at: [0.5, 0], facing: 180}", "{who: kade, at: [0.5, 0], facing: 0}")
    assert len(findings(tmp_path / "single", singles, "eyeline")) == 1
    insert = singles.replace("size: MS\n        move: dolly", "size: INSERT\n        move: dolly")
    assert findings(tmp_path / "insert", insert, "eyeline") == []
