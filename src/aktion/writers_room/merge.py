"""Writing a draft without overwriting the director: merge only what is missing.

boards.yaml and choreo.yaml are read round-trip (comments, order and quoting kept);
a drafted scene is the boarded scene with its id (the script's scene number, else its
place in the script), else the one whose shots cite lines inside it, and is added
when there is none: never matched by heading text, which scripts repeat (INT.
WAREHOUSE - NIGHT forty times). A drafted shot is added when no shot of that scene
covers any of its script lines; a beat when its shot has no beat
citing the same line; a cast file when there is none. New shots in a scene the
director already boarded take that scene's camera side and its blocking, so the
180° rule and the director's floor plan hold. Files are written atomically.
"""

from __future__ import annotations

import copy
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aktion.production.timing import to_frames
from aktion.production.yamlio import dump_yaml, plain, read_yaml, write_text_atomic

from .draft import Draft, DraftScene, DraftShot
from .source import ScriptSource

_FLOW_KEYS = {"lines", "at", "to", "frame", "size"}
_HEADER = ("Drafted by `aktion draft` from the script. Edit freely: drafting again only "
           "adds\nwhat is missing and never changes what is here.")


@dataclass
class MergeReport:
    scenes: list[str] = field(default_factory=list)
    shots: list[str] = field(default_factory=list)
    beats: int = 0
    cast: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # "boards", "choreo": documents touched


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def shaped(data: Any, flow: bool = False) -> Any:
    """Plain data as ruamel nodes laid out as a person would write them."""
    if isinstance(data, dict):
        node = CommentedMap()
        for k, v in data.items():
            node[k] = shaped(v, flow=k in _FLOW_KEYS)
        if flow:
            node.fa.set_flow_style()
        return node
    if isinstance(data, list):
        seq = CommentedSeq(shaped(v) for v in data)
        if flow or all(not isinstance(v, (dict, list)) for v in data):
            seq.fa.set_flow_style()
        return seq
    return _num(data)


def _shot_node(shot: DraftShot) -> CommentedMap:
    node = shaped(shot.shot)
    for mark in node.get("blocking", []):
        mark.fa.set_flow_style()
    if isinstance(node.get("move"), CommentedMap):
        node["move"].fa.set_flow_style()
    if isinstance(node.get("transition"), CommentedMap):
        node["transition"].fa.set_flow_style()
    return node


def _beat_node(beat: dict[str, Any]) -> CommentedMap:
    node = shaped(beat)
    node.fa.set_flow_style()
    return node


def _scene_node(scene: DraftScene) -> CommentedMap:
    node = CommentedMap()
    board = scene.board()
    for key in ("id", "heading"):
        if key in board:
            node[key] = board[key]
    node["set"] = shaped(board["set"])
    node["shots"] = CommentedSeq(_shot_node(s) for s in scene.shots)
    return node


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _unique(shot_id: str, taken: set[str]) -> str:
    if shot_id not in taken:
        return shot_id
    for suffix in "abcdefghijklmnopqrstuvwxyz":
        if f"{shot_id}{suffix}" not in taken:
            return f"{shot_id}{suffix}"
    n = 2
    while f"{shot_id}-{n}" in taken:
        n += 1
    return f"{shot_id}-{n}"


def _adopt(shot: dict[str, Any], existing: list[Any]) -> None:
    """A new shot in a boarded scene keeps the scene's camera side and the director's marks."""
    if not existing:
        return
    side = existing[0].get("side", "left") if isinstance(existing[0], dict) else "left"
    shot["side"] = str(side)
    marks: dict[str, dict[str, Any]] = {}
    for old in existing:
        for mark in old.get("blocking", []) or []:
            marks.setdefault(str(mark.get("who")), plain(mark))
    for mark in shot.get("blocking", []):
        if mark["who"] in marks:
            mark["at"] = list(marks[mark["who"]].get("at", mark["at"]))
            mark["facing"] = marks[mark["who"]].get("facing", mark["facing"])


def _as_added(shot: DraftShot, new_id: str, existing: list[Any] | None = None) -> DraftShot:
    if not existing:  # nothing to adopt: the nodes ``shaped`` makes are copies already
        return DraftShot({**shot.shot, "id": new_id}, shot.beats)
    data = copy.deepcopy(shot.shot)
    data["id"] = new_id
    _adopt(data, existing)
    return DraftShot(data, copy.deepcopy(shot.beats))


def _span(scene: Any) -> tuple[int, int] | None:
    """The script lines a boarded scene's shots cite, first to last."""
    firsts, lasts = [], []
    for shot in scene.get("shots") or []:
        lines = plain(shot.get("lines")) if isinstance(shot, dict) else None
        if isinstance(lines, list) and len(lines) == 2 and all(isinstance(n, int) for n in lines):
            firsts.append(lines[0])
            lasts.append(lines[1])
    return (min(firsts), max(lasts)) if firsts else None


def _match_scenes(scenes: list[Any], draft: Draft) -> dict[str, Any]:
    """Drafted scene id -> the boarded scene it is: the same id, else the one scene whose
    shots all cite lines inside the drafted scene's (a scene the director renamed)."""
    by_id: dict[str, Any] = {}
    for sc in scenes:
        by_id.setdefault(str(sc.get("id")), sc)
    matched: dict[str, Any] = {}
    used: set[int] = set()
    for dscene in draft.scenes:
        if dscene.id in by_id:
            matched[dscene.id] = by_id[dscene.id]
            used.add(id(by_id[dscene.id]))
    spans = sorted((span, k) for k, sc in enumerate(scenes)
                   if id(sc) not in used and (span := _span(sc)) is not None)
    starts = [span[0] for span, _ in spans]
    for dscene in draft.scenes:
        if dscene.id in matched or not dscene.shots:
            continue
        first = min(s.lines[0] for s in dscene.shots)
        last = max(s.lines[1] for s in dscene.shots)
        k = bisect_left(starts, first)
        inside = []
        while k < len(spans) and spans[k][0][0] <= last:
            if spans[k][0][1] <= last:
                inside.append(spans[k][1])
            k += 1
        if len(inside) == 1 and id(scenes[inside[0]]) not in used:
            matched[dscene.id] = scenes[inside[0]]
            used.add(id(scenes[inside[0]]))
    return matched


def _insert_at(scenes: list[Any], rank: dict[int, int], order: int) -> int:
    """Where a new scene goes: before the first boarded scene drafted after it, looking
    back from the end (so a fresh draft appends in constant time)."""
    at = len(scenes)
    for i in range(len(scenes) - 1, -1, -1):
        r = rank.get(id(scenes[i]))
        if r is None:
            continue
        if r < order:
            break
        at = i
    return at


def merge_boards(doc: Any, draft: Draft, report: MergeReport) -> tuple[Any, dict[str, str]]:
    """Add missing scenes and shots to a boards document; returns it and the ids the
    added shots got (draft id -> id in the file)."""
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
        doc["schema"] = "Boards.1"
        doc.yaml_set_start_comment(_HEADER)
        report.changed.add("boards")
    scenes = doc.get("scenes")
    if not isinstance(scenes, CommentedSeq):
        scenes = doc["scenes"] = CommentedSeq()
        report.changed.add("boards")
    taken = {str(s.get("id")) for sc in scenes for s in (sc.get("shots") or [])}
    scene_ids = {str(sc.get("id")) for sc in scenes}
    added: dict[str, str] = {}
    matched = _match_scenes(list(scenes), draft)
    rank = {id(node): k for k, d in enumerate(draft.scenes)
            if (node := matched.get(d.id)) is not None}
    for order, dscene in enumerate(draft.scenes):
        match = matched.get(dscene.id)
        if match is None:
            shots = []
            for shot in dscene.shots:
                new_id = _unique(shot.id, taken)
                taken.add(new_id)
                added[shot.id] = new_id
                shots.append(_as_added(shot, new_id))
            scene_id = _unique(dscene.id, scene_ids)
            scene_ids.add(scene_id)
            node = _scene_node(DraftScene(dscene.index, scene_id, dscene.heading, dscene.set,
                                          shots))
            scenes.insert(_insert_at(scenes, rank, order), node)
            rank[id(node)] = order
            report.scenes.append(scene_id)
            report.shots += [s.id for s in shots]
            report.changed.add("boards")
            continue
        shots_seq = match.get("shots")
        if not isinstance(shots_seq, CommentedSeq):
            shots_seq = match["shots"] = CommentedSeq()
            report.changed.add("boards")
        covered = [tuple(plain(s.get("lines", [0, 0]))) for s in shots_seq]
        for shot in dscene.shots:
            if any(len(c) == 2 and _overlaps(shot.lines, c) for c in covered):  # type: ignore[arg-type]
                continue
            new_id = _unique(shot.id, taken)
            taken.add(new_id)
            added[shot.id] = new_id
            new = _as_added(shot, new_id, list(shots_seq))
            at = next((i for i, s in enumerate(shots_seq)
                       if plain(s.get("lines", [0]))[0] > shot.lines[0]), len(shots_seq))
            shots_seq.insert(at, _shot_node(new))
            covered.append(shot.lines)
            report.shots.append(new_id)
            report.changed.add("boards")
    return doc, added


_Limits = tuple[set[str], int | None, tuple[int, int]]


def _shot_limits(boards: Any, fps: int) -> dict[str, _Limits]:
    """Per shot in the boards file: who is in it, its length in frames, its lines."""
    out: dict[str, _Limits] = {}
    for sc in boards.get("scenes") or []:
        for shot in sc.get("shots") or []:
            people = {str(m.get("who")) for m in shot.get("blocking") or []}
            people |= {str(w) for w in shot.get("frame") or []}
            try:
                duration: int | None = to_frames(plain(shot.get("duration")), fps)
            except ValueError:
                duration = None
            lines = plain(shot.get("lines")) or [0, 0]
            span = (int(lines[0]), int(lines[-1])) if isinstance(lines, list) else (0, 0)
            out[str(shot.get("id"))] = (people, duration, span)
    return out


def merge_choreo(doc: Any, draft: Draft, added: dict[str, str], boards: Any,
                 report: MergeReport) -> Any:
    """Add the beats of added shots; for a drafted shot the director kept (same id),
    add beats for lines its choreography does not cite yet, if they fit the shot."""
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
        doc["schema"] = "Choreo.1"
        doc.yaml_set_start_comment(_HEADER)
        report.changed.add("choreo")
    shots = doc.get("shots")
    if not isinstance(shots, CommentedMap):
        shots = doc["shots"] = CommentedMap()
        report.changed.add("choreo")
    limits = _shot_limits(boards, draft.fps)
    for dscene in draft.scenes:
        for shot in dscene.shots:
            if not shot.beats:
                continue
            is_new = shot.id in added
            target = added.get(shot.id, shot.id)
            if target not in limits:
                continue  # not boarded: the director dropped or renamed it
            people, duration, span = limits[target]
            entry = shots.get(target)
            fresh = entry is None
            if entry is None:
                entry = shots[target] = CommentedMap()
            beats = entry.get("beats")
            if not isinstance(beats, CommentedSeq):
                beats = entry["beats"] = CommentedSeq()
                fresh = True
            cited = {b.get("line") for b in beats if isinstance(b, dict)}
            for beat in shot.beats:
                if not is_new:
                    if beat.get("line") in cited or duration is None or beat["t"] >= duration:
                        continue
                    if not span[0] <= beat.get("line", 0) <= span[1]:
                        continue
                    if any(beat.get(k) and beat[k] not in people for k in ("who", "target")):
                        continue
                beats.append(_beat_node(beat))
                report.beats += 1
                report.changed.add("choreo")
            if not beats:
                del shots[target]
                if not fresh:
                    report.changed.add("choreo")
            elif fresh:
                report.changed.add("choreo")
    return doc


def write_draft(source: ScriptSource, draft: Draft) -> MergeReport:
    """Merge a draft into the production's boards, choreography and cast files."""
    report = MergeReport()
    boards_path, choreo_path = source.file("boards"), source.file("choreo")
    cast_dir = source.file("cast_dir")
    bdoc = read_yaml(boards_path) if boards_path.is_file() else None
    cdoc = read_yaml(choreo_path) if choreo_path.is_file() else None
    bdoc, added = merge_boards(bdoc, draft, report)
    cdoc = merge_choreo(cdoc, draft, added, bdoc, report)
    for path, doc, name in ((boards_path, bdoc, "boards"), (choreo_path, cdoc, "choreo")):
        if name in report.changed:  # untouched files are not rewritten (nor re-dumped)
            write_text_atomic(path, dump_yaml(doc))
            report.written.append(path)
    for character in draft.cast:
        path = cast_dir / f"{character['id']}.yaml"
        if path.exists():
            continue
        node = shaped(character)
        node.yaml_set_start_comment(
            "Drafted from the script's description. Edit the look, then "
            f"`aktion cast lock {character['id']}`.")
        write_text_atomic(path, dump_yaml(node))
        report.cast.append(character["id"])
        report.written.append(path)
    return report


def draft_document(draft: Draft) -> str:
    """The whole draft as one YAML document (for ``--out``): boards, choreo and cast."""
    doc = CommentedMap()
    boards = CommentedMap()
    boards["schema"] = "Boards.1"
    boards["scenes"] = CommentedSeq(_scene_node(sc) for sc in draft.scenes)
    choreo = CommentedMap()
    choreo["schema"] = "Choreo.1"
    choreo["shots"] = CommentedMap()
    for sc in draft.scenes:
        for shot in sc.shots:
            if shot.beats:
                choreo["shots"][shot.id] = CommentedMap(
                    beats=CommentedSeq(_beat_node(b) for b in shot.beats))
    doc["boards"] = boards
    doc["choreo"] = choreo
    doc["cast"] = CommentedSeq(shaped(c) for c in draft.cast)
    doc.yaml_set_start_comment("A draft from `aktion draft --out`; the production is untouched.")
    return dump_yaml(doc)
