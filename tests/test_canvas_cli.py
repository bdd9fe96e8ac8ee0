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
