"""BVH motion capture in and out: import clips as moves, export performances for Blender.

Import reads any BVH hierarchy with Euler rotation channels, in any channel order
(``bvh_parse`` refuses a broken file with its line), finds which of its joints stand
for Aktion's through a naming table that covers CMU, Biovision/MocapBank, Mixamo,
bvhio-style, Biped and Unreal rigs and that a user can extend (``bvh_names``),
computes their positions, and retargets them to the Aktion skeleton by matching bone
directions, so proportions may differ. The result is a move file (``Move.1``), one
key per frame at 24 fps: adding mocap to the library is adding that file.

Export writes a shot's solved joint positions for one character as a BVH whose
hierarchy is the Aktion skeleton (offsets in centimetres, ``Zrotation Xrotation
Yrotation`` channels) and whose rotations reproduce the positions exactly, which
is what Blender's BVH importer expects.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from . import bvh_names
from .bvh_parse import BvhClip, BvhError, parse, read
from .curves import interpolate
from .rotation import align_rotvec, rotvec_matrices
from .skeleton import INDEX, JOINTS, PARENTS, Skeleton

__all__ = ["BODY", "BvhClip", "BvhError", "export", "import_bvh", "mapping", "move_data",
           "move_name", "parse", "read", "retarget"]

CM = 100.0  # exported BVH units per metre

BODY: tuple[str, ...] = tuple(bvh_names.builtin())
"""The Aktion joints a BVH clip can drive (the face points follow the head)."""


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


def mapping(clip: BvhClip, table: bvh_names.Table | None = None) -> dict[str, int]:
    """Aktion joint -> index of the BVH joint standing for it (see ``bvh_names``)."""
    joints = [i for i, n in enumerate(clip.names) if clip.channels[i] or not n.endswith("_end")]
    try:
        found = bvh_names.match([clip.names[i] for i in joints], table)
    except bvh_names.NamesError as e:
        raise BvhError(str(e)) from None
    return {joint: joints[k] for joint, k in found.items()}


CHUNK = 1024  # frames solved by forward kinematics at once: memory stays flat


def _resampled_positions(clip: BvhClip, bones: list[int], fps: float) -> np.ndarray:
    """Positions (N, len(bones), 3) of the ``bones`` at ``fps``, interpolated linearly
    between the clip's frames, so only the frames the move keeps are solved."""
    src = np.empty((clip.frames, len(bones), 3))
    for start in range(0, clip.frames, CHUNK):
        src[start:start + CHUNK] = clip.positions(start, start + CHUNK)[:, bones]
    src_t = np.arange(clip.frames) * clip.frame_time
    n = max(2, round(float(src_t[-1]) * fps) + 1)
    if clip.frames == 1:
        return np.repeat(src, n, axis=0)
    dst_t = np.minimum(np.arange(n) / fps, src_t[-1])
    k = np.clip(np.searchsorted(src_t, dst_t, side="right") - 1, 0, clip.frames - 2)
    w = ((dst_t - src_t[k]) / (src_t[k + 1] - src_t[k]))[:, None, None]
    return src[k] * (1 - w) + src[k + 1] * w


def retarget(
    clip: BvhClip, skeleton: Skeleton | None = None, fps: float = 24.0,
    table: bvh_names.Table | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Aktion joint angles (N, J, 3) and root (N, 4: forward, up, right, turn) at ``fps``.

    The clip is turned so that its first frame faces +x (the character's forward)
    and scaled so its hips stand at the skeleton's pelvis height.
    """
    from aktion.production.cast import Build

    skeleton = skeleton or Skeleton.from_build(Build())
    found = mapping(clip, table)
    index = {j: k for k, j in enumerate(found)}  # Aktion joint -> column of ``pos``
    pos = _resampled_positions(clip, list(found.values()), fps)
    first = pos[0]
    right = first[index["r_hip"]] - first[index["l_hip"]]
    right[1] = 0.0
    if np.linalg.norm(right) < 1e-9:
        raise BvhError("the hips have no width on the first frame")
    right /= np.linalg.norm(right)
    up = np.array([0.0, 1.0, 0.0])
    forward = np.cross(up, right)
    basis = np.stack([forward, up, right])  # rows: the character's axes in file space
    feet = [first[index[k], 1] for k in ("l_ankle", "r_ankle", "l_knee", "r_knee")
            if k in index]
    hips = first[index["pelvis"], 1] - min(feet)
    scale = skeleton.pelvis_height / hips if hips > 1e-9 else 1.0
    local = (pos - first[index["pelvis"]] * np.array([1.0, 0.0, 1.0])) @ basis.T * scale
    known = np.zeros(len(JOINTS), bool)
    for j in index:
        known[INDEX[j]] = True
    n = len(local)
    angles = np.zeros((n, len(JOINTS), 3))
    for f in range(n):
        targets = np.zeros((len(JOINTS), 3))
        for j, k in index.items():
            targets[INDEX[j]] = local[f, k]
        world = world_rotations(targets, known, skeleton.offsets)
        for j in range(len(JOINTS)):
            p = PARENTS[j]
            m = world[j] if p < 0 else world[p].T @ world[j]
            angles[f, j] = _euler_yxz(m)
    angles = np.degrees(np.unwrap(np.radians(angles), axis=0))
    pelvis = local[:, index["pelvis"]]
    root = np.stack([pelvis[:, 0], pelvis[:, 1] - skeleton.pelvis_height, pelvis[:, 2],
                     np.zeros(n)], 1)  # fmt: skip
    if not (np.isfinite(angles).all() and np.isfinite(root).all()):
        raise BvhError("the clip's motion does not retarget to finite angles")
    return angles, root


ANGLE_TOLERANCE = 0.5  # degrees a reduced curve may stray from the clip's
ROOT_TOLERANCE = 0.003  # metres


def key_frames(angles: np.ndarray, root: np.ndarray) -> list[int]:
    """The frames to key so the move's own curves (monotone cubic, see ``curves``) stay
    within ``ANGLE_TOLERANCE`` and ``ROOT_TOLERANCE`` of every frame of the clip.

    Mocap is dense and smooth: keying every frame makes a move file that is slow to read
    and hard to diff. Starting from the two ends, the worst frame of every segment that
    strays is keyed, until none does."""
    n = len(angles)
    values = np.concatenate([angles.reshape(n, -1) / ANGLE_TOLERANCE,
                             root[:, :3] / ROOT_TOLERANCE], axis=1)
    at = np.arange(n, dtype=np.float64)
    keys = sorted({0, n - 1})
    while True:
        error = np.abs(interpolate(at[keys], values[keys], at) - values).max(axis=1)
        added = []
        for a, b in itertools.pairwise(keys):
            if b - a > 1:
                worst = a + 1 + int(np.argmax(error[a + 1 : b]))
                if error[worst] > 1.0:
                    added.append(worst)
        if not added:
            return keys
        keys = sorted(set(keys) | set(added))


def move_data(
    clip: BvhClip, name: str, skeleton: Skeleton | None = None, *, kind: str = "action",
    grounded: bool = True, description: str = "", table: bvh_names.Table | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A ``Move.1`` move file's content for the clip, keyed at 24 fps where its curves
    need it (see ``key_frames``)."""
    angles, root = retarget(clip, skeleton, table=table)
    body = [j for j in range(len(JOINTS)) if PARENTS[j] < 0 or JOINTS[j] in BODY]
    keys = []
    for f in key_frames(angles[:, body], root):
        joints = {JOINTS[j]: [round(float(v), 3) for v in angles[f, j]] for j in body}
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


def move_name(text: str) -> str:
    """A valid move name from a file name or a title: ``"My Walk"`` -> ``my_walk``."""
    name = re.sub(r"[^a-z0-9_-]+", "_", text.strip().lower()).strip("_-")
    if not name:
        raise BvhError(f"`{text}` has no letters or digits to name a move with")
    return name


def import_bvh(path: Path | str, name: str | None = None, into: Path | str | None = None,
               table: bvh_names.Table | None = None) -> Path:
    """Import a BVH file as ``<into>/<name>.yaml`` (a move the library loads).

    ``name`` is made a valid move name (``"My Walk"`` -> ``my_walk``); the file is
    written atomically with the mode a new file gets here (or the mode of the move it
    replaces), not a temp file's private one."""
    from aktion.media.atomic import atomic_path, mode_for

    path = Path(path)
    name = move_name(name if name is not None else path.stem)
    data = move_data(read(path), name, description=f"Imported from {path.name}.", table=table)
    folder = Path(into) if into is not None else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.yaml"
    mode = mode_for(out)
    with atomic_path(out) as tmp:
        tmp.write_text(move_yaml(data), encoding="utf-8")
        tmp.chmod(mode)
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
