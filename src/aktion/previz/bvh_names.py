"""Which BVH joint stands for each Aktion joint: the naming table and the matching.

Motion capture comes named by whoever rigged it (CMU, Biovision/MocapBank, Mixamo, the
BVH specification's example, 3ds Max Biped, Unreal). The table in ``bvh_names.yaml`` lists,
per Aktion joint, the names that stand for it in each scheme; a user's own table (same
shape) is tried first, so a new rig is a few lines of YAML, not code.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from aktion.production.errors import ProductionError
from aktion.production.yamlio import line_of, plain, read_yaml

TABLE = Path(__file__).with_name("bvh_names.yaml")
REQUIRED = ("pelvis", "l_hip", "r_hip", "l_knee", "r_knee")
"""Joints a clip must have to be retargeted: the hips and legs carry the body."""

Table = dict[str, tuple[str, ...]]


class NamesError(ValueError):
    """A naming table that cannot be used, or a clip it does not cover."""


def normalise(name: str) -> str:
    """A joint name as the table compares it (see the table's header)."""
    name = re.split(r"[:|]", name)[-1].lower()
    name = re.sub(r"^mixamorig\d*_", "", name)
    name = re.sub(r"^bip0*1[\s_]*", "", name)
    return re.sub(r"[^a-z0-9]", "", name)


def _read(path: Path, known: tuple[str, ...] | None) -> Table:
    try:
        doc = read_yaml(path)
    except ProductionError as e:
        raise NamesError("; ".join(str(i) for i in e.issues)) from None
    data: Any = plain(doc)
    if not isinstance(data, dict):
        raise NamesError(f"{path}: a mapping of Aktion joint -> [BVH names]")
    table: Table = {}
    for joint, names in data.items():
        where = f"{path}:{line_of(doc, (joint,))}"
        if known is not None and joint not in known:
            raise NamesError(f"{where}: `{joint}` is not an Aktion joint "
                             f"(expected one of {', '.join(known)})")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise NamesError(f"{where}: `{joint}` needs a list of BVH joint names")
        table[str(joint)] = tuple(normalise(n) for n in names if normalise(n))
    return table


@functools.lru_cache(maxsize=1)
def builtin() -> Table:
    """The table that ships with Aktion."""
    return _read(TABLE, None)


def load(extra: Path | str | None = None) -> Table:
    """The built-in table, with ``extra``'s names (if given) tried before its own."""
    table = dict(builtin())
    if extra is not None:
        for joint, names in _read(Path(extra), tuple(table)).items():
            table[joint] = names + tuple(n for n in table[joint] if n not in names)
    return table


def match(names: list[str], table: Table | None = None) -> dict[str, int]:
    """Aktion joint -> index in ``names`` of the BVH joint standing for it.

    ``names`` are the clip's joints in file order (End Sites excluded by the caller);
    a joint of the clip stands for at most one Aktion joint."""
    table = table or builtin()
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(normalise(name), i)
    out: dict[str, int] = {}
    taken: set[int] = set()
    for joint, options in table.items():
        found = next((index[o] for o in options if o in index and index[o] not in taken), None)
        if found is not None:
            out[joint] = found
            taken.add(found)
    missing = [j for j in REQUIRED if j not in out]
    if missing:
        raise NamesError(
            f"no BVH joint for {', '.join(missing)} (the file's joints: {', '.join(names)}); "
            "add its names to a table of your own and pass it with --map "
            f"(the built-in one, {TABLE.name}, shows the shape)")
    return out
