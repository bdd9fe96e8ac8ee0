"""How the camera shows each character: how much of them is in frame, and their face's turn.

Measured on the solved performance through the shot's real camera, so a board's
words ("over her shoulder onto him") are held to what the frame will show. A shot
size frames part of a body (a close-up the head and neck, a full shot all of it);
a character is *in frame* by the share of those points the image holds.
"""

from __future__ import annotations

import numpy as np

from .camera import CameraPath
from .performance import Performance
from .skeleton import INDEX

_HEAD = ("head", "nose", "l_eye", "r_eye", "l_ear", "r_ear")
_UPPER = _HEAD + ("neck", "l_shoulder", "r_shoulder")
_WAIST_UP = _UPPER + ("chest", "spine", "l_elbow", "r_elbow")
_BODY = _WAIST_UP + ("pelvis", "l_wrist", "r_wrist", "l_hip", "r_hip", "l_knee", "r_knee",
                     "l_ankle", "r_ankle", "l_toe", "r_toe")
FRAMED_PARTS: dict[str, tuple[str, ...]] = {
    "EWS": _BODY, "WS": _BODY, "FS": _BODY, "MS": _WAIST_UP, "MCU": _UPPER, "CU": _HEAD,
    "ECU": ("nose", "l_eye", "r_eye"), "INSERT": _UPPER,
}  # fmt: skip
"""The points of a body each shot size is expected to hold."""
CROWN = 0.11  # metres from the head joint to the top of the head
NO_CROWN = {"CU", "ECU"}  # a close-up may cut into the top of the head: the face is the frame


def body_points(perf: Performance, who: int, size: str) -> np.ndarray:
    """(F, P, 3) the points of ``who`` that a ``size`` shot frames, the crown included."""
    joints = perf.poses[:, who].astype(np.float64)
    pts = joints[:, [INDEX[n] for n in FRAMED_PARTS[size]]]
    if size not in NO_CROWN:
        crown = joints[:, INDEX["head"]] + np.array([0.0, CROWN, 0.0])
        pts = np.concatenate([pts, crown[:, None]], axis=1)
    return pts


def in_frame_share(perf: Performance, camera: CameraPath, who: int, size: str) -> np.ndarray:
    """(F,) per frame, the share of ``who``'s framed points inside the image."""
    pts = body_points(perf, who, size)
    out = np.empty(camera.frames)
    for f in range(camera.frames):
        px = camera.project(pts[min(f, len(pts) - 1)], f)
        inside = ((px[:, 0] >= 0) & (px[:, 0] <= camera.width)
                  & (px[:, 1] >= 0) & (px[:, 1] <= camera.height))  # NaN compares False
        out[f] = float(inside.mean())
    return out


def face_turn(perf: Performance, camera: CameraPath, who: int) -> np.ndarray:
    """(F,) degrees between where ``who``'s face points and the way to the lens.

    0 is straight into the lens, 45 a three-quarter view, 90 a profile, 180 the back
    of the head; measured on the floor plan, as an operator judges it.
    """
    joints = perf.poses[:, who].astype(np.float64)
    n = min(len(joints), camera.frames)
    head = joints[:n, INDEX["head"]][:, [0, 2]]
    face = joints[:n, INDEX["nose"]][:, [0, 2]] - head
    lens = camera.position[:n][:, [0, 2]] - head
    dot = (face * lens).sum(1)
    norm = np.linalg.norm(face, axis=1) * np.linalg.norm(lens, axis=1)
    cos = np.where(norm > 1e-9, dot / np.maximum(norm, 1e-12), 1.0)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


COVERS = (("head", 0.11), ("neck", 0.06), ("chest", 0.16))
"""The parts of a body (joint, radius m) that hide what is behind them."""


def face_hidden(perf: Performance, camera: CameraPath, who: int) -> np.ndarray:
    """(F,) whether someone nearer the lens covers the centre of ``who``'s head."""
    out = np.zeros(camera.frames, dtype=bool)
    for f in range(min(camera.frames, perf.frames)):
        head = perf.poses[f, who, INDEX["head"]].astype(np.float64)[None]
        depth = camera.to_camera(head, f)[0, 2]
        at = camera.project(head, f)[0]
        for other in range(len(perf.characters)):
            if other == who:
                continue
            parts = perf.poses[f, other, [INDEX[j] for j, _ in COVERS]].astype(np.float64)
            near = camera.to_camera(parts, f)[:, 2]
            px = camera.project(parts, f)
            radius = np.array([r for _, r in COVERS]) * camera.focal(f) / np.maximum(near, 1e-6)
            if np.any((near > 0.05) & (near < depth)
                      & (np.linalg.norm(px - at, axis=1) < radius)):
                out[f] = True
                break
    return out
