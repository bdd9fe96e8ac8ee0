"""The compiled cache of parsed sources: never stale, written atomically, same lines."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from aktion.engine.graph import plan
from aktion.previz.moves import MoveLibrary
from aktion.production import compiled
from aktion.production.errors import ProductionError
from aktion.production.load import load_production
from aktion.production.yamlio import LinedDoc, line_of, read_source_yaml, read_yaml
from conftest import CHOREO, write_production

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rooftop"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(compiled.ENV, str(folder))
    return folder


def counting(value: Any) -> tuple[list[int], Any]:
    calls: list[int] = []

    def build() -> Any:
        calls.append(1)
        return value

    return calls, build


def test_a_parse_is_kept_and_served_for_the_same_bytes(cache: Path) -> None:
    calls, build = counting({"shots": [1, 2.5, "x", None, True]})
    first = compiled.compiled("t", [b"same"], build)
    again = compiled.compiled("t", [b"same"], build)
    assert first == again == {"shots": [1, 2.5, "x", None, True]} and len(calls) == 1
    calls2, build2 = counting({"other": 1})
    assert compiled.compiled("t", [b"edited"], build2) == {"other": 1} and len(calls2) == 1


def test_sources_are_framed_so_two_cannot_run_together(cache: Path) -> None:
    assert compiled.content_key("t", [b"ab", b"c"]) != compiled.content_key("t", [b"a", b"bc"])
    assert compiled.content_key("t", [b"a"]) != compiled.content_key("u", [b"a"])


def test_a_damaged_entry_is_parsed_again_and_replaced(cache: Path) -> None:
    _, build = counting([1, 2, 3])
    compiled.compiled("t", [b"x"], build)
    (entry,) = cache.glob("t-*.json")
    entry.write_text('{"key": "truncat')
    calls, build = counting([1, 2, 3])
    assert compiled.compiled("t", [b"x"], build) == [1, 2, 3] and len(calls) == 1
    assert json.loads(entry.read_text())["value"] == [1, 2, 3]
    entry.write_text(json.dumps({"key": "someone else's", "value": [9]}))
    assert compiled.compiled("t", [b"x"], build) == [1, 2, 3] and len(calls) == 2


def test_integer_keys_come_back_as_integers_and_the_unkeepable_is_not_kept(cache: Path) -> None:
    value = {"counts": {2: "two", 3: "three"}, "1.5": [1, 1.0, True]}
    calls, build = counting(value)
    assert compiled.compiled("t", [b"x"], build) == value
    back = compiled.compiled("t", [b"x"], build)
    assert len(calls) == 1 and back == value and list(back["counts"]) == [2, 3]
    assert [type(v) for v in back["1.5"]] == [int, float, bool]
    calls, build = counting({"when": datetime.date(2026, 1, 2)})  # what YAML can hold
    compiled.compiled("u", [b"x"], build)
    compiled.compiled("u", [b"x"], build)
    assert len(calls) == 2 and not list(cache.glob("u-*.json"))


def test_entries_are_written_whole_and_the_cache_can_be_off(cache: Path,
                                                            monkeypatch) -> None:  # fmt: skip
    for n in range(5):
        compiled.compiled("t", [str(n).encode()], lambda n=n: {"n": n})
    assert len(list(cache.glob("t-*.json"))) == 5
    assert not [p for p in cache.iterdir() if p.suffix != ".json"]  # no temp file left
    monkeypatch.setenv(compiled.ENV, "off")
    off = Path(str(cache) + "-unused")
    calls, build = counting(1)
    compiled.compiled("t", [b"x"], build)
    compiled.compiled("t", [b"x"], build)
    assert len(calls) == 2 and not off.exists()


def locations(node: Any, loc: tuple = ()) -> list[tuple]:
    """Every path into a plain document."""
    found = [loc]
    if isinstance(node, dict):
        for k, v in node.items():
            found += locations(v, (*loc, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += locations(v, (*loc, i))
    return found


@pytest.mark.parametrize("name", ["boards.yaml", "choreo.yaml", "canvas.yaml", "cast/vex.yaml"])
def test_lines_from_the_cache_are_the_lines_of_the_parse(cache: Path, name: str) -> None:
    path = EXAMPLE / name
    ruamel = read_yaml(path)
    for attempt in ("parsed", "cached"):
        doc = read_source_yaml(path)
        assert isinstance(doc, LinedDoc)
        paths = locations(doc.data)
        assert len(paths) > 10
        for loc in [*paths, ("scenes", 99), ("no such key",), ("shots", "nope", "beats")]:
            assert line_of(doc, loc) == line_of(ruamel, loc), (attempt, loc)
    assert len(list(cache.glob("yaml-*.json"))) == 1


def test_a_cached_production_reports_the_same_file_and_line(tmp_path: Path, cache: Path) -> None:
    root = write_production(tmp_path, choreo=CHOREO.replace("{t: 1, who", "{t: 99, who"))
    for _ in range(2):  # parsed, then from the cache
        with pytest.raises(ProductionError) as e:
            load_production(root)
        assert any(i.file.name == "choreo.yaml" and i.line == 8 for i in e.value.issues)
    assert list(cache.glob("yaml-*.json"))


MOVE = """\
schema: Move.1
name: {name}
kind: strike
duration: {duration}
base: guard
contact: 5
effector: l_wrist
keys:
  - t: 0
  - t: 5
    joints: {{l_shoulder: [0, 10, 85], l_elbow: [0, 0, 5]}}
  - t: {duration}
"""


def test_an_edited_production_move_is_never_served_stale(tmp_path: Path, cache: Path) -> None:
    root = write_production(tmp_path / "p")
    (root / "moves").mkdir()
    move = root / "moves" / "snap.yaml"
    keys = []
    for duration in (12, 20, 12):
        move.write_text(MOVE.format(name="snap", duration=duration))
        assert MoveLibrary.for_production(root)["snap"].duration == duration
        keys.append(plan(load_production(root)).steps["render:1"].key)
    assert keys[0] != keys[1] and keys[0] == keys[2]  # the move travels in the request


def test_a_production_move_others_build_on_changes_them(tmp_path: Path, cache: Path) -> None:
    """Tables are computed once per content: a production's own ``guard`` is a different
    content for every move whose base it is."""
    package = MoveLibrary.load()
    (tmp_path / "moves").mkdir()
    guard = package["guard"]
    text = read_yaml(Path(guard.source))
    text["keys"][0].setdefault("joints", {})["l_elbow"] = [0, 0, 120]
    from aktion.production.yamlio import dump_yaml

    (tmp_path / "moves" / "guard.yaml").write_text(dump_yaml(text))
    own = MoveLibrary.load([tmp_path / "moves"])
    jab = own["jab"]
    assert jab is not package["jab"] and (jab.angles != package["jab"].angles).any()
    assert MoveLibrary.load()["jab"] is package["jab"]  # same content: the same table


@pytest.mark.parametrize("name", ["verbs.yaml", "people.yaml", "looks.yaml", "set_pieces.yaml"])
def test_writers_room_tables_load_as_parsed_and_are_kept(cache: Path, name: str) -> None:
    from importlib import resources

    from ruamel.yaml import YAML

    from aktion.production.yamlio import safe_table

    text = resources.files("aktion.writers_room").joinpath(name).read_text("utf-8")
    parsed = YAML(typ="safe").load(text)
    assert safe_table(text) == parsed and safe_table(text) == parsed
    assert len(list(cache.glob("table-*.json"))) == 1
