"""The mannequin's skeleton: joints, proportions from a cast ``Build``, forward kinematics.

World space is metres with y up; the floor plan is (x, z). A character's local
frame has x forward, y up and z to its right. The rest pose stands upright with
the arms hanging; every joint rotation is relative to it (see ``rotation``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aktion.production.cast import Build

from .rotation import euler_matrices, rotvec_matrices, yaw_matrices

JOINTS: tuple[str, ...] = (
    "pelvis", "spine", "chest", "neck", "head",
    "l_shoulder", "l_elbow", "l_wrist", "r_shoulder", "r_elbow", "r_wrist",
    "l_hip", "l_knee", "l_ankle", "l_toe", "r_hip", "r_knee", "r_ankle", "r_toe",
    "nose", "l_eye", "r_eye", "l_ear", "r_ear",
)  # fmt: skip
"""Joint order of every pose array. The face points make OpenPose-style maps possible."""

INDEX: dict[str, int] = {name: i for i, name in enumerate(JOINTS)}

PARENTS: tuple[int, ...] = tuple(
    -1 if p is None else INDEX[p]
    for p in (
        None, "pelvis", "spine", "chest", "neck",
        "chest", "l_shoulder", "l_elbow", "chest", "r_shoulder", "r_elbow",
        "pelvis", "l_hip", "l_knee", "l_ankle", "pelvis", "r_hip", "r_knee", "r_ankle",
        "head", "head", "head", "head", "head",
    )
)  # fmt: skip

BONES: tuple[tuple[int, int], ...] = tuple((p, j) for j, p in enumerate(PARENTS) if p >= 0)

MIRROR: tuple[int, ...] = tuple(
    INDEX[n.replace("l_", "r_", 1) if n.startswith("l_") else n.replace("r_", "l_", 1)]
    for n in JOINTS
)
"""For each joint, its left/right counterpart (itself on the midline)."""

REFERENCE_HEIGHT = 1.78


@dataclass(frozen=True)
class Skeleton:
    """Rest offsets (each joint from its parent, in the parent's frame) and body radii."""

    build: Build
    offsets: np.ndarray  # (J, 3)
    pelvis_height: float
    clearance: np.ndarray  # (J,) how far a joint's surface reaches below it (for the floor)

    @classmethod
    def from_build(cls, build: Build) -> Skeleton:
        h = build.height
        sh = build.shoulders * 0.45  # shoulder joints sit inside the shoulder width
        hp = build.hips * 0.32  # hip joints sit inside the hip width
        o = np.zeros((len(JOINTS), 3))

        def put(name: str, x: float, y: float, z: float) -> None:
            o[INDEX[name]] = (x, y, z)

        put("spine", 0, 0.08 * h, 0)
        put("chest", 0, 0.10 * h, 0)
        put("neck", 0, 0.10 * h, 0)
        put("head", 0.01 * h, 0.10 * h, 0)
        for side, sign in (("l", -1.0), ("r", 1.0)):
            put(f"{side}_shoulder", 0, 0.085 * h, sign * sh)
            put(f"{side}_elbow", 0, -0.186 * h, 0)
            put(f"{side}_wrist", 0, -0.146 * h, 0)
            put(f"{side}_hip", 0, -0.02 * h, sign * hp)
            put(f"{side}_knee", 0, -0.245 * h, 0)
            put(f"{side}_ankle", 0, -0.246 * h, 0)
            put(f"{side}_toe", 0.11 * h, -0.025 * h, 0)
            put(f"{side}_eye", 0.05 * h, 0.012 * h, sign * 0.02 * h)
            put(f"{side}_ear", 0.0, 0.0, sign * 0.062 * h)
        put("nose", 0.06 * h, -0.005 * h, 0)
        s = h / REFERENCE_HEIGHT
        b = build.bulk
        clear = np.full(len(JOINTS), -1.0)  # negative: inside another volume, ignored
        for name, r in {
            "pelvis": build.hips * 0.36, "spine": 0.12 * b * s, "chest": 0.13 * b * s,
            "neck": 0.05 * s, "head": 0.11 * s,
            "l_shoulder": 0.06 * b * s, "r_shoulder": 0.06 * b * s,
            "l_elbow": 0.045 * b * s, "r_elbow": 0.045 * b * s,
            "l_wrist": 0.045 * b * s, "r_wrist": 0.045 * b * s,
            "l_hip": 0.08 * b * s, "r_hip": 0.08 * b * s,
            "l_knee": 0.06 * b * s, "r_knee": 0.06 * b * s,
            "l_ankle": 0.039 * h, "r_ankle": 0.039 * h,
            "l_toe": 0.014 * h, "r_toe": 0.014 * h,
        }.items():  # fmt: skip
            clear[INDEX[name]] = r
        return cls(build=build, offsets=o, pelvis_height=0.55 * h, clearance=clear)

    def rest(self) -> np.ndarray:
        """Joint positions of the rest pose at the origin facing +x, feet on the floor."""
        zeros = np.zeros((1, len(JOINTS), 3))
        return self.pose(zeros, np.zeros((1, 3)), np.zeros(1))[0]

    def pose(
        self,
        angles: np.ndarray,
        root: np.ndarray,
        facing: np.ndarray,
        aim: np.ndarray | None = None,
        grounded: np.ndarray | None = None,
    ) -> np.ndarray:
        """Forward kinematics for N poses at once.

        ``angles`` (N, J, 3) joint rotations in degrees; ``root`` (N, 3) the floor
        position (x, z) in columns 0 and 2 and a vertical offset of the pelvis in
        column 1; ``facing`` (N,) degrees; ``aim`` (N, J, 3) optional extra
        rotations (rotation vectors in the parent's frame) applied before each
        joint's own; ``grounded`` (N,) in [0, 1]: how much to settle the body so
        its lowest surface touches the floor. Returns (N, J, 3) world positions.
        """
        n = angles.shape[0]
        local = euler_matrices(angles)
        if aim is not None:
            local = rotvec_matrices(aim) @ local
        world = np.empty((n, len(JOINTS), 3, 3))
        pos = np.empty((n, len(JOINTS), 3))
        world[:, 0] = yaw_matrices(facing) @ local[:, 0]
        pos[:, 0] = root + np.array([0.0, self.pelvis_height, 0.0])
        for j in range(1, len(JOINTS)):
            p = PARENTS[j]
            pos[:, j] = pos[:, p] + world[:, p] @ self.offsets[j]
            world[:, j] = world[:, p] @ local[:, j]
        if grounded is None:
            grounded = np.ones(n)
        mask = self.clearance >= 0
        lowest = np.min(pos[:, mask, 1] - self.clearance[mask], axis=1)
        pos[:, :, 1] -= (lowest * grounded)[:, None]
        return pos
