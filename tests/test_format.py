"""The production format: good files load, bad files say file, line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from aktion.production.board import Shot
from aktion.production.errors import ProductionError
from aktion.production.load import load_production
from aktion.production.timing import timecode, to_frames
from conftest import BOARDS, CHOREO, KADE, TOML, write_production


def issues_of(root: Path) -> list:
    with pytest.raises(ProductionError) as info:
        load_production(root)
    return info.value.issues


def test_good_production_loads(tiny: Path) -> None:
    p = load_production(tiny)
    assert [s.id for _, s in p.shots()] == ["1", "2"]
    assert p.settings.fps == 24 and p.settings.width == 160
    assert set(p.cast) == {"vex", "kade"}
    assert p.beats("2")[0].target == "kade"
    assert p.boards.schema_ == "Boards.1" and p.cast["vex"].schema_ == "Character.1"
    assert len(p.locks["vex"]) == 64


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = CHOREO.replace('      - {t: 1, who: vex', '      - {t: 1 who: [vex')
    (issue,) = issues_of(write_production(tmp_path, choreo=bad))
    assert issue.file.name == "choreo.yaml"
    assert issue.line == 8
    assert "YAML syntax" in issue.message


def test_unknown_field_points_at_its_line(tmp_path: Path) -> None:
    bad = BOARDS.replace("        lens: 28\n", "        lens: 28\n        lense: 50\n")
    (issue,) = issues_of(write_production(tmp_path, boards=bad))
    assert issue.file.name == "boards.yaml" and issue.line == 13
    assert "unknown field" in issue.message and "lense" in issue.message


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    bad = BOARDS.replace("lens: 28", "lens: wide")
    (issue,) = issues_of(write_production(tmp_path, boards=bad))
    assert issue.line == 12 and "lens" in issue.message
    assert issue.expected and "number" in issue.expected


def test_bad_enum_lists_the_choices(tmp_path: Path) -> None:
    bad = BOARDS.replace("size: MS", "size: HUGE")
    (issue,) = issues_of(write_production(tmp_path, boards=bad))
    assert issue.line == 19 and "'ECU'" in (issue.expected or "")


def test_shot_naming_unknown_character(tmp_path: Path) -> None:
    bad = BOARDS.replace("{who: kade, at: [0.5, 0]", "{who: rook, at: [0.5, 0]")
    issues = issues_of(write_production(tmp_path, boards=bad))
    assert any("rook" in i.message and "not in the cast" in i.message and i.line == 24
               for i in issues)


def test_beat_outside_its_shot(tmp_path: Path) -> None:
    bad = CHOREO.replace("{t: 1, who: vex", "{t: 12, who: vex")
    (issue,) = issues_of(write_production(tmp_path, choreo=bad))
    assert issue.file.name == "choreo.yaml" and issue.line == 8
    assert "outside shot 2" in issue.message and "0-11" in (issue.expected or "")


def test_beat_time_in_seconds_is_frame_exact(tmp_path: Path) -> None:
    ok = CHOREO.replace("{t: 1, who: vex", '{t: "0.25s", who: vex')
    p = load_production(write_production(tmp_path, choreo=ok))
    assert p.beats("2")[0].t == 6 and isinstance(p.beats("2")[0].t, int)


def test_board_line_range_outside_script(tmp_path: Path) -> None:
    bad = BOARDS.replace("lines: [14, 14]", "lines: [14, 90]")
    (issue,) = issues_of(write_production(tmp_path, boards=bad))
    assert issue.line == 18 and "the script has 16 lines" in issue.message


def test_character_in_beat_must_be_blocked_in_shot(tmp_path: Path) -> None:
    bad = CHOREO.replace("{t: 0, who: vex, move: guard", "{t: 0, who: nobody, move: guard")
    (issue,) = issues_of(write_production(tmp_path, choreo=bad))
    assert issue.line == 5 and "nobody" in issue.message


def test_unknown_move_when_library_known(tiny: Path) -> None:
    with pytest.raises(ProductionError) as info:
        load_production(tiny, moves={"guard"})
    assert any("unknown move `jab`" in i.message for i in info.value.issues)


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    boards = BOARDS.replace("lens: 28", "lens: wide")
    choreo = CHOREO.replace("{t: 1, who: vex", "{t: 1, wh: vex")
    issues = issues_of(write_production(tmp_path, boards=boards, choreo=choreo))
    assert {i.file.name for i in issues} == {"boards.yaml", "choreo.yaml"}


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    (issue,) = issues_of(write_production(tmp_path, toml=TOML.replace("fps = 24", "fps = = 24")))
    assert issue.file.name == "aktion.toml" and issue.line == 4


def test_toml_bad_value_has_line(tmp_path: Path) -> None:
    (issue,) = issues_of(write_production(tmp_path, toml=TOML.replace("width = 160", "width = 161")))
    assert issue.line == 5 and "even" in (issue.expected or "")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    (issue,) = issues_of(write_production(tmp_path, kade=KADE.replace("Character.1", "Character.9")))
    assert issue.file.name == "kade.yaml" and "newer" in issue.expected + issue.message


def test_cast_file_name_must_match_id(tmp_path: Path) -> None:
    (issue,) = issues_of(write_production(tmp_path, kade=KADE.replace("id: kade", "id: kad")))
    assert issue.line == 2 and "file name" in (issue.expected or "")


def test_missing_reference_image(tmp_path: Path) -> None:
    kade = KADE + "refs: [kade/front.png]\n"
    (issue,) = issues_of(write_production(tmp_path, kade=kade))
    assert "front.png" in issue.message and issue.line == 8


def test_lock_changes_with_refs_and_description(tmp_path: Path) -> None:
    root = write_production(tmp_path)
    before = load_production(root).locks["kade"]
    (root / "cast/kade").mkdir()
    Image.new("RGB", (16, 16), "grey").save(root / "cast/kade/front.png")
    (root / "cast/kade.yaml").write_text(KADE + "refs: [kade/front.png]\n")
    with_ref = load_production(root).locks["kade"]
    Image.new("RGB", (16, 16), "black").save(root / "cast/kade/front.png")
    assert len({before, with_ref, load_production(root).locks["kade"]}) == 3


def test_locked_character_that_changed_is_an_error(tmp_path: Path) -> None:
    root = write_production(tmp_path)
    lock = load_production(root).locks["kade"]
    (root / "cast/kade.yaml").write_text(KADE.replace("heavy", "huge") + f"locked: {lock}\n")
    (issue,) = issues_of(root)
    assert "changed since it was locked" in issue.message and "relock" in issue.expected


def test_not_a_production(tmp_path: Path) -> None:
    (issue,) = issues_of(tmp_path)
    assert "aktion.toml" in issue.message


@pytest.mark.parametrize(
    ("value", "frames"),
    [(36, 36), ("36f", 36), ("1.5s", 36), ("2s", 48), ("00:00:01:12", 36), ("0s", 0)],
)
def test_time_notations(value: object, frames: int) -> None:
    assert to_frames(value, 24) == frames


@pytest.mark.parametrize("value", [1.5, "soon", "-3", "00:00:01:30", True])
def test_bad_times(value: object) -> None:
    with pytest.raises(ValueError):
        to_frames(value, 24)


def test_timecode() -> None:
    assert timecode(24 * 61 + 5, 24) == "00:01:01:05"


def test_shot_shorthands_and_dump_roundtrip() -> None:
    shot = Shot.model_validate(
        {"id": "3A", "lines": [1, 2], "duration": "2s", "move": "orbit", "transition": "cut"},
        context={"fps": 24},
    )
    assert shot.duration == 48 and shot.move.type == "orbit"
    again = Shot.model_validate(shot.dump())
    assert again == shot and shot.dump()["schema"] == "Shot.1"


def test_transition_other_than_cut_needs_a_length(tmp_path: Path) -> None:
    bad = BOARDS.replace("move: dolly", "move: dolly\n        transition: dissolve")
    (issue,) = issues_of(write_production(tmp_path, boards=bad))
    assert issue.line == 21 and "dissolve of at least one frame" in (issue.expected or "")
