"""``canvas.yaml`` against the boards: every edit the cut will make, checked before it runs.

The canvas is read by the plan and the cut, long after ``aktion check``; a shot that is
not on the boards, a trim past the clip's end, a dissolve longer than the shots it joins
or a score that is not there would otherwise surface mid-render naming a blob path.
Each is one issue here, at the line of ``canvas.yaml`` (or ``boards.yaml``, for a
board's own transition) to fix. The same function checks a canvas a command is about
to save, so the command and ``check`` say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .board import Boards, Scene, Shot
from .errors import ProductionError, SourceIssue
from .source_files import check_source
from .takes import CANVAS_FILE, Canvas
from .yamlio import line_of

MAX_SCORE_BYTES = 2 << 30  # a temp score is decoded in chunks; past this it is the wrong file
SCORE_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".aif", ".aiff")


@dataclass(frozen=True)
class Join:
    """The transition into a shot as the cut will make it, and where it is written."""

    type: str
    duration: int
    file: Path
    line: int | None

    @property
    def head(self) -> int:
        """Frames it takes from the start of the incoming shot (see media.transitions)."""
        if self.type == "cut":
            return 0
        return self.duration if self.type == "dissolve" else self.duration // 2

    @property
    def tail(self) -> int:
        """Frames it takes from the end of the outgoing shot."""
        if self.type == "cut":
            return 0
        return self.duration if self.type == "dissolve" else self.duration - self.duration // 2


def canvas_issues(
    canvas: Canvas, doc: Any, root: Path, boards: Boards,
    boards_doc: Any = None, boards_path: Path | None = None,
) -> list[SourceIssue]:
    """Every problem of ``canvas`` (parsed from ``doc``, for lines) against ``boards``."""
    root = Path(root)
    path = root / CANVAS_FILE
    issues: list[SourceIssue] = []

    def at(loc: tuple[Any, ...], message: str, expected: str | None = None) -> None:
        issues.append(SourceIssue(path, line_of(doc, loc) if doc is not None else None,
                                  message, expected))

    shots = {shot.id: shot for scene in boards.scenes for shot in scene.shots}
    scenes = {scene.id: scene for scene in boards.scenes}
    for shot_id in canvas.shots:
        if shot_id not in shots:
            at(("shots", shot_id), f"shot {shot_id} is not on the boards",
               f"one of {', '.join(shots)}")
    for scene_id, edit in canvas.scenes.items():
        scene = scenes.get(scene_id)
        if scene is None:
            at(("scenes", scene_id), f"scene {scene_id} is not on the boards",
               f"one of {', '.join(scenes)}")
            continue
        in_scene = [s.id for s in scene.shots]
        seen: set[str] = set()
        for k, shot_id in enumerate(edit.order or []):
            if shot_id not in in_scene:
                at(("scenes", scene_id, "order", k),
                   f"scene {scene_id} order names shot {shot_id}, which is not in the scene",
                   f"one of {', '.join(in_scene)}")
            elif shot_id in seen:
                at(("scenes", scene_id, "order", k),
                   f"scene {scene_id} order names shot {shot_id} twice", "each shot once")
            seen.add(shot_id)
        if edit.audio is not None:
            problem = score_problem(root, edit.audio)
            if problem is not None:
                at(("scenes", scene_id, "audio"), f"scene {scene_id} score {edit.audio} "
                   f"{problem}", "a sound file (WAV, FLAC, MP3, AAC...) in the production folder")
    trims_ok = True  # a trim out of range makes the shot's length meaningless below
    for shot_id, edit in canvas.shots.items():
        shot = shots.get(shot_id)
        if shot is None or edit.trim is None:
            continue
        length = shot.duration + edit.extend
        grown = f" ({shot.duration} + {edit.extend} extended)" if edit.extend else ""
        if edit.trim.in_ >= length or (edit.trim.out or 0) > length:
            trims_ok = False
        if edit.trim.in_ >= length:
            at(("shots", shot_id, "trim", "in"),
               f"trim in at frame {edit.trim.in_}, but shot {shot_id} has {length} "
               f"frames{grown}", f"a frame within 0-{length - 1}")
        elif edit.trim.out is not None and edit.trim.out > length:
            at(("shots", shot_id, "trim", "out"),
               f"trim out at frame {edit.trim.out}, past the end of shot {shot_id} "
               f"({length} frames{grown})", f"a frame within {edit.trim.in_ + 1}-{length}")
    if trims_ok:
        for scene in boards.scenes:
            issues += _transition_issues(canvas, doc, path, scene, boards, boards_doc,
                                         boards_path or root / "boards.yaml", shots)
    return issues


def score_problem(root: Path, name: str) -> str | None:
    """Why ``name`` (relative to the production) is no usable temp score, or None."""
    if Path(name).is_absolute():
        return "is an absolute path"
    path = root / name
    try:
        check_source(path, root.resolve(), MAX_SCORE_BYTES)
    except ProductionError as e:
        problem = e.issues[0].message
        return "not found" if problem == "file not found" else problem
    if path.suffix.lower() not in SCORE_SUFFIXES:
        return f"is not a sound file ({path.suffix or 'no extension'})"
    return _unreadable_sound(path)


def _unreadable_sound(path: Path) -> str | None:
    """Why the file holds no sound a decoder can read, or None.

    The decoder's verdict on a file's header is kept per content in the compiled cache,
    so checking an unchanged score does not load the decoder again."""
    from .compiled import compiled
    from .digest import digest_file

    try:
        digest = digest_file(path)  # in chunks: a score may be long
    except OSError:
        return "is not a readable sound file"
    return compiled("sound-header", [digest.encode()], lambda: _decoder_verdict(path))


def _decoder_verdict(path: Path) -> str | None:
    import av  # only when a production has a score not checked before

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return "has no sound in it"
    except (av.error.FFmpegError, OSError, UnicodeDecodeError):
        return "is not a readable sound file"
    return None


def _transition_issues(
    canvas: Canvas, doc: Any, path: Path, scene: Scene, boards: Boards, boards_doc: Any,
    boards_path: Path, shots: dict[str, Shot],
) -> list[SourceIssue]:
    """Each shot in the cut must hold the frames its transitions in and out take."""
    where = _board_locations(boards)
    edit = canvas.scenes.get(scene.id)
    known = [s.id for s in scene.shots]
    order = [s for s in (edit.order if edit and edit.order else known) if s in shots]
    order = list(dict.fromkeys(order))

    def join(shot_id: str) -> Join:
        override = canvas.shot(shot_id).transition
        if override is not None:
            line = line_of(doc, ("shots", shot_id, "transition", "duration")) if doc else None
            return Join(override.type, override.duration, path, line)
        t = shots[shot_id].transition
        line = line_of(boards_doc, where[shot_id] + ("transition",)) if boards_doc else None
        return Join(t.type, t.duration, boards_path, line)

    none = Join("cut", 0, path, None)
    joins = [none] + [join(s) for s in order[1:]] + [none]  # the first is always a cut
    lengths = [canvas.shot(s).frames_after(shots[s].duration) for s in order]
    expected = "transitions that fit in the shots they join"
    issues = []
    alone = set()  # shots already found too short for one transition by itself
    for i in range(1, len(order)):
        j = joins[i]
        if j.head > lengths[i]:
            issues.append(SourceIssue(j.file, j.line, f"a {j.type} of {j.duration} frames "
                                      f"into shot {order[i]}, which has {lengths[i]} frames",
                                      expected))
            alone.add(i)
        elif j.tail > lengths[i - 1]:
            issues.append(SourceIssue(j.file, j.line, f"a {j.type} of {j.duration} frames "
                                      f"out of shot {order[i - 1]}, which has "
                                      f"{lengths[i - 1]} frames", expected))
            alone.add(i - 1)
    for i, shot_id in enumerate(order):
        head, tail = joins[i].head, joins[i + 1].tail
        if i not in alone and head <= lengths[i] and tail <= lengths[i] \
                and head + tail > lengths[i]:
            issues.append(SourceIssue(
                joins[i].file, joins[i].line, f"shot {shot_id} has {lengths[i]} frames, too "
                f"few for its transitions ({head} in, {tail} out)", expected))
    return issues


def _board_locations(boards: Boards) -> dict[str, tuple[Any, ...]]:
    return {shot.id: ("scenes", si, "shots", hi)
            for si, scene in enumerate(boards.scenes) for hi, shot in enumerate(scene.shots)}

