"""A new user's first hour, as issue-free as it must be: init a production, drop in a
screenplay Aktion has never seen, draft, render, and get a storyboard and an animatic
without editing a file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import av
import pytest
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.production.load import load_production

_register()
runner = CliRunner()
SCRIPT = Path(__file__).parent / "fixtures" / "scripts" / "dockside.fountain"


def aktion(*args: object):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def test_init_script_draft_render_board_animatic(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    aktion("init", "heist")
    root = tmp_path / "heist"
    shutil.copy(SCRIPT, root / "script.fountain")

    drafted = aktion("draft", root).output
    assert "the template's example, never edited" in drafted
    production = load_production(root)
    assert not {"hero", "rival"} & set(production.cast)  # the template's cast is gone
    scenes = [s.id for s in production.boards.scenes]
    assert len(scenes) >= 3

    aktion("render", root)
    aktion("animatic", root)
    aktion("board", root)
    for scene in production.boards.scenes:
        cut = root / "out" / f"{scene.id}.mp4"
        with av.open(str(cut)) as c:
            frames = sum(1 for _ in c.decode(video=0))
        assert frames == sum(s.duration for s in scene.shots)
        assert (root / "out" / f"{scene.id}-animatic.mp4").stat().st_size > 0
        pdf = root / "out" / f"{scene.id}-storyboard.pdf"
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                                  text=True).stdout
            pages = int(next(line.split()[-1] for line in info.splitlines()
                             if line.startswith("Pages:")))
            assert pages == -(-len(scene.shots) // 6)


def test_draft_keeps_an_edited_template_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    aktion("init", "mine")
    root = tmp_path / "mine"
    boards = root / "boards.yaml"
    boards.write_text(boards.read_text() + "# my notes\n")
    shutil.copy(SCRIPT, root / "script.fountain")
    runner.invoke(app, ["draft", str(root)])
    assert "# my notes" in boards.read_text()
