"""The command line, driven as a user would: init, check, plan, explain, render."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aktion.cli import _register, app
from conftest import BOARDS, CHOREO, write_production

_register()
runner = CliRunner()


def aktion(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_check_ok(tiny: Path) -> None:
    result = aktion("check", tiny)
    assert result.exit_code == 0, result.output
    assert "2 shots" in result.output and "2 beats" in result.output


def test_check_reports_file_and_line(tmp_path: Path) -> None:
    root = write_production(tmp_path, choreo=CHOREO.replace("{t: 1, who", "{t: 99, who"))
    result = aktion("check", root)
    assert result.exit_code == 2
    assert "choreo.yaml:8" in result.output and "outside shot 2" in result.output


def test_check_unknown_move(tmp_path: Path) -> None:
    root = write_production(tmp_path, choreo=CHOREO.replace("move: jab", "move: moonwalk"))
    result = aktion("check", root)
    assert result.exit_code == 2 and "unknown move `moonwalk`" in result.output


def test_plan_lists_steps_and_reasons(tiny: Path) -> None:
    result = aktion("plan", tiny)
    assert result.exit_code == 0, result.output
    for step in ("layout:1", "motion_control:2", "render:2", "cut:roof", "previz", "editor"):
        assert step in result.output


def test_explain_then_render_then_explain(tiny: Path) -> None:
    first = aktion("explain", tiny)
    assert first.exit_code == 0 and first.output.count("new") == 8

    rendered = aktion("render", tiny)
    assert rendered.exit_code == 0, rendered.output
    assert "8 run, 0 cached" in rendered.output and "roof.mp4" in rendered.output

    assert aktion("explain", tiny).output.count("cached") == 8
    assert "0 run, 8 cached" in aktion("render", tiny).output

    (tiny / "boards.yaml").write_text(BOARDS.replace("lens: 28", "lens: 40"))
    why = aktion("explain", tiny).output
    assert "board of shot 1 changed" in why and "input render:1 changed" in why
    assert "5 run, 3 cached" in aktion("render", tiny).output


def test_explain_names_the_cast_lock(tiny: Path) -> None:
    aktion("render", tiny, "--shots", "1")
    kade = tiny / "cast" / "kade.yaml"
    kade.write_text(kade.read_text().replace("heavy", "towering"))
    assert "cast lock of KADE changed" in aktion("explain", tiny).output


def test_render_unknown_shot(tiny: Path) -> None:
    result = aktion("render", tiny, "--shots", "42")
    assert result.exit_code == 2 and "no shot 42" in result.output


def test_init_makes_a_valid_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert aktion("init", "My Film").exit_code == 0
    assert aktion("check", "My Film").exit_code == 0
    assert aktion("init", "My Film").exit_code == 1  # never overwrites


def test_check_craft_flags_a_crossed_line(tmp_path: Path) -> None:
    crossed = BOARDS.replace("move: dolly", "move: dolly\n        side: right")
    root = write_production(tmp_path, boards=crossed)
    assert aktion("check", root).exit_code == 0
    result = aktion("check", "--craft", root)
    assert result.exit_code == 1 and "180" in result.output


def test_check_motion_reports_a_strike_out_of_reach(tmp_path: Path) -> None:
    apart = BOARDS.replace("{who: kade, at: [0.5, 0], facing: 180}",
                           "{who: kade, at: [3.5, 0], facing: 180}")
    result = aktion("check", "--motion", write_production(tmp_path, boards=apart))
    assert result.exit_code == 0, result.output
    assert "reach" in result.output and "line 14" in result.output


def test_render_without_the_signing_key_is_a_clear_error(
        tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setenv("AKTION_HOME", str(tmp_path / "home"))
    assert aktion("identity", "create", "--name", "t", "-p", tiny).exit_code == 0
    shutil.rmtree(tmp_path / "home")  # the key is gone from this machine
    result = aktion("render", tiny)
    assert result.exit_code == 1
    assert "holds the key" in result.output and "Traceback" not in result.output
