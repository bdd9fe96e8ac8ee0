"""Line anchors follow the script: moved lines move their shots' and beats' anchors (one
line of ``boards.yaml`` each), rewritten or deleted lines flag the shot in the Studio and
in ``aktion check``, and an edit made outside Aktion is caught and rebased."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.production.anchors import LineMap
from aktion.production.load import load_production
from test_studio_roundtrip import EXAMPLE, changes
from test_studio_support import make_client

_register()


@pytest.fixture
def roof(tmp_path: Path) -> Path:
    root = tmp_path / "rooftop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aktion", "out", "identity"))
    return root


@pytest.fixture
def client(roof: Path) -> TestClient:
    return make_client(roof)


def test_line_map_tells_moved_from_rewritten_and_deleted() -> None:
    old = "a\nb\nc\nd\ne\n"
    lines = LineMap.between(old, "new\nnew\na\nb\nc\nd\ne\n")
    assert lines.span(2, 3) == (4, 5, "moved")
    assert LineMap.between(old, old).span(2, 3) == (2, 3, "same")
    rewritten = LineMap.between(old, "a\nB!\nc\nd\ne\n")
    assert rewritten.span(2, 3) == (2, 3, "rewritten")
    assert rewritten.span(3, 5) == (3, 5, "same")
    gone = LineMap.between(old, "a\nd\ne\n")
    assert gone.span(2, 3) == (2, 3, "deleted")
    assert gone.span(1, 4) == (1, 2, "rewritten")  # partly deleted: shrinks, flagged
    inside = LineMap.between(old, "a\nb\nX\nc\nd\ne\n")
    assert inside.span(2, 3) == (2, 4, "rewritten")  # a line put inside the shot's text


def save_script(client: TestClient, text: str) -> dict:
    tag = client.get("/api/script").json()["etag"]
    r = client.put("/api/script", json={"text": text}, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    return r.json()


def test_inserting_lines_moves_every_anchor_below_by_one_line_each(
        client: TestClient, roof: Path) -> None:
    boards, choreo = (roof / "boards.yaml").read_text(), (roof / "choreo.yaml").read_text()
    script = (roof / "script.fountain").read_text()
    text = script.replace("\nEXT. ROOFTOP", "\n= The last delivery.\n\nEXT. ROOFTOP", 1)
    before = {s.id: s.lines for _, s in load_production(roof).shots()}
    out = save_script(client, text)
    assert out["anchors"]["flags"] == [] and out["issues"] == []
    after = {s.id: s.lines for _, s in load_production(roof).shots()}
    assert after == {k: (a + 2, b + 2) for k, (a, b) in before.items()}
    removed, added = changes(boards, (roof / "boards.yaml").read_text())
    assert len(removed) == len(before) and all("lines: [" in r for r in removed + added)
    removed, added = changes(choreo, (roof / "choreo.yaml").read_text())
    assert removed and len(removed) == len(added) == choreo.count("line: ")
    production = load_production(roof)
    _, sh040 = production.shot("sh040")
    assert production.script.text(*sh040.lines).startswith("Vex raises her guard.")


def test_rewritten_lines_flag_the_shot_until_accepted(client: TestClient, roof: Path) -> None:
    script = (roof / "script.fountain").read_text()
    boards = (roof / "boards.yaml").read_text()
    text = script.replace("Vex strikes first: a fast jab at Kade's face.",
                          "Vex feints, then kicks Kade's knee.")
    out = save_script(client, text)
    flagged = {(f["shot"], f["beat"]) for f in out["anchors"]["flags"]}
    assert ("sh040", None) in flagged and ("sh040", 30) in flagged
    assert (roof / "boards.yaml").read_text() == boards  # nothing moved: line count same
    flag = next(f for f in out["anchors"]["flags"] if f["beat"] is None)
    assert flag["status"] == "rewritten" and "fast jab" in flag["was"]
    r = CliRunner().invoke(app, ["check", str(roof)])
    assert r.exit_code == 0, r.output
    assert "shot sh040" in r.output and "rewritten" in r.output and "anchors accept" in r.output
    r = client.post("/api/anchors/accept", json={"shot": "sh040"})
    assert r.status_code == 200 and r.json()["flags"] == []
    assert "rewritten" not in CliRunner().invoke(app, ["check", str(roof)]).output


def test_deleted_lines_are_flagged_not_repointed(client: TestClient, roof: Path) -> None:
    script = (roof / "script.fountain").read_text()
    text = script.replace("Vex snaps a cross. Kade blocks that too.\n\n", "")
    out = save_script(client, text)
    flags = {f["shot"]: f for f in out["anchors"]["flags"] if f["beat"] is None}
    assert flags["sh050"]["status"] == "rewritten"  # its first line went; the rest moved up
    _, sh050 = load_production(roof).shot("sh050")
    assert load_production(roof).script.text(*sh050.lines).startswith("Kade throws a heavy hook")


def test_an_outside_edit_is_caught_by_check_and_rebased_by_the_cli(roof: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(roof)]).exit_code == 0  # records the script
    script = roof / "script.fountain"
    script.write_text(script.read_text().replace("EXT. ROOFTOP - NIGHT\n",
                                                 "EXT. ROOFTOP - NIGHT\n\nThunder.\n", 1))
    r = runner.invoke(app, ["check", str(roof)])
    assert "aktion anchors rebase" in r.output and "shot sh040: 28-32 -> 30-34" in r.output
    r = runner.invoke(app, ["anchors", "rebase", "-p", str(roof)])
    assert r.exit_code == 0 and "shot sh040: 28-32 -> 30-34" in r.output
    _, sh040 = load_production(roof).shot("sh040")
    assert sh040.lines == (30, 34)
    assert "anchors rebase" not in runner.invoke(app, ["check", str(roof)]).output


def test_a_script_saved_while_the_boards_do_not_parse_is_rebased_later(
        client: TestClient, roof: Path) -> None:
    boards = roof / "boards.yaml"
    good = boards.read_text()
    boards.write_text(good.replace("scenes:\n", "scenes: [\n", 1))
    script = (roof / "script.fountain").read_text()
    out = save_script(client, script.replace("\nEXT. ROOFTOP", "\n= Prologue.\n\nEXT. ROOFTOP", 1))
    assert out["anchors"]["error"] and "boards.yaml" in out["anchors"]["error"]
    boards.write_text(good)
    r = client.post("/api/anchors/rebase")
    assert r.status_code == 200 and "shot sh040: 28-32 -> 30-34" in r.json()["moved"]
    assert load_production(roof).shot("sh040")[1].lines == (30, 34)
