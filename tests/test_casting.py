"""The cast comes from the whole script: people introduced in action, one character per
person however the script names them, the introduction phrase, and wardrobes that tell
any two people in a scene apart."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from aktion.production.cast import Character, compute_lock
from aktion.production.load import load_production
from aktion.production.script import Script
from aktion.production.yamlio import read_yaml
from aktion.writers_room.breakdown import Breakdown, breakdown, breakdown_script
from aktion.writers_room.casting import looks
from aktion.writers_room.draft import draft
from aktion.writers_room.introductions import candidates, introduction_phrase
from aktion.writers_room.merge import write_draft
from aktion.writers_room.names import NameMatcher
from aktion.writers_room.source import resolve
from long_scripts import long_script

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"
OVERPASS = FIXTURES / "overpass.fountain"
ROOFTOP = Path(__file__).parent.parent / "examples" / "rooftop"
SCRIPTS = [OVERPASS, FIXTURES / "dockside.fountain", FIXTURES / "spec.fountain",
           ROOFTOP / "script.fountain"]
TOML = '[production]\nname = "overpass"\nfps = 24\nwidth = 160\nheight = 96\n'


@pytest.fixture(scope="module")
def over() -> Breakdown:
    return breakdown(OVERPASS)


def production(tmp_path: Path, script: Path = OVERPASS) -> Path:
    root = tmp_path / "prod"
    root.mkdir()
    shutil.copy(script, root / "script.fountain")
    (root / "aktion.toml").write_text(TOML)
    return root


# --- who is in the script ------------------------------------------------------------


def test_everyone_introduced_is_cast_speaking_or_not(over: Breakdown) -> None:
    got = [(c.id, c.name, c.speaks, c.description_line) for c in over.characters]
    assert got == [
        ("mara", "MARA", True, 25),
        ("kade", "KADE", True, 30),
        ("thug_1", "THUG 1", False, 42),  # "two THUGS, bald and tattooed, step out"
        ("thug_2", "THUG 2", False, 42),
        ("guard_one", "GUARD ONE", False, 55),  # "GUARD ONE (30s), thick neck, steps out"
        ("guard_two", "GUARD TWO", False, 55),
        ("mcclane", "McCLANE", True, None),  # a voice off screen, never described
    ]
    assert over.character("thug_1").group == "THUGS"  # type: ignore[union-attr]


def test_cue_variants_are_one_character(over: Breakdown) -> None:
    mara = over.character("mara")
    assert mara is not None
    assert mara.aliases == ["DETECTIVE MARA"]  # a title before her name
    assert mara.dialogue_count == 6  # MARA (V.O.), DETECTIVE MARA, MARA (CONT'D), (cont'd)
    cues = {sp.name for s in over.scenes for sp in s.dialogue if sp.who == "mara"}
    assert cues == {"MARA", "DETECTIVE MARA"}
    assert not any(c.id.startswith(("detective", "mara_")) for c in over.characters)


def test_the_description_is_the_introduction_phrase(over: Breakdown) -> None:
    phrases = {c.id: c.description for c in over.characters}
    assert phrases["mara"] == "DETECTIVE MARA (30s), wiry, in a black leather jacket"
    assert phrases["kade"] == "KADE (40s), broad as a door"
    assert phrases["guard_one"] == "GUARD ONE (30s), thick neck"
    assert phrases["thug_1"] == phrases["thug_2"] == "THUGS, bald and tattooed"
    rooftop = {c.id: c.description for c in breakdown(ROOFTOP / "script.fountain").characters}
    assert rooftop == {
        "vex": "VEX (20s), a bike courier in a red jacket, a sealed satchel across her back",
        "kade": "KADE (40s), broad as a door in a grey suit",
    }


@pytest.mark.parametrize(("sentence", "phrase"), [
    ("KADE (40s) waits by the door.", "KADE (40s)"),
    ("KADE in a grey suit waits.", "KADE in a grey suit"),
    ("Two HENCHMEN in black suits close in on Kade.", "HENCHMEN in black suits"),
    ("RIKER, scars on his face and a cold grin, watches.", "RIKER, scars on his face and a cold grin"),
    ("But BRICK BRADDOCK, retired police detective, is sitting quietly.",
     "BRICK BRADDOCK, retired police detective"),
    ("TEO (teens), slight, in a yellow hoodie, hides behind a forklift.",
     "TEO (teens), slight, in a yellow hoodie"),
])
def test_introduction_phrase_stops_where_the_action_starts(sentence: str, phrase: str) -> None:
    (c,) = [c for c in candidates(sentence) if c.name in phrase]
    assert introduction_phrase(sentence, c.start, c.end, c.plural) == phrase


def test_sounds_props_and_furniture_are_not_cast() -> None:
    text = ("EXT. YARD - NIGHT\n\nA GUNSHOT. The SCREEN DOOR slams. BANG! WE SEE the SUV.\n\n"
            "RIKER steps out of the truck. Riker lights a cigarette.\n\n"
            "Two GUARDS with rifles watch him.\n")
    bd = breakdown_script(Script.from_text(text))
    assert [c.id for c in bd.characters] == ["riker", "guard_1", "guard_2"]
    spec = breakdown(FIXTURES / "spec.fountain")
    assert [(c.id, c.aliases) for c in spec.characters] == [
        ("brick", ["BRICK BRADDOCK"]), ("steel", ["DICK STEEL"]), ("mcclane", [])]


def test_names_variants_numbers_and_groups() -> None:
    text = ("INT. GYM - DAY\n\nA THUG #1 waits. Then two THUGS, big, block the exit.\n\n"
            "THUG ONE\nNowhere to go.\n\nDETECTIVE VOSS\nMove.\n\nVOSS (V.O.)\nI said move.\n\n"
            "YOUNG VOSS (12) watches from the ring.\n\nThe second thug grabs Voss.\n")
    bd = breakdown_script(Script.from_text(text))
    ids = [c.id for c in bd.characters]
    # THUG ONE speaks first, so the id is his; "A THUG #1" and the first of "two THUGS"
    # are him too. YOUNG VOSS is another actor.
    assert ids == ["thug_one", "thug_2", "voss", "young_voss"]
    assert bd.character("voss").aliases == ["DETECTIVE VOSS"]  # type: ignore[union-attr]
    grab = bd.scenes[0].beats[-1]
    assert grab.who == ["thug_2", "voss"]  # "the second thug" is THUG 2


def test_name_matcher_finds_aliases_mixed_case_and_groups() -> None:
    m = NameMatcher({"guard_one": ["GUARD ONE"], "thug_1": ["THUG 1", "THUGS"],
                     "thug_2": ["THUG 2", "THUGS"], "mara": ["MARA", "DETECTIVE MARA"]})
    text = "Guard One crumples. The Thugs charge Detective Mara; the first thug falls. Guard #1!"
    got = [(text[a:z], cid) for a, z, cid in m.find(text)]
    assert got == [("Guard One", "guard_one"), ("Thugs", "thug_1"), ("Thugs", "thug_2"),
                   ("Detective Mara", "mara"), ("the first thug", "thug_1"),
                   ("Guard #1", "guard_one")]
    assert m.find("one of them guards the mara exhibit") == []


def test_the_cast_files_settle_identity(tmp_path: Path) -> None:
    root = production(tmp_path)
    write_draft(resolve(root), draft(breakdown(root)))
    path = root / "cast" / "kade.yaml"  # the voice on the radio was Kade all along
    path.write_text(path.read_text().replace("name: KADE\n",
                                             "name: KADE\naliases: [McCLANE]\n"))
    (root / "cast" / "mcclane.yaml").unlink()
    bd = breakdown(root)
    assert bd.character("mcclane") is None
    kade = bd.character("kade")
    assert kade is not None and "McCLANE" in kade.aliases
    assert kade.dialogue_count == 5 + 1  # his five cues and the one as McCLANE


# --- the cast files -------------------------------------------------------------------


def test_aliases_are_kept_in_the_cast_file_and_shown(tmp_path: Path) -> None:
    from aktion.cli import _register, app

    try:
        _register()
    except ImportError:  # another area's command module mid-change: ours still register
        import importlib

        importlib.import_module("aktion.cli.writers")
    root = production(tmp_path)
    result = CliRunner().invoke(app, ["draft", str(root)])
    assert result.exit_code == 0, result.output
    assert "cast mara: MARA (line 25); also DETECTIVE MARA" in result.output
    assert "cast guard_one: GUARD ONE (line 55, no lines)" in result.output
    assert read_yaml(root / "cast" / "mara.yaml")["aliases"] == ["DETECTIVE MARA"]
    prod = load_production(root)
    assert prod.cast["mara"].aliases == ["DETECTIVE MARA"]
    assert {"thug_1", "thug_2", "guard_one", "guard_two"} <= set(prod.cast)


def test_aliases_leave_existing_locks_alone() -> None:
    doc = read_yaml(ROOFTOP / "cast" / "kade.yaml")
    plain = Character.model_validate(dict(doc))
    empty = Character.model_validate({**doc, "aliases": []})
    named = Character.model_validate({**doc, "aliases": ["THE ENFORCER"]})
    assert "aliases" not in plain.canonical() and "aliases" not in plain.dump()
    assert compute_lock(plain, {}) == compute_lock(empty, {})
    assert compute_lock(named, {}) != compute_lock(plain, {})
    prod = load_production(ROOFTOP)
    assert all(not c.aliases for c in prod.cast.values())


# --- telling people apart ------------------------------------------------------------


def _lab(hex_colour: str) -> np.ndarray:
    rgb = np.array([[[int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]]], np.float32)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[0, 0].astype(np.float64)


def _pairs_apart(bd: Breakdown) -> list[tuple[str, str, float]]:
    """(a, b, ΔE) for every pair who share a scene, one of them with no colour given."""
    d = draft(bd)
    cast = {c["id"]: c for c in d.cast}
    colour_words = set(looks()["colours"]) | set(looks()["materials"])
    given = {c.id for c in bd.characters
             if colour_words & set(re.findall(r"[a-z]+", c.description.lower()))}
    out = []
    for scene in bd.scenes:
        people = [p for p in scene.characters if p in cast]
        for a, b in itertools.combinations(people, 2):
            if a in given and b in given:
                continue  # the script dressed them both: its choice
            de = float(np.linalg.norm(_lab(cast[a]["palette"]["primary"])
                                      - _lab(cast[b]["palette"]["primary"])))
            out.append((a, b, de))
    return out


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_everyone_in_a_scene_reads_apart(script: Path) -> None:
    pairs = _pairs_apart(breakdown(script))
    assert pairs or script != OVERPASS  # the others dress everyone who shares a scene
    close = [(a, b, round(de, 1)) for a, b, de in pairs if de < 20.0]
    assert close == []


def test_a_long_script_with_a_big_cast_reads_apart() -> None:
    bd = breakdown_script(Script.from_text(long_script(60)))
    assert len(bd.characters) >= 12
    pairs = _pairs_apart(bd)
    assert len(pairs) > 50
    assert min(de for _, _, de in pairs) >= 20.0


def test_the_same_script_gives_the_same_cast(over: Breakdown) -> None:
    first = draft(over).cast
    again = draft(breakdown(OVERPASS)).cast
    assert first == again
    one = {c["id"]: c for c in draft(over, scenes=[4]).cast}  # the fight scene alone
    assert one and all(one[c["id"]] == c for c in first if c["id"] in one)
    builds = {tuple(c["build"].values()) for c in first}
    assert len(builds) == len(first)  # nobody shares a body


def test_silent_people_are_in_their_shots(over: Breakdown) -> None:
    d = draft(over)
    crumples = next(s for sc in d.scenes for s in sc.shots if "Guard One crumples" in s.shot["note"])
    assert "guard_one" in [m["who"] for m in crumples.shot["blocking"]]
    assert any("guard_one" in (b.get("who"), b.get("target")) for b in crumples.beats)
