"""Malformed, hostile and absurd production inputs: each one is a clear ``file:line``
error from ``aktion check``, never a traceback, a hang or a silent wrong result, and
nothing renders from it."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aktion.cli import _register, app
from conftest import write_production

_register()
runner = CliRunner()

Mutation = Callable[[Path], None]


def _edit(name: str, old: str, new: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1))
    return mutate


def _write(name: str, data: str | bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
    return mutate


def _append(name: str, text: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / name
        path.write_text(path.read_text() + text)
    return mutate


def _replace_with(name: str, make: Callable[[Path], None]) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / name
        if path.exists() or path.is_symlink():
            path.unlink()
        make(path)
    return mutate


def _with_ref(ref_bytes: bytes, name: str = "face.png") -> Mutation:
    def mutate(root: Path) -> None:
        (root / "cast" / name).write_bytes(ref_bytes)
        path = root / "cast" / "vex.yaml"
        path.write_text(path.read_text() + f"refs: [{name}]\n")
    return mutate


def _canvas(shots: str) -> Mutation:
    """A ``canvas.yaml`` whose ``shots:`` mapping is ``shots`` (its first entry on line 3)."""
    return _write("canvas.yaml", f"schema: Canvas.1\nshots:\n{shots}\n")


def _score(name: str, make: Callable[[Path], None] | None = None) -> Mutation:
    """A temp score for the scene, ``name`` relative to the production (line 4)."""
    def mutate(root: Path) -> None:
        if make is not None:
            make(root / name)
        (root / "canvas.yaml").write_text(f"schema: Canvas.1\nscenes:\n  roof:\n"
                                          f"    audio: {name}\n")
    return mutate


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims a size (a pixel bomb needs no pixels to be dangerous)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0"))
            + chunk(b"IEND", b""))


def _gif() -> bytes:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="GIF")
    return buf.getvalue()


def _laughs() -> str:
    lines = ["schema: Choreo.1", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    lines.append("shots: {}")
    return "\n".join(lines) + "\n"


CASES: dict[str, tuple[Mutation, str]] = {
    # the shape of the files
    "empty boards": (_write("boards.yaml", ""), "boards.yaml: empty file"),
    "boards only a comment": (_write("boards.yaml", "# nothing yet\n"), "boards.yaml: empty file"),
    "boards a list": (_write("boards.yaml", "- a\n- b\n"), "boards.yaml:1"),
    "deep nesting": (_write("boards.yaml", "[" * 100_000), "boards.yaml"),
    "nesting past the limit": (_write("boards.yaml", "a: " + "[" * 80 + "]" * 80 + "\n"),
                               "nested too deeply"),
    "billion laughs": (_write("choreo.yaml", _laughs()), "choreo.yaml:"),
    "huge boards": (_write("boards.yaml", "# pad\n" * 4_500_000), "MB a source file may be"),
    "not utf-8": (_write("boards.yaml", b"schema: Boards.1\nscenes: [\xff\xfe]\n"), "not UTF-8"),
    "yaml syntax": (_edit("boards.yaml", "size: WS", "size: [WS"), "boards.yaml:"),
    "tabs": (_edit("boards.yaml", "  - id: roof", "\t- id: roof"), "boards.yaml:"),
    # files that are not files
    "cast file a directory": (lambda r: (r / "cast" / "ghost.yaml").mkdir(), "is a directory"),
    "cast symlink loop": (lambda r: (r / "cast" / "ghost.yaml").symlink_to("ghost.yaml"),
                          "symlink loop"),
    "cast dangling symlink": (lambda r: (r / "cast" / "ghost.yaml").symlink_to("nowhere.yaml"),
                              "a symlink to nothing"),
    "cast FIFO": (lambda r: os.mkfifo(r / "cast" / "ghost.yaml"), "FIFO"),
    "choreo a directory": (_replace_with("choreo.yaml", lambda p: p.mkdir()), "is a directory"),
    "choreo /dev/zero": (_replace_with("choreo.yaml", lambda p: p.symlink_to("/dev/zero")),
                         "character device"),
    "script symlinked out": (_replace_with("script.fountain",
                                           lambda p: p.symlink_to("/etc/hostname")),
                             "leads outside the production"),
    "script absolute": (_edit("aktion.toml", 'policy = "previz"',
                              'policy = "previz"\nscript = "/etc/passwd"'), "aktion.toml:"),
    "boards /dev/zero": (_edit("aktion.toml", 'policy = "previz"',
                               'policy = "previz"\nboards = "/dev/zero"'), "aktion.toml:"),
    "cast dir upward": (_edit("aktion.toml", 'policy = "previz"',
                              'policy = "previz"\ncast_dir = "../elsewhere"'), "aktion.toml:"),
    # numbers
    "duration absurd": (_edit("boards.yaml", "duration: 12", 'duration: "99999999s"'),
                        "boards.yaml:13"),
    "duration negative": (_edit("boards.yaml", "duration: 12", "duration: -3"), "boards.yaml:13"),
    "facing nan": (_edit("boards.yaml", "facing: 0}", "facing: .nan}"), "boards.yaml:15"),
    "facing inf": (_edit("boards.yaml", "facing: 180}", "facing: -.inf}"), "boards.yaml:16"),
    "mark 1e308": (_edit("boards.yaml", "at: [-0.6, 0]", "at: [1.0e+308, 0]"), "boards.yaml:15"),
    "box size huge": (_edit("boards.yaml", "size: [1.0, 1.0, 1.0]", "size: [1.0e+9, 1.0, 1.0]"),
                      "boards.yaml:7"),
    "lens nan": (_edit("boards.yaml", "lens: 28", "lens: .nan"), "boards.yaml:12"),
    "beat to nan": (_edit("choreo.yaml", "move: guard, line: 6", "move: guard, to: [.nan, 0]"),
                    "choreo.yaml:5"),
    "build nan": (_edit("cast/vex.yaml", "height: 1.70", "height: .nan"), "vex.yaml:5"),
    "width odd": (_edit("aktion.toml", "width = 160", "width = 161"), "aktion.toml:5"),
    "fps zero": (_edit("aktion.toml", "fps = 24", "fps = 0"), "aktion.toml:4"),
    "fps huge": (_edit("aktion.toml", "fps = 24", "fps = 100000"), "aktion.toml:4"),
    "width 100000": (_edit("aktion.toml", "width = 160", "width = 100000"), "aktion.toml:5"),
    # links between files
    "duplicate scene": (_append("boards.yaml", '  - id: roof\n    shots:\n'
                                '      - {id: "3", lines: [4, 4], duration: 12}\n'),
                        "boards.yaml:25: duplicate scene id `roof`"),
    "duplicate shot": (_edit("boards.yaml", 'id: "2"', 'id: "1"'), "duplicate shot id"),
    "beat outside shot": (_edit("choreo.yaml", "{t: 1, who", "{t: 99, who"), "choreo.yaml:8"),
    "unknown move": (_edit("choreo.yaml", "move: jab", "move: moonwalk"), "choreo.yaml:8"),
    "unknown cast in blocking": (_edit("boards.yaml", "{who: kade, at: [0.6, 0]",
                                       "{who: ghost, at: [0.6, 0]"), "boards.yaml:16"),
    "lines past the script": (_edit("boards.yaml", "lines: [14, 14]", "lines: [14, 400]"),
                              "boards.yaml:18"),
    "beat cites a line past the script": (_edit("choreo.yaml", "line: 14", "line: 999"),
                                          "choreo.yaml:8"),
    "cast id mismatch": (_edit("cast/vex.yaml", "id: vex", "id: vexx"), "vex.yaml:2"),
    "cast unknown field": (_edit("cast/vex.yaml", "seed: 11", "seed: 11\nfavourite: red"),
                           "vex.yaml:8"),
    "cast negative seed": (_edit("cast/vex.yaml", "seed: 11", "seed: -1"), "vex.yaml:7"),
    "schema from the future": (_edit("boards.yaml", "schema: Boards.1", "schema: Boards.9"),
                               "boards.yaml"),
    # reference images
    "reference an mp4": (_with_ref(b"\x00\x00\x00\x18ftypmp42" + b"\0" * 64), "is not an image"),
    "reference html": (_with_ref(b"<!doctype html><title>x</title>"), "is not an image"),
    "reference gif": (_with_ref(_gif()), "is a GIF image"),
    "reference pixel bomb": (_with_ref(_png_header(30_000, 30_000)), "too many pixels"),
    "reference too big": (_with_ref(_png_header(9_000, 8_000)), "megapixels"),
    "reference outside": (_edit("cast/vex.yaml", "seed: 11", "seed: 11\nrefs: [../../x.png]"),
                          "vex.yaml:8"),
    "script missing": (lambda r: (r / "script.fountain").unlink(), "script not found"),
    # the canvas: every edit the cut will make
    "canvas unknown shot": (_canvas('  "9": {extend: 3}'), "canvas.yaml:3: shot 9 is not on"),
    "canvas unknown scene": (_write("canvas.yaml", "schema: Canvas.1\nscenes:\n  hall: "
                                    "{order: ['1']}\n"), "canvas.yaml:3: scene hall is not"),
    "canvas dissolve longer than its shot": (
        _canvas('  "2":\n    transition: {type: dissolve, duration: 100}'),
        "canvas.yaml:4: a dissolve of 100 frames into shot 2, which has 12 frames"),
    "canvas dissolve longer than the shot before": (
        _canvas('  "1": {trim: {in: 6}}\n  "2":\n    transition: {type: dissolve, duration: 8}'),
        "canvas.yaml:5: a dissolve of 8 frames out of shot 1, which has 6 frames"),
    "canvas whip too long": (_canvas('  "2":\n    transition: {type: whip, duration: 40}'),
                             "a whip of 40 frames into shot 2"),
    "canvas transition with no frames": (_canvas('  "2":\n    transition: {type: dissolve}'),
                                         "canvas.yaml:4: `shots.2.transition`"),
    "canvas unknown transition": (_canvas('  "2":\n    transition: {type: wipe, duration: 4}'),
                                  "canvas.yaml:4: `shots.2.transition.type`: got 'wipe'"),
    "canvas negative extend": (_canvas('  "2":\n    extend: -2'),
                               "canvas.yaml:4: `shots.2.extend`: got -2"),
    "canvas extend absurd": (_canvas('  "2":\n    extend: "99999999s"'),
                             "canvas.yaml:4: `shots.2.extend`"),
    "canvas trim in past the end": (_canvas('  "1":\n    extend: 2\n    trim: {in: 40}'),
                                    "canvas.yaml:5: trim in at frame 40, but shot 1 has 14"),
    "canvas trim out past the end": (_canvas('  "1":\n    trim: {in: 2, out: 99}'),
                                     "canvas.yaml:4: trim out at frame 99, past the end"),
    "canvas trim out before in": (_canvas('  "1":\n    trim: {in: 8, out: 4}'),
                                  "canvas.yaml:4: `shots.1.trim`"),
    "canvas speed zero": (_canvas('  "1":\n    speed: {start: 0, end: 1}'),
                          "canvas.yaml:4: `shots.1.speed.start`"),
    "canvas pick a missing take": (_canvas('  "1":\n    pick: 3'), "pick 3: only 1 take"),
    "canvas order names an unknown shot": (
        _write("canvas.yaml", "schema: Canvas.1\nscenes:\n  roof:\n    order: ['2', '7']\n"),
        "canvas.yaml:4: scene roof order names shot 7"),
    "canvas order names a shot twice": (
        _write("canvas.yaml", "schema: Canvas.1\nscenes:\n  roof:\n    order:\n      - '2'\n"
               "      - '2'\n"), "canvas.yaml:6: scene roof order names shot 2 twice"),
    "canvas score missing": (_score("score.wav"),
                             "canvas.yaml:4: scene roof score score.wav not found"),
    "canvas score a directory": (_score("music", lambda p: p.mkdir()), "is a directory"),
    "canvas score leads outside": (_score("score.wav", lambda p: p.symlink_to("/etc/hostname")),
                                   "leads outside the production"),
    "canvas score not sound": (_score("notes.txt", lambda p: p.write_text("la la")),
                               "is not a sound file (.txt)"),
    "canvas score absolute": (_score("/etc/hostname"), "is an absolute path"),
    "canvas score not audio": (_score("score.wav", lambda p: p.write_text("la la la")),
                               "score.wav is not a readable sound file"),
    "canvas yaml syntax": (_write("canvas.yaml", "schema: Canvas.1\nshots: [\n"),
                           "canvas.yaml:3"),
    "canvas FIFO": (lambda r: os.mkfifo(r / "canvas.yaml"), "canvas.yaml: is a FIFO"),
    "canvas from the future": (_write("canvas.yaml", "schema: Canvas.9\n"), "canvas.yaml"),
    "board dissolve longer than its shot": (
        _edit("boards.yaml", "move: dolly", "move: dolly\n        transition: {type: dissolve, "
              "duration: 30}"), "boards.yaml:21: a dissolve of 30 frames into shot 2"),
    # the production's moves (motion capture imports land there)
    "move name with a space": (_write("moves/My Walk.yaml", "schema: Move.1\nname: My Walk\n"
                                      "duration: 10\nkeys:\n  - t: 0\n"),
                               "My Walk.yaml:2: `name`"),
    "move with nan": (_write("moves/walk2.yaml", "schema: Move.1\nname: walk2\nduration: 10\n"
                             "keys:\n  - {t: 0, joints: {l_knee: [.nan, 0, 0]}}\n"),
                      "walk2.yaml:5"),
    "move file a FIFO": (lambda r: (r / "moves").mkdir() or os.mkfifo(r / "moves" / "x.yaml"),
                         "x.yaml: is a FIFO"),
    "move symlinked outside": (lambda r: (r / "moves").mkdir() or (
        r / "moves" / "hostname.yaml").symlink_to("/etc/hostname"), "leads outside"),
    "move with no keys": (_write("moves/stand.yaml", "schema: Move.1\nname: stand\n"
                                 "duration: 10\nkeys: []\n"), "stand.yaml"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_clear_error_and_nothing_renders(case: str, tmp_path: Path) -> None:
    mutate, expected = CASES[case]
    root = write_production(tmp_path)
    mutate(root)
    checked = runner.invoke(app, ["check", str(root)])
    assert checked.exit_code == 2, checked.output
    assert expected in checked.output, checked.output
    assert "Traceback" not in checked.output and checked.exception is None or isinstance(
        checked.exception, SystemExit)
    rendered = runner.invoke(app, ["render", str(root)])
    assert rendered.exit_code == 2, rendered.output
    assert not (root / "out").exists()
