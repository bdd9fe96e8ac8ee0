"""Reading BVH text, defensively: every problem is one error naming the line.

A BVH file is a HIERARCHY (joints, offsets, channels) then MOTION (a frame count, a
frame time, one line of channel values per frame). Files come from anywhere: a NaN in
frame 0, ``Frames: 0``, ``Frame Time: 0``, an unknown channel, a truncated last line or
a 500 MB capture must each be refused here, with the line, before anything is solved.
The file's size, its frame count and its length are bounded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_BYTES = 64 << 20  # ~30000 frames of a 60-joint rig; a move is seconds long
MAX_FRAMES = 30_000  # two minutes at 250 fps
MAX_SECONDS = 120.0  # a move, not a feature: longer clips are cut before importing
MAX_JOINTS = 512
MAX_VALUE = 1e6  # centimetres or degrees: anything bigger is a broken file
CHANNEL = re.compile(r"^[XYZ](position|rotation)$", re.IGNORECASE)


class BvhError(ValueError):
    """A BVH file that cannot be read or retargeted; names the file and line when known."""

    def __init__(self, message: str, line: int | None = None, path: Path | str | None = None):
        super().__init__(message)
        self.message, self.line, self.path = message, line, path

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message


@dataclass
class BvhClip:
    """A parsed BVH: joints (End Sites included, channel-less), offsets and motion."""

    names: list[str]
    parents: list[int]
    offsets: np.ndarray  # (B, 3)
    channels: list[list[str]]
    motion: np.ndarray  # (F, total channels)
    frame_time: float

    @property
    def frames(self) -> int:
        return int(self.motion.shape[0])

    def positions(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """World positions (F, B, 3) of frames [start, stop) in the file's units, by
        forward kinematics (call it on slices to keep memory flat on long clips)."""
        motion = self.motion[start:stop]
        f, b = motion.shape[0], len(self.names)
        pos = np.zeros((f, b, 3))
        rot = np.zeros((f, b, 3, 3))
        col = 0
        for j in range(b):
            local_r = np.broadcast_to(np.eye(3), (f, 3, 3)).copy()
            trans = np.zeros((f, 3))
            for ch in self.channels[j]:
                v = motion[:, col]
                col += 1
                axis = ch[0].lower()
                if ch.lower().endswith("position"):
                    trans[:, "xyz".index(axis)] = v
                else:
                    local_r = local_r @ axis_matrices(axis, v)
            p = self.parents[j]
            if p < 0:
                pos[:, j] = self.offsets[j] + trans
                rot[:, j] = local_r
            else:
                pos[:, j] = pos[:, p] + np.einsum("fij,j->fi", rot[:, p], self.offsets[j] + 0)
                pos[:, j] += np.einsum("fij,fj->fi", rot[:, p], trans)
                rot[:, j] = rot[:, p] @ local_r
        return pos


def axis_matrices(axis: str, deg: np.ndarray) -> np.ndarray:
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    m = np.zeros(a.shape + (3, 3))
    i = "xyz".index(axis)
    j, k = (i + 1) % 3, (i + 2) % 3
    m[..., i, i] = 1.0
    m[..., j, j] = c
    m[..., k, k] = c
    m[..., j, k] = -s
    m[..., k, j] = s
    return m


def _number(token: str, line: int, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise BvhError(f"{what}: `{token}` is not a number", line) from None
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        raise BvhError(f"{what}: {token} (expected a finite number within ±{MAX_VALUE:g})",
                       line)
    return value


class _Hierarchy:
    """The HIERARCHY section, read token by token with each token's line."""

    def __init__(self, tokens: list[tuple[str, int]]):
        self.tokens = tokens
        self.i = 0
        self.names: list[str] = []
        self.parents: list[int] = []
        self.offsets: list[list[float]] = []
        self.channels: list[list[str]] = []

    def take(self, what: str) -> tuple[str, int]:
        if self.i >= len(self.tokens):
            line = self.tokens[-1][1] if self.tokens else None
            raise BvhError(f"the hierarchy ends where {what} was expected", line)
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def joint(self, parent: int, end_site: bool = False) -> None:
        if len(self.names) >= MAX_JOINTS:
            raise BvhError(f"more than {MAX_JOINTS} joints", self.tokens[self.i - 1][1])
        if end_site:
            name = f"{self.names[parent]}_end"
        else:
            name, line = self.take("a joint name")
            if name in "{}":
                raise BvhError("a joint without a name", line)
        me = len(self.names)
        self.names.append(name)
        self.parents.append(parent)
        self.offsets.append([0.0, 0.0, 0.0])
        self.channels.append([])
        tok, line = self.take("`{`")
        if tok != "{":
            raise BvhError(f"`{{` after joint {name}, got `{tok}`", line)
        while True:
            tok, line = self.take("`}`")
            if tok == "}":
                return
            if tok == "OFFSET":
                self.offsets[me] = [_number(self.take("an offset")[0], line, f"{name} OFFSET")
                                    for _ in range(3)]
            elif tok == "CHANNELS":
                if end_site:
                    raise BvhError("an End Site has no channels", line)
                count, _ = self.take("a channel count")
                if not count.isdigit() or not 0 < int(count) <= 6:
                    raise BvhError(f"{name} CHANNELS `{count}` (expected 1 to 6 channels)", line)
                names = [self.take("a channel name")[0] for _ in range(int(count))]
                for ch in names:
                    if not CHANNEL.match(ch):
                        raise BvhError(f"{name}: unknown channel `{ch}` (expected Xposition, "
                                       "Yposition, Zposition, Xrotation, Yrotation or "
                                       "Zrotation)", line)
                if len({c.lower() for c in names}) != len(names):
                    raise BvhError(f"{name}: a channel listed twice", line)
                self.channels[me] = names
            elif tok == "JOINT" and not end_site:
                self.joint(me)
            elif tok == "End" and not end_site:
                site, line = self.take("`Site`")
                if site != "Site":
                    raise BvhError(f"`End {site}` (expected `End Site`)", line)
                self.joint(me, end_site=True)
            else:
                raise BvhError(f"unexpected `{tok}` in joint {name}", line)


def parse(text: str, path: Path | str | None = None) -> BvhClip:
    """Read BVH text (HIERARCHY then MOTION); ``path`` only names the file in errors."""
    try:
        return _parse(text)
    except BvhError as e:
        e.path = path
        raise


def _parse(text: str) -> BvhClip:
    lines = text.splitlines()
    tokens: list[tuple[str, int]] = []
    motion_at = None
    for n, line in enumerate(lines, start=1):
        if line.strip().upper() == "MOTION":
            motion_at = n
            break
        tokens += [(t, n) for t in re.findall(r"[^\s{}]+|[{}]", line)]
    if not tokens or tokens[0][0] != "HIERARCHY":
        raise BvhError("not a BVH file: it does not start with HIERARCHY",
                       tokens[0][1] if tokens else 1)
    if motion_at is None:
        raise BvhError("no MOTION section", len(lines) or None)
    h = _Hierarchy(tokens)
    h.i = 1
    root, line = h.take("ROOT")
    if root != "ROOT":
        raise BvhError(f"`{root}` where ROOT was expected", line)
    h.joint(-1)
    if h.i < len(h.tokens):
        tok, line = h.tokens[h.i]
        raise BvhError(f"`{tok}` after the root joint closed (one ROOT per file)", line)
    width = sum(len(c) for c in h.channels)
    if width == 0:
        raise BvhError("no joint has channels: there is no motion to read", motion_at)
    frames, frame_time, first = _motion_header(lines, motion_at)
    motion = _motion(lines, first, frames, width)
    return BvhClip(h.names, h.parents, np.array(h.offsets, dtype=np.float64), h.channels,
                   motion, frame_time)


def _motion_header(lines: list[str], at: int) -> tuple[int, float, int]:
    """Frames, frame time and the index of the first frame's line, after MOTION."""
    rest = [(n, ln.strip()) for n, ln in enumerate(lines[at:], start=at + 1) if ln.strip()]
    if len(rest) < 2:
        raise BvhError("MOTION needs `Frames:` and `Frame Time:` lines", at)
    (n1, frames_line), (n2, time_line) = rest[0], rest[1]
    m = re.fullmatch(r"Frames:\s*(\S+)", frames_line, re.IGNORECASE)
    if not m:
        raise BvhError(f"`{frames_line[:40]}` (expected `Frames: N`)", n1)
    if not re.fullmatch(r"-?\d+", m.group(1)):
        raise BvhError(f"Frames: `{m.group(1)}` is not a whole number", n1)
    frames = int(m.group(1))
    if frames <= 0:
        raise BvhError(f"Frames: {frames} (expected at least one frame)", n1)
    if frames > MAX_FRAMES:
        raise BvhError(f"Frames: {frames} (at most {MAX_FRAMES}; cut the clip to the move)",
                       n1)
    m = re.fullmatch(r"Frame\s+Time:\s*(\S+)", time_line, re.IGNORECASE)
    if not m:
        raise BvhError(f"`{time_line[:40]}` (expected `Frame Time: seconds`)", n2)
    frame_time = _number(m.group(1), n2, "Frame Time")
    if frame_time <= 0:
        raise BvhError(f"Frame Time: {m.group(1)} (expected a positive number of seconds)",
                       n2)
    if (frames - 1) * frame_time > MAX_SECONDS:
        raise BvhError(f"{frames} frames of {frame_time:g} s last "
                       f"{(frames - 1) * frame_time:.0f} s (at most {MAX_SECONDS:.0f} s; "
                       "cut the clip to the move)", n1)
    return frames, frame_time, n2  # lines[n2] is the line after Frame Time (0-based)


def _motion(lines: list[str], first: int, frames: int, width: int) -> np.ndarray:
    """The frame lines as a (frames, width) array, each line checked as it is read."""
    motion = np.empty((frames, width), dtype=np.float64)
    f = 0
    n = first
    for n, line in enumerate(lines[first:], start=first + 1):
        parts = line.split()
        if not parts:
            continue
        if f >= frames:
            raise BvhError(f"more frame lines than `Frames: {frames}`", n)
        if len(parts) != width:
            raise BvhError(f"frame {f} has {len(parts)} values, expected {width} (one per "
                           "channel of the hierarchy)", n)
        try:
            row = np.array(parts, dtype=np.float64)
        except ValueError:
            bad = next(p for p in parts if not _is_float(p))
            raise BvhError(f"frame {f}: `{bad}` is not a number", n) from None
        if not np.isfinite(row).all() or np.abs(row).max() > MAX_VALUE:
            bad = next(p for p, v in zip(parts, row, strict=True)
                       if not math.isfinite(v) or abs(v) > MAX_VALUE)
            raise BvhError(f"frame {f}: {bad} (expected finite numbers within "
                           f"±{MAX_VALUE:g})", n)
        motion[f] = row
        f += 1
    if f < frames:
        raise BvhError(f"{f} frame lines, but `Frames: {frames}` (a truncated file?)", n)
    return motion


def _is_float(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def read(path: Path | str) -> BvhClip:
    """Parse a BVH file: a regular file of at most ``MAX_BYTES``, in UTF-8 or Latin-1."""
    path = Path(path)
    if not path.is_file():
        raise BvhError("not found" if not path.exists() else "not a regular file", path=path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise BvhError(f"{size / (1 << 20):.0f} MB (at most {MAX_BYTES >> 20} MB; cut the clip "
                       "to the move)", path=path)
    with path.open("rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BvhError(f"over {MAX_BYTES >> 20} MB", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # joint names from older exporters
    return parse(text, path)
