"""Files stay the director's: every save from the studio and the CLI changes only the
lines of what changed (comments, blank lines, order, flow style, quoting, ``2.5s`` and
the file's mode kept), checked on a copy of the example production."""

from __future__ import annotations

import difflib
import io
import os
import shutil
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.production import roundtrip
from aktion.production.load import load_production
from aktion.production.takes import load_canvas, save_canvas
from aktion.production.yamlio import edit_yaml, write_text_atomic
from test_studio_support import make_client

_register()
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rooftop"


@pytest.fixture
def roof(tmp_path: Path) -> Path:
    root = tmp_path / "rooftop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aktion", "out", "identity"))
    for p in root.rglob("*.yaml"):
        p.chmod(0o640)  # not what a temp file gets: a save must keep it
    return root


@pytest.fixture
def client(roof: Path) -> TestClient:
    return make_client(roof)


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added), in file order."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return ([d[2:] for d in diff if d.startswith("- ")],
            [d[2:] for d in diff if d.startswith("+ ")])


class Watch:
    """A file's text before an edit, to compare with after it."""

    def __init__(self, path: Path):
        self.path = path
        self.before = path.read_text() if path.exists() else ""

    def diff(self) -> tuple[list[str], list[str]]:
        assert stat.S_IMODE(self.path.stat().st_mode) == 0o640, "file mode changed"
        return changes(self.before, self.path.read_text())


def etag(client: TestClient, url: str) -> str:
    return client.get(url).json()["etag"]


# -- the studio ------------------------------------------------------------------------

@pytest.mark.parametrize("fields,removed,added", [
    ({"lens": 50}, ["        lens: 35"], ["        lens: 50"]),
    ({"size": "MS"}, ["        size: FS"], ["        size: MS"]),
    ({"duration": 72}, ["        duration: 2.5s"], ["        duration: 3s"]),  # units kept
    ({"duration": 61}, ["        duration: 2.5s"], ["        duration: 2.54s"]),
    ({"move": {"type": "dolly", "amount": 2.0, "start": 0, "end": None}},
     ["        move: {type: dolly, amount: 1.0}   # track in 1 m as Kade closes the gap"],
     ["        move: {type: dolly, amount: 2.0}   # track in 1 m as Kade closes the gap"]),
    ({"blocking": [{"who": "vex", "at": [-0.5, 0], "facing": 0},
                   {"who": "kade", "at": [1.8, 0], "facing": 180}]},
     ["          - {who: vex, at: [-0.6, 0.0], facing: 0}"],
     ["          - {who: vex, at: [-0.5, 0.0], facing: 0}"]),
    ({"side": "right"}, [], ["        side: right"]),
    ({"lines": [28, 33]}, ["        lines: [28, 32]"], ["        lines: [28, 33]"]),
    ({"note": "Kade closes."}, [], ["        note: Kade closes."]),
])
def test_storyboard_field_edit_is_that_line(client: TestClient, roof: Path, fields: dict,
                                            removed: list[str], added: list[str]) -> None:
    w = Watch(roof / "boards.yaml")
    r = client.put("/api/boards/shots/sh040", json=fields,
                   headers={"If-Match": etag(client, "/api/boards")})
    assert r.status_code == 200, r.text
    assert w.diff() == (removed, added)


def test_storyboard_move_keeps_its_shorthand(client: TestClient, roof: Path) -> None:
    w = Watch(roof / "boards.yaml")
    r = client.put("/api/boards/shots/sh070", json={"move": {"type": "pan", "start": 0}},
                   headers={"If-Match": etag(client, "/api/boards")})
    assert r.status_code == 200, r.text
    removed, added = w.diff()
    assert len(removed) == 1 and removed[0].strip() == "move: static"
    assert added == [removed[0].replace("static", "pan")]


def test_choreography_edits_touch_only_their_beats(client: TestClient, roof: Path) -> None:
    w = Watch(roof / "choreo.yaml")
    got = client.get("/api/choreo/sh040").json()
    beats = got["beats"]
    assert beats[1] == {"t": 0, "who": "kade", "move": "walk", "to": [0.5, 0.0], "speed": 0.8,
                        "line": 28}  # as written: no defaults, no schema tag
    beats[2]["t"] = 30
    beats[1]["speed"] = 1.2
    beats.insert(3, {"t": 34, "who": "kade", "move": "dodge"})
    r = client.put("/api/choreo/sh040", json={"beats": beats}, headers={"If-Match": got["etag"]})
    assert r.status_code == 200, r.text
    assert w.diff() == (
        ["      - {t: 0, who: kade, move: walk, to: [0.5, 0.0], speed: 0.8, line: 28}",
         "      - {t: 36, who: vex, move: jab, target: kade, line: 30}"],
        ["      - {t: 0, who: kade, move: walk, to: [0.5, 0.0], speed: 1.2, line: 28}",
         "      - {t: 30, who: vex, move: jab, target: kade, line: 30}",
         "      - {t: 34, who: kade, move: dodge}"])
    w = Watch(roof / "choreo.yaml")
    got = client.get("/api/choreo/sh040").json()
    del got["beats"][0]
    r = client.put("/api/choreo/sh040", json={"beats": got["beats"]},
                   headers={"If-Match": got["etag"]})
    assert w.diff() == (["      - {t: 0, who: vex, move: guard, line: 28}"], [])


def test_choreography_of_a_new_shot_is_added_as_a_block(client: TestClient, roof: Path) -> None:
    w = Watch(roof / "choreo.yaml")
    got = client.get("/api/choreo/sh020").json()
    assert got["beats"] == []
    r = client.put("/api/choreo/sh020", json={"beats": [{"t": 3, "who": "kade", "move": "idle"}]},
                   headers={"If-Match": got["etag"]})
    assert r.status_code == 200, r.text
    removed, added = w.diff()
    assert removed == [] and added == ["  sh020:", "    beats:",
                                       "      - {t: 3, who: kade, move: idle}"]


def test_cast_edit_and_lock_are_one_line_each(client: TestClient, roof: Path) -> None:
    w = Watch(roof / "cast" / "vex.yaml")
    r = client.put("/api/cast/vex", json={"seed": 102},
                   headers={"If-Match": etag(client, "/api/cast/vex")})
    assert r.status_code == 200, r.text
    assert w.diff() == (["seed: 101"], ["seed: 102"])
    w = Watch(roof / "cast" / "vex.yaml")
    r = client.post("/api/cast/vex/lock", headers={"If-Match": etag(client, "/api/cast/vex")})
    assert r.status_code == 200, r.text
    assert w.diff() == ([], [f"locked: {r.json()['lock']}"])


@pytest.mark.parametrize("url,body,removed,added", [
    ("/api/canvas/shots/sh080", {"pick": 1}, ["    pick: 2"], ["    pick: 1"]),
    ("/api/canvas/shots/sh130", {"extend": 36}, ["    extend: 1s"], ["    extend: 1.5s"]),
    ("/api/canvas/shots/sh130", {"transition": {"type": "dip", "duration": 12}},
     ["    transition: {type: dissolve, duration: 12}"], ["    transition: {type: dip, duration: 12}"]),
    ("/api/canvas/shots/sh130", {"trim": {"in": 2, "out": None}}, [], ["    trim: {in: 2}"]),
    ("/api/canvas/shots/sh080/takes", {"seed": 7},
     ["    pick: 2"], ["      - {seed: 7}", "    pick: 3"]),
    ("/api/canvas/shots/sh010", {"extend": 12}, [], ["  sh010:", "    extend: 12"]),
])
def test_canvas_edits_are_their_lines(client: TestClient, roof: Path, url: str, body: dict,
                                      removed: list[str], added: list[str]) -> None:
    w = Watch(roof / "canvas.yaml")
    method = "POST" if url.endswith("/takes") else "PUT"
    r = client.request(method, url, json=body, headers={"If-Match": etag(client, "/api/canvas")})
    assert r.status_code in (200, 201), r.text
    assert w.diff() == (removed, added)
    assert "# Vex gets up" in (roof / "canvas.yaml").read_text()


# -- the CLI -------------------------------------------------------------------------------

@pytest.mark.parametrize("args,removed,added", [
    (["take", "pick", "sh080", "1"], ["    pick: 2"], ["    pick: 1"]),
    (["take", "new", "sh130", "--seed", "5"], [], ["    takes:", "      - {seed: 5}",
                                                   "    pick: 2"]),
    (["canvas", "extend", "sh130", "2"], ["    extend: 1s"], ["    extend: 2s"]),
    (["canvas", "trim", "sh080", "--in", "3", "--out", "40"], [], ["    trim: {in: 3, out: 40}"]),
    (["canvas", "transition", "sh130", "dip", "--frames", "6"],
     ["    transition: {type: dissolve, duration: 12}"], ["    transition: {type: dip, duration: 6}"]),
    (["canvas", "speed", "sh080", "1", "0.5"], [], ["    speed: {start: 1.0, end: 0.5}"]),
])
def test_cli_canvas_commands_change_only_their_lines(roof: Path, args: list[str],
                                                     removed: list[str], added: list[str]) -> None:
    w = Watch(roof / "canvas.yaml")
    r = CliRunner().invoke(app, [*args, "--path", str(roof)])
    assert r.exit_code == 0, r.output
    assert w.diff() == (removed, added)


def test_cli_cast_lock_adds_one_line(roof: Path) -> None:
    w = Watch(roof / "cast" / "kade.yaml")
    r = CliRunner().invoke(app, ["cast", "lock", "kade", str(roof)])
    assert r.exit_code == 0, r.output
    lock = load_production(roof).locks["kade"]
    assert w.diff() == ([], [f"locked: {lock}"])


def test_save_canvas_keeps_comments_and_explicit_defaults(roof: Path) -> None:
    path = roof / "canvas.yaml"
    path.write_text(path.read_text().replace("    pick: 2\n", "    pick: 2\n  sh090:\n"
                                             "    pick: 1   # the board render, on purpose\n"))
    w = Watch(path)
    canvas = load_canvas(roof)
    canvas.shots["sh080"].extend = 12
    save_canvas(roof, canvas)
    assert w.diff() == ([], ["    extend: 12"])  # `pick: 1` and its comment stay


# -- the writer itself -------------------------------------------------------------------

def test_edit_yaml_by_path_keeps_odd_spacing_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    text = ("# top\nschema:    Boards.1\nscenes:\n- id: a   # first\n  shots:\n"
            "  - {id: '1', lines: [1, 2], duration: \"1.5s\"}\n\n\n  - {id: '2', lines: [3, 3],"
            " duration: 00:00:01:12}\n")
    path.write_text(text)
    edit_yaml(path, {("scenes", 0, "shots", 0, "duration"): 48,
                     ("scenes", 0, "shots", 1, "duration"): 40}, fps=24)
    assert changes(text, path.read_text()) == (
        ["  - {id: '1', lines: [1, 2], duration: \"1.5s\"}",
         "  - {id: '2', lines: [3, 3], duration: 00:00:01:12}"],
        ["  - {id: '1', lines: [1, 2], duration: \"2s\"}",
         "  - {id: '2', lines: [3, 3], duration: 00:00:01:16}"])
    edit_yaml(path, {("scenes", 0, "id"): roundtrip.DELETE}, fps=24)
    assert "schema:    Boards.1" in path.read_text()  # ruamel would write `schema: Boards.1`


def test_crlf_files_stay_crlf(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"a: 1\r\nb: 2  # two\r\n")
    edit_yaml(path, {("b",): 3}, fps=24)
    assert path.read_bytes() == b"a: 1\r\nb: 3  # two\r\n"


def test_writes_keep_mode_and_go_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("a: 1\n")
    real.chmod(0o604)
    link = tmp_path / "link.yaml"
    os.symlink(real, link)
    edit_yaml(link, {("a",): 2}, fps=24)
    assert link.is_symlink() and real.read_text() == "a: 2\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o604
    new = tmp_path / "new.txt"
    write_text_atomic(new, "x")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_guess_indent_reads_the_example_layout() -> None:
    assert roundtrip.guess_indent((EXAMPLE / "boards.yaml").read_text()) == (2, 4, 2)
    assert roundtrip.guess_indent("a:\n- 1\nb:\n  c: 1\n") == (2, 2, 0)
    assert roundtrip.guess_indent("a:\n    b:\n        - x\n") == (4, 6, 4)


def test_a_reordered_list_moves_nodes_with_their_comments(tmp_path: Path) -> None:
    path = tmp_path / "l.yaml"
    path.write_text("items:\n  - {n: 1}  # one\n  - {n: 2}  # two\n  - {n: 3}  # three\n")
    edit_yaml(path, lambda doc: {"items": [{"n": 3}, {"n": 1}, {"n": 2}]}, fps=24)
    assert path.read_text() == (
        "items:\n  - {n: 3}  # three\n  - {n: 1}  # one\n  - {n: 2}  # two\n")


# -- shot list, set pieces, drafts and previews ---------------------------------------------

def test_shot_list_edits_move_whole_shots_and_nothing_else(client: TestClient,
                                                           roof: Path) -> None:
    path = roof / "boards.yaml"
    w = Watch(path)
    r = client.post("/api/boards/scenes/rooftop/shots", json={"copy_of": "sh040"},
                    headers={"If-Match": etag(client, "/api/boards")})
    assert r.status_code == 201 and r.json()["id"] == "sh041", r.text
    seg = "      - id: sh040\n" + w.before.split("      - id: sh040\n")[1].split("\n\n")[0]
    seg += "\n\n"  # the shot's block, and the blank line after it
    assert path.read_text() == w.before.replace(seg, seg + seg.replace("sh040", "sh041"), 1)
    r = client.delete("/api/boards/shots/sh041",
                      headers={"If-Match": etag(client, "/api/boards")})
    assert r.status_code == 200 and path.read_text() == w.before
    ids = [s.id for _, s in load_production(roof).shots()]
    order = [ids[1], ids[0], *ids[2:]]
    r = client.put("/api/boards/scenes/rooftop/order", json={"order": order},
                   headers={"If-Match": etag(client, "/api/boards")})
    assert r.status_code == 200, r.text
    assert [s.id for _, s in load_production(roof).shots()] == order
    r = client.put("/api/boards/scenes/rooftop/order", json={"order": ids},
                   headers={"If-Match": etag(client, "/api/boards")})
    assert path.read_text() == w.before  # moved back: every comment where it was


def test_deleting_a_shot_drops_its_beats_too(client: TestClient, roof: Path) -> None:
    w = Watch(roof / "choreo.yaml")
    r = client.delete("/api/boards/shots/sh040",
                      headers={"If-Match": etag(client, "/api/boards")})
    assert r.status_code == 200 and r.json()["issues"] == []
    removed, added = w.diff()
    assert added == [] and [r for r in removed if r] == [
        "  sh040:", "    beats:", *[b for b in w.before.split("  sh040:\n    beats:\n")[1]
                                   .split("\n\n")[0].splitlines()]]


def test_moving_a_set_piece_is_one_line(client: TestClient, roof: Path) -> None:
    w = Watch(roof / "boards.yaml")
    r = client.put("/api/boards/scenes/rooftop/boxes/1", json={"at": [3.0, -2.5]},
                   headers={"If-Match": etag(client, "/api/boards")})
    assert r.status_code == 200, r.text
    assert w.diff() == (
        ['        - {name: AC unit, at: [2.8, -1.9], size: [1.4, 1.1, 1.0], color: "#9aa3ad"}'],
        ['        - {name: AC unit, at: [3.0, -2.5], size: [1.4, 1.1, 1.0], color: "#9aa3ad"}'])


def test_a_draft_merge_only_adds_lines(client: TestClient, roof: Path) -> None:
    boards, choreo = Watch(roof / "boards.yaml"), Watch(roof / "choreo.yaml")
    s = client.get("/api/script").json()
    text = s["text"] + "\nINT. STAIRWELL - NIGHT\n\nVex runs down the stairs.\n"
    assert client.put("/api/script", json={"text": text},
                      headers={"If-Match": s["etag"]}).status_code == 200
    r = client.post("/api/script/draft", json={})
    assert r.status_code == 200 and r.json()["shots"], r.text
    removed, added = boards.diff()
    assert removed == [] and added
    assert choreo.diff()[0] == []


def test_a_preview_is_one_frame_from_unsaved_changes_and_saves_nothing(
        client: TestClient, roof: Path) -> None:
    before = {p: p.read_bytes() for p in roof.rglob("*.yaml")}
    body = {"shot": "sh040", "changes": {"blocking": [
        {"who": "vex", "at": [-1.5, 0.5], "facing": 0},
        {"who": "kade", "at": [1.8, 0.0], "facing": 180}], "side": "right"}}
    r = client.post("/api/preview", json=body)
    assert r.status_code == 200, r.text
    p = r.json()
    frame = client.get(p["frame"])
    assert frame.status_code == 200 and frame.content.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(frame.content)).size == (384, 216)
    assert p["camera"]["at"][1] < 0  # the right side of a line along x is -z: moved across
    left = client.post("/api/preview", json={"shot": "sh040"}).json()
    assert left["camera"]["at"][1] > 0 and left["key"] != p["key"]
    again = client.post("/api/preview", json=body).json()
    assert again["key"] == p["key"]  # same content, same frame
    assert {p: p.read_bytes() for p in roof.rglob("*.yaml")} == before
    bad = client.post("/api/preview", json={"shot": "sh040", "changes": {"lens": 2}})
    assert bad.status_code == 422 and "lens" in bad.text


def test_a_scrub_preview_shows_edited_beats_at_any_frame(client: TestClient,
                                                         roof: Path) -> None:
    beats = client.get("/api/choreo/sh050").json()["beats"]
    a = client.post("/api/preview", json={"shot": "sh050", "frame": 10}).json()
    moved = [dict(b, t=b["t"] + 12) if b.get("move") == "cross" else b for b in beats]
    b = client.post("/api/preview", json={"shot": "sh050", "frame": 10, "beats": moved}).json()
    assert a["key_frame"] == b["key_frame"] == 10 and a["key"] != b["key"]
    assert client.get(a["frame"]).content != client.get(b["frame"]).content
    bad = client.post("/api/preview", json={"shot": "sh050", "beats": [{"t": 0, "who": "vex",
                                                                         "move": "moonwalk"}]})
    assert bad.status_code == 422 and "moonwalk" in bad.text
