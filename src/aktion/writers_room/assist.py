"""The optional AI assist: a chat model proposes, Aktion checks, the director decides.

Two proposals: punch-ups of a scene's action lines (kinetic verbs the move library can
perform) and an alternative shot list for a scene. A model's answer is never trusted:
every line and shot is checked (Fountain still reads it as action, the cast is real,
the shot fits the Shot schema and the scene's lines) and what fails is dropped with
the reason. What survives is shown as a diff of the files it would change, and only
written when the director asks; a shot list that would leave the production unable
to load is rolled back.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from aktion.production.board import Boards, Shot
from aktion.production.choreo import Choreo
from aktion.production.errors import ProductionError
from aktion.production.load import load_production, validate_doc
from aktion.production.script import Script
from aktion.production.timing import to_frames
from aktion.production.yamlio import dump_yaml, plain, read_yaml, write_text_atomic

from .breakdown import Breakdown, SceneBreakdown, breakdown_script
from .llm import AssistError, ChatClient
from .merge import shaped
from .moves import BASE_MOVES, library_moves
from .source import ScriptSource, resolve
from .verbs import default_table


@dataclass
class Dropped:
    """A proposed line or shot that failed a check, and why."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass
class FileChange:
    path: Path
    old: str
    new: str

    def diff(self) -> str:
        name = self.path.name
        return "".join(difflib.unified_diff(
            self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}"))


@dataclass
class Proposal:
    """What the assist would change, already checked; ``apply`` writes it."""

    scene: SceneBreakdown
    changes: list[FileChange] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # line numbers or shot ids kept
    notes: list[str] = field(default_factory=list)
    root: Path | None = None
    check: bool = False  # load the production after writing; roll back if it fails
    moves: set[str] | None = None  # the move library the check uses

    @property
    def empty(self) -> bool:
        return all(c.old == c.new for c in self.changes)

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes)

    def apply(self) -> None:
        """Write every changed file atomically; undo them all if the production breaks."""
        changed = [c for c in self.changes if c.old != c.new]
        for c in changed:
            write_text_atomic(c.path, c.new)
        if not self.check or self.root is None:
            return
        try:
            load_production(self.root, moves=self.moves)
        except ProductionError:
            for c in changed:
                write_text_atomic(c.path, c.old)
            raise


def pick_scene(bd: Breakdown, scene: int | None) -> SceneBreakdown:
    if not bd.scenes:
        raise AssistError("the script has no scenes")
    if scene is None:
        if len(bd.scenes) == 1:
            return bd.scenes[0]
        raise AssistError(f"pick a scene with --scene N (the script has scenes 1-{len(bd.scenes)})")
    if not 1 <= scene <= len(bd.scenes):
        raise AssistError(f"no scene {scene}: the script has scenes 1-{len(bd.scenes)}")
    return bd.scene(scene)


def _numbered(script: Script, first: int, last: int) -> str:
    return "\n".join(f"{n:>4}| {script.lines[n - 1]}" for n in range(first, last + 1))


def _vocabulary(moves: set[str]) -> str:
    """Moves the library can perform, each with the phrases that name it in a script."""
    table = default_table()
    by_move: dict[str, list[str]] = {}
    for p in table.phrases:
        if not p.noun and "{x}" not in p.text and p.move in moves:
            by_move.setdefault(p.move, []).append(p.text)
    return "\n".join(f"- {m}: {', '.join(sorted(set(by_move[m]))[:5])}" for m in sorted(by_move))


def _moves(root: Path) -> set[str]:
    return library_moves(root) or set(BASE_MOVES)


# --- punch-ups ------------------------------------------------------------------------------


def action_lines(script: Script, scene: SceneBreakdown) -> dict[int, str]:
    """The scene's action lines as written, by line number: all a punch-up may touch."""
    first, last = scene.lines
    out: dict[int, str] = {}
    for e in script.elements:
        if e.kind != "action" or not first <= e.line <= last:
            continue
        for i in range(len(e.text.split("\n"))):
            n = e.line_of(i)
            if first <= n <= last and script.lines[n - 1].strip():
                out[n] = script.lines[n - 1]
    return out


_PUNCHUP_SYSTEM = """\
You are a fight-scene script editor. You punch up the ACTION lines of a Fountain screenplay:
make each more specific and kinetic, with strong present-tense verbs, preferring verbs that
name a move the previz library can perform (listed below). Keep every character name
written as it is, keep the meaning and who does what to whom, keep each line one line
(no line breaks), never add dialogue, scene headings, transitions or ALL-CAPS lines.
Leave a line out when it is already good.
Answer only JSON: {"lines": [{"line": <line number>, "text": "<the new line>"}]}"""


def _name_patterns(bd: Breakdown) -> dict[str, re.Pattern[str]]:
    out = {}
    for c in bd.characters:
        names = sorted({n for n in c.names + [c.name] if n.strip()}, key=len, reverse=True)
        if names:
            alt = "|".join(re.escape(n) for n in names)
            out[c.name] = re.compile(rf"(?<![\w'])(?:{alt})(?![\w])", re.IGNORECASE)
    return out


def _kinds(script: Script) -> list[tuple[str, int]]:
    return [(e.kind, e.line) for e in script.elements]


def check_punchups(script: Script, bd: Breakdown, scene: SceneBreakdown,
                   answer: Any) -> tuple[dict[int, str], list[Dropped]]:
    """The proposed lines that pass every check (line number -> new line), and the rest."""
    allowed = action_lines(script, scene)
    items = answer.get("lines") if isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise AssistError("the model's answer has no `lines` list")
    names = _name_patterns(bd)
    base_kinds = _kinds(script)
    kept: dict[int, str] = {}
    dropped: list[Dropped] = []
    for item in items:
        n = item.get("line") if isinstance(item, dict) else None
        text = item.get("text") if isinstance(item, dict) else None
        label = f"line {n}" if isinstance(n, int) else f"proposal {json.dumps(item)[:60]}"
        if not isinstance(n, int) or isinstance(n, bool):
            dropped.append(Dropped(label, "no line number"))
            continue
        if n not in allowed:
            dropped.append(Dropped(label, f"not an action line of scene {scene.index} "
                                          f"(lines {scene.lines[0]}-{scene.lines[1]})"))
            continue
        if not isinstance(text, str) or not text.strip():
            dropped.append(Dropped(label, "no text"))
            continue
        if "\n" in text.strip() or "\r" in text:
            dropped.append(Dropped(label, "more than one line"))
            continue
        old = allowed[n]
        prefix = re.match(r"^\s*!?", old).group(0)  # type: ignore[union-attr]
        body = text.strip()
        new = prefix + (body[1:].lstrip() if "!" in prefix and body.startswith("!") else body)
        if new.strip() == old.strip():
            continue
        lost = [name for name, pat in names.items() if pat.search(old) and not pat.search(new)]
        if lost:
            dropped.append(Dropped(label, f"drops {', '.join(lost)} from the line"))
            continue
        lines = list(script.lines)
        lines[n - 1] = new
        if _kinds(Script.from_text("\n".join(lines) + "\n", script.path)) != base_kinds:
            dropped.append(Dropped(label, "Fountain would no longer read it as an action line"))
            continue
        kept[n] = new
    return kept, dropped


def _replace_lines(text: str, new: dict[int, str]) -> str:
    out = text.splitlines(keepends=True)
    for n, line in new.items():
        ending = out[n - 1][len(out[n - 1].rstrip("\r\n")):]
        out[n - 1] = line + ending
    return "".join(out)


def propose_punchup(path: Path | str, scene: int | None, client: ChatClient) -> Proposal:
    """Ask the model for punch-ups of a scene's action lines and check them."""
    source = resolve(path)
    script = source.script()
    bd = breakdown_script(script)
    sc = pick_scene(bd, scene)
    allowed = action_lines(script, sc)
    if not allowed:
        raise AssistError(f"scene {sc.index} has no action lines to punch up")
    user = (f"Move library (move: phrases that name it):\n{_vocabulary(_moves(source.root))}\n\n"
            f"Scene {sc.index} ({sc.heading or 'untitled'}), numbered lines:\n"
            f"{_numbered(script, *sc.lines)}\n\n"
            f"Action lines you may rewrite: {sorted(allowed)}")
    answer = client.complete_json([{"role": "system", "content": _PUNCHUP_SYSTEM},
                                   {"role": "user", "content": user}], temperature=0.7)
    kept, dropped = check_punchups(script, bd, sc, answer)
    old = source.script_path.read_text(encoding="utf-8")
    return Proposal(sc, [FileChange(source.script_path, old, _replace_lines(old, kept))],
                    dropped, [str(n) for n in sorted(kept)])


# --- alternative shot lists -----------------------------------------------------------------


_SHOTS_SYSTEM = """\
You are a storyboard artist and director of photography for action scenes. Propose an
alternative shot list for ONE scene, following film grammar: establish the space, keep the
camera on one side of the line of action (180 degree rule: `side` left or right, the same
for the scene unless a shot shows the crossing), tighten as the action escalates, insert
shots for objects. Each shot is an object with these fields:
  id: string, unique (letters, digits, . _ -)
  lines: [first, last] script lines it covers, within the scene's range
  size: one of EWS, WS, FS, MS, MCU, CU, ECU, INSERT
  angle: one of eye, high, low, overhead, dutch
  lens: focal length in mm (8-600)
  move: {type: static|pan|tilt|dolly|truck|crane|handheld|orbit, amount: number}
  duration: frames (integer) or seconds as "1.5s"
  blocking: [{who: <cast id>, at: [x, z] metres, facing: degrees}]
  frame: [cast ids the camera frames] (optional)
  side: left or right
  note: a short note (optional)
Use only the cast ids given. Answer only JSON: {"shots": [<shot>, ...]}"""


def _error_text(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:3]:
        loc = ".".join(str(p) for p in e["loc"] if not (isinstance(p, str) and "[" in p))
        msg = e["msg"].removeprefix("Value error, ")
        got = e.get("input")
        shown = f" (got {got!r})" if not isinstance(got, (dict, list)) and got is not None else ""
        parts.append(f"`{loc or 'shot'}`{shown}: {msg}" if e["type"] != "missing"
                     else f"missing field `{loc}`")
    return "; ".join(parts)


def _norm(text: Any) -> str:
    return " ".join(str(text or "").upper().split())


def board_scene(doc: Any, scene: SceneBreakdown) -> CommentedMap | None:
    """The boards.yaml scene for a script scene: same id or heading, else the one whose
    shots cover most of its lines."""
    scenes = doc.get("scenes") if isinstance(doc, dict) else None
    if not isinstance(scenes, list):
        return None
    for sc in scenes:
        if str(sc.get("id")) == scene.id or (scene.heading and
                                             _norm(sc.get("heading")) == _norm(scene.heading)):
            return sc
    best, score = None, 0
    a, b = scene.lines
    for sc in scenes:
        n = 0
        for shot in sc.get("shots") or []:
            lines = plain(shot.get("lines")) or [0, 0]
            if isinstance(lines, list) and len(lines) == 2:
                n += max(0, min(b, int(lines[1])) - max(a, int(lines[0])) + 1)
        if n > score:
            best, score = sc, n
    return best


def check_shots(answer: Any, *, fps: int, cast: set[str], scene: SceneBreakdown,
                other_ids: set[str]) -> tuple[list[tuple[dict[str, Any], Shot]], list[Dropped]]:
    """The proposed shots that pass the Shot schema and the production's checks."""
    items = answer.get("shots") if isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise AssistError("the model's answer has no `shots` list")
    kept: list[tuple[dict[str, Any], Shot]] = []
    dropped: list[Dropped] = []
    seen: set[str] = set()
    first, last = scene.lines
    for i, item in enumerate(items, 1):
        label = f"shot {item.get('id')!s}" if isinstance(item, dict) and item.get("id") \
            else f"shot #{i}"
        if not isinstance(item, dict):
            dropped.append(Dropped(label, "not an object"))
            continue
        data = {k: v for k, v in item.items() if k != "schema"}
        if isinstance(data.get("id"), int):
            data["id"] = str(data["id"])
        try:
            shot = Shot.model_validate(data, context={"fps": fps})
        except ValidationError as e:
            dropped.append(Dropped(label, _error_text(e)))
            continue
        unknown = [w for w in shot.characters if w not in cast]
        if unknown:
            dropped.append(Dropped(label, f"unknown character {', '.join(map(repr, unknown))} "
                                          f"(the cast: {', '.join(sorted(cast))})"))
            continue
        if shot.lines[0] < first or shot.lines[1] > last:
            dropped.append(Dropped(label, f"lines {shot.lines[0]}-{shot.lines[1]} are outside "
                                          f"scene {scene.index} (lines {first}-{last})"))
            continue
        if shot.move.end is not None and shot.move.end > shot.duration:
            dropped.append(Dropped(label, f"camera move ends at frame {shot.move.end}, after "
                                          f"the shot ({shot.duration} frames)"))
            continue
        if shot.id in seen or shot.id in other_ids:
            dropped.append(Dropped(label, f"shot id `{shot.id}` is already taken"))
            continue
        seen.add(shot.id)
        data["id"] = shot.id
        kept.append((data, shot))
    return kept, dropped


def _shot_node(data: dict[str, Any]) -> CommentedMap:
    node = shaped(data)
    for mark in node.get("blocking") or []:
        if isinstance(mark, CommentedMap):
            mark.fa.set_flow_style()
    for key in ("move", "transition"):
        if isinstance(node.get(key), CommentedMap):
            node[key].fa.set_flow_style()
    return node


def _last_chain(node: Any) -> list[Any]:
    """``node``, its last item, that one's last item...: where ruamel keeps the comments
    written after a block (such as a note heading the next scene)."""
    chain = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        chain.append(node)
        node = node[len(node) - 1] if isinstance(node, CommentedSeq) else node[list(node)[-1]]
    return chain


def _replace_keeping_trailing(parent: CommentedMap, key: str, new: CommentedSeq) -> None:
    """``parent[key] = new``, keeping the comments that trailed the old value (ruamel
    hangs a comment above the next scene on the last node of this one)."""
    text = ""
    for n in _last_chain(parent.get(key)):
        for tok in getattr(n.ca, "end", None) or []:
            text += " " * tok.start_mark.column + tok.value
        last = len(n) - 1 if isinstance(n, CommentedSeq) else list(n)[-1]
        item = n.ca.items.get(last) or []
        for tok in item:
            if tok is not None and not isinstance(tok, list) and "\n" in tok.value.strip("\n"):
                text += tok.value.split("\n", 1)[1]  # the eol comment stays with the old node
    parent[key] = new
    block = [n for n in _last_chain(new) if not n.fa.flow_style()]
    if not text.strip() or not block:
        return
    tok = CommentToken("\n" + text, CommentMark(0), None)
    target = block[-1]
    if isinstance(target, CommentedSeq):
        target.ca.items[len(target) - 1] = [tok, None]
    else:
        target.ca.items[list(target)[-1]] = [None, None, tok, None]


def _fits(beat: dict[str, Any], shot: Shot, fps: int) -> bool:
    try:
        t = to_frames(beat.get("t", 0), fps)
    except (ValueError, TypeError):
        return False
    people = set(shot.characters)
    return t < shot.duration and all(not beat.get(k) or beat[k] in people
                                      for k in ("who", "target"))


def rehome_beats(cdoc: Any, old_ids: list[str], new: list[Shot], fps: int,
                 notes: list[str]) -> None:
    """Move the scene's beats to the new shots: the shot with the same id if they fit,
    else the first new shot covering the beat's script line. What fits nowhere is noted."""
    entries = cdoc.get("shots") if isinstance(cdoc, dict) else None
    if not isinstance(entries, CommentedMap):
        return
    homes: dict[str, list[Any]] = {}
    for old in old_ids:
        entry = entries.get(old)
        if not isinstance(entry, dict):
            continue
        for beat in entry.get("beats") or []:
            b = plain(beat)
            line = b.get("line") if isinstance(b, dict) else None
            same = [s for s in new if s.id == old]
            covering = [s for s in new if isinstance(line, int)
                        and s.lines[0] <= line <= s.lines[1]]
            home = next((s for s in same + covering if isinstance(b, dict) and _fits(b, s, fps)),
                        None)
            if home is None:
                what = b.get("move") or b.get("camera") if isinstance(b, dict) else "?"
                notes.append(f"beat `{what}` of shot {old} (line {line}) fits no proposed "
                             "shot and is dropped from choreo.yaml")
                continue
            if home.id != old:
                notes.append(f"beat `{b.get('move') or b.get('camera')}` (line {line}) moves "
                             f"from shot {old} to shot {home.id}")
            homes.setdefault(home.id, []).append(beat)
    for old in old_ids:
        if old in entries:
            del entries[old]
    for shot in new:
        if shot.id in homes:
            entry = CommentedMap()
            entry["beats"] = CommentedSeq(homes[shot.id])
            entries[shot.id] = entry


def dump_like(doc: Any, original: str) -> str:
    """``doc`` as YAML indented the way ``original`` is, so the diff shows only the change."""
    try:
        _, indent, offset = load_yaml_guess_indent(original)
    except Exception:  # noqa: BLE001 - an unguessable file falls back to the house style
        indent = offset = None
    if not indent:
        return dump_yaml(doc)
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    offset = offset or 0
    y.indent(mapping=max(2, indent - offset), sequence=indent, offset=offset)
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def _cast_ids(source: ScriptSource) -> set[str]:
    cast_dir = source.file("cast_dir")
    return {p.stem for p in cast_dir.glob("*.yaml")} if cast_dir.is_dir() else set()


def propose_shots(path: Path | str, scene: int | None, client: ChatClient) -> Proposal:
    """Ask the model for another shot list for a boarded scene and check every shot."""
    source = resolve(path)
    if source.settings is None:
        raise AssistError("not a production yet: run `aktion draft` first")
    moves = _moves(source.root)
    prod = load_production(source.root, moves=moves)  # start from a production that checks
    script = prod.script
    bd = breakdown_script(script)
    sc = pick_scene(bd, scene)
    boards_path, choreo_path = source.file("boards"), source.file("choreo")
    bdoc = read_yaml(boards_path)
    node = board_scene(bdoc, sc)
    if node is None:
        raise AssistError(f"scene {sc.index} is not boarded yet: run "
                          f"`aktion draft {path} --scene {sc.index}` first")
    fps = source.fps
    cast = set(prod.cast) or _cast_ids(source)
    old_ids = [str(s.get("id")) for s in node.get("shots") or []]
    other_ids = {str(s.get("id")) for x in bdoc["scenes"] if x is not node
                 for s in x.get("shots") or []}
    people = "\n".join(f"- {c.id}: {c.name}. {c.description}".strip()
                       for c in prod.cast.values())
    user = (f"Frame rate: {fps} fps.\nCast ids:\n{people}\n\n"
            f"Scene {sc.index} ({sc.heading or 'untitled'}) covers script lines "
            f"{sc.lines[0]}-{sc.lines[1]}:\n{_numbered(script, *sc.lines)}\n\n"
            f"The current shot list:\n{json.dumps(plain(node.get('shots')), indent=1)}\n\n"
            "Propose a different shot list for the whole scene.")
    answer = client.complete_json([{"role": "system", "content": _SHOTS_SYSTEM},
                                   {"role": "user", "content": user}], temperature=0.4)
    kept, dropped = check_shots(answer, fps=fps, cast=cast, scene=sc, other_ids=other_ids)
    proposal = Proposal(sc, dropped=dropped, kept=[s.id for _, s in kept], root=source.root,
                        check=True, moves=moves)
    if not kept:
        return proposal
    old_boards = boards_path.read_text(encoding="utf-8")
    _replace_keeping_trailing(node, "shots", CommentedSeq(_shot_node(d) for d, _ in kept))
    validate_doc(Boards, boards_path, bdoc, fps)
    proposal.changes.append(FileChange(boards_path, old_boards,
                                                   dump_like(bdoc, old_boards)))
    if choreo_path.is_file():
        cdoc = read_yaml(choreo_path)
        old_choreo = choreo_path.read_text(encoding="utf-8")
        rehome_beats(cdoc, old_ids, [s for _, s in kept], fps, proposal.notes)
        validate_doc(Choreo, choreo_path, cdoc, fps)
        proposal.changes.append(FileChange(choreo_path, old_choreo,
                                                   dump_like(cdoc, old_choreo)))
    return proposal
