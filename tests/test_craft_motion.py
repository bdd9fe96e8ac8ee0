"""Craft findings from the motion as filmed: screen direction across cuts, a camera move
that crosses the line within a shot; and every finding names the line to edit."""

from __future__ import annotations

from pathlib import Path

from aktion.craft import check_production
from aktion.production.load import load_production
from conftest import BOARDS, write_production

CHASE = """\
schema: Boards.1
scenes:
  - id: roof
    heading: EXT. ROOF - NIGHT
    shots:
      - id: "1"
        lines: [4, 6]
        size: WS
        lens: 24
        duration: 36
        blocking:
          - {who: vex, at: [-4, 0], facing: 0}
      - id: "2"
        lines: [6, 6]
        size: FS
        lens: 35
        duration: 36
        side: SIDE
        blocking:
          - {who: vex, at: [0, 0], facing: FACING}
"""
SPRINTS = """\
schema: Choreo.1
shots:
  "1":
    beats:
      - {t: 0, who: vex, move: sprint, to: [0, 0]}
  "2":
    beats:
      - {t: 0, who: vex, move: sprint, to: [TO, 0]}
"""


def chase(root: Path, side: str = "left", facing: int = 0, to: int = 4) -> list:
    write_production(root, boards=CHASE.replace("SIDE", side).replace("FACING", str(facing)),
                     choreo=SPRINTS.replace("TO", str(to)))
    return check_production(load_production(root))


def test_a_sprint_that_keeps_its_direction_is_clean(tmp_path: Path) -> None:
    assert [f for f in chase(tmp_path / "p") if f.rule == "direction"] == []


def test_a_sprint_reversed_by_the_camera_across_a_cut_is_found(tmp_path: Path) -> None:
    """Same run on the floor, camera on the other side of it: on screen Vex turns back,
    and with one character there is no pair for the 180° check to see it by."""
    found = chase(tmp_path / "p", side="right")
    [f] = [f for f in found if f.rule == "direction"]
    assert f.shots == ("1", "2") and f.severity == "error"
    assert "leaves 1 moving screen-right and enters 2 moving screen-left" in f.why
    assert f.where == "choreo.yaml:8"  # the beat that runs her in shot 2
    assert not [f for f in found if f.rule == "180"]


def test_a_sprint_turned_back_on_the_floor_is_found(tmp_path: Path) -> None:
    [f] = [f for f in chase(tmp_path / "p", facing=180, to=-4) if f.rule == "direction"]
    assert "enters 2 moving screen-left" in f.why


def _orbit(tmp_path: Path, amount: int, next_side: str = "left") -> list:
    boards = BOARDS.replace("lens: 28\n", f"lens: 28\n        move: {{type: orbit, amount: "
                                          f"{amount}}}\n")
    if next_side != "left":
        boards = boards.replace("move: dolly", f"move: dolly\n        side: {next_side}")
    root = write_production(tmp_path / f"o{amount}{next_side}", boards=boards)
    return check_production(load_production(root))


def test_an_orbit_across_the_line_is_found(tmp_path: Path) -> None:
    found = _orbit(tmp_path, 180)
    [f] = [f for f in found if f.rule == "orbit"]
    assert f.shots == ("1",) and f.severity == "error" and f.where == "boards.yaml:13"
    assert "VEX goes from screen-left of KADE to screen-right" in f.why
    assert "2 is boarded on the left side, so the cut to it jumps the line" in f.why


def test_an_orbit_that_crosses_into_the_next_shots_side_is_a_note(tmp_path: Path) -> None:
    found = _orbit(tmp_path, 180, next_side="right")
    [f] = [f for f in found if f.rule == "orbit"]
    assert f.severity == "warning" and "the next shot must be filmed from there" in f.why
    assert [f for f in found if f.rule == "180"] == []  # the cut keeps to the side it ended on


def test_a_small_orbit_stays_on_its_side(tmp_path: Path) -> None:
    assert [f for f in _orbit(tmp_path, 30) if f.rule == "orbit"] == []


def test_every_finding_names_its_file_and_line(tmp_path: Path) -> None:
    """The 180° rule, a jump cut, an eyeline and a teleport, each at the line to edit."""
    singles = BOARDS.replace("lens: 28\n", "lens: 28\n        frame: [vex]\n").replace(
        "move: dolly\n", "move: dolly\n        frame: [kade]\n")
    variants = {  # rule -> (boards, what the named line holds)
        "180": (BOARDS.replace("move: dolly", "move: dolly\n        side: right"),
                "side: right"),
        "jump_cut": (BOARDS.replace("size: MS\n        move: dolly", "size: WS\n        lens: 30"),
                     "size: WS"),
        "eyeline": (singles.replace("{who: kade, at: [0.5, 0], facing: 180}",
                                    "{who: kade, at: [0.5, 0], facing: 0}"),
                    "{who: kade, at: [0.5, 0], facing: 0}"),
        "continuity": (BOARDS.replace("{who: kade, at: [0.5, 0], facing: 180}",
                                      "{who: kade, at: [3.5, 0], facing: 180}"),
                       "{who: kade, at: [3.5, 0]"),
    }
    for rule, (boards, held) in variants.items():
        root = write_production(tmp_path / rule, boards=boards)
        [f] = [f for f in check_production(load_production(root)) if f.rule == rule]
        assert f.file == "boards.yaml" and f.line is not None, f
        assert held in (root / "boards.yaml").read_text().splitlines()[f.line - 1], (rule, f)

