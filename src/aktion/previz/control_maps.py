"""Control maps: the conditioning videos pose- and depth-guided video models consume.

From a shot's solved poses and camera this draws, frame by frame:

- an OpenPose-style skeleton video: the 18 COCO keypoints (nose, neck, right/left
  shoulder, elbow, wrist, hip, knee, ankle, eyes, ears) with OpenPose's keypoint and
  limb colours on black, as ControlNet-openpose and pose-guided i2v models expect;
- a depth video: inverse depth, near is bright (the MiDaS convention depth
  ControlNets were trained on), normalised over the whole shot so it does not flicker;
- a per-character mask video: each character's silhouette in its own flat colour;
- the camera path as data: per frame, the world-to-camera matrix and intrinsics.

Limbs are drawn first and the keypoint dots on top, so each keypoint's dot is
centred on its projected joint, which is what the tests check after decoding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from aktion.media.atomic import atomic_path
from aktion.media.video import VideoWriter
from aktion.production.board import SetDesign
from aktion.production.cast import Character

from .camera import CameraPath
from .depth import depth_map
from .masks import character_labels
from .skeleton import INDEX

COCO18: tuple[str, ...] = (
    "nose", "neck", "r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist",
    "r_hip", "r_knee", "r_ankle", "l_hip", "l_knee", "l_ankle", "r_eye", "l_eye", "r_ear",
    "l_ear",
)  # fmt: skip
"""OpenPose's 18-keypoint body order (COCO); ``neck`` is the shoulders' midpoint."""

COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0),
    (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255),
    (0, 0, 255), (85, 0, 255), (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
)  # fmt: skip
"""OpenPose's keypoint colours (RGB); limb ``i`` is drawn in ``COLORS[i]`` too."""

LIMBS: tuple[tuple[int, int], ...] = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
    (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
)  # fmt: skip
"""OpenPose's limb sequence (0-based); the two ear-shoulder links are not drawn."""

MASK_COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 0, 255),
    (0, 255, 255), (255, 128, 0),
)  # fmt: skip

LIMB_ALPHA = 0.6  # OpenPose blends limbs at 0.6 over the canvas


def keypoints(joints: np.ndarray) -> np.ndarray:
    """World joints (..., J, 3) in the skeleton's order -> (..., 18, 3) COCO keypoints."""
    j = np.asarray(joints, dtype=np.float64)
    out = np.empty(j.shape[:-2] + (18, 3))
    for k, name in enumerate(COCO18):
        if name == "neck":
            out[..., k, :] = (j[..., INDEX["l_shoulder"], :] + j[..., INDEX["r_shoulder"], :]) / 2
        else:
            out[..., k, :] = j[..., INDEX[name], :]
    return out


def project_keypoints(poses: np.ndarray, camera: CameraPath, frame: int) -> np.ndarray:
    """(C, 18, 2) pixel positions of every character's keypoints; NaN behind the camera."""
    return camera.project(keypoints(poses[frame]), frame)


def _scale(width: int, height: int) -> tuple[int, int]:
    """Dot radius and limb half-width: OpenPose's 4 px at 512 px, scaled with the frame."""
    s = min(width, height) / 512
    return max(2, round(4 * s)), max(1, round(4 * s))


def draw_pose(px: np.ndarray, width: int, height: int, out: np.ndarray | None = None) -> np.ndarray:
    """OpenPose-style skeletons on black for (C, 18, 2) pixel keypoints; RGB uint8."""
    img = np.zeros((height, width, 3), np.uint8) if out is None else out
    img[:] = 0
    radius, stick = _scale(width, height)
    ok = np.isfinite(px).all(-1)
    for c in range(len(px)):
        for i, (a, b) in enumerate(LIMBS):
            if not (ok[c, a] and ok[c, b]):
                continue
            pa, pb = px[c, a], px[c, b]
            d = pb - pa
            length = float(np.hypot(*d))
            if length < 1:
                continue
            angle = float(np.degrees(np.arctan2(d[1], d[0])))
            mid = (pa + pb) / 2
            poly = cv2.ellipse2Poly((round(mid[0]), round(mid[1])),
                                    (int(length / 2), stick), int(angle), 0, 360, 10)  # fmt: skip
            layer = img.copy()
            cv2.fillConvexPoly(layer, poly, COLORS[i])
            cv2.addWeighted(img, 1 - LIMB_ALPHA, layer, LIMB_ALPHA, 0, dst=img)
    for c in range(len(px)):
        for k in range(18):
            if ok[c, k]:
                x, y = px[c, k]
                if -radius <= x < width + radius and -radius <= y < height + radius:
                    centre = (round(x * 16), round(y * 16))
                    cv2.circle(img, centre, radius * 16, COLORS[k], -1, cv2.LINE_8, 4)
    return img


def draw_mask(
    characters: list[Character], joints: np.ndarray, camera: CameraPath, frame: int,
    out: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Each character's silhouette in ``MASK_COLORS[index]``, nearer parts in front."""
    img = np.zeros((camera.height, camera.width, 3), np.uint8) if out is None else out
    img[:] = 0
    if not characters:
        return img
    labels = character_labels(characters, joints, camera, frame)
    palette = np.array([(0, 0, 0)] + [MASK_COLORS[i % len(MASK_COLORS)]
                                      for i in range(len(characters))], np.uint8)
    img[:] = palette[labels]
    return img


def camera_data(camera: CameraPath) -> dict[str, Any]:
    """Per frame: 4x4 world-to-camera (OpenCV axes: x right, y down, z forward) and K."""
    flip = np.diag([1.0, -1.0, 1.0])
    extr, intr = [], []
    for f in range(camera.frames):
        r = flip @ camera.basis[f]
        m = np.eye(4)
        m[:3, :3] = r
        m[:3, 3] = -r @ camera.position[f]
        extr.append(np.round(m, 6).tolist())
        fp = camera.focal(f)
        intr.append([[round(fp, 4), 0.0, camera.width / 2], [0.0, round(fp, 4), camera.height / 2],
                     [0.0, 0.0, 1.0]])  # fmt: skip
    return {
        "width": camera.width, "height": camera.height, "fps": camera.fps,
        "frames": camera.frames, "convention": "opencv", "world": "metres, y up",
        "world_to_camera": extr, "intrinsics": intr, "path": camera.to_json(),
    }  # fmt: skip


@dataclass
class ControlMaps:
    """The files one shot's control maps were written to."""

    pose: Path
    depth: Path
    mask: Path
    camera: Path
    keypoints: Path

    def outputs(self) -> dict[str, Path]:
        return {"pose": self.pose, "depth": self.depth, "mask": self.mask,
                "camera_path": self.camera, "keypoints": self.keypoints}  # fmt: skip


def _write_json(path: Path, data: Any) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return path


def write_control_maps(
    workdir: Path, design: SetDesign, characters: list[str], cast: dict[str, Character],
    poses: np.ndarray, camera: CameraPath, crf: int = 12, depth_every: int = 1,
) -> ControlMaps:  # fmt: skip
    """Draw and encode the pose, depth and mask videos plus the camera and keypoint data.

    ``crf`` is low so decoded colours stay close to the convention's; depth is
    inverse depth scaled by the shot's nearest and farthest surfaces.
    """
    workdir = Path(workdir)
    frames, w, h = int(poses.shape[0]), camera.width, camera.height
    chars = [cast[c] for c in characters]
    depths = []
    for f in range(frames):
        if f % depth_every == 0 or not depths:
            depths.append(depth_map(design, chars, np.asarray(poses[f], np.float64), camera, f))
        else:
            depths.append(depths[-1])
    seen = np.concatenate([d[d > 0] for d in depths]) if depths else np.zeros(0)
    near = float(np.percentile(seen, 1)) if len(seen) else 1.0
    far = float(np.percentile(seen, 99)) if len(seen) else 10.0
    buf = np.empty((h, w, 3), np.uint8)
    keyed: list[list[list[list[float]]]] = []
    paths = ControlMaps(workdir / "pose.mp4", workdir / "depth.mp4", workdir / "mask.mp4",
                        workdir / "camera_path.json", workdir / "keypoints.json")  # fmt: skip
    with VideoWriter(paths.pose, w, h, camera.fps, crf=crf) as out:
        for f in range(frames):
            px = project_keypoints(poses, camera, f)
            keyed.append(np.round(np.nan_to_num(px, nan=-1.0), 2).tolist())
            out.write(draw_pose(px, w, h, buf))
    with VideoWriter(paths.depth, w, h, camera.fps, crf=crf) as out:
        inv_near, inv_far = 1 / max(near, 1e-3), 1 / max(far, near + 1e-3)
        for d in depths:
            inv = np.where(d > 0, 1 / np.maximum(d, 1e-3), 0.0)
            grey = np.clip((inv - inv_far) / max(inv_near - inv_far, 1e-9), 0, 1)
            buf[:] = (grey * 255).astype(np.uint8)[..., None]
            out.write(buf)
    with VideoWriter(paths.mask, w, h, camera.fps, crf=crf) as out:
        for f in range(frames):
            out.write(draw_mask(chars, np.asarray(poses[f], np.float64), camera, f, buf))
    _write_json(paths.camera, {**camera_data(camera), "depth_range_m": [near, far]})
    _write_json(paths.keypoints, {
        "format": "coco18", "keypoints": list(COCO18), "characters": list(characters),
        "width": w, "height": h,
        "mask_colors": {c: list(MASK_COLORS[i % len(MASK_COLORS)])
                        for i, c in enumerate(characters)},
        "frames": keyed,
    })  # fmt: skip
    return paths
