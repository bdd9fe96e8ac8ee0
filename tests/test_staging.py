"""Staging, measured on what previz films: faces toward the lens, subjects in frame, strikes
that land or miss as the script says; and the craft checks that flag each failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aktion.craft import check_production
from aktion.craft.staging import Filmed, check_shot, figures, film
from aktion.previz.moves import MoveLibrary
from aktion.previz.plausibility import check_performance
from aktion.previz.skeleton import Skeleton
from aktion.previz.stage import Stage
from aktion.production.load import load_production
from aktion.writers_room.breakdown import breakdown
from aktion.writers_room.draft import draft
from aktion.writers_room.merge import write_draft
from aktion.writers_room.moves import library_moves
from aktion.writers_room.source import resolve
from conftest import BOARDS, CHOREO, write_production

ROOT = Path(__file__).parents[1]
SCRIPTS = {
    "dockside": ROOT / "tests" / "fixtures" / "scripts" / "dockside.fountain",
    "spec": ROOT / "tests" / "fixtures" / "scripts" / "spec.fountain",
    "last_orders": ROOT / "tests" / "fixtures" / "scripts" / "last_orders.fountain",
    "overpass": ROOT / "tests" / "fixtures" / "scripts" / "overpass.fountain",
    "rooftop": ROOT / "examples" / "rooftop" / "script.fountain",
}
TOML = '[production]\nname = "staging"\nfps = 24\nwidth = 320\nheight = 180\n'
LIBRARY = MoveLibrary.load()


def drafted(folder: Path, script: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(script, folder / "script.fountain")
    (folder / "aktion.toml").write_text(TOML)
    write_draft(resolve(folder), draft(breakdown(folder), fps=24, moves=library_moves()))
    return folder


# --- every drafted production the tests build follows the grammar ---------------------------


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_drafted_staging_meets_the_grammar(name: str, tmp_path: Path) -> None:
    production = load_production(drafted(tmp_path / name, SCRIPTS[name]))
    shots = list(film(production, LIBRARY))
    fig = figures(production, shots, LIBRARY)
    assert fig.shots == sum(1 for _, s in production.shots() if s.blocking)
    assert fig.framed_share == 1.0, fig.misses  # every named subject fully in frame
    assert fig.facing_share >= 0.95, fig.misses  # speakers show their faces
    assert fig.contradicted == 0, fig.misses  # strikes land where the script says
    assert fig.findings == []
    if name != "spec":
        assert fig.singles >= 4 and fig.strikes >= (20 if name == "last_orders" else 5)
    # and the fight choreographer's check agrees: every blow that lands reaches its zone
    reach = []
    for item in shots:
        assert isinstance(item, Filmed)
        skeletons = {c: Skeleton.from_build(production.cast[c].build)
                     for c in item.perf.characters}
        reach += [f for f in check_performance(item.shot.id, item.perf, skeletons)
                  if f.check == "reach"]
    assert reach == []


def test_the_hand_directed_example_has_no_craft_findings() -> None:
    production = load_production(ROOT / "examples" / "rooftop")
    assert check_production(production) == []


# --- each check fires on the failure it names, with file:line -----------------------------

SPEECH = BOARDS.replace('''      - id: "2"
        lines: [14, 14]''', '''      - id: "talk"
        lines: [11, 12]
        size: MS
        lens: 50
        duration: 36
        blocking:
          - {who: kade, at: [0.5, 0], facing: 180}
          - {who: vex, at: [-0.5, 0], facing: 0}
        frame: [kade]
      - id: "2"
        lines: [14, 14]''')


def _craft(tmp_path: Path, boards: str, choreo: str = CHOREO, rule: str | None = None):
    production = load_production(write_production(tmp_path, boards=boards, choreo=choreo))
    return [f for f in check_production(production) if rule is None or f.rule == rule]


def test_a_speaker_filmed_from_behind_is_flagged(tmp_path: Path) -> None:
    assert _craft(tmp_path / "ok", SPEECH, rule="from_behind") == []
    away = SPEECH.replace("- {who: kade, at: [0.5, 0], facing: 180}\n          - {who: vex",
                          "- {who: kade, at: [0.5, 0], facing: 0}\n          - {who: vex")
    [f] = _craft(tmp_path / "away", away, rule="from_behind")
    assert f.shots == ("talk",) and f.severity == "error" and "Kade" in f.why
    lines = (tmp_path / "away" / "boards.yaml").read_text().splitlines()
    assert f.file == "boards.yaml" and lines[f.line - 1].strip() == '- id: "talk"'
    assert f.where == f"boards.yaml:{f.line}"


def test_a_named_subject_out_of_frame_is_flagged(tmp_path: Path) -> None:
    panned = SPEECH.replace("size: MS\n        lens: 50", "size: CU\n        lens: 85\n"
                            "        move: {type: pan, amount: 70}")
    [f] = _craft(tmp_path, panned, rule="framing")
    assert f.shots == ("talk",) and "Kade" in f.why and "in frame" in f.why


def test_a_strike_that_should_land_but_misses_is_flagged(tmp_path: Path) -> None:
    far = BOARDS.replace("{who: kade, at: [0.5, 0], facing: 180}",
                         "{who: kade, at: [4.5, 0], facing: 180}")
    [f] = _craft(tmp_path, far, rule="strike")
    assert f.shots == ("2",) and "lands on Kade's head in the script" in f.why
    assert f.where == "script.fountain:14"


def test_a_strike_that_should_miss_but_connects_is_flagged(tmp_path: Path) -> None:
    """The performance lands the jab (the solver was told it hits); a script that says it
    misses is contradicted by exactly that geometry."""
    production = load_production(write_production(tmp_path))
    scene, shot = production.shot("2")
    beats = production.beats("2")
    cast = {c: production.cast[c] for c in shot.characters}
    perf, camera = Stage(shot, scene.set, cast, beats, LIBRARY, width=320, height=180).perform()
    said = [b.model_copy(update={"hit": None}) for b in beats]
    filmed = Filmed(scene, shot, perf, camera, said, Stage.key_frame(perf))
    [f] = check_shot(production, filmed, LIBRARY)
    assert f.rule == "strike" and "misses Kade in the script but connects" in f.why
    landed = Filmed(scene, shot, perf, camera, beats, Stage.key_frame(perf))
    assert check_shot(production, landed, LIBRARY) == []
