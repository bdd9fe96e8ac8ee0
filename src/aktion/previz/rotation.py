"""Rotation helpers shared by the skeleton, the solver and the camera.

Conventions: a character's local frame has x forward, y up, z to its right
(right-handed). Joint rotations are Euler angles in degrees ``[x, y, z]`` about
those axes, composed as ``Ry @ Rx @ Rz``: flex about z first, then roll about x,
then twist about y.
"""

from __future__ import annotations

import numpy as np


def euler_matrices(angles_deg: np.ndarray) -> np.ndarray:
    """``(..., 3)`` Euler angles [x, y, z] in degrees -> ``(..., 3, 3)`` matrices Ry Rx Rz."""
    a = np.radians(np.asarray(angles_deg, dtype=np.float64))
    cx, sx = np.cos(a[..., 0]), np.sin(a[..., 0])
    cy, sy = np.cos(a[..., 1]), np.sin(a[..., 1])
    cz, sz = np.cos(a[..., 2]), np.sin(a[..., 2])
    m = np.empty(a.shape[:-1] + (3, 3))
    # Ry @ Rx @ Rz written out (column vectors).
    m[..., 0, 0] = cy * cz + sy * sx * sz
    m[..., 0, 1] = -cy * sz + sy * sx * cz
    m[..., 0, 2] = sy * cx
    m[..., 1, 0] = cx * sz
    m[..., 1, 1] = cx * cz
    m[..., 1, 2] = -sx
    m[..., 2, 0] = -sy * cz + cy * sx * sz
    m[..., 2, 1] = sy * sz + cy * sx * cz
    m[..., 2, 2] = cy * cx
    return m


def yaw_matrices(facing_deg: np.ndarray) -> np.ndarray:
    """World rotation of a character facing ``facing`` degrees on the floor plan.

    Facing 0 looks along +x, 90 along +z: local forward (1, 0, 0) maps to
    (cos f, 0, sin f), which is a rotation of -f about y.
    """
    f = np.radians(np.asarray(facing_deg, dtype=np.float64))
    c, s = np.cos(f), np.sin(f)
    m = np.zeros(f.shape + (3, 3))
    m[..., 0, 0] = c
    m[..., 0, 2] = -s
    m[..., 1, 1] = 1.0
    m[..., 2, 0] = s
    m[..., 2, 2] = c
    return m


def rotvec_matrices(rotvec: np.ndarray) -> np.ndarray:
    """Rotation vectors (axis * angle in radians), ``(..., 3)`` -> ``(..., 3, 3)`` (Rodrigues)."""
    v = np.asarray(rotvec, dtype=np.float64)
    theta = np.linalg.norm(v, axis=-1)
    safe = np.where(theta > 1e-12, theta, 1.0)
    k = v / safe[..., None]
    kx, ky, kz = k[..., 0], k[..., 1], k[..., 2]
    c, s = np.cos(theta), np.sin(theta)
    t = 1.0 - c
    m = np.empty(v.shape[:-1] + (3, 3))
    m[..., 0, 0] = c + kx * kx * t
    m[..., 0, 1] = kx * ky * t - kz * s
    m[..., 0, 2] = kx * kz * t + ky * s
    m[..., 1, 0] = ky * kx * t + kz * s
    m[..., 1, 1] = c + ky * ky * t
    m[..., 1, 2] = ky * kz * t - kx * s
    m[..., 2, 0] = kz * kx * t - ky * s
    m[..., 2, 1] = kz * ky * t + kx * s
    m[..., 2, 2] = c + kz * kz * t
    return m


def matrix_rotvec(m: np.ndarray) -> np.ndarray:
    """One rotation matrix -> its rotation vector (radians)."""
    cos = np.clip((np.trace(m) - 1.0) / 2.0, -1.0, 1.0)
    theta = float(np.arccos(cos))
    if theta < 1e-9:
        return np.zeros(3)
    if np.pi - theta < 1e-6:
        # 180 degrees: the axis is the column of (m + I) with the largest norm.
        b = m + np.eye(3)
        axis = b[:, int(np.argmax(np.linalg.norm(b, axis=0)))]
        return axis / np.linalg.norm(axis) * theta
    axis = np.array([m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1]])
    return axis / (2.0 * np.sin(theta)) * theta


def align_rotvec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation (as a rotation vector) turning direction ``a`` onto ``b``."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-9 or nb < 1e-9:
        return np.zeros(3)
    a, b = a / na, b / nb
    axis = np.cross(a, b)
    s = np.linalg.norm(axis)
    angle = float(np.arctan2(s, float(np.dot(a, b))))
    if s < 1e-9:
        return np.zeros(3)
    return axis / s * angle
