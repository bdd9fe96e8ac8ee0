"""A draft has a film's structure: title cards, shots the writer asked for inside their
scene, transitions on the shots they lead into, and every scene of a long script."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from aktion.previz.moves import MoveLibrary
from aktion.previz.stage import Stage
from aktion.production.board import SetDesign, Shot
from aktion.production.cast import Character
from aktion.production.load import load_production
from aktion.production.script import Script
from aktion.production.yamlio import read_yaml
from aktion.writers_room.breakdown import Breakdown, breakdown, breakdown_script
from aktion.writers_room.draft import Draft, draft
from aktion.writers_room.merge import MergeReport, merge_boards, write_draft
from aktion.writers_room.source import resolve
from long_scripts import HEADINGS, long_script

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"
OVERPASS = FIXTURES / "overpass.fountain"
TOML = '[production]\nname = "overpass"\nfps = 24\nwidth = 160\nheight = 96\n'


@pytest.fixture(scope="module")
def over() -> Breakdown:
    return breakdown(OVERPASS)


@pytest.fixture(scope="module")
def drafted(over: Breakdown) -> Draft:
    return draft(over)


def shots(d: Draft, scene: str) -> list[dict]:
    return [s.shot for sc in d.scenes if sc.id == scene for s in sc.shots]


def test_scenes_are_places_not_camera_directions(over: Breakdown) -> None:
    assert [(s.id, s.heading) for s in over.scenes] == [
        ("s0", ""),  # the opening title card, before the first heading
        ("s1", "EXT. OVERPASS TOLL PLAZA - NIGHT"),
        ("s2x", "INT. TOLL BOOTH - CONTINUOUS"),  # unnumbered: s2 is the script's #2#
        ("s2", "EXT. OVERPASS TOLL PLAZA - NIGHT"),
        ("s4", "INT. TOLL BOOTH - CONTINUOUS"),
        ("s5", "EXT. OVERPASS TOLL PLAZA - DAWN"),
    ]
    marks = [(m.line, m.kind, m.size, m.who) for s in over.scenes for m in s.shots]
    assert marks == [(40, "pov", "MS", ["kade"]), (44, "back", "FS", []),
                     (63, "insert", "INSERT", []), (67, "back", "FS", ["kade"]),
                     (83, "angle", "MS", ["guard_one"]), (99, "close", "CU", [])]
    spec = breakdown(FIXTURES / "spec.fountain")
    assert [s.heading for s in spec.scenes] == ["EXT. BRICK'S PATIO - DAY", "INT. GARAGE - NIGHT"]
    assert [m.text for m in spec.scenes[0].shots] == [
        "SNIPER SCOPE POV", "CLOSE ON: the scope's reticle."]


def test_camera_directions_are_shots_in_their_scene(drafted: Draft) -> None:
    s1 = shots(drafted, "s1")
    establishing = [s for s in s1 if s["note"].startswith("Establishing")]
    assert len(establishing) == 1  # .POV - KADE is not a new place
    pov = next(s for s in s1 if s["lines"][0] == 40)
    assert pov["size"] == "MS" and "kade" not in [m["who"] for m in pov["blocking"]]
    assert set(pov["frame"]) == {"mara", "thug_1", "thug_2"}  # what Kade sees, not the guards yet
    back = next(s for s in s1 if s["lines"][0] == 44)
    assert back["size"] == "FS" and {"mara", "kade"} <= {m["who"] for m in back["blocking"]}
    s2x = shots(drafted, "s2x")
    insert = next(s for s in s2x if s["lines"][0] == 63)
    assert insert["size"] == "INSERT" and insert["frame"] == [] and insert["lines"] == [63, 65]
    s2 = shots(drafted, "s2")
    angle = next(s for s in s2 if s["lines"][0] == 83)
    assert angle["frame"] == ["guard_one"] and angle["note"].startswith("ANGLE ON GUARD ONE")
    keys = next(s for s in s2 if s["lines"][0] == 99)
    assert (keys["size"], keys["blocking"], keys["frame"]) == ("CU", [], [])


def test_centered_text_is_a_title_card(drafted: Draft) -> None:
    cards = [(sc.id, s.shot["lines"], s.shot["title"]) for sc in drafted.scenes
             for s in sc.shots if s.shot.get("title")]
    assert cards == [("s0", [19, 19], "NIGHT SHIFT"), ("s4", [130, 130], "THREE HOURS LATER"),
                     ("s5", [138, 138], "THE END")]
    for sc in drafted.scenes:
        for s in sc.shots:
            if s.shot.get("title"):
                assert s.shot["blocking"] == [] and s.beats == []


def test_transitions_are_never_shots(over: Breakdown, drafted: Draft) -> None:
    lines = OVERPASS.read_text().splitlines()
    transition_lines = {t.line for s in over.scenes for t in s.transitions}
    assert transition_lines == {57, 136}  # SMASH CUT TO:, FADE OUT.
    for sc in drafted.scenes:
        for s in sc.shots:
            a, b = s.shot["lines"]
            text = [ln.strip() for ln in lines[a - 1 : b] if ln.strip()]
            assert text and not all(t in ("FADE OUT.", "SMASH CUT TO:", "FADE IN:") for t in text)
    end = shots(drafted, "s5")[-1]
    assert end["title"] == "THE END" and end["transition"]["type"] == "dip"  # FADE OUT.
    first_booth = shots(drafted, "s2x")[0]
    assert "transition" not in first_booth  # SMASH CUT TO: is a cut


def test_the_draft_loads_and_the_previz_draws_the_card(tmp_path: Path) -> None:
    root = tmp_path / "overpass"
    root.mkdir()
    shutil.copy(OVERPASS, root / "script.fountain")
    (root / "aktion.toml").write_text(TOML)
    write_draft(resolve(root), draft(breakdown(root)))
    prod = load_production(root)
    _, card = prod.shot("s0-010")
    assert card.title == "NIGHT SHIFT" and card.blocking == []
    stage = Stage(shot=card, design=SetDesign(), cast={}, beats=[], library=MoveLibrary.load(),
                  fps=24, width=320, height=180)
    perf, camera = stage.perform()
    frame = stage.renderer(perf.poses, camera, perf.characters).frame(0)
    plain = Stage(shot=Shot.model_validate({**card.dump(), "title": None}), design=SetDesign(),
                  cast={}, beats=[], library=MoveLibrary.load(), fps=24, width=320, height=180)
    p_perf, p_camera = plain.perform()
    set_frame = plain.renderer(p_perf.poses, p_camera, p_perf.characters).frame(0)
    bright = frame.max(axis=2) > 200
    rows = np.nonzero(bright[40:150].any(axis=1))[0]
    assert (frame.max(axis=2) < 20).mean() > 0.8  # black card...
    assert rows.size and 50 < rows.mean() + 40 < 130  # ...with its text in the middle
    assert (set_frame.max(axis=2) < 20).mean() < 0.5  # without a title: the set
    layout = stage.renderer(perf.poses, camera, perf.characters, burnins=False).frame(0)
    assert (layout.max(axis=2) > 200).any()  # the board frame shows the card too
    assert not Character.model_validate(prod.cast["kade"].dump()).aliases


# --- a long script -----------------------------------------------------------------------


def test_a_long_script_drafts_every_scene_and_every_shot(tmp_path: Path) -> None:
    n = 191
    text = long_script(n)
    bd = breakdown_script(Script.from_text(text))
    assert len(bd.scenes) == n
    headings = [s.heading.split(" #")[0] for s in bd.scenes]
    assert {h: headings.count(h) for h in HEADINGS} == {h: len(range(k, n, 5))
                                                          for k, h in enumerate(HEADINGS)}
    d = draft(bd)
    assert len(d.scenes) == n and all(sc.shots for sc in d.scenes)
    chases = len(range(2, n, 4))
    cards = [s for sc in d.scenes for s in sc.shots if s.shot.get("title")]
    povs = [s for sc in d.scenes for s in sc.shots if s.shot["note"].startswith("POV")]
    assert len(cards) == chases and len(povs) == chases
    root = tmp_path / "long"
    root.mkdir()
    (root / "script.fountain").write_text(text)
    (root / "aktion.toml").write_text(TOML.replace("overpass", "long"))
    report = write_draft(resolve(root), d)
    assert report.scenes == [sc.id for sc in d.scenes]
    assert len(report.shots) == sum(len(sc.shots) for sc in d.scenes)
    written = (root / "boards.yaml").read_text()  # laid out as drafted: one id per line
    scene_ids = re.findall(r"^- id: (\S+)$", written, re.MULTILINE)
    shot_ids = re.findall(r"^  - id: (\S+)$", written, re.MULTILINE)
    assert scene_ids == [sc.id for sc in d.scenes]
    assert shot_ids == [s.id for sc in d.scenes for s in sc.shots]
    doc, _ = merge_boards(None, d, MergeReport())
    again = MergeReport()
    merge_boards(doc, draft(breakdown_script(Script.from_text(text))), again)
    assert again.scenes == [] and again.shots == [] and again.changed == set()


def test_merge_knows_a_renamed_scene_by_its_lines(tmp_path: Path) -> None:
    root = tmp_path / "overpass"
    root.mkdir()
    shutil.copy(OVERPASS, root / "script.fountain")
    (root / "aktion.toml").write_text(TOML)
    write_draft(resolve(root), draft(breakdown(root)))
    path = root / "boards.yaml"
    path.write_text(path.read_text().replace("- id: s4\n", "- id: booth-fight\n"))
    report = write_draft(resolve(root), draft(breakdown(root)))
    assert report.scenes == [] and report.shots == []
    ids = [sc["id"] for sc in read_yaml(path)["scenes"]]
    assert ids == ["s0", "s1", "s2x", "s2", "booth-fight", "s5"]


def test_the_action_under_a_camera_direction_is_its_subjects() -> None:
    text = ("INT. BOOTH - NIGHT\n\nKADE (40s) sits. He lights a cigarette.\n\n"
            "GUARD ONE (30s) leans on the wall. He cleans his pistol.\n\n"
            "Kade looks up at the door. He smiles.\n\nANGLE ON GUARD ONE\n\nHe charges.\n")
    d = draft(breakdown_script(Script.from_text(text)))
    angle = d.scenes[0].shots[-1]
    assert angle.shot["lines"] == [9, 11] and angle.shot["frame"] == ["guard_one"]
    assert [(b["who"], b["line"]) for b in angle.beats] == [("guard_one", 11)]  # not Kade
