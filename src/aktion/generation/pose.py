"""Pose adherence: do the people in a generated clip hold the choreography's poses?

The control maps store, per frame, every character's 18 OpenPose keypoints projected
through the shot's camera (``keypoints.json``). For each frame and each character in
view, the frame is cut to that character's box (their keypoints' bounds, widened by a
quarter, as top-down pose estimation takes a person box), a pose estimator finds the
person in it, and their keypoints are compared with the skeleton's by COCO's object
keypoint similarity:

    OKS = mean over the skeleton's keypoints in frame of exp(-d² / (2 · s² · κ²))

with d the distance in pixels, s² the skeleton's box area and κ = 2σ from COCO's
per-keypoint σ (the neck takes the shoulders'). A keypoint the estimator did not find
scores 0. Pose adherence is the mean OKS over characters and frames: 1 = every joint
on its mark, 0 = nobody where the choreography puts them. Clip frame i is compared with
skeleton frame i (both at the production's frame rate), the clip scaled to the
skeleton's frame size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .pose_estimators import PoseEstimator

# COCO's keypoint sigmas in OpenPose order (nose, neck, r/l arm, r/l leg, eyes, ears).
SIGMAS = np.array([.026, .079, .079, .072, .062, .079, .072, .062, .107, .087, .089, .107,
                   .087, .089, .025, .025, .035, .035])  # fmt: skip
MARGIN = 0.25  # a person box is widened by this much of its size on every side
MIN_KEYPOINTS = 4  # a character with fewer keypoints in frame is not measured there
MIN_BOX = 16  # pixels: a smaller person is too small to estimate
FOUND = 0.3  # an estimated keypoint below this confidence counts as not found
MAX_FRAMES = 48  # frames measured per clip, spread evenly


@dataclass(frozen=True)
class Skeleton:
    """The choreography's projected keypoints: frames x characters x 18 x 2 (NaN = none)."""

    points: np.ndarray
    width: int
    height: int
    characters: list[str]

    @classmethod
    def load(cls, path: Path) -> Skeleton:
        """Read the control maps' ``keypoints.json`` (frame size from its ``width``/``height``)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != "coco18" or "width" not in data:
            raise ValueError(f"{path}: expected control-map keypoints (coco18 with width, height)")
        pts = np.asarray(data["frames"], np.float64).reshape(len(data["frames"]), -1, 18, 2)
        pts[(pts < 0).any(-1)] = np.nan  # -1 marks a keypoint behind the camera
        return cls(pts, int(data["width"]), int(data["height"]), list(data["characters"]))


def oks(found: np.ndarray, expected: np.ndarray, area: float) -> float:
    """COCO object keypoint similarity of (18, 3) found against (18, 2) expected points."""
    seen = np.isfinite(expected).all(-1)
    if not seen.any() or area <= 0:
        return 0.0
    d2 = ((found[:, :2] - expected) ** 2).sum(-1)
    sim = np.exp(-d2 / (2 * area * (2 * SIGMAS) ** 2))
    sim = np.where(found[:, 2] >= FOUND, sim, 0.0)
    return float(sim[seen].mean())


def _box(points: np.ndarray, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The person box (x0, y0, x1, y1) of in-frame keypoints, widened; None if too small."""
    inside = np.isfinite(points).all(-1)
    inside &= (points[:, 0] >= 0) & (points[:, 0] < width)
    inside &= (points[:, 1] >= 0) & (points[:, 1] < height)
    if inside.sum() < MIN_KEYPOINTS:
        return None
    (x0, y0), (x1, y1) = points[inside].min(0), points[inside].max(0)
    if max(x1 - x0, y1 - y0) < MIN_BOX:
        return None
    mx, my = MARGIN * (x1 - x0) + 8, MARGIN * (y1 - y0) + 8
    return (max(0, int(x0 - mx)), max(0, int(y0 - my)), min(width, int(np.ceil(x1 + mx))),
            min(height, int(np.ceil(y1 + my))))  # fmt: skip


def frame_adherence(frame: np.ndarray, expected: np.ndarray,
                    estimator: PoseEstimator) -> list[float]:  # fmt: skip
    """OKS of each character in view in one frame (already at the skeleton's size)."""
    h, w = frame.shape[:2]
    scores = []
    for person in expected:
        person = person.copy()
        person[~((person >= 0) & (person < (w, h))).all(-1)] = np.nan  # only what is in frame
        box = _box(person, w, h)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        found = estimator.estimate(np.ascontiguousarray(frame[y0:y1, x0:x1])).astype(np.float64)
        found[:, 0] += x0
        found[:, 1] += y0
        inside = np.isfinite(person).all(-1)
        (bx0, by0), (bx1, by1) = person[inside].min(0), person[inside].max(0)
        scores.append(oks(found, person, float((bx1 - bx0) * (by1 - by0))))
    return scores


def pose_adherence(frames: np.ndarray, skeleton: Skeleton,
                   estimator: PoseEstimator) -> float | None:  # fmt: skip
    """Mean OKS of a clip's frames against the skeleton; None when nobody is in view."""
    import cv2

    count = min(len(frames), len(skeleton.points))
    picks = np.unique(np.linspace(0, count - 1, min(count, MAX_FRAMES)).round().astype(int))
    scores: list[float] = []
    size = (skeleton.width, skeleton.height)
    for i in picks.tolist():
        frame = frames[i][..., :3]
        if (frame.shape[1], frame.shape[0]) != size:
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR)
        scores += frame_adherence(frame, skeleton.points[i], estimator)
    return float(np.mean(scores)) if scores else None
