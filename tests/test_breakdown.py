"""The breakdown: scenes, characters, beats and dialogue, each tied to exact script lines."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from aktion.production.script import Script
from aktion.writers_room.breakdown import Breakdown, breakdown, breakdown_script
from aktion.writers_room.heading import parse_heading
from aktion.writers_room.names import NameMatcher, character_id, introductions
from aktion.writers_room.sentences import sentences

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"
DOCKSIDE = FIXTURES / "dockside.fountain"


@pytest.fixture(scope="module")
def dock() -> Breakdown:
    return breakdown(DOCKSIDE)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return DOCKSIDE.read_text().splitlines()


def test_scenes(dock: Breakdown) -> None:
    got = [(s.index, s.id, s.heading, s.int_ext, s.location, s.time, s.lines) for s in dock.scenes]
    assert got == [
        (1, "s1", "EXT. CONTAINER DOCKS - NIGHT", "EXT", "CONTAINER DOCKS", "NIGHT", (10, 33)),
        (2, "s2", "INT. WAREHOUSE - CONTINUOUS", "INT", "WAREHOUSE", "CONTINUOUS", (35, 61)),
        (3, "s3", "INT. WAREHOUSE - LATER", "INT", "WAREHOUSE", "LATER", (63, 69)),
        (4, "s4", "EXT. CONTAINER DOCKS - DAWN", "EXT", "CONTAINER DOCKS", "DAWN", (71, 75)),
    ]
    assert dock.scenes[0].number == "1" and dock.scenes[1].number is None
    assert [s.characters for s in dock.scenes] == [
        ["mara", "rook"], ["mara", "teo", "guard"], ["mara", "teo"], ["rook"]]


def test_characters(dock: Breakdown) -> None:
    got = [(c.id, c.name, c.first_line, c.scenes, c.dialogue_count, c.speaks)
           for c in dock.characters]
    assert got == [
        ("mara", "MARA", 14, [1, 2, 3], 3, True),
        ("rook", "ROOK", 16, [1, 4], 1, True),
        ("teo", "TEO", 36, [2, 3], 2, True),
        ("guard", "GUARD", 57, [2], 0, False),  # introduced in action, never speaks
    ]
    mara = dock.character("mara")
    assert mara is not None and mara.description.startswith("MARA (30s), wiry")
    assert mara.description_line == 14


def test_every_beat_is_on_its_lines(dock: Breakdown, lines: list[str]) -> None:
    beats = [b for s in dock.scenes for b in s.beats]
    assert len(beats) == 21
    for b in beats:
        span = " ".join(ln.strip() for ln in lines[b.line - 1 : b.end_line])
        assert b.text in span, (b.line, b.text)
        assert lines[b.line - 1].strip().startswith(b.text.split()[0]) or (
            b.text.split()[0] in lines[b.line - 1])


def test_beats_are_sentences_with_who(dock: Breakdown) -> None:
    s1 = dock.scenes[0]
    assert [(b.line, b.text) for b in s1.beats[4:7]] == [
        (25, "Mara jabs twice."), (25, "Rook blocks both."), (27, "Rook throws a heavy hook.")]
    assert s1.beats[7].who == ["mara"]  # "his ribs" names nobody
    s2 = dock.scenes[1]
    assert next(b for b in s2.beats if b.line == 59).who == ["guard", "mara"]


def test_dialogue_speakers_parentheticals_dual(dock: Breakdown) -> None:
    s1, s2 = dock.scenes[0], dock.scenes[1]
    assert [(d.who, d.line, d.cue_line, d.text, d.parenthetical) for d in s1.dialogue] == [
        ("rook", 19, 18, "You came back for it.", None),
        ("mara", 23, 21, "I came back for you.", "(flat)"),
    ]
    assert [(d.who, d.dual) for d in s2.dialogue] == [
        ("mara", None), ("teo", "left"), ("mara", "right")]
    assert all("Wait!" not in d.text for s in dock.scenes for d in s.dialogue)  # boneyard


def test_transitions_notes_sections(dock: Breakdown) -> None:
    assert [(t.line, t.text) for t in dock.scenes[0].transitions] == [(33, "DISSOLVE TO:")]
    assert [(t.line, t.text) for t in dock.scenes[3].transitions] == [(75, "FADE OUT.")]
    assert [(n.kind, n.line, n.text) for n in dock.scenes[1].notes] == [
        ("note", 47, "Teo should sound younger here.")]
    assert [(n.kind, n.line, n.depth) for n in dock.notes] == [
        ("section", 6, 1), ("synopsis", 8, 0)]


def test_no_headings_is_one_implicit_scene() -> None:
    text = "VEX (20s) waits by the door.\n\nKADE\nReady?\n\nVex jabs. Kade blocks.\n"
    bd = breakdown_script(Script.from_text(text))
    assert len(bd.scenes) == 1
    scene = bd.scenes[0]
    assert (scene.implicit, scene.heading, scene.id, scene.lines) == (True, "", "s1", (1, 6))
    assert scene.characters == ["vex", "kade"]
    assert [b.line for b in scene.beats] == [1, 6, 6]


def test_json_round_trip(dock: Breakdown) -> None:
    data = json.loads(dock.model_dump_json())
    assert {"script", "lines", "title", "scenes", "characters", "notes"} <= set(data)
    assert data["scenes"][0]["beats"][0] == {
        "line": 12, "end_line": 12, "text": "Sodium lights buzz over stacked containers.",
        "who": [], "spans": [[0, 12]]}
    assert Breakdown.model_validate(data) == dock


# --- the pieces ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "cid"), [
    ("VEX", "vex"), ("BIG TONY", "big_tony"), ("O'NEIL", "oneil"), ("DR. KADE", "dr_kade"),
    ("ÉLISE", "elise"), ("THUG #2", "thug_2"),
])
def test_character_ids(name: str, cid: str) -> None:
    assert character_id(name) == cid
    assert character_id(name, {cid}) == f"{cid}_2"


def test_name_matching_needs_a_capital_and_takes_possessives() -> None:
    m = NameMatcher({"steel": ["DICK STEEL"], "vex": ["VEX"]})
    text = "Steel grabs the steel pipe. Vex's jab lands; DICK STEEL reels."
    assert [(text[a:z], cid) for a, z, cid in m.find(text)] == [
        ("Steel", "steel"), ("Vex's", "vex"), ("DICK STEEL", "steel")]


def test_introductions() -> None:
    text = "KADE (40s), broad. A GUARD (late thirties) waits. BOOM (the door) shuts."
    assert [n for _, n in introductions(text)] == ["KADE", "GUARD"]


@pytest.mark.parametrize(("heading", "want"), [
    ("INT. HOUSE - DAY", ("INT", "HOUSE", "DAY")),
    ("EXT. ROOF - STAIRS - NIGHT", ("EXT", "ROOF - STAIRS", "NIGHT")),
    ("INT./EXT. CAR - MOVING", ("INT/EXT", "CAR", "MOVING")),
    ("I/E VAN - DUSK", ("INT/EXT", "VAN", "DUSK")),
    ("EST. CITY", ("EXT", "CITY", None)),
    ("SNIPER SCOPE POV", (None, "SNIPER SCOPE POV", None)),
])
def test_headings(heading: str, want: tuple) -> None:
    h = parse_heading(heading)
    assert (h.int_ext, h.location, h.time) == want


def test_sentences_keep_lines_and_abbreviations() -> None:
    text = "\nMr. Kade waits... Then he moves.\nVex drives a knee into\nKade's gut. She spins!\n"
    els = Script.from_text(text).elements
    got = [(s.text, s.line, s.end_line) for s in sentences(els[0])]
    assert got == [("Mr. Kade waits...", 2, 2), ("Then he moves.", 2, 2),
                   ("Vex drives a knee into Kade's gut.", 3, 4), ("She spins!", 4, 4)]
    knee = sentences(els[0])[2]
    assert knee.line_at(knee.text.index("Kade's")) == 4


# --- scale -----------------------------------------------------------------------------------


def long_script(pages: int = 120) -> str:
    """About fifty lines a page: scenes of action, dialogue and a fight."""
    out = ["Title: Long Night", "Author: Aktion Tests", ""]
    for n in range(pages):
        out += [
            f"{'INT' if n % 2 else 'EXT'}. LOCATION {n % 17} - {'NIGHT' if n % 3 else 'DAY'} #{n + 1}#",
            "",
            f"VEX (30s), wiry, in a red jacket, waits by crate {n}. KADE circles her.",
            "",
            "KADE",
            "(low)",
            "You should not have come back here tonight.",
            "",
            "VEX",
            "I never left. Not really.",
            "",
            "Kade throws a heavy hook. Vex ducks under it and drives a knee into his ribs.",
            "",
            "Kade staggers. Vex jabs twice, then slams him into the wall.",
            "",
            "He falls. [[hold here]] She sprints for the exit.",
            "",
            "KADE",
            "This isn't over!",
            "",
            "VEX ^",
            "It is.",
            "",
            "/* an old beat",
            "that was cut */",
            "Vex grabs the keycard from the floor.",
            "",
            "CUT TO:",
            "",
        ]
        out += ["Rain hammers the roof. Nobody moves." if i % 2 else "" for i in range(22)]
    return "\n".join(out) + "\n"


def test_a_120_page_script_parses_and_breaks_down() -> None:
    text = long_script()
    assert len(text.splitlines()) >= 6000
    start = time.perf_counter()
    bd = breakdown_script(Script.from_text(text))
    elapsed = time.perf_counter() - start
    assert len(bd.scenes) == 120
    assert [c.id for c in bd.characters] == ["vex", "kade"]
    assert bd.character("kade").dialogue_count == 240  # type: ignore[union-attr]
    assert sum(len(s.beats) for s in bd.scenes) == 120 * 31  # 9 story + 22 rain sentences
    print(f"\n120 pages, {len(text.splitlines())} lines: parse + breakdown {elapsed:.2f} s")
