"""YAML through libyaml where the round trip has nothing to keep: the same text ruamel's
round trip writes, the same documents it reads, and the round trip wherever a director's
comments, quoting or number forms are there to keep."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aktion.production import yamlfast
from aktion.production.yamlio import _yaml, dump_yaml, line_of, read_yaml
from aktion.writers_room.breakdown import breakdown
from aktion.writers_room.draft import draft
from aktion.writers_room.merge import MergeReport, merge_boards, merge_choreo, shaped, write_draft
from aktion.writers_room.source import resolve

FIXTURES = Path(__file__).parent / "fixtures" / "scripts"
TOML = '[production]\nname = "yaml"\nfps = 24\n'


def round_trip_text(doc) -> str:
    """What ruamel's round-trip writer alone makes of ``doc``."""
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()


def round_trip_read(text: str):
    return _yaml().load(text)


@pytest.fixture(scope="module")
def drafted_docs() -> dict[str, CommentedMap]:
    """Boards, choreography and cast documents as ``aktion draft`` writes them."""
    docs = {}
    for name in ("last_orders", "overpass", "spec"):
        d = draft(breakdown(FIXTURES / f"{name}.fountain"))
        report = MergeReport()
        boards, added = merge_boards(None, d, report)
        docs[f"{name}/boards"] = boards
        docs[f"{name}/choreo"] = merge_choreo(None, d, added, boards, report)
        for c in d.cast:
            node = shaped(c)
            node.yaml_set_start_comment("Drafted from the script's description.")
            docs[f"{name}/{c['id']}"] = node
    return docs


def _paths(node, loc=()):
    yield loc
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*loc, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*loc, i))


def _styles(node):
    if isinstance(node, (CommentedMap, CommentedSeq)):
        yield node.fa.flow_style()
        for v in node.values() if isinstance(node, dict) else node:
            yield from _styles(v)


def test_drafted_files_come_out_as_the_round_trip_writes_them(drafted_docs) -> None:
    for name, doc in drafted_docs.items():
        expected = round_trip_text(doc)
        assert yamlfast.dump(doc) == expected, name
        assert dump_yaml(doc) == expected, name
    boards = yamlfast.dump(drafted_docs["last_orders/boards"])
    assert boards.startswith("# Drafted by `aktion draft`")  # the header is kept
    assert "\n    lines: [" in boards and "- {who: " in boards  # short lists stay in flow style


TAME = ["yes", "no", "on", "off", "y", "1:20", "0o17", "0x1F", "017", "1_000", "1e3", ".5",
        "2024-01-01", "", " lead", "trail ", "a: b", "#x", "x #y", "null", "~", "true", "False",
        "-", "?", "- item", "[x]", "{x}", "'q'", '"q"', "@at", "`tick", "%pct", "*star", "&amp",
        "!bang", "|pipe", ">fold", "ünïcödé ✓ — …", "it's", "line\nbreak", "Kade's: 'jab'",
        "<<", "=", "3.0", "-0.5", "+1", "Mara, small under the lights"]
WILD = ["tab\there", "x" * 140, "word " * 30, "emoji 🎬", "nbsp\xa0here", "it's\ta ? x: y",
        "CLOSE ON: the van's keys, swinging in the ignition, while " + "far " * 20]


def _scalars_doc(values: list, flow: bool) -> CommentedMap:
    doc = CommentedMap()
    values = values + [0, -3, 2**40, 0.1, -2.5, 1e-05, 1e17, 35.0, True, False, float("inf")]
    doc["items"] = CommentedSeq(CommentedSeq(values[k:k + 4]) for k in range(0, len(values), 4))
    for chunk in doc["items"]:
        if flow:
            chunk.fa.set_flow_style()
    doc["map"] = CommentedMap((v, k) for k, v in enumerate(values) if v)
    doc["note"] = CommentedMap(note=values[-1], long="x" * 80, words="a word " * 12)
    doc["empty"] = CommentedSeq()
    doc["none"] = None
    return doc


@pytest.mark.parametrize("flow", [False, True])
def test_every_scalar_is_quoted_as_yaml_1_2_needs(flow: bool) -> None:
    # in a flow list libyaml quotes some ':' and '?' that ruamel leaves plain: those are WILD
    tame = [v for v in TAME if not flow or not (":" in v or "?" in v)]
    doc = _scalars_doc(tame, flow)
    expected = round_trip_text(doc)
    assert yamlfast.dump(doc) == expected
    back = round_trip_read(expected)
    assert [v for chunk in back["items"] for v in chunk][: len(tame)] == tame  # as written
    for value in WILD + [v for v in TAME if v not in tame]:  # each writer's own way
        doc = _scalars_doc([*tame, value], flow)
        assert yamlfast.dump(doc) in (None, round_trip_text(doc)), value
        assert dump_yaml(doc) == round_trip_text(doc), value


def test_what_only_the_round_trip_keeps_takes_the_round_trip() -> None:
    def base() -> CommentedMap:
        return shaped({"id": "s1", "shots": [{"id": "a", "lines": [1, 2]}], "at": [0.5, 1]})

    commented = base()
    commented.yaml_add_eol_comment("the director's note", "id")
    inner = base()
    inner["shots"][0].yaml_set_start_comment("a comment inside")
    anchored = base()
    anchored["shots"][0].yaml_set_anchor("first", always_dump=True)
    shared = base()
    shared["again"] = shared["shots"]
    styled = round_trip_read("at: [1.50, 0]\nid: 'quoted'\n")
    for doc in (commented, inner, anchored, shared, styled):
        assert yamlfast.dump(doc) is None
        assert dump_yaml(doc) == round_trip_text(doc)  # the director's text, kept
    assert "# the director's note" in dump_yaml(commented)
    assert "at: [1.50, 0]" in dump_yaml(styled) and "'quoted'" in dump_yaml(styled)


def test_a_drafted_file_reads_as_the_round_trip_reads_it(drafted_docs) -> None:
    for name, doc in drafted_docs.items():
        text = round_trip_text(doc)
        fast, slow = yamlfast.load(text), round_trip_read(text)
        assert fast is not None and fast == slow, name
        assert all(line_of(fast, loc) == line_of(slow, loc) for loc in _paths(slow)), name
        assert list(_styles(fast)) == list(_styles(slow)), name
        assert yamlfast.dump(fast) == text, name  # read and written back: unchanged


@pytest.mark.parametrize("text", [
    "a: &x [1]\nb: *x\n",  # anchors and aliases
    "a: !!str 1\n",  # an explicit tag
    "a: 1\na: 2\n",  # a key twice: the round trip says so
    "a: [1, 2\n",  # a mistake: the round trip says where
    "a: 0x1F\n", "a: 0o17\n", "a: 1_000\n", "a: .inf\n",  # numbers in forms of their own
    "a: 2024-01-01\n",  # a timestamp
    "a: 1\n---\nb: 2\n",  # two documents
    "a: " + "[" * 80 + "]" * 80 + "\n",  # nested past the depth the fast path builds
    "plain scalar\n",  # not a mapping or a list
])
def test_the_fast_reader_leaves_the_rest_to_the_round_trip(text: str) -> None:
    assert yamlfast.load(text) is None


def test_read_yaml_keeps_what_the_director_wrote(tmp_path: Path) -> None:
    root = tmp_path / "film"
    root.mkdir()
    shutil.copy(FIXTURES / "last_orders.fountain", root / "script.fountain")
    (root / "aktion.toml").write_text(TOML)
    write_draft(resolve(root), draft(breakdown(root)))
    boards = root / "boards.yaml"
    drafted = boards.read_text()
    # a drafted file, changed and written back, comes out as the round trip writes it
    doc, slow = read_yaml(boards), round_trip_read(drafted)
    assert type(doc["scenes"][0]["shots"][0]["blocking"][0]["at"][0]) is float  # libyaml's
    for d in (doc, slow):
        d["scenes"][0]["shots"][0]["duration"] = 99
        d["scenes"][0]["shots"][0]["take"] = "yes"  # a string YAML 1.1 would read as true
    assert dump_yaml(doc) == round_trip_text(slow)
    # a director's comment, number form and quoting are kept through a re-draft that adds
    cut = round_trip_read(drafted)
    gone = cut["scenes"][1]["shots"].pop(1)["id"]
    edited = round_trip_text(cut).replace("schema: Boards.1\n", "schema: Boards.1  # mine\n")
    edited = edited.replace("lens: 35\n", "lens: 35.00\n", 1)
    assert edited.count("# mine") == 1 and edited.count("lens: 35.00") == 1
    boards.write_text(edited)
    assert read_yaml(boards) == round_trip_read(edited)
    report = write_draft(resolve(root), draft(breakdown(root)))
    assert report.shots == [gone]  # the shot taken out is drafted again ...
    after = boards.read_text()
    assert "schema: Boards.1  # mine\n" in after and "lens: 35.00\n" in after  # ... and kept
    ids = [[s["id"] for s in sc["shots"]] for sc in round_trip_read(drafted)["scenes"]]
    assert [[s["id"] for s in sc["shots"]] for sc in round_trip_read(after)["scenes"]] == ids
