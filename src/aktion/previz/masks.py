"""Per-character masks of one frame: where each character is seen, nearer bodies in front.

The layout step writes them for the board frame so a keyframe model can tie each
character's identity (their reference images) to their own pixels: without masks,
two characters' references blend into every face. The file is one compressed
``.npz`` holding ``characters`` (the performance's order) and ``masks``
((characters, height, width) booleans), so it says itself which mask is whose.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np

from aktion.media.atomic import atomic_path
from aktion.production.cast import Character

from .camera import CameraPath
from .mannequin import Body, build_parts
from .set import SHIFT


def character_labels(characters: list[Character], joints: np.ndarray, camera: CameraPath,
                     frame: int) -> np.ndarray:
    """(H, W) uint16: 0 where no character is seen, ``i + 1`` where character ``i`` is.

    Parts are filled far to near, so where two bodies overlap the nearer one owns the
    pixel, as in the rendered frame."""
    labels = np.zeros((camera.height, camera.width), np.uint16)
    if not characters:
        return labels
    parts = build_parts(joints, [Body.of(c) for c in characters], camera, frame)
    for i in np.argsort(-parts.depth, kind="stable").tolist():
        cv2.fillConvexPoly(labels, parts.polygons[i, 0], int(parts.owner[i]) + 1, cv2.LINE_8,
                           SHIFT)
    return labels


def character_masks(characters: list[Character], joints: np.ndarray, camera: CameraPath,
                    frame: int) -> np.ndarray:
    """(C, H, W) bool: the pixels each character owns in the frame."""
    labels = character_labels(characters, joints, camera, frame)
    return labels[None] == np.arange(1, len(characters) + 1, dtype=np.uint16)[:, None, None]


def write_masks(path: Path, characters: list[str], masks: np.ndarray) -> Path:
    """Save ``masks`` ((C, H, W) bool, in ``characters`` order) atomically as ``.npz``."""
    if masks.ndim != 3 or len(masks) != len(characters):
        raise ValueError(f"{len(characters)} characters but masks of shape {masks.shape}")
    buf = io.BytesIO()
    np.savez_compressed(buf, characters=np.array(characters, dtype=str),
                        masks=np.ascontiguousarray(masks, dtype=bool))
    with atomic_path(path) as tmp:
        tmp.write_bytes(buf.getvalue())
    return path


def read_masks(path: Path | str) -> dict[str, np.ndarray]:
    """Character id -> (H, W) bool mask, from a file ``write_masks`` wrote."""
    try:
        with np.load(path, allow_pickle=False) as data:
            names = [str(n) for n in data["characters"]]
            masks = data["masks"].astype(bool)
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(f"{path}: not a character mask file ({e})") from None
    if masks.ndim != 3 or len(masks) != len(names):
        raise ValueError(f"{path}: {len(names)} characters but masks of shape {masks.shape}")
    return dict(zip(names, masks, strict=True))
