"""The canvas, craft and export commands, driven as a director would."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.production.takes import load_canvas
from conftest import BOARDS, write_production
from test_canvas import box_backend  # noqa: F401

_register()
runner = CliRunner()


@pytest.fixture(autouse=True)
def any_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The move library is checked by its own tests; these take the boards' moves as given."""
    monkeypatch.setattr("aktion.cli.production.move_names", lambda root: None)


def aktion(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_takes_extend_dissolve_render_export(tiny: Path, box_backend: None) -> None:  # noqa: F811
    assert aktion("take", "new", "2", "--seed", "9", "--path", tiny).exit_code == 0
    assert aktion("take", "new", "2", "--path", tiny, "--no-pick").exit_code == 0
    r = aktion("take", "pick", "2", "2", "--path", tiny)
    assert r.exit_code == 0, r.output
    assert aktion("take", "pick", "2", "7", "--path", tiny).exit_code == 2
    assert aktion("canvas", "extend", "1", "0.25", "--path", tiny).exit_code == 0
    r = aktion("canvas", "transition", "2", "dissolve", "--frames", "4", "--path", tiny)
    assert r.exit_code == 0, r.output
    canvas = load_canvas(tiny)
    assert canvas.shots["2"].pick == 2 and len(canvas.shots["2"].takes) == 2
    assert canvas.shots["1"].extend == 6
    r = aktion("render", tiny)
    assert r.exit_code == 0, r.output
    r = aktion("export", tiny, "--format", "otio")
    assert r.exit_code == 0, r.output
    timeline = otio.adapters.read_from_file(str(tiny / "out" / "editorial" / "roof.otio"))
    assert timeline.tracks[0].duration().value == 18 + 12 - 4
    for fmt in ("fcp7", "fcpx", "edl"):
        assert aktion("export", tiny, "-f", fmt).exit_code == 0


def test_craft_command(tmp_path: Path, tiny: Path) -> None:
    assert aktion("craft", tiny).exit_code == 0
    crossed = write_production(tmp_path / "x", boards=BOARDS.replace(
        "move: dolly", "move: dolly\n        side: right"))
    r = aktion("craft", crossed)
    assert r.exit_code == 1 and "180" in r.output


# command -> what `aktion check` says of the canvas it would have saved
REFUSED = {
    ("canvas", "trim", "2", "--in", "50", "--out", "10"): "`shots.2.trim`",
    ("canvas", "trim", "2", "--in", "50"): "trim in at frame 50, but shot 2 has 12 frames",
    ("canvas", "transition", "2", "wipe", "--frames", "4"): "`shots.2.transition.type`: got "
                                                              "'wipe'",
    ("canvas", "extend", "2", "--", "-2"): "`shots.2.extend`: got -48 (expected a time that "
                                          "is not negative)",
    ("canvas", "extend", "2", "nan"): "`shots.2.extend`",
    ("canvas", "transition", "2", "dissolve"): "`shots.2.transition` (expected a dissolve of "
                                               "at least one frame",
    ("canvas", "transition", "2", "dissolve", "--frames", "100"):
        "a dissolve of 100 frames into shot 2, which has 12 frames",
    ("canvas", "speed", "2", "0", "1"): "`shots.2.speed.start`: got 0.0",
    ("take", "new", "2", "--seed", "-1"): "`shots.2.takes.0.seed`: got -1",
    ("take", "pick", "2", "4"): "pick 4: only 1 take(s)",
    ("canvas", "audio", "roof", "score.wav"): "scene roof score score.wav not found",
    ("canvas", "audio", "hall", "score.wav"): "scene hall is not on the boards",
}


@pytest.mark.parametrize("command", list(REFUSED), ids=" ".join)
def test_a_canvas_command_refuses_what_check_would(tiny: Path, command: tuple[str, ...]) -> None:
    """Nothing is saved, the message is check's own, and no traceback."""
    (tiny / "canvas.yaml").write_text("# the editor's notes\nschema: Canvas.1\n")
    before = (tiny / "canvas.yaml").read_bytes()
    r = aktion(*command[:2], "--path", tiny, *command[2:])
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    flat = " ".join(r.output.split())
    assert "canvas.yaml not changed" in flat and REFUSED[command] in flat, r.output
    assert (tiny / "canvas.yaml").read_bytes() == before


def test_check_says_what_the_command_said(tiny: Path) -> None:
    r = aktion("canvas", "transition", "2", "dissolve", "--frames", "100", "--path", tiny)
    said = " ".join(r.output.split()).split("✗ ")[1]
    (tiny / "canvas.yaml").write_text("schema: Canvas.1\nshots:\n  '2':\n    transition:\n"
                                      "      type: dissolve\n      duration: 100\n")
    checked = aktion("check", tiny)
    assert checked.exit_code == 2
    message = said.split(": ", 1)[1]  # past the file (and line) it points at
    assert message in " ".join(checked.output.split())


def test_a_command_can_repair_a_canvas_that_is_already_wrong(tiny: Path) -> None:
    """A canvas naming a shot no longer on the boards still takes edits to other shots;
    check keeps reporting the old problem until it is fixed."""
    (tiny / "canvas.yaml").write_text("schema: Canvas.1\nshots:\n  '9': {extend: 3}\n")
    r = aktion("canvas", "trim", "1", "--in", "2", "--path", tiny)
    assert r.exit_code == 0, r.output
    assert load_canvas(tiny).shots["1"].trim.in_ == 2
    assert "shot 9 is not on the boards" in aktion("check", tiny).output
    r = aktion("canvas", "transition", "2", "dissolve", "--frames", "4", "--path", tiny)
    assert r.exit_code == 0, r.output
