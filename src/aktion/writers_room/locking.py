"""Locking a cast member: recording the lock the loader computes into ``locked:``.

The lock covers the description, the reference images' content and the seed, and
the loader already computes it (``load_production``); locking only writes it down,
so there is one definition of a lock in Aktion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from aktion.production.errors import ProductionError, SourceIssue
from aktion.production.load import load_production, load_settings
from aktion.production.yamlio import dump_yaml, read_yaml, write_text_atomic

from .names import character_id


@dataclass
class LockResult:
    id: str
    path: Path
    lock: str
    changed: bool  # False when it was already locked at this lock


def cast_file(root: Path, name: str) -> Path:
    """The cast file for an id or a script name (``vex``, ``VEX``, ``Big Tony``)."""
    cast_dir = root / load_settings(root).cast_dir
    for cid in (name, character_id(name)):
        if (cast_dir / f"{cid}.yaml").is_file():
            return cast_dir / f"{cid}.yaml"
    known = sorted(p.stem for p in cast_dir.glob("*.yaml")) if cast_dir.is_dir() else []
    raise ProductionError([SourceIssue(cast_dir / f"{character_id(name)}.yaml", None,
                                       f"no cast member `{name}`", f"one of {known}")])


def lock_character(root: Path | str, name: str, relock: bool = False) -> LockResult:
    """Write the character's current lock into its file.

    ``relock`` accepts a change made since the last lock; without it a changed
    character is an error (the loader's), so nothing is relocked by accident.
    """
    root = Path(root).resolve()
    path = cast_file(root, name)
    original = path.read_text(encoding="utf-8")
    doc = read_yaml(path)
    if not isinstance(doc, CommentedMap):
        raise ProductionError([SourceIssue(path, 1, "not a character", "a YAML mapping")])
    if relock and "locked" in doc:
        del doc["locked"]
        write_text_atomic(path, dump_yaml(doc))
    try:
        production = load_production(root)
    except ProductionError:
        if relock:
            write_text_atomic(path, original)
        raise
    cid = path.stem
    lock = production.locks[cid]
    doc = read_yaml(path)
    if str(doc.get("locked") or "") == lock:
        return LockResult(cid, path, lock, changed=False)
    doc["locked"] = lock
    write_text_atomic(path, dump_yaml(doc))
    return LockResult(cid, path, lock, changed=True)
