"""BVH motion capture in and out: import clips as moves, export performances for Blender.

Import reads any BVH hierarchy with Euler rotation channels (CMU-style names such as
``Hips``, ``LeftUpLeg``, ``RightForeArm``, or Aktion's own joint names), computes
its joint positions, and retargets them to the Aktion skeleton by matching bone
directions, so proportions may differ. The result is a move file (``Move.1``), one
key per frame at 24 fps: adding mocap to the library is adding that file.

Export writes a shot's solved joint positions for one character as a BVH whose
hierarchy is the Aktion skeleton (offsets in centimetres, ``Zrotation Xrotation
Yrotation`` channels) and whose rotations reproduce the positions exactly, which
is what Blender's BVH importer expects.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .rotation import align_rotvec, rotvec_matrices
from .skeleton import INDEX, JOINTS, PARENTS, Skeleton

CM = 100.0  # exported BVH units per metre

CMU_NAMES: dict[str, tuple[str, ...]] = {
    "pelvis": ("hips", "hip", "pelvis", "root"),
    "spine": ("spine", "lowerback", "abdomen"),
    "chest": ("spine1", "chest", "spine2", "upperback"),
    "neck": ("neck", "neck1"),
    "head": ("head",),
    "l_shoulder": ("leftarm", "lshoulder", "leftupperarm", "l_shoulder"),
    "l_elbow": ("leftforearm", "lforearm", "leftlowerarm", "l_elbow"),
    "l_wrist": ("lefthand", "lhand", "l_wrist"),
    "r_shoulder": ("rightarm", "rshoulder", "rightupperarm", "r_shoulder"),
    "r_elbow": ("rightforearm", "rforearm", "rightlowerarm", "r_elbow"),
    "r_wrist": ("righthand", "rhand", "r_wrist"),
    "l_hip": ("leftupleg", "lthigh", "leftupperleg", "l_hip"),
    "l_knee": ("leftleg", "lshin", "leftlowerleg", "l_knee"),
    "l_ankle": ("leftfoot", "lfoot", "l_ankle"),
    "l_toe": ("lefttoebase", "lefttoe", "ltoe", "l_toe"),
    "r_hip": ("rightupleg", "rthigh", "rightupperleg", "r_hip"),
    "r_knee": ("rightleg", "rshin", "rightlowerleg", "r_knee"),
    "r_ankle": ("rightfoot", "rfoot", "r_ankle"),
    "r_toe": ("righttoebase", "righttoe", "rtoe", "r_toe"),
}
"""Aktion joint -> BVH joint names that stand for it (first found wins, case-insensitive)."""


class BvhError(ValueError):
    """A BVH file that cannot be read or retargeted."""


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

    def positions(self) -> np.ndarray:
        """World positions (F, B, 3) in the file's units, by forward kinematics."""
        f, b = self.frames, len(self.names)
        pos = np.zeros((f, b, 3))
        rot = np.zeros((f, b, 3, 3))
        col = 0
        for j in range(b):
            local_r = np.broadcast_to(np.eye(3), (f, 3, 3)).copy()
            trans = np.zeros((f, 3))
            for ch in self.channels[j]:
                v = self.motion[:, col]
                col += 1
                axis = ch[0].lower()
                if ch.lower().endswith("position"):
                    trans[:, "xyz".index(axis)] = v
                else:
                    local_r = local_r @ _axis_matrices(axis, v)
            p = self.parents[j]
            if p < 0:
                pos[:, j] = self.offsets[j] + trans
                rot[:, j] = local_r
            else:
                pos[:, j] = pos[:, p] + np.einsum("fij,j->fi", rot[:, p], self.offsets[j] + 0)
                pos[:, j] += np.einsum("fij,fj->fi", rot[:, p], trans)
                rot[:, j] = rot[:, p] @ local_r
        return pos


def _axis_matrices(axis: str, deg: np.ndarray) -> np.ndarray:
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


def parse(text: str) -> BvhClip:
    """Read BVH text (HIERARCHY then MOTION)."""
    tokens = re.findall(r"[^\s{}]+|[{}]", text)
    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[list[str]] = []
    stack: list[int] = []
    i = 0
    pending = -1
    try:
        while i < len(tokens):
            t = tokens[i]
            if t in ("ROOT", "JOINT"):
                names.append(tokens[i + 1])
                parents.append(stack[-1] if stack else -1)
                offsets.append([0.0, 0.0, 0.0])
                channels.append([])
                pending = len(names) - 1
                i += 2
            elif t == "End":
                names.append(f"{names[stack[-1]]}_end")
                parents.append(stack[-1])
                offsets.append([0.0, 0.0, 0.0])
                channels.append([])
                pending = len(names) - 1
                i += 2
            elif t == "{":
                stack.append(pending)
                i += 1
            elif t == "}":
                stack.pop()
                i += 1
            elif t == "OFFSET":
                offsets[stack[-1]] = [float(x) for x in tokens[i + 1 : i + 4]]
                i += 4
            elif t == "CHANNELS":
                n = int(tokens[i + 1])
                channels[stack[-1]] = tokens[i + 2 : i + 2 + n]
                i += 2 + n
            elif t == "MOTION":
                frames = int(tokens[i + 2])
                frame_time = float(tokens[i + 5])
                values = np.array([float(x) for x in tokens[i + 6 :]], dtype=np.float64)
                width = sum(len(c) for c in channels)
                if width == 0 or len(values) != frames * width:
                    raise BvhError(f"MOTION has {len(values)} values, expected {frames} x {width}")
                motion = values.reshape(frames, width)
                return BvhClip(names, parents, np.array(offsets), channels, motion, frame_time)
            else:
                i += 1
    except (IndexError, ValueError) as e:
        if isinstance(e, BvhError):
            raise
        raise BvhError(f"not a readable BVH file: {e}") from None
    raise BvhError("no MOTION section")


def read(path: Path | str) -> BvhClip:
    return parse(Path(path).read_text(encoding="utf-8", errors="replace"))


# --- rotations from positions ---------------------------------------------------------


def _kabsch(rest: np.ndarray, posed: np.ndarray) -> np.ndarray:
    """The rotation R minimising |R rest_i - posed_i| over the rows (both (N, 3))."""
    h = rest.T @ posed
    u, _, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(vt.T @ u.T))
    return vt.T @ np.diag([1.0, 1.0, d]) @ u.T


def world_rotations(targets: np.ndarray, known: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """World rotations (J, 3, 3) of the skeleton that point its bones at ``targets``.

    ``targets`` (J, 3) joint positions, ``known`` (J,) which of them to follow,
    ``offsets`` the skeleton's rest offsets. A joint with two or more followed
    children takes the best fit of all of them; with one, the smallest turn from
    its parent's rotation; with none, its parent's rotation.
    """
    world = np.empty((len(JOINTS), 3, 3))
    for j in range(len(JOINTS)):
        parent = world[PARENTS[j]] if PARENTS[j] >= 0 else np.eye(3)
        kids = [c for c in range(len(JOINTS)) if PARENTS[c] == j and known[c] and known[j]]
        if len(kids) >= 2:
            rest = np.array([offsets[c] for c in kids])
            posed = np.array([targets[c] - targets[j] for c in kids])
            # directions only: a retargeted clip's bones differ in length from ours
            rest = rest / np.maximum(np.linalg.norm(rest, axis=1, keepdims=True), 1e-9)
            posed = posed / np.maximum(np.linalg.norm(posed, axis=1, keepdims=True), 1e-9)
            world[j] = _kabsch(rest, posed)
        elif len(kids) == 1:
            c = kids[0]
            turn = align_rotvec(parent @ offsets[c], targets[c] - targets[j])
            world[j] = rotvec_matrices(turn) @ parent
        else:
            world[j] = parent
    return world


def _euler_yxz(m: np.ndarray) -> np.ndarray:
    """Aktion's Euler [x, y, z] degrees of ``m = Ry Rx Rz`` (see ``rotation``)."""
    x = math.asin(float(np.clip(-m[1, 2], -1.0, 1.0)))
    y = math.atan2(m[0, 2], m[2, 2])
    z = math.atan2(m[1, 0], m[1, 1])
    return np.degrees([x, y, z])


def _euler_zxy(m: np.ndarray) -> np.ndarray:
    """BVH ``Zrotation Xrotation Yrotation`` degrees [z, x, y] of ``m = Rz Rx Ry``."""
    x = math.asin(float(np.clip(m[2, 1], -1.0, 1.0)))
    z = math.atan2(-m[0, 1], m[1, 1])
    y = math.atan2(-m[2, 0], m[2, 2])
    return np.degrees([z, x, y])


# --- import -----------------------------------------------------------------------


def mapping(clip: BvhClip) -> dict[str, int]:
    """Aktion joint -> index of the BVH joint standing for it."""
    lower = {n.lower().rsplit(":", 1)[-1]: i for i, n in enumerate(clip.names)
             if not n.endswith("_end")}  # fmt: skip
    out: dict[str, int] = {}
    for joint, options in CMU_NAMES.items():
        found = next((lower[o] for o in options if o in lower), None)
        if found is not None:
            out[joint] = found
    missing = [j for j in ("pelvis", "l_hip", "r_hip", "l_knee", "r_knee") if j not in out]
    if missing:
        raise BvhError(f"no BVH joint for {', '.join(missing)} (names: {', '.join(clip.names)})")
    return out


def retarget(
    clip: BvhClip, skeleton: Skeleton | None = None, fps: float = 24.0
) -> tuple[np.ndarray, np.ndarray]:
    """Aktion joint angles (N, J, 3) and root (N, 4: forward, up, right, turn) at ``fps``.

    The clip is turned so that its first frame faces +x (the character's forward)
    and scaled so its hips stand at the skeleton's pelvis height.
    """
    from aktion.production.cast import Build

    skeleton = skeleton or Skeleton.from_build(Build())
    index = mapping(clip)
    pos = clip.positions()
    first = pos[0]
    right = first[index["r_hip"]] - first[index["l_hip"]]
    right[1] = 0.0
    if np.linalg.norm(right) < 1e-9:
        raise BvhError("the hips have no width on the first frame")
    right /= np.linalg.norm(right)
    up = np.array([0.0, 1.0, 0.0])
    forward = np.cross(up, right)
    basis = np.stack([forward, up, right])  # rows: the character's axes in file space
    feet = min(first[index[k], 1] for k in ("l_ankle", "r_ankle") if k in index)
    hips = first[index["pelvis"], 1] - feet
    scale = skeleton.pelvis_height / hips if hips > 1e-9 else 1.0
    local = (pos - first[index["pelvis"]] * np.array([1.0, 0.0, 1.0])) @ basis.T * scale
    # resample to fps
    src_t = np.arange(clip.frames) * clip.frame_time
    n = max(2, round(float(src_t[-1]) * fps) + 1)
    dst_t = np.arange(n) / fps
    known = np.zeros(len(JOINTS), bool)
    for j in index:
        known[INDEX[j]] = True
    angles = np.zeros((clip.frames, len(JOINTS), 3))
    for f in range(clip.frames):
        targets = np.zeros((len(JOINTS), 3))
        for j, b in index.items():
            targets[INDEX[j]] = local[f, b]
        world = world_rotations(targets, known, skeleton.offsets)
        for j in range(len(JOINTS)):
            p = PARENTS[j]
            m = world[j] if p < 0 else world[p].T @ world[j]
            angles[f, j] = _euler_yxz(m)
    angles = np.degrees(np.unwrap(np.radians(angles), axis=0))
    pelvis = local[:, index["pelvis"]]
    root = np.stack([pelvis[:, 0], pelvis[:, 1] - skeleton.pelvis_height, pelvis[:, 2],
                     np.zeros(clip.frames)], 1)  # fmt: skip
    out_a = np.stack([np.stack([np.interp(dst_t, src_t, angles[:, j, k]) for k in range(3)], -1)
                      for j in range(len(JOINTS))], 1)  # fmt: skip
    out_r = np.stack([np.interp(dst_t, src_t, root[:, k]) for k in range(4)], -1)
    return out_a, out_r


def move_data(
    clip: BvhClip, name: str, skeleton: Skeleton | None = None, *, kind: str = "action",
    grounded: bool = True, description: str = "",
) -> dict[str, Any]:  # fmt: skip
    """A ``Move.1`` move file's content for the clip: one key per frame at 24 fps."""
    angles, root = retarget(clip, skeleton)
    keys = []
    for f in range(len(angles)):
        joints = {JOINTS[j]: [round(float(v), 3) for v in angles[f, j]]
                  for j in range(len(JOINTS)) if PARENTS[j] < 0 or JOINTS[j] in CMU_NAMES}  # fmt: skip
        keys.append({"t": f, "joints": joints,
                     "root": [round(float(v), 4) for v in root[f, :3]]})  # fmt: skip
    return {
        "schema": "Move.1", "name": name, "kind": kind, "grounded": grounded,
        "description": description or f"Imported from BVH ({clip.frames} frames).",
        "duration": max(1, len(angles) - 1), "blend": 4, "keys": keys,
    }  # fmt: skip


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def move_yaml(data: dict[str, Any]) -> str:
    """A move file's text: one line per key so it stays diffable."""
    lines = []
    for k, v in data.items():
        if k == "keys":
            lines.append("keys:")
            lines.extend(f"  - {_flow(key)}" for key in v)
        else:
            lines.append(f"{k}: {_flow(v)}")
    return "\n".join(lines) + "\n"


def import_bvh(path: Path | str, name: str | None = None, into: Path | str | None = None) -> Path:
    """Import a BVH file as ``<into>/<name>.yaml`` (a move the library loads)."""
    path = Path(path)
    name = name or re.sub(r"[^a-z0-9_-]+", "_", path.stem.lower()).strip("_-") or "mocap"
    data = move_data(read(path), name, description=f"Imported from {path.name}.")
    folder = Path(into) if into is not None else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.yaml"
    from aktion.media.atomic import atomic_path

    with atomic_path(out) as tmp:
        tmp.write_text(move_yaml(data), encoding="utf-8")
    return out


# --- export -----------------------------------------------------------------------


def _children(j: int) -> list[int]:
    return [c for c in range(len(JOINTS)) if PARENTS[c] == j]


def export(poses: np.ndarray, skeleton: Skeleton, fps: float) -> str:
    """BVH text for one character's joint positions (F, J, 3), in metres."""
    poses = np.asarray(poses, dtype=np.float64)
    off = skeleton.offsets * CM
    lines = ["HIERARCHY"]

    def write(j: int, depth: int) -> None:
        pad = "  " * depth
        head = "ROOT" if PARENTS[j] < 0 else "JOINT"
        lines.append(f"{pad}{head} {JOINTS[j]}")
        lines.append(f"{pad}{{")
        o = off[j] if PARENTS[j] >= 0 else np.zeros(3)
        lines.append(f"{pad}  OFFSET {o[0]:.6f} {o[1]:.6f} {o[2]:.6f}")
        if PARENTS[j] < 0:
            lines.append(f"{pad}  CHANNELS 6 Xposition Yposition Zposition "
                         "Zrotation Xrotation Yrotation")  # fmt: skip
        else:
            lines.append(f"{pad}  CHANNELS 3 Zrotation Xrotation Yrotation")
        kids = _children(j)
        for c in kids:
            write(c, depth + 1)
        if not kids:
            lines.append(f"{pad}  End Site")
            lines.append(f"{pad}  {{")
            lines.append(f"{pad}    OFFSET 0.000000 {-0.02 * skeleton.build.height * CM:.6f} "
                         "0.000000")  # fmt: skip
            lines.append(f"{pad}  }}")
        lines.append(f"{pad}}}")

    write(0, 0)
    lines.append("MOTION")
    lines.append(f"Frames: {len(poses)}")
    lines.append(f"Frame Time: {1.0 / fps:.8f}")
    known = np.ones(len(JOINTS), bool)
    order = []  # hierarchy order, as written
    stack = [0]
    while stack:
        j = stack.pop()
        order.append(j)
        stack.extend(reversed(_children(j)))
    for frame in poses:
        world = world_rotations(frame, known, skeleton.offsets)
        values = list(frame[0] * CM)
        for j in order:
            p = PARENTS[j]
            m = world[j] if p < 0 else world[p].T @ world[j]
            values.extend(_euler_zxy(m))
        lines.append(" ".join(f"{v:.6f}" for v in values))
    return "\n".join(lines) + "\n"
