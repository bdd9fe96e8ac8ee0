"""Consistency measures of a generated shot, on CPU: numbers a director can compare.

- flicker: mean absolute difference of consecutive frames (0..1; lower is steadier);
- board adherence: how closely the keyframe keeps the board's composition, its outlines
  and where its characters are (1 = as the board, 0 = unrelated; ``composition``);
- pose adherence: how closely the clip's people hold the choreography's skeleton
  (OKS, 1 = on it; ``pose``), where a pose estimator is installed;
- seam: mean absolute difference across the cut between two consecutive shots.

Each is computed once, when the step runs, and kept in its record with ``VERSION``: a
record made under another definition is not shown as this one.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .composition import adherence

VERSION = 2  # of the measures' definitions; 1 scored board adherence as SSIM of edges


def flicker(frames: np.ndarray) -> float:
    if len(frames) < 2:
        return 0.0
    f = frames.astype(np.float32) / 255.0
    return float(np.abs(np.diff(f, axis=0)).mean())


def board_adherence(keyframe: np.ndarray, layout: np.ndarray, depth: np.ndarray | None = None,
                    mask: np.ndarray | None = None) -> float:  # fmt: skip
    """The keyframe's adherence to the board's composition (see ``composition``); 0 when
    the board has nothing to compare with."""
    return adherence(keyframe, layout, depth, mask).score or 0.0


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


def clip_measures(path: Path, keypoints: Path | None = None,
                  estimator: str | None = None) -> dict[str, object]:  # fmt: skip
    """What a clip step records: its flicker, its pose adherence to the choreography's
    skeleton, and its first and last frames' signatures, from which a report reads the
    seam to the next shot without decoding anything."""
    frames = clip_frames(path)
    found: dict[str, object] = {"flicker": round(flicker(frames), 5),
                                "first": signature(frames[0]), "last": signature(frames[-1])}
    if keypoints is not None:
        found.update(pose_measures(frames, keypoints, estimator))
    return found


def pose_measures(frames: np.ndarray, keypoints: Path,
                  estimator: str | None = None) -> dict[str, object]:  # fmt: skip
    """Pose adherence of a clip, with the estimator that measured it, or why it was not."""
    from .pose import Skeleton, pose_adherence
    from .pose_estimators import NoEstimator, load_estimator

    try:
        model = load_estimator(estimator)
    except NoEstimator as e:
        return {"pose_adherence": None, "pose_note": str(e)}
    score = pose_adherence(frames, Skeleton.load(keypoints), model)
    note = {} if score is not None else {"pose_note": "nobody of the skeleton in view"}
    return {"pose_adherence": None if score is None else round(score, 5),
            "pose_estimator": model.name, **note}


def keyframe_measures(keyframe: Path, layout: Path | None, depth: Path | None = None,
                      masks: Path | None = None) -> dict[str, object]:  # fmt: skip
    """What a keyframe step records: how closely it keeps the previz layout's composition."""
    from aktion.media.images import read_array

    if layout is None:
        return {}
    key, lay = read_array(keyframe), read_array(layout)
    if lay.ndim == 2 or lay.dtype != np.uint8:
        return {}  # a depth map is no layout picture
    dep = read_array(depth) if depth is not None else None
    if dep is not None and (dep.ndim != 2 or dep.dtype != np.uint16):
        dep = None  # only the layout's millimetre map carries distances
    sil = mask_labels(masks) if masks is not None else None
    return adherence(_rgb(key), _rgb(lay), dep, _rgb(sil) if sil is not None else None).record()


def mask_labels(masks: Path) -> np.ndarray:
    """The layout's per-character masks (``masks.npz``) as one label image: 0 where no
    character is seen, ``i + 1`` where the i-th is (nearer bodies already own overlaps)."""
    from aktion.previz.masks import read_masks

    found = read_masks(masks)
    shape = next(iter(found.values())).shape if found else (1, 1)
    labels = np.zeros(shape, np.uint8)
    for i, own in enumerate(found.values()):
        labels[own] = i + 1
    return labels


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.repeat(image[..., None], 3, -1) if image.ndim == 2 else image[..., :3]


def signature_seam(last: list[list[int]], first: list[list[int]]) -> float:
    """The seam between two shots from their recorded signatures (0 = no jump)."""
    a, b = np.asarray(last, np.float32), np.asarray(first, np.float32)
    return round(float(np.abs(a - b).mean() / 255.0), 5)


def step_measures(kind: str, outputs: dict[str, Path], inputs: dict[str, Path],
                  estimator: str | None = None) -> dict:  # fmt: skip
    """The measures a generated step records, by kind; computed once, when it runs.

    Keyframes are measured against the layout's ``frame``, ``depth`` and ``masks``; clips
    against the control maps' ``keypoints`` (the choreography's projected skeleton), with
    the named pose ``estimator`` (default: the first installed)."""
    if kind == "keyframe" and "image" in outputs:
        found = keyframe_measures(outputs["image"], inputs.get("frame"), inputs.get("depth"),
                                  inputs.get("masks"))  # fmt: skip
    elif "video" in outputs:
        found = clip_measures(outputs["video"], inputs.get("keypoints"), estimator)
    else:
        return {}
    return {"version": VERSION, **found}
