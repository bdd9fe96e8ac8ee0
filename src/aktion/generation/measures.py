"""Consistency measures of a generated shot, on CPU: numbers a director can compare.

- flicker: mean absolute difference of consecutive frames (0..1; lower is steadier);
- board adherence: SSIM of the keyframe's edges to the previz layout's edges (1 = same);
- seam: mean absolute difference across the cut between two consecutive shots.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def flicker(frames: np.ndarray) -> float:
    if len(frames) < 2:
        return 0.0
    f = frames.astype(np.float32) / 255.0
    return float(np.abs(np.diff(f, axis=0)).mean())


def _edges(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    grey = cv2.cvtColor(cv2.resize(image, size), cv2.COLOR_RGB2GRAY)
    return cv2.GaussianBlur(cv2.Canny(grey, 50, 150), (7, 7), 0).astype(np.float64)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean structural similarity of two single-channel images (Wang et al. 2004)."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = cv2.GaussianBlur(a, (11, 11), 1.5), cv2.GaussianBlur(b, (11, 11), 1.5)
    var_a = cv2.GaussianBlur(a * a, (11, 11), 1.5) - mu_a**2
    var_b = cv2.GaussianBlur(b * b, (11, 11), 1.5) - mu_b**2
    cov = cv2.GaussianBlur(a * b, (11, 11), 1.5) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return float((num / den).mean())


def board_adherence(keyframe: np.ndarray, layout: np.ndarray) -> float:
    size = (layout.shape[1], layout.shape[0])
    return ssim(_edges(keyframe, size), _edges(layout, size))


def seam(last_frame: np.ndarray, first_frame: np.ndarray) -> float:
    b = cv2.resize(first_frame, (last_frame.shape[1], last_frame.shape[0]))
    return float(np.abs(last_frame.astype(np.float32) - b.astype(np.float32)).mean() / 255.0)


def clip_frames(path: Path) -> np.ndarray:
    from aktion.media.video import iter_frames

    return np.stack(list(iter_frames(path)))


SIGNATURE = (32, 18)  # the frame thumbnails kept for seams: small, and enough for a mean


def signature(frame: np.ndarray) -> list[list[int]]:
    """A frame reduced to a small RGB-mean grey thumbnail, kept in a step's record."""
    grey = cv2.cvtColor(cv2.resize(frame, SIGNATURE, interpolation=cv2.INTER_AREA),
                        cv2.COLOR_RGB2GRAY)
    return grey.astype(int).tolist()


def clip_measures(path: Path) -> dict[str, object]:
    """What a clip step records: its flicker, and its first and last frames' signatures,
    from which a report reads the seam to the next shot without decoding anything."""
    frames = clip_frames(path)
    return {"flicker": round(flicker(frames), 5), "first": signature(frames[0]),
            "last": signature(frames[-1])}


def keyframe_measures(keyframe: Path, layout: Path | None) -> dict[str, object]:
    """What a keyframe step records: how closely it follows the previz layout."""
    from aktion.media.images import read_array

    if layout is None:
        return {}
    key, lay = read_array(keyframe), read_array(layout)
    if lay.ndim == 2 or lay.dtype != np.uint8:
        return {}  # a depth map is no layout picture
    return {"board_adherence": round(board_adherence(key[..., :3], lay[..., :3]), 5)}


def signature_seam(last: list[list[int]], first: list[list[int]]) -> float:
    """The seam between two shots from their recorded signatures (0 = no jump)."""
    a, b = np.asarray(last, np.float32), np.asarray(first, np.float32)
    return round(float(np.abs(a - b).mean() / 255.0), 5)


def step_measures(kind: str, outputs: dict[str, Path], inputs: dict[str, Path]) -> dict:
    """The measures a generated step records, by kind; computed once, when it runs."""
    if kind == "keyframe" and "image" in outputs:
        return keyframe_measures(outputs["image"], inputs.get("frame"))
    if "video" in outputs:
        return clip_measures(outputs["video"])
    return {}
