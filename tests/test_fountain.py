"""The Fountain reader, rule by rule of the Fountain 1.1 spec, with exact line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from aktion.production.fountain import Element, parse_fountain, strip_emphasis
from aktion.production.script import Script

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"


def kinds(text: str) -> list[tuple[str, int, int]]:
    return [(e.kind, e.line, e.end_line) for e in parse_fountain(text)[1]]


def only(text: str, kind: str) -> list[Element]:
    return [e for e in parse_fountain(text)[1] if e.kind == kind]


# --- the spec fixture, element by element -------------------------------------------


def test_spec_fixture_every_element_and_line() -> None:
    title, elements = parse_fountain((FIXTURES / "spec.fountain").read_text())
    assert title["Title"] == "_**BRICK & STEEL**_\n_**FULL RETIRED**_"
    assert title["Contact"] == "Next Level Productions\n1588 Mission Dr.\nSolvang, CA 93463"
    assert title["Draft date"] == "1/20/2012"
    got = [(e.kind, e.line, e.end_line, e.text) for e in elements]
    assert got == [
        ("section", 13, 13, "ACT I"),
        ("synopsis", 15, 15, "Brick and Steel meet on a rooftop."),
        ("scene_heading", 17, 17, "EXT. BRICK'S PATIO - DAY"),
        ("action", 19, 19, got[3][3]),
        ("action", 21, 21, got[4][3]),
        ("character", 23, 23, "STEEL"),
        ("dialogue", 24, 24, "Beer's ready!"),
        ("character", 26, 26, "BRICK"),
        ("dialogue", 27, 27, "Are they cold?"),
        ("character", 29, 29, "STEEL"),
        ("parenthetical", 30, 30, "(pause)"),
        ("dialogue", 31, 31, "Does a bear crap in the woods?"),
        ("action", 33, 33, "Steel sits.  They laugh at the dumb joke."),
        ("scene_heading", 35, 35, "SNIPER SCOPE POV"),
        ("action", 37, 37, "CLOSE ON: the scope's reticle."),
        ("character", 39, 39, "BRICK"),
        ("dialogue", 40, 40, "Screw retirement."),
        ("character", 42, 42, "STEEL"),
        ("dialogue", 43, 43, "Screw retirement."),
        ("transition", 45, 45, "CUT TO:"),
        ("scene_heading", 47, 47, "INT. GARAGE - NIGHT"),
        ("action", 48, 48, "The garage door slams shut. *Darkness.*"),
        ("character", 50, 50, "McCLANE"),
        ("dialogue", 51, 51, "Yippee ki-yay! I mean, **uh**..."),
        ("lyrics", 52, 52, "Willy Wonka! Willy Wonka!"),
        ("dialogue", 54, 54, "Still here."),
        ("note", 61, 61, "Tighten this."),
        ("action", 62, 62, "Steel grabs the \\*wrench\\*."),
        ("page_break", 64, 64, "==="),
        ("centered", 66, 66, "THE END"),
        ("transition", 68, 68, "FADE OUT."),
    ]
    assert got[3][3].startswith("A gorgeous day.")
    by_line = {e.line: e for e in elements}
    assert by_line[17].number == "1"
    assert by_line[35].forced and by_line[37].forced
    assert (by_line[39].dual, by_line[40].dual, by_line[42].dual, by_line[43].dual) == (
        "left", "left", "right", "right")
    assert by_line[42].text == "STEEL"  # the caret is not part of the name
    assert by_line[50].extensions == ("V.O.",) and by_line[50].forced
    assert by_line[51].character == "McCLANE" and by_line[52].character == "McCLANE"
    assert by_line[51].plain == "Yippee ki-yay! I mean, uh..."
    assert by_line[62].plain == "Steel grabs the *wrench*."
    assert [e.scene for e in elements[:3]] == [None, None, 0]
    assert {e.scene for e in elements if e.line >= 47} == {2}


def test_every_line_number_points_at_its_text() -> None:
    text = (FIXTURES / "spec.fountain").read_text()
    lines = text.splitlines()
    for e in parse_fountain(text)[1]:
        for k, part in enumerate(e.text.split("\n")):
            if part and e.kind not in {"character", "scene_heading"}:
                assert part.strip() in lines[e.line_of(k) - 1], (e.kind, e.line, part)


# --- title page ---------------------------------------------------------------------


def test_title_page_ends_at_first_blank_line() -> None:
    title, elements = parse_fountain("Title: Night Run\nAuthor: A. Writer\n\nEXT. ROAD - NIGHT\n")
    assert title == {"Title": "Night Run", "Author": "A. Writer"}
    assert [(e.kind, e.line) for e in elements] == [("scene_heading", 4)]
    assert kinds("Title: Night Run\n\nEXT. ROAD - NIGHT\n") == [("scene_heading", 3, 3)]


@pytest.mark.parametrize("first", ["FADE IN:", "Note: this is action.", "VEX: go"])
def test_no_title_page_without_a_title_key(first: str) -> None:
    title, elements = parse_fountain(f"{first}\n\nEXT. ROAD - NIGHT\n")
    assert title == {}
    assert elements[0].line == 1


# --- scene headings -----------------------------------------------------------------


@pytest.mark.parametrize("heading", [
    "INT. HOUSE - DAY", "EXT. ROAD - NIGHT", "EST. CITY - DAWN", "INT./EXT. CAR - DAY",
    "INT/EXT. CAR - DAY", "I/E CAR - DAY", "INT HOUSE - DAY", "ext. brick's pool - day",
])
def test_scene_heading_prefixes(heading: str) -> None:
    (e,) = only(f"Action.\n\n{heading}\n\nMore action.\n", "scene_heading")
    assert (e.text, e.line) == (heading, 3)


def test_forced_heading_and_ellipsis() -> None:
    assert kinds("\n.FLASHBACK\n\n...and then.\n") == [("scene_heading", 2, 2), ("action", 4, 4)]


@pytest.mark.parametrize("num", ["1", "1A", "1a", "A1", "I-1-A", "1.", "110A"])
def test_scene_numbers(num: str) -> None:
    (e,) = only(f"INT. HOUSE - DAY #{num}#\n\nAction.\n", "scene_heading")
    assert (e.text, e.number) == ("INT. HOUSE - DAY", num)


def test_interior_word_is_not_a_heading() -> None:
    assert only("Int. is short for interior, he says.\nAnd goes on.\n", "scene_heading") == []


# --- action -------------------------------------------------------------------------


def test_action_paragraph_keeps_lines_and_indentation() -> None:
    (e,) = only("\nThey run.\n\tThe wall looms.\n    Closer.\n", "action")
    assert (e.line, e.end_line, e.line_numbers) == (2, 4, [2, 3, 4])
    assert e.text == "They run.\n    The wall looms.\n    Closer."
    (indented,) = only("\n    Poem line.\n", "action")
    assert indented.indent == 4


def test_forced_action_and_two_space_line_in_action() -> None:
    (e,) = only("\n!SCANNING THE AISLES...\nNothing.\n  \nStill nothing.\n", "action")
    assert e.forced and e.text == "SCANNING THE AISLES...\nNothing.\n\nStill nothing."
    assert e.line_numbers == [2, 3, 4, 5]


# --- characters, parentheticals, dialogue ----------------------------------------------


def test_character_extensions_and_mixed_case_extension() -> None:
    cues = only("\nMOM (V.O.) (CONT'D)\nHi.\n\nHANS (on the radio)\nNow.\n", "character")
    assert [(c.text, c.extensions) for c in cues] == [
        ("MOM", ("V.O.", "CONT'D")), ("HANS", ("on the radio",))]


def test_character_needs_a_letter_and_following_dialogue() -> None:
    assert [c.text for c in only("\nR2D2\nBeep.\n", "character")] == ["R2D2"]
    assert only("\n23\nSkidoo.\n", "character") == []
    assert only("\nBRICK\n\nLater.\n", "character") == []  # nothing follows: action


def test_sound_effect_line_is_not_a_cue() -> None:
    assert kinds("\nBOOM!\nThe wall gives.\n") == [("action", 2, 3)]


def test_forced_character_mixed_case() -> None:
    (c,) = only("\n@McCLANE\nYippee ki-yay!\n", "character")
    assert (c.text, c.forced) == ("McCLANE", True)


def test_dialogue_block_with_parentheticals_and_line_breaks() -> None:
    text = "\nSTEEL\n(starting the engine)\nSo much for retirement!\nWe go.\n(beat)\n  \nNow.\n"
    got = [(e.kind, e.line, e.end_line, e.character) for e in parse_fountain(text)[1]]
    assert got == [
        ("character", 2, 2, "STEEL"), ("parenthetical", 3, 3, "STEEL"),
        ("dialogue", 4, 5, "STEEL"), ("parenthetical", 6, 6, "STEEL"),
        ("dialogue", 8, 8, "STEEL"),
    ]


def test_dialogue_keeps_an_intended_empty_line() -> None:
    (d,) = only("\nDEALER\nTen.\n  \nTwenty.\n", "dialogue")
    assert (d.text, d.line_numbers) == ("Ten.\n\nTwenty.", [3, 4, 5])


def test_dual_dialogue_marks_both_sides() -> None:
    text = "\nBRICK\nScrew retirement.\n\nSTEEL ^\n(together)\nScrew retirement.\n"
    duals = [(e.kind, e.dual) for e in parse_fountain(text)[1]]
    assert duals == [("character", "left"), ("dialogue", "left"), ("character", "right"),
                     ("parenthetical", "right"), ("dialogue", "right")]


def test_stray_caret_is_stripped_without_partner() -> None:
    (c,) = only("EXT. ROOF - DAY\n\nSTEEL ^\nAlone.\n", "character")
    assert (c.text, c.character, c.dual) == ("STEEL", "STEEL", None)
    (c2,) = [e for e in only("\nA\nHi.\n\nCUT TO:\n\nB ^\nHo.\n", "character") if e.text == "B"]
    assert c2.dual is None  # a transition between: not a pair


def test_lyrics() -> None:
    (e,) = only("\n~Willy Wonka! Willy Wonka!\n~The amazing chocolatier!\n", "lyrics")
    assert (e.text, e.line, e.end_line) == (
        "Willy Wonka! Willy Wonka!\nThe amazing chocolatier!", 2, 3)


# --- transitions, centered, page breaks ---------------------------------------------


def test_transitions() -> None:
    text = "Jack runs.\n\nCUT TO:\n\n>Burn to White.\n\nsmash cut to:\n"
    assert [(e.kind, e.text) for e in parse_fountain(text)[1]] == [
        ("action", "Jack runs."), ("transition", "CUT TO:"), ("transition", "Burn to White."),
        ("action", "smash cut to:")]


def test_centered_and_page_break() -> None:
    text = ">THE END<\n\n> INTERMISSION <\n\n===\n\n====\n"
    assert [(e.kind, e.text, e.line) for e in parse_fountain(text)[1]] == [
        ("centered", "THE END", 1), ("centered", "INTERMISSION", 3),
        ("page_break", "===", 5), ("page_break", "====", 7)]


# --- sections, synopses, notes, boneyard ------------------------------------------------


def test_sections_and_synopses() -> None:
    text = "# Act\n\n## Sequence\n\n### Scene\n\n= Steel meets Brick.\n"
    got = [(e.kind, e.text, e.depth, e.line) for e in parse_fountain(text)[1]]
    assert got == [("section", "Act", 1, 1), ("section", "Sequence", 2, 3),
                   ("section", "Scene", 3, 5), ("synopsis", "Steel meets Brick.", 0, 7)]


def test_inline_note_is_lifted_out_of_action() -> None:
    els = parse_fountain("\nVex runs. [[faster?]] She jumps.\n")[1]
    assert [(e.kind, e.text, e.line) for e in els] == [
        ("action", "Vex runs.  She jumps.", 2), ("note", "faster?", 2)]


def test_multi_line_note_spans_lines_and_keeps_dialogue_whole() -> None:
    text = "\nVEX\nFirst.\n[[is this\n  right?]]\nSecond.\n"
    got = [(e.kind, e.line, e.end_line, e.text) for e in parse_fountain(text)[1]]
    assert got == [("character", 2, 2, "VEX"), ("dialogue", 3, 6, "First.\nSecond."),
                   ("note", 4, 5, "is this\nright?")]
    assert only(text, "dialogue")[0].line_numbers == [3, 6]


def test_note_may_not_cross_an_empty_line() -> None:
    assert only("\nA [[broken\n\nnote]] here.\n", "note") == []


def test_boneyard_removed_but_lines_counted() -> None:
    text = "\nBefore.\n\n/*\nINT. CUT SCENE - DAY\n\nGone.\n*/\n\nAfter /* aside */ still.\n"
    got = [(e.kind, e.line, e.text) for e in parse_fountain(text)[1]]
    assert got == [("action", 2, "Before."), ("action", 10, "After  still.")]


def test_unclosed_boneyard_is_kept_as_text() -> None:
    assert [e.text for e in parse_fountain("\nA /* never closed.\n")[1]] == ["A /* never closed."]


# --- emphasis -----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "plain"), [
    ("*italics*", "italics"), ("**bold**", "bold"), ("***bold italics***", "bold italics"),
    ("_underline_", "underline"), ("From _an *italic* word_.", "From an italic word."),
    ("He dialed *69 and then *23.", "He dialed *69 and then *23."),
    ("Code: **\\*9765\\***", "Code: *9765*"),
])
def test_emphasis(written: str, plain: str) -> None:
    assert strip_emphasis(written) == plain
    (e,) = parse_fountain("\n" + written + "\n")[1]
    assert (e.text, e.plain) == (written, plain)


# --- messy real scripts -----------------------------------------------------------------


def test_heading_glued_to_action_and_cue() -> None:
    text = "INT. WAREHOUSE - NIGHT\nVex kicks the door in.\n\nEXT. DOCK - NIGHT\nKADE\nToo late.\n"
    assert kinds(text) == [("scene_heading", 1, 1), ("action", 2, 2), ("scene_heading", 4, 4),
                           ("character", 5, 5), ("dialogue", 6, 6)]


def test_heading_and_transition_glued_into_action() -> None:
    text = "\nShe falls.\nCUT TO:\n\nHe runs.\nEXT. STREET - DAY\n\nRain.\n"
    assert kinds(text) == [("action", 2, 2), ("transition", 3, 3), ("action", 5, 5),
                           ("scene_heading", 6, 6), ("action", 8, 8)]


def test_fade_in_before_heading_is_not_a_cue() -> None:
    # a transition, as scripts mean it; read as action it drafted a shot of nothing
    assert kinds("FADE IN:\nEXT. ROOF - NIGHT\n\nWind.\n")[:2] == [
        ("transition", 1, 1), ("scene_heading", 2, 2)]


@pytest.mark.parametrize("text", ["FADE OUT.", "FADE IN:", "FADE TO BLACK.", "CUT TO BLACK.",
                                  "INTERCUT WITH:", "SMASH CUT TO:"])
def test_transitions_scripts_write_without_to(text: str) -> None:
    assert kinds(f"Vex runs.\n\n{text}\n\nKade waits.\n")[1] == ("transition", 3, 3)


@pytest.mark.parametrize("line", ["ANGLE ON MARA", "CLOSE ON THE KEY", "KADE'S POV",
                                  "INSERT - THE KEYCARD", "BACK TO SCENE", "WIDE ON THE DOCK"])
def test_a_camera_direction_is_not_a_cue(line: str) -> None:
    assert kinds(f"\n{line}\nShe bleeds.\n") == [("action", 2, 3)]
    assert kinds("\nONE-EYED JACK\nShe bleeds.\n")[0] == ("character", 2, 2)


def test_no_headings_is_one_implicit_scene() -> None:
    els = parse_fountain("Vex waits.\n\nKADE\nReady?\n\nThey fight.\n")[1]
    assert {e.scene for e in els} == {0}


def test_content_before_the_first_heading_is_scene_zero() -> None:
    els = parse_fountain("# Act\n\nVex waits.\n\nEXT. ROOF - DAY\n\nWind.\n")[1]
    assert [(e.kind, e.scene) for e in els] == [
        ("section", None), ("action", 0), ("scene_heading", 1), ("action", 1)]


def test_crlf_and_script_lines_agree() -> None:
    text = "EXT. ROOF - DAY\r\n\r\nVex runs.\r\n\r\nVEX\r\nGo.\r\n"
    script = Script.from_text(text)
    for e in script.elements:
        assert e.text.split("\n")[0] in script.lines[e.line - 1]
    assert [e.line for e in script.elements] == [1, 3, 5, 6]


def test_empty_and_blank_scripts() -> None:
    assert parse_fountain("") == ({}, [])
    assert parse_fountain("\n\n  \n") == ({}, [])
