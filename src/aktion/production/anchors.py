"""Line anchors that follow the script: shots' ``lines`` and beats' ``line`` rebased by a
diff of the old and new script, and anchors whose text was rewritten or deleted flagged.

Boards and choreography point at script lines by number. Insert two lines above a
shot and every number below points at other text; nothing would notice. So when the
script changes, the old and new texts are diffed line by line: an anchor whose lines
were only moved is moved with them (a one-line edit of ``boards.yaml``); an anchor
whose lines were rewritten or deleted is *flagged*, never quietly re-pointed, until
the director accepts it (``aktion anchors accept``, or the Studio).

The script the anchors last matched is kept in ``.aktion/anchors.json`` with the open
flags, so an edit made outside Aktion (any text editor) is caught by ``aktion check``
and rebased by ``aktion anchors rebase``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import ProductionError
from .load import load_settings
from .source_files import read_source_text
from .yamlio import edit_yaml, read_yaml, write_text_atomic

STATE = Path(".aktion") / "anchors.json"


@dataclass(frozen=True)
class LineMap:
    """Where each old line went: its new line (1-based), and whether its text changed."""

    new: list[int | None]  # index: old line - 1; None: deleted
    changed: list[bool]
    old_count: int
    new_count: int
    blank: list[bool]  # old lines with nothing on them: never the edge of a moved range

    @classmethod
    def between(cls, old: str, new: str) -> LineMap:
        a, b = old.splitlines(), new.splitlines()
        target: list[int | None] = [None] * len(a)
        changed = [True] * len(a)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False
                                                           ).get_opcodes():
            for k in range(i2 - i1):
                if tag == "equal":
                    target[i1 + k], changed[i1 + k] = j1 + k + 1, False
                elif tag == "replace":  # rewritten in place: still there, but not the same
                    target[i1 + k] = j1 + min(k, j2 - j1 - 1) + 1
        return cls(target, changed, len(a), len(b), [not t.strip() for t in a])

    @property
    def identity(self) -> bool:
        return self.old_count == self.new_count and not any(self.changed) and all(
            t == i + 1 for i, t in enumerate(self.new))

    def span(self, first: int, last: int) -> tuple[int, int, str]:
        """The new range of old lines ``first..last`` and what happened to them:
        ``same``, ``moved``, ``rewritten`` (some changed or deleted, or lines put
        inside) or ``deleted`` (the range is left as it was)."""
        idx = range(max(first, 1) - 1, min(last, self.old_count))
        kept = [i for i in idx if self.new[i] is not None]
        if not kept:
            return first, last, "deleted"
        intact = (len(kept) == len(idx) and not any(self.changed[i] for i in idx)
                  and self.new[kept[-1]] - self.new[kept[0]] == last - first)
        if intact:
            a, b = self.new[kept[0]], self.new[kept[-1]]
            return a, b, "same" if (a, b) == (first, last) else "moved"
        text = [i for i in kept if not self.blank[i]] or kept
        return min(self.new[i] for i in text), max(self.new[i] for i in text), "rewritten"


@dataclass
class Flag:
    """An anchor whose script text was rewritten or deleted, kept until accepted."""

    shot: str
    status: str  # rewritten | deleted
    lines: list[int]  # the anchor now
    was: str  # the text it pointed at
    beat: int | None = None  # the beat's `line`, for a beat's anchor (else the shot's)

    def describe(self) -> str:
        what = f"shot {self.shot}" + (f" beat at line {self.beat}" if self.beat else "")
        where = f"line {self.lines[0]}" if self.lines[0] == self.lines[1] else (
            f"lines {self.lines[0]}-{self.lines[1]}")
        verb = "were deleted" if self.status == "deleted" else "were rewritten"
        return f"{what}: the script text it showed ({where}) {verb}; was: {self.was[:80]!r}"


@dataclass
class Rebase:
    moved: list[str] = field(default_factory=list)  # "sh040: 28-32 -> 30-34"
    flags: list[Flag] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _excerpt(lines: list[str], first: int, last: int) -> str:
    return " / ".join(t.strip() for t in lines[first - 1:last] if t.strip())


def rebase(root: Path, old: str, new: str, write: bool = True) -> Rebase:
    """Move every anchor of the boards and choreography from script ``old`` to ``new``,
    saving only the changed numbers (unless ``write`` is false: then only say what would
    move), and flag the anchors whose text did not survive."""
    root = Path(root)
    settings = load_settings(root)
    lines = LineMap.between(old, new)
    out = Rebase()
    if lines.identity:
        return out
    old_lines = old.splitlines()

    def anchored(what: str, first: int, last: int) -> tuple[int, int, str]:
        a, b, status = lines.span(first, last)
        if (a, b) != (first, last):
            out.moved.append(f"{what}: {first}-{last} -> {a}-{b}" if first != last
                             else f"{what}: {first} -> {a}")
        return a, b, status

    boards = root / settings.boards
    if boards.is_file():
        doc = read_yaml(boards, root)
        changes: dict[tuple[Any, ...], Any] = {}
        for si, scene in enumerate(doc.get("scenes") or []):
            for hi, shot in enumerate(scene.get("shots") or []):
                span, sid = shot.get("lines"), str(shot.get("id"))
                if not (isinstance(span, list) and len(span) == 2
                        and all(isinstance(v, int) for v in span)):
                    continue
                a, b, status = anchored(f"shot {sid}", int(span[0]), int(span[1]))
                if (a, b) != (span[0], span[1]):
                    changes[("scenes", si, "shots", hi, "lines")] = [a, b]
                if status in ("rewritten", "deleted"):
                    out.flags.append(Flag(sid, status, [a, b],
                                          _excerpt(old_lines, span[0], span[1])))
            for bi, box in enumerate((scene.get("set") or {}).get("boxes") or []):
                line = box.get("line") if isinstance(box, dict) else None
                if isinstance(line, int):
                    a, _, _ = anchored(f"set piece {box.get('name') or bi}", line, line)
                    if a != line:
                        changes[("scenes", si, "set", "boxes", bi, "line")] = a
        if changes and write:
            edit_yaml(boards, changes, fps=settings.fps, root=root)
            out.written.append(boards)
    choreo = root / settings.choreo
    if choreo.is_file():
        doc = read_yaml(choreo, root)
        changes = {}
        for sid, entry in (doc.get("shots") or {}).items():
            for bi, beat in enumerate((entry or {}).get("beats") or []):
                line = beat.get("line") if isinstance(beat, dict) else None
                if not isinstance(line, int):
                    continue
                a, _, status = anchored(f"shot {sid} beat {bi + 1}", line, line)
                if a != line:
                    changes[("shots", sid, "beats", bi, "line")] = a
                if status in ("rewritten", "deleted"):
                    out.flags.append(Flag(str(sid), status, [a, a],
                                          _excerpt(old_lines, line, line), beat=a))
        if changes and write:
            edit_yaml(choreo, changes, fps=settings.fps, root=root)
            out.written.append(choreo)
    return out


# -- what the anchors last matched, and their open flags ------------------------------------

def _state_path(root: Path) -> Path:
    return Path(root) / STATE


def load_state(root: Path) -> dict[str, Any]:
    path = _state_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_state(root: Path, script: str, flags: list[Flag]) -> None:
    data = {"script_sha256": _sha(script), "script": script,
            "flags": [asdict(f) for f in flags]}
    write_text_atomic(_state_path(root), json.dumps(data, indent=1) + "\n")


def flags(root: Path) -> list[Flag]:
    out = []
    for f in load_state(root).get("flags") or []:
        try:
            out.append(Flag(**f))
        except TypeError:
            continue
    return out


def script_text(root: Path) -> str:
    settings = load_settings(Path(root))
    return read_source_text(Path(root) / settings.script, Path(root))


def record(root: Path, old: str | None, new: str) -> Rebase:
    """The script is now ``new``: rebase the anchors from the script they last matched
    (as recorded; ``old``, the text it replaced, when nothing is), add the flags, and
    remember ``new``. If the boards or choreography cannot be read, nothing is recorded,
    so a later rebase still starts from the text the anchors match."""
    state = load_state(root)
    recorded = state.get("script")
    base = recorded if isinstance(recorded, str) else old
    kept = flags(root)
    result = Rebase()
    if isinstance(base, str) and base != new:
        result = rebase(root, base, new)
        lines = LineMap.between(base, new)
        for f in kept:  # earlier flags move with their lines too
            a, b, _ = lines.span(f.lines[0], f.lines[1])
            f.lines = [a, b]
            if f.beat is not None:
                f.beat = a
    seen = {(f.shot, f.beat) for f in result.flags}
    merged = result.flags + [f for f in kept if (f.shot, f.beat) not in seen]
    _save_state(root, new, merged)
    result.flags = merged
    return result


def pending(root: Path) -> Rebase | None:
    """What ``aktion anchors rebase`` would do for a script edited outside Aktion (moves
    and flags, nothing written); None when nothing is pending or nothing was recorded."""
    base = load_state(root).get("script")
    try:
        now = script_text(root)
    except Exception:  # noqa: BLE001 - a broken script is the loader's to report
        return None
    if not isinstance(base, str) or base == now:
        return None
    try:
        return rebase(root, base, now, write=False)
    except ProductionError:  # boards that do not parse: the loader reports them
        return None


def ensure_recorded(root: Path) -> None:
    """Remember the current script as what the anchors match, if nothing is recorded yet."""
    if "script" not in load_state(root):
        try:
            _save_state(root, script_text(root), [])
        except Exception:  # noqa: BLE001 - no script yet: nothing to anchor to
            return


def accept(root: Path, shot: str, beat: int | None = None) -> int:
    """Clear the flags of ``shot`` (or of one beat of it); how many were cleared."""
    state = load_state(root)
    kept = [f for f in flags(root) if not (f.shot == shot and (beat is None or f.beat == beat))]
    cleared = len(flags(root)) - len(kept)
    if cleared:
        _save_state(root, state.get("script") or script_text(root), kept)
    return cleared
