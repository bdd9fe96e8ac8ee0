"""Load a production folder, validating every file and the links between them.

Every problem found is reported with its file and line; nothing renders from a
production that has any.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .board import Boards
from .canvas_checks import canvas_issues
from .cast import Character, compute_lock
from .choreo import Choreo
from .digest import digest_file
from .errors import ProductionError, SourceIssue
from .production import Production
from .pydantic_issues import pydantic_issues
from .references import REFERENCE_FORMATS, reference_problem
from .script import Script
from .settings import Settings
from .source_files import MAX_SCRIPT_BYTES, read_source_text
from .takes import CANVAS_FILE, read_canvas
from .yamlio import line_of, plain, read_source_yaml

SETTINGS_FILE = "aktion.toml"


_pydantic_issues = pydantic_issues  # the name this module has always used


def validate_doc(model: type[BaseModel], path: Path, doc: Any, fps: int) -> Any:
    """Validate one parsed YAML document; errors carry its file and lines."""
    try:
        return model.model_validate(plain(doc), context={"fps": fps})
    except ValidationError as e:
        raise ProductionError(_pydantic_issues(path, doc, e)) from None


def load_settings(root: Path) -> Settings:
    path = root / SETTINGS_FILE
    if not path.is_file():
        raise ProductionError(
            [SourceIssue(path, None, "not a production folder: no aktion.toml", "aktion.toml")]
        )
    try:
        data = tomllib.loads(read_source_text(path))
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"at line (\d+), column (\d+)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        raise ProductionError(
            [SourceIssue(path, line, f"TOML syntax: {str(e).split(' (at line')[0]}", column=col)]
        ) from None
    flat = dict(data.get("production", {}))
    for section in ("render",):
        flat.update(data.get(section, {}))
    if "sound" in data:
        flat["sound"] = data["sound"]
    unknown = set(data) - {"production", "render", "sound"}
    if unknown:
        raise ProductionError([SourceIssue(path, None, f"unknown table [{min(unknown)}]",
                                           "[production], [render], [sound]")])
    try:
        return Settings.model_validate(flat)
    except ValidationError as e:
        lines = path.read_text(encoding="utf-8").splitlines()
        out = []
        for issue in _pydantic_issues(path, None, e):
            key = issue.message.split("`")[1] if "`" in issue.message else ""
            line = next(
                (i + 1 for i, t in enumerate(lines) if re.match(rf"\s*{re.escape(key)}\s*=", t)),
                None,
            )
            out.append(SourceIssue(path, line, issue.message, issue.expected))
        raise ProductionError(out) from None


def load_production(root: Path | str, moves: Iterable[str] | None = None, *,
                    canvas: bool = True) -> Production:
    """Read and check a production. ``moves``: the move library's names, if known.

    ``canvas``: also check ``canvas.yaml`` against the boards (a command that edits the
    canvas checks its own result instead, so it can repair a canvas that is wrong)."""
    root = Path(root).resolve()
    settings = load_settings(root)
    issues: list[SourceIssue] = []
    docs: dict[Path, Any] = {}

    def attempt(fn, *args):
        try:
            return fn(*args)
        except ProductionError as e:
            issues.extend(e.issues)
            return None

    script_path = root / settings.script
    script = None
    if script_path.exists() or script_path.is_symlink():
        text = attempt(read_source_text, script_path, root, MAX_SCRIPT_BYTES)
        if text is not None:
            script = Script.from_text(text, script_path)
    else:
        issues.append(SourceIssue(script_path, None, "script not found", "a Fountain file"))

    cast: dict[str, Character] = {}
    locks: dict[str, str] = {}
    ref_digests: dict[str, dict[str, str]] = {}
    cast_dir = root / settings.cast_dir
    broken: set[str] = set()  # cast files with errors: already reported, not "missing"
    for path in sorted(cast_dir.glob("*.yaml")) if cast_dir.is_dir() else []:
        broken.add(path.stem)
        doc = attempt(read_source_yaml, path, root)
        if doc is None:
            continue
        docs[path] = doc
        ch = attempt(validate_doc, Character, path, doc, settings.fps)
        if ch is None:
            continue
        if ch.id != path.stem:
            issues.append(SourceIssue(path, line_of(doc, ("id",)), f"id `{ch.id}`",
                                      f"`{path.stem}`, the file name"))
            continue
        broken.discard(path.stem)
        digests = {}
        for i, ref in enumerate(ch.refs):
            ref_path = (cast_dir / ref).resolve()
            if not ref_path.is_relative_to(root) or not ref_path.is_file():
                issues.append(
                    SourceIssue(path, line_of(doc, ("refs", i)), f"reference image `{ref}` not found",
                                "a file inside the production folder")
                )
                continue
            problem = reference_problem(ref_path)
            if problem is not None:
                issues.append(SourceIssue(path, line_of(doc, ("refs", i)),
                                          f"reference image `{ref}` {problem}",
                                          f"a {', '.join(REFERENCE_FORMATS)} image"))
                continue
            digests[ref] = digest_file(ref_path)
        lock = compute_lock(ch, digests)
        if ch.locked and ch.locked != lock:
            issues.append(
                SourceIssue(path, line_of(doc, ("locked",)),
                            f"{ch.name} changed since it was locked",
                            f"`aktion cast relock {ch.id}` to accept the change")
            )
        cast[ch.id], locks[ch.id], ref_digests[ch.id] = ch, lock, digests

    boards_path = root / settings.boards
    boards = None
    doc = attempt(read_source_yaml, boards_path, root)
    if doc is None and boards_path.is_file() and not any(i.file == boards_path for i in issues):
        issues.append(SourceIssue(boards_path, None, "empty file", "a Boards document "
                                  "(`schema: Boards.1` and its scenes)"))
    elif doc is not None:
        docs[boards_path] = doc
        boards = attempt(validate_doc, Boards, boards_path, doc, settings.fps)

    choreo_path = root / settings.choreo
    choreo = Choreo()
    if choreo_path.exists() or choreo_path.is_symlink():
        doc = attempt(read_source_yaml, choreo_path, root)
        if doc is not None:
            docs[choreo_path] = doc
            choreo = attempt(validate_doc, Choreo, choreo_path, doc, settings.fps) or Choreo()

    if boards is not None:
        issues.extend(
            _cross_check(boards, choreo, cast, script, docs, boards_path, choreo_path, moves,
                         broken)
        )
        if canvas:
            issues.extend(_canvas_check(root, settings, boards, docs, boards_path, attempt))
    if issues:
        raise ProductionError(issues)
    assert script is not None and boards is not None
    return Production(root, settings, script, cast, locks, boards, choreo, ref_digests, docs)


def _canvas_check(root, settings, boards, docs, boards_path, attempt) -> list[SourceIssue]:
    """``canvas.yaml`` (when there is one) and the boards' own transitions, as the cut
    will use them."""
    loaded = attempt(read_canvas, root, settings.fps)
    if loaded is None:
        return []
    edit, doc = loaded
    if doc is not None:
        docs[root / CANVAS_FILE] = doc
    return canvas_issues(edit, doc, root, boards, docs.get(boards_path), boards_path)


def _cross_check(boards, choreo, cast, script, docs, boards_path, choreo_path, moves, broken):
    issues: list[SourceIssue] = []
    known = set(cast) | broken
    bdoc, cdoc = docs.get(boards_path), docs.get(choreo_path)
    durations: dict[str, int] = {}
    people: dict[str, set[str]] = {}
    move_names = set(moves) if moves is not None else None
    scene_ids: set[str] = set()
    for si, scene in enumerate(boards.scenes):
        if scene.id in scene_ids:  # out/<scene>.mp4 would hold only one of them
            issues.append(SourceIssue(boards_path, line_of(bdoc, ("scenes", si, "id")),
                                      f"duplicate scene id `{scene.id}`", "unique scene ids"))
        scene_ids.add(scene.id)
        for hi, shot in enumerate(scene.shots):
            loc = ("scenes", si, "shots", hi)
            if shot.id in durations:
                issues.append(SourceIssue(boards_path, line_of(bdoc, loc + ("id",)),
                                          f"duplicate shot id `{shot.id}`", "unique shot ids"))
            durations[shot.id] = shot.duration
            people[shot.id] = set(shot.characters)
            for mi, mark in enumerate(shot.blocking):
                if mark.who not in known:
                    issues.append(SourceIssue(
                        boards_path, line_of(bdoc, loc + ("blocking", mi, "who")),
                        f"shot {shot.id} blocks `{mark.who}`, who is not in the cast",
                        f"one of {sorted(cast)}"))
            for fi, who in enumerate(shot.frame):
                if who not in known:
                    issues.append(SourceIssue(
                        boards_path, line_of(bdoc, loc + ("frame", fi)),
                        f"shot {shot.id} frames `{who}`, who is not in the cast",
                        f"one of {sorted(cast)}"))
            if script is not None and shot.lines[1] > len(script.lines):
                issues.append(SourceIssue(
                    boards_path, line_of(bdoc, loc + ("lines",)),
                    f"shot {shot.id} covers lines {shot.lines[0]}-{shot.lines[1]}, "
                    f"but the script has {len(script.lines)} lines",
                    f"a range within 1-{len(script.lines)}"))
            if shot.move.end is not None and shot.move.end > shot.duration:
                issues.append(SourceIssue(
                    boards_path, line_of(bdoc, loc + ("move", "end")),
                    f"camera move ends at frame {shot.move.end}, after the shot ({shot.duration})",
                    f"a frame within 0-{shot.duration}"))
    for shot_id, entry in choreo.shots.items():
        if shot_id not in durations:
            issues.append(SourceIssue(choreo_path, line_of(cdoc, ("shots", shot_id)),
                                      f"choreography for shot `{shot_id}`, which is not boarded",
                                      f"one of {list(durations)}"))
            continue
        dur = durations[shot_id]
        for bi, beat in enumerate(entry.beats):
            loc = ("shots", shot_id, "beats", bi)
            if beat.t >= dur:
                issues.append(SourceIssue(
                    choreo_path, line_of(cdoc, loc + ("t",)),
                    f"beat at frame {beat.t} is outside shot {shot_id} ({dur} frames)",
                    f"a time within 0-{dur - 1}"))
            for fld in ("who", "target"):
                who = getattr(beat, fld)
                if who is None:
                    continue
                if who not in known:
                    issues.append(SourceIssue(
                        choreo_path, line_of(cdoc, loc + (fld,)),
                        f"`{who}` is not in the cast", f"one of {sorted(cast)}"))
                elif who not in people[shot_id]:
                    issues.append(SourceIssue(
                        choreo_path, line_of(cdoc, loc + (fld,)),
                        f"`{who}` is not blocked in shot {shot_id}",
                        f"one of {sorted(people[shot_id])}, or block them in boards.yaml"))
            if beat.move and move_names is not None and beat.move not in move_names:
                issues.append(SourceIssue(
                    choreo_path, line_of(cdoc, loc + ("move",)),
                    f"unknown move `{beat.move}`", "a move of the move library (`aktion moves`)"))
            if beat.line is not None and script is not None and beat.line > len(script.lines):
                issues.append(SourceIssue(
                    choreo_path, line_of(cdoc, loc + ("line",)),
                    f"beat cites script line {beat.line}", f"a line within 1-{len(script.lines)}"))
    return issues
