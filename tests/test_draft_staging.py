"""Drafted blocking: speakers turn to their listener, groups are all there, fighters close to
the reach of their moves, tight fight shots favour the face that takes the blow, and the
set has what the action is driven into."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from aktion.previz.moves import MoveLibrary
from aktion.previz.reach import spacing
from aktion.production.load import load_production
from aktion.production.production import Production
from aktion.writers_room.breakdown import breakdown
from aktion.writers_room.draft import draft
from aktion.writers_room.merge import write_draft
from aktion.writers_room.moves import library_moves
from aktion.writers_room.set_pieces import SetDresser, table
from aktion.writers_room.source import resolve
from aktion.writers_room.staging import REACH_SLACK, facing_to, group_subject, is_group, within

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"
TOML = '[production]\nname = "staging"\nfps = 24\nwidth = 160\nheight = 96\n'
LIBRARY = MoveLibrary.load()


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Production]:
    out = {}
    for name in ("dockside", "last_orders"):
        root = tmp_path_factory.mktemp(name)
        shutil.copy(FIXTURES / f"{name}.fountain", root / "script.fountain")
        (root / "aktion.toml").write_text(TOML)
        write_draft(resolve(root), draft(breakdown(root), fps=24, moves=library_moves()))
        out[name] = load_production(root)
    return out


def _shot_at(production: Production, text: str):
    for _, shot in production.shots():
        if shot.note.startswith(text):
            return shot
    raise AssertionError(f"no shot noted {text!r}")


def _line(production: Production, text: str) -> int:
    return next(i for i, ln in enumerate(production.script.lines, 1) if text in ln)


def test_speakers_face_their_listener(drafts: dict[str, Production]) -> None:
    over = 0
    for production in drafts.values():
        for _, shot in production.shots():
            if not shot.note.startswith("Over"):
                continue
            speaker, listener = shot.blocking[0], shot.blocking[1]
            assert shot.frame == [speaker.who]
            toward = facing_to(speaker.at, listener.at)
            assert abs((speaker.facing - toward + 180) % 360 - 180) < 0.2, shot.id
            back = facing_to(listener.at, speaker.at)
            assert abs((listener.facing - back + 180) % 360 - 180) < 0.2, shot.id
            over += 1
    assert over >= 20


def test_a_group_sentence_blocks_everyone_present(drafts: dict[str, Production]) -> None:
    production = drafts["last_orders"]
    circle = _shot_at(production, "They get up slowly and circle her.")
    assert {m.who for m in circle.blocking} == {"nell", "drago", "milo"}
    beats = production.beats(circle.id)
    assert {b.who for b in beats if b.move == "get_up"} == {"drago", "milo"}  # not her
    rush = _shot_at(production, "The thugs rush her.")
    assert {m.who for m in rush.blocking} == {"nell", "drago", "milo"}
    runners = [b for b in production.beats(rush.id) if b.move == "run"]
    assert {b.who for b in runners} == {"drago", "milo"} and len({b.t for b in runners}) == 1
    assert is_group("Both of them fall.") and group_subject("The thugs rush her.")
    assert not group_subject("Nell faces them.")


def test_strikes_are_thrown_from_within_reach(drafts: dict[str, Production]) -> None:
    """Where each strike starts, the target is within the move's reach (plus what the
    solver's step-in covers): a striker out of range walks or runs in first."""
    closed = 0
    for production in drafts.values():
        for _, shot in production.shots():
            where = {m.who: m.at for m in shot.blocking}
            for beat in production.beats(shot.id):
                if beat.to is not None and beat.who in where:
                    where[beat.who] = beat.to
                    closed += 1
                move = LIBRARY[beat.move] if beat.move else None
                if move is None or move.kind != "strike" or not beat.target:
                    continue
                gap = math.dist(where[beat.who], where[beat.target])
                need = spacing(move, beat.hit or "body")
                assert gap <= need + REACH_SLACK + 0.01, (shot.id, beat, gap, need)
    assert closed >= 5


def test_tight_fight_shots_favour_the_face_that_takes_the_blow(
        drafts: dict[str, Production]) -> None:
    tight = 0
    for production in drafts.values():
        for _, shot in production.shots():
            strikes = [b for b in production.beats(shot.id) if b.target]
            if shot.size not in ("MCU", "CU") or not strikes or shot.move.type != "handheld":
                continue
            landed = [b for b in strikes if b.hit]
            assert shot.frame == [(landed or strikes)[-1].target], shot.id
            tight += 1
        # a medium fight shot holds both sides of the exchange
        for _, shot in production.shots():
            strikes = [b for b in production.beats(shot.id) if b.target]
            if shot.size == "MS" and strikes:
                assert {strikes[0].who, strikes[0].target} == set(shot.frame), shot.id
    assert tight >= 8


def test_set_pieces_stand_where_the_action_needs_them(drafts: dict[str, Production]) -> None:
    for name, text, target, noun in (
            ("dockside", "Mara slams him into the crates.", "rook", "crates"),
            ("last_orders", "Nell slams Milo into the counter.", "milo", "counter"),
            ("last_orders", "Drago slams Nell into the wall.", "nell", "wall")):
        production = drafts[name]
        line = _line(production, text)
        scene = next(sc for sc in production.boards.scenes
                     if any(s.lines[0] <= line <= s.lines[1] for s in sc.shots))
        shot = next(s for s in scene.shots if s.lines[0] <= line <= s.lines[1])
        [box] = [b for b in scene.set.boxes if b.name == noun and b.line == line]
        marks = {m.who: m.at for m in shot.blocking}
        striker = next(b.who for b in production.beats(shot.id) if b.target == target)
        # behind the target, seen from the striker, and near enough to be driven into
        away = (marks[target][0] - marks[striker][0], marks[target][1] - marks[striker][1])
        to_box = (box.at[0] - marks[target][0], box.at[1] - marks[target][1])
        assert away[0] * to_box[0] + away[1] * to_box[1] > 0, (noun, box)
        assert math.dist(box.at, marks[target]) < 1.3, (noun, box)
    # a piece the words only mention stands at the back, across the line from the camera
    alley = next(sc for sc in drafts["last_orders"].boards.scenes if "ALLEY" in sc.heading)
    assert {"dumpster", "wall", "bins", "door"} <= {b.name for b in alley.set.boxes}
    words = {piece.name: piece.words for piece in table()}
    for production in drafts.values():
        for scene in production.boards.scenes:
            for box in scene.set.boxes:  # each cites the line whose words call for it
                said = production.script.lines[box.line - 1].lower()
                assert any(w in said for w in words[box.name]), box


def test_nobody_starts_a_shot_inside_a_set_piece(drafts: dict[str, Production]) -> None:
    for production in drafts.values():
        for scene, shot in production.shots():
            for mark in shot.blocking:
                for box in scene.set.boxes:
                    inside = all(abs(mark.at[i] - box.at[i]) < box.size[2 * i] / 2 - 0.05
                                 for i in (0, 1))
                    assert not inside, (shot.id, mark.who, box.name)


def test_the_dresser_places_from_the_sentence() -> None:
    """A sentence's own words decide: into -> behind the target; by -> beside someone."""
    from aktion.writers_room.actions import Action, ReadBeat
    from aktion.writers_room.breakdown import Beat

    dresser = SetDresser("left", {"kade"})
    pos = {"vex": (-0.5, 0.0, 0.0), "kade": (0.5, 0.0, 180.0)}
    slam = ReadBeat(Beat(line=7, end_line=7, text="Vex slams Kade into the dumpster."),
                    [Action("throw", "vex", "strike", 4, target="kade")], people=["vex", "kade"])
    dresser.note(slam, pos)
    wait = ReadBeat(Beat(line=9, end_line=9, text="Vex waits by the car."), people=["vex"])
    dresser.note(wait, pos)
    desc = ReadBeat(Beat(line=3, end_line=3, text="A table, stools upended."))
    dresser.note(desc, pos)
    boxes = {b["name"]: b for b in dresser.boxes([(-0.5, 0.0), (0.5, 0.0)])}
    assert boxes["dumpster"]["at"][0] > 0.5 and boxes["dumpster"]["line"] == 7
    assert boxes["car"]["at"][1] < 0 and abs(boxes["car"]["at"][0] + 0.5) < 1.5
    assert boxes["table"]["at"][1] <= -2.8  # the back of the set, away from the camera
    assert within((-3.0, 0.0, 0.0), (0.5, 0.0, 180.0), 0.9) == (-0.4, 0.0)
