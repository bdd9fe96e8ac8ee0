"""The move library: one YAML file per move, keyframed joint rotations and root motion.

A move file (``moves/<name>.yaml``)::

    schema: Move.1
    name: jab                  # must match the file name
    kind: strike               # idle, locomotion, strike, defense, reaction, action
    duration: 12               # frames at 24 fps (scaled to the production's fps)
    base: guard                # unlisted joints of the first/last key come from this pose
    contact: 5                 # the frame the strike lands (24 fps)
    effector: l_wrist          # the joint that strikes
    phases: {anticipation: [0, 3], contact: [3, 6], recovery: [6, 12]}
    keys:
      - t: 0                   # frame at 24 fps
      - t: 5
        joints: {l_shoulder: [0, 10, 85], l_elbow: [0, 0, 5]}   # [x, y, z] degrees
        root: [0.15, 0, 0]     # metres: forward, up, right (character's frame)
        turn: -10              # degrees added to facing, positive toward the right
      - t: 12

Joint rotations are Euler degrees about the character's axes (x forward, y up,
z right; see ``rotation``). Each joint's curve runs smoothly through the keys
that list it; the first and last keys take any joint they omit from the base
pose (the rest pose without a base), so a strike starts and ends in guard.
``loop: true`` repeats the keys every ``duration`` frames; ``travel`` (m/s) makes
a locomotion move carry the root; ``after`` says what follows the move (``rest``:
guard or idle, ``hold``: keep the last pose, or another move's name); ``mirror:
jab`` defines a move as another with left and right swapped; ``grounded: false``
lets the root's ``up`` carry the body off the floor (else the lowest part of the
body is kept on it); ``blend`` is how many frames (24 fps) the move takes to blend
in over what plays before it.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aktion.production.compiled import content_key
from aktion.production.errors import ProductionError, SourceIssue
from aktion.production.schema import Versioned
from aktion.production.yamlio import line_of, read_source_yaml

from .curves import interpolate
from .skeleton import INDEX, JOINTS, MIRROR

PACKAGE_MOVES = Path(__file__).parent / "moves"
STEPS = 4
"""Samples per 24 fps frame in a move's dense table."""

MoveKind = Literal["idle", "locomotion", "strike", "defense", "reaction", "action"]
Triple = tuple[float, float, float]


class MoveError(ProductionError):
    """A move file that cannot be used; names the file, line and field."""


def _joint(name: str) -> str:
    if name not in INDEX:
        raise ValueError(f"unknown joint `{name}`; joints are {', '.join(JOINTS)}")
    return name


class Key(BaseModel):
    """One keyframe: the joints it sets, and optionally the root's offset and turn."""

    model_config = ConfigDict(extra="forbid")
    t: float = Field(ge=0, description="frame at 24 fps")
    joints: dict[str, Triple] = Field(default_factory=dict, description="[x, y, z] degrees")
    root: Triple | None = Field(default=None, description="forward, up, right, metres")
    turn: float | None = Field(default=None, description="degrees, positive to the right")

    @field_validator("joints")
    @classmethod
    def _names(cls, v: dict[str, Triple]) -> dict[str, Triple]:
        for name in v:
            _joint(name)
        return v


class MoveFile(Versioned):
    """The schema of a move file."""

    KIND = "Move"

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    kind: MoveKind = "action"
    duration: float | None = Field(default=None, gt=0, description="frames at 24 fps")
    loop: bool = False
    base: str | None = None
    mirror: str | None = Field(default=None, description="this move is another, mirrored")
    keys: list[Key] = Field(default_factory=list)
    contact: float | None = Field(default=None, ge=0, description="frame at 24 fps")
    effector: str | None = None
    phases: dict[str, tuple[float, float]] = Field(default_factory=dict)
    after: str = Field(default="rest", description="rest, hold, or a move name")
    grounded: bool = True
    travel: float | None = Field(default=None, gt=0, description="m/s, locomotion")
    blend: float = Field(default=4.0, ge=0, description="frames at 24 fps to blend in")

    @field_validator("effector")
    @classmethod
    def _effector(cls, v: str | None) -> str | None:
        return None if v is None else _joint(v)

    @model_validator(mode="after")
    def _check(self) -> MoveFile:
        if self.mirror is not None:
            if self.keys or self.duration is not None or self.contact is not None:
                raise ValueError("a `mirror` move takes keys, duration and contact from its source")
            return self
        if self.duration is None:
            raise ValueError("`duration` (frames at 24 fps) is required")
        if not self.keys:
            raise ValueError("at least one key")
        times = [k.t for k in self.keys]
        if times[0] != 0:
            raise ValueError("the first key is at t: 0")
        if any(b <= a for a, b in itertools.pairwise(times)):
            raise ValueError("key times strictly increasing")
        limit = self.duration
        if times[-1] > limit or (self.loop and times[-1] >= limit):
            raise ValueError(f"key t: {times[-1]} beyond the duration {limit}")
        if self.contact is not None and self.contact > limit:
            raise ValueError(f"contact {self.contact} beyond the duration {limit}")
        if (self.contact is None) != (self.effector is None):
            raise ValueError("`contact` and `effector` go together")
        if self.kind == "strike" and self.contact is None:
            raise ValueError("a strike needs `contact` and `effector`")
        for phase, (a, b) in self.phases.items():
            if not 0 <= a <= b <= limit:
                raise ValueError(f"phase `{phase}` [{a}, {b}] within [0, {limit}]")
        if self.kind == "locomotion" and self.travel is None:
            raise ValueError("a locomotion move needs `travel` (m/s)")
        return self


@dataclass(frozen=True)
class Move:
    """A resolved move: its timing and a dense table of its curves, ready to sample."""

    name: str
    kind: str
    duration: float  # frames at 24 fps
    loop: bool
    contact: float | None
    effector: str | None
    phases: dict[str, tuple[float, float]]
    after: str
    grounded: bool
    travel: float | None
    blend: float
    angles: np.ndarray = field(repr=False)  # (S, J, 3) degrees, every 1/STEPS frame
    root: np.ndarray = field(repr=False)  # (S, 4) forward, up, right, turn
    description: str = ""
    source: str = ""

    def sample(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Angles (N, J, 3) and root (N, 4) at move times ``u`` (frames at 24 fps)."""
        u = np.asarray(u, dtype=np.float64)
        u = np.mod(u, self.duration) if self.loop else np.clip(u, 0.0, self.duration)
        x = u * STEPS
        i = np.clip(np.floor(x).astype(np.int64), 0, len(self.root) - 2)
        f = (x - i)[:, None]
        root = self.root[i] * (1 - f) + self.root[i + 1] * f
        f3 = f[:, :, None]
        angles = self.angles[i] * (1 - f3) + self.angles[i + 1] * f3
        return angles, root

    def first_pose(self) -> np.ndarray:
        return self.angles[0]


def _tabulate(spec: MoveFile, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    duration = float(spec.duration or 1.0)
    samples = math.ceil(duration * STEPS) + 1
    at = np.arange(samples) / STEPS
    period = duration if spec.loop else None
    keys = spec.keys
    angles = np.empty((samples, len(JOINTS), 3))
    for j, name in enumerate(JOINTS):
        ts, vs = [], []
        for n, key in enumerate(keys):
            if name in key.joints:
                ts.append(key.t)
                vs.append(key.joints[name])
            elif n == 0 or (n == len(keys) - 1 and not spec.loop):
                ts.append(key.t)
                vs.append(base[j])
        angles[:, j] = interpolate(np.array(ts), np.array(vs), at, period)
    ts, vs = [], []
    for n, key in enumerate(keys):
        edge = n == 0 or (n == len(keys) - 1 and not spec.loop)
        if key.root is not None or key.turn is not None or edge:
            ts.append(key.t)
            vs.append([*(key.root or (0.0, 0.0, 0.0)), key.turn or 0.0])
    root = interpolate(np.array(ts), np.array(vs), at, period)
    return angles, root


def _mirror(move: Move, spec: MoveFile, source: str) -> Move:
    angles = move.angles[:, list(MIRROR)] * np.array([-1.0, -1.0, 1.0])
    root = move.root * np.array([1.0, 1.0, -1.0, -1.0])
    effector = JOINTS[MIRROR[INDEX[move.effector]]] if move.effector else None
    return Move(
        name=spec.name, kind=move.kind, duration=move.duration, loop=move.loop,
        contact=move.contact, effector=effector, phases=dict(move.phases), after=move.after,
        grounded=move.grounded, travel=move.travel, blend=move.blend, angles=angles, root=root,
        description=spec.description or f"{move.description} (mirrored)", source=source,
    )  # fmt: skip


def _issues(path: Path, doc: Any, err: ValidationError) -> list[SourceIssue]:
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        out.append(SourceIssue(path, line_of(doc, loc), f"`{where}`: {msg}"))
    return out


class MoveLibrary:
    """Named moves from the package's ``moves/`` folder plus any extra folders or data.

    Later sources override earlier ones, so a production's ``moves/jab.yaml``
    replaces the built-in jab; add a move by adding a file. Every reference is checked
    when the library is made; a move's dense table is computed when it is first used,
    once per process for the same content.
    """

    def __init__(self, specs: dict[str, tuple[MoveFile, str]]):
        self._specs = dict(specs)
        self._ids: dict[str, str] = {}
        issues = []
        for name in sorted(self._specs):
            try:
                self._identity(name, ())
            except MoveError as e:
                issues.extend(e.issues)
        if issues:
            raise MoveError(issues)

    @classmethod
    def for_production(cls, root: Path | str) -> MoveLibrary:
        """The built-in moves plus a production's own ``moves/`` folder, if it has one."""
        folder = Path(root) / "moves"
        return cls.load([folder] if folder.is_dir() else [], root=Path(root).resolve())

    @classmethod
    def load(
        cls, extra_dirs: list[Path | str] | tuple[Path | str, ...] = (),
        extra: dict[str, dict[str, Any]] | None = None, root: Path | None = None,
    ) -> MoveLibrary:
        """The built-in moves, then each folder in ``extra_dirs``, then ``extra`` data.

        ``extra`` maps a move name to a move file's content (as a request can carry it);
        ``root``: every move file must be inside it (a production's folder).
        """
        specs: dict[str, tuple[MoveFile, str]] = dict(_package_specs())
        issues: list[SourceIssue] = []
        for folder in extra_dirs:
            for path in sorted(Path(folder).glob("*.yaml")):
                try:
                    spec = _read_spec(path, root)
                except MoveError as e:
                    issues.extend(e.issues)
                    continue
                specs[spec.name] = (spec, str(path))
        for name, data in (extra or {}).items():
            where = Path(f"<move {name}>")
            try:
                spec = MoveFile.model_validate(data)
            except ValidationError as e:
                issues.extend(_issues(where, None, e))
                continue
            if spec.name != name:
                issues.append(SourceIssue(where, None, f"name `{spec.name}`", f"`{name}`"))
                continue
            specs[name] = (spec, str(where))
        if issues:
            raise MoveError(issues)
        return cls(specs)

    def names(self) -> list[str]:
        return sorted(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __getitem__(self, name: str) -> Move:
        if name not in self._specs:
            raise KeyError(f"no move `{name}` in the library ({', '.join(self.names())})")
        return self._resolve(name)

    def _identity(self, name: str, chain: tuple[str, ...]) -> str:
        """Check ``name``'s references; a digest of everything its table depends on."""
        if name in self._ids:
            return self._ids[name]
        spec, source = self._specs[name]
        path = Path(source)

        def fail(message: str, expected: str | None = None) -> MoveError:
            return MoveError([SourceIssue(path, None, message, expected)])

        if name in chain:
            raise fail(f"move `{name}` refers to itself through {' -> '.join(chain + (name,))}")
        for ref, what in ((spec.base, "base"), (spec.mirror, "mirror")):
            if ref is not None and ref not in self._specs:
                raise fail(f"`{what}: {ref}` is not a move", f"one of {sorted(self._specs)}")
        if spec.after not in ("rest", "hold") and spec.after not in self._specs:
            raise fail(f"`after: {spec.after}` is not a move", "rest, hold or a move name")
        refs = [self._identity(r, chain + (name,)) if r is not None else ""
                for r in (spec.base, spec.mirror)]  # fmt: skip
        text = "\0".join([spec.model_dump_json(), source, *refs])
        ident = hashlib.sha256(text.encode()).hexdigest()
        self._ids[name] = ident
        return ident

    def _resolve(self, name: str) -> Move:
        ident = self._ids[name]
        move = _RESOLVED.get(ident)
        if move is not None:
            return move
        spec, source = self._specs[name]
        if spec.mirror is not None:
            move = _mirror(self._resolve(spec.mirror), spec, source)
        else:
            base = (
                self._resolve(spec.base).first_pose()
                if spec.base is not None
                else np.zeros((len(JOINTS), 3))
            )
            angles, root = _tabulate(spec, base)
            move = Move(
                name=spec.name, kind=spec.kind, duration=float(spec.duration or 1.0),
                loop=spec.loop, contact=spec.contact, effector=spec.effector,
                phases=dict(spec.phases), after=spec.after, grounded=spec.grounded,
                travel=spec.travel, blend=spec.blend, angles=angles, root=root,
                description=spec.description, source=source,
            )  # fmt: skip
        move.angles.setflags(write=False)  # shared by every library with this content
        move.root.setflags(write=False)
        if len(_RESOLVED) >= 4096:
            _RESOLVED.clear()
        _RESOLVED[ident] = move
        return move


_RESOLVED: dict[str, Move] = {}
"""Resolved moves by identity: the same content is tabulated once per process."""


def _read_spec(path: Path, root: Path | None = None) -> MoveFile:
    try:
        doc = read_source_yaml(path, root)
    except ProductionError as e:
        raise MoveError(e.issues) from None
    if doc is None or not isinstance(doc.data, dict):
        raise MoveError([SourceIssue(path, None, "a move file is a mapping", "name:, keys:, ...")])
    try:
        spec = MoveFile.model_validate(doc.data)
    except ValidationError as e:
        raise MoveError(_issues(path, doc, e)) from None
    if spec.name != path.stem:
        raise MoveError(
            [SourceIssue(path, line_of(doc, ("name",)), f"name `{spec.name}`",
                         f"`{path.stem}`, the file name")]
        )  # fmt: skip
    return spec


_PACKAGE: dict[str, dict[str, tuple[MoveFile, str]]] = {}


def _package_specs() -> dict[str, tuple[MoveFile, str]]:
    """The built-in move files, read and validated once per process for the same content
    (each file's parse comes from the compiled cache, see ``production.compiled``)."""
    paths = sorted(PACKAGE_MOVES.glob("*.yaml"))
    key = content_key("package-moves", [p.name.encode() + b"\0" + p.read_bytes()
                                        for p in paths])  # fmt: skip
    specs = _PACKAGE.get(key)
    if specs is None:
        specs = {}
        for path in paths:
            spec = _read_spec(path)
            specs[spec.name] = (spec, str(path))
        _PACKAGE.clear()
        _PACKAGE[key] = specs
    return specs
