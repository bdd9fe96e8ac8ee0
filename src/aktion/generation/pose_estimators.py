"""Pose estimators behind one small interface, for measuring a clip against its skeleton.

An estimator looks at one picture (a person's box cut from a frame) and returns the
most prominent person in it as OpenPose's 18 COCO keypoints, ``(18, 3)``: x, y in the
picture's pixels and a confidence (0 = not found). Two ship here:

- ``mediapipe``: BlazePose (``mp.solutions.pose``), whose model is inside the
  mediapipe 0.10.21 wheel, so it runs offline (``pip install 'aktion[pose]'``);
- ``skeleton``: reads an OpenPose-style skeleton picture (the control maps' colours),
  for measuring conditioning videos and skeleton renders, not photographs.

Others register under the ``aktion.pose_estimators`` entry point group.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import entry_points
from typing import Protocol

import cv2
import numpy as np

from aktion.previz.control_maps import COLORS

INSTALL = "pip install 'aktion[pose]'"

# BlazePose's 33 landmarks -> OpenPose's 18 (neck: the shoulders' midpoint, -1).
BLAZEPOSE_TO_COCO18 = (0, -1, 12, 14, 16, 11, 13, 15, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7)


class PoseEstimator(Protocol):
    name: str

    def estimate(self, image: np.ndarray) -> np.ndarray:
        """The most prominent person in an RGB uint8 picture: (18, 3) x, y, confidence."""
        ...


class NoEstimator(RuntimeError):
    """No pose estimator is installed."""


def _nothing() -> np.ndarray:
    return np.zeros((18, 3))


class MediapipePose:
    """BlazePose full (mediapipe's legacy solution; its model ships in the wheel)."""

    name = "mediapipe"

    def __init__(self) -> None:
        import mediapipe as mp  # the optional extra

        self._pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)

    def estimate(self, image: np.ndarray) -> np.ndarray:
        found = self._pose.process(np.ascontiguousarray(image[..., :3]))
        if not found.pose_landmarks:
            return _nothing()
        h, w = image.shape[:2]
        marks = np.array([(p.x * w, p.y * h, p.visibility)
                          for p in found.pose_landmarks.landmark])  # fmt: skip
        out = np.array([marks[i] if i >= 0 else (marks[11] + marks[12]) / 2
                        for i in BLAZEPOSE_TO_COCO18])  # fmt: skip
        return out


class SkeletonReader:
    """Reads OpenPose-style skeleton pictures: each keypoint is a dot in its own colour,
    drawn over limbs blended at 0.6, so a dot is the only place its pure colour shows."""

    name = "skeleton"
    tolerance = 40  # RGB distance of a dot's pixels from its colour (H.264 shifts a few)

    def estimate(self, image: np.ndarray) -> np.ndarray:
        rgb = image[..., :3].astype(np.int16)
        h, w = rgb.shape[:2]
        out = _nothing()
        # Dots are pure colours: one channel near 255, one near 0; blended limbs are not.
        pure = (rgb.max(-1) >= 255 - self.tolerance) & (rgb.min(-1) <= self.tolerance)
        ys, xs = np.nonzero(pure)
        if len(ys) == 0:
            return out
        dist = np.abs(rgb[ys, xs][:, None, :] - np.array(COLORS, np.int16)[None]).sum(-1)
        nearest, best = dist.argmin(1), dist.min(1)
        centre = np.array([w / 2, h / 2])
        for k in np.unique(nearest[best <= self.tolerance]).tolist():
            sel = (nearest == k) & (best <= self.tolerance)
            dots = np.zeros((h, w), np.uint8)
            dots[ys[sel], xs[sel]] = 1
            n, _, stats, centroids = cv2.connectedComponentsWithStats(dots, connectivity=8)
            big = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 4]
            if big:
                pick = min(big, key=lambda i: float(np.hypot(*(centroids[i] - centre))))
                out[k] = (*centroids[pick], 1.0)
        return out


BUILTIN = {"mediapipe": MediapipePose, "skeleton": SkeletonReader}


@lru_cache(maxsize=4)
def load_estimator(name: str | None = None) -> PoseEstimator:
    """The named estimator, or the first that loads of the registered ones and BlazePose.

    The skeleton reader is never chosen by default: it reads skeleton pictures only."""
    found = {ep.name: ep for ep in entry_points(group="aktion.pose_estimators")}
    if name is not None:
        if name in BUILTIN:
            try:
                return BUILTIN[name]()
            except ImportError as e:
                raise NoEstimator(f"pose estimator `{name}` is not installed ({INSTALL})") from e
        if name not in found:
            known = ", ".join(sorted({*BUILTIN, *found}))
            raise NoEstimator(f"no pose estimator `{name}` (known: {known})")
        return found[name].load()()
    for ep in found.values():
        try:
            return ep.load()()
        except ImportError:
            continue
    try:
        return MediapipePose()
    except ImportError as e:
        raise NoEstimator(f"no estimator installed ({INSTALL})") from e
