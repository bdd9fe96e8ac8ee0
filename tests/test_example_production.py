"""The example production and the `aktion init` template load, and are good examples.

Beyond loading cleanly, they must show what the format is for: shots and beats that
trace back to the script lines they perform, blocking that puts fighters face to
face, coverage in several sizes and camera moves, and two characters that are easy
to tell apart.
"""

from __future__ import annotations

import math
import shutil
from importlib import resources
from pathlib import Path

import pytest

from aktion.production.load import load_production
from aktion.production.production import Production

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "rooftop"

STRIKES = {"jab", "cross", "hook", "uppercut", "front_kick", "roundhouse"}


def _library_moves() -> list[str]:
    """The move library's names: what a beat's `move` may be."""
    from aktion.previz.moves import MoveLibrary

    return list(MoveLibrary.load().names())


def _load(path: Path) -> Production:
    return load_production(path, moves=_library_moves())


@pytest.fixture(scope="module")
def rooftop() -> Production:
    return _load(EXAMPLE)


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("init") / "my-fight"
    src = resources.files("aktion") / "templates" / "production"
    with resources.as_file(src) as folder:
        shutil.copytree(folder, dest)
    toml = dest / "aktion.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("{{name}}", "my-fight"),
                    encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def template(template_dir: Path) -> Production:
    return _load(template_dir)


def _beats(p: Production):
    for _, shot in p.shots():
        for beat in p.beats(shot.id):
            yield shot, beat


def _mark(shot, who):
    return next(m for m in shot.blocking if m.who == who)


def _position(p: Production, shot, who: str, t: int) -> tuple[float, float]:
    """Where ``who`` stands at frame ``t``: their mark, moved by the footwork before ``t``."""
    at = _mark(shot, who).at
    for beat in p.beats(shot.id):
        if beat.t < t and beat.who == who and beat.to is not None:
            at = beat.to
    return at


# --- checks both productions must pass ---------------------------------------------


def check_traceable(p: Production) -> None:
    """Shots and beats cite real script lines, and each beat the line that performs it."""
    n = len(p.script.lines)
    for _, shot in p.shots():
        a, b = shot.lines
        assert 1 <= a <= b <= n, f"{shot.id} lines {shot.lines} outside the script (1-{n})"
    for shot, beat in _beats(p):
        assert beat.line is not None, f"{shot.id}: a beat at {beat.t} cites no script line"
        a, b = shot.lines
        assert a <= beat.line <= b, f"{shot.id}: beat cites line {beat.line}, shot shows {a}-{b}"
        if beat.who is None:
            continue
        text = p.script.lines[beat.line - 1].lower()
        name = p.cast[beat.who].name.lower()
        move_words = beat.move.replace("_", " ").split()
        assert name in text or any(w in text for w in move_words), (
            f"{shot.id}: {beat.who} {beat.move} cites line {beat.line}, "
            f"which mentions neither: {text!r}"
        )


def check_choreography(p: Production) -> None:
    for shot, beat in _beats(p):
        assert beat.t < shot.duration, f"{shot.id}: beat at {beat.t} after the shot ends"
        if beat.camera is not None:
            continue
        blocked = {m.who for m in shot.blocking}
        assert beat.who in blocked, f"{shot.id}: {beat.who} acts but is not blocked"
        assert beat.move in _library_moves(), f"{shot.id}: move {beat.move!r}"
        if beat.move in STRIKES:
            assert beat.target in blocked and beat.target != beat.who, (
                f"{shot.id}: {beat.move} by {beat.who} needs a blocked opponent as target")
            me = _position(p, shot, beat.who, beat.t)
            them = _position(p, shot, beat.target, beat.t)
            bearing = math.degrees(math.atan2(them[1] - me[1], them[0] - me[0]))
            off = abs((_mark(shot, beat.who).facing - bearing + 180) % 360 - 180)
            assert off <= 45, f"{shot.id}: {beat.who} strikes {beat.target} facing {off:.0f}° away"
        if beat.move in {"walk", "run"}:
            assert beat.to is not None, f"{shot.id}: {beat.move} without a destination"


def check_cast_matches_script(p: Production) -> None:
    names = {c.name.upper() for c in p.cast.values()}
    speakers = {s.upper() for s in p.script.characters}
    assert speakers, "the script has no dialogue"
    assert speakers <= names, f"speakers without a cast file: {speakers - names}"
    assert any(e.kind == "dialogue" for e in p.script.elements)
    primaries = [c.palette.primary for c in p.cast.values()]
    rgb = [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in primaries]
    for i in range(len(rgb)):
        for j in range(i + 1, len(rgb)):
            assert math.dist(rgb[i], rgb[j]) > 100, f"look-alike palettes: {primaries}"


@pytest.mark.parametrize("which", ["rooftop", "template"])
def test_loads_and_traces_to_the_script(which: str, request: pytest.FixtureRequest) -> None:
    p = request.getfixturevalue(which)
    check_traceable(p)
    check_choreography(p)
    check_cast_matches_script(p)


# --- the example ---------------------------------------------------------------------


def test_rooftop_settings(rooftop: Production) -> None:
    s = rooftop.settings
    assert (s.name, s.fps, s.width, s.height, s.policy) == ("rooftop", 24, 1280, 720, "previz")
    assert set(rooftop.cast) == {"vex", "kade"}


def test_rooftop_is_a_full_scene(rooftop: Production) -> None:
    shots = [shot for _, shot in rooftop.shots()]
    beats = [beat for _, beat in _beats(rooftop)]
    assert len(shots) >= 8
    assert len(beats) >= 20
    assert len({s.size for s in shots}) >= 3
    assert len({s.move.type for s in shots} - {"static"}) >= 2
    fps = rooftop.settings.fps
    for s in shots:
        assert 1.5 * fps <= s.duration <= 4 * fps, f"{s.id}: {s.duration} frames"
    assert 25 * fps <= sum(s.duration for s in shots) <= 36 * fps


def test_rooftop_choreography_has_range(rooftop: Production) -> None:
    beats = [beat for _, beat in _beats(rooftop)]
    moves = {b.move for b in beats if b.move}
    assert {"walk", "run"} & moves, "no footwork"
    assert len(moves & STRIKES) >= 4
    assert {"fall", "get_up"} <= moves, "no knockdown and recovery"
    landed = [b for b in beats if b.hit]
    assert {b.who for b in landed} == {"vex", "kade"}, "both fighters should land blows"
    assert {"shake", "push_in"} <= {b.camera for b in beats if b.camera}


def test_rooftop_keeps_the_line_and_cuts(rooftop: Production) -> None:
    shots = [shot for _, shot in rooftop.shots()]
    assert len({s.side for s in shots}) == 1, "a shot crosses the line of action"
    assert all(s.transition.type == "cut" for s in shots)
    for s in shots:
        # Vex is screen left of Kade in every shot: always on the -x side.
        assert _mark(s, "vex").at[0] < _mark(s, "kade").at[0], s.id


def test_rooftop_boards_cover_the_scene(rooftop: Production) -> None:
    covered = set()
    for _, shot in rooftop.shots():
        covered.update(range(shot.lines[0], shot.lines[1] + 1))
    story = [e for e in rooftop.script.elements
             if e.scene is not None and e.kind in {"action", "dialogue"}]
    assert story
    missing = [e.line for e in story if e.line not in covered]
    assert not missing, f"script lines no shot shows: {missing}"


def test_rooftop_fighters_square_up(rooftop: Production) -> None:
    """When a blow is thrown they stand about a metre apart, facing each other."""
    strikes = [(shot, b) for shot, b in _beats(rooftop) if b.move in STRIKES]
    assert strikes
    for shot, beat in strikes:
        gap = math.dist(_position(rooftop, shot, "vex", beat.t),
                        _position(rooftop, shot, "kade", beat.t))
        assert 0.8 <= gap <= 1.6, f"{shot.id} at {beat.t}: {gap:.2f} m apart"
        vex, kade = _mark(shot, "vex"), _mark(shot, "kade")
        assert abs((vex.facing - kade.facing) % 360 - 180) <= 30, shot.id


# --- the template --------------------------------------------------------------------


def test_template_placeholder_only_in_settings() -> None:
    root = resources.files("aktion") / "templates" / "production"
    with resources.as_file(root) as folder:
        files = [f for f in Path(folder).rglob("*") if f.is_file()]
        assert "{{name}}" in (Path(folder) / "aktion.toml").read_text(encoding="utf-8")
        for f in files:
            if f.name != "aktion.toml":
                assert "{{" not in f.read_text(encoding="utf-8"), f


def test_template_is_small_but_complete(template: Production) -> None:
    assert template.settings.name == "my-fight"
    shots = [shot for _, shot in template.shots()]
    assert 2 <= len(shots) <= 3
    assert len(template.cast) == 2
    assert len(template.boards.scenes) == 1
    assert len([b for _, b in _beats(template)]) >= 3


def test_the_example_fight_uses_twenty_moves() -> None:
    moves = {b.move for _, b in _beats(_load(EXAMPLE)) if b.move}
    assert len(moves) >= 20, sorted(moves)
