"""Board adherence: does a generated keyframe keep the board's composition?

The previz layout gives the board's frame, its depth map (uint16 millimetres, 0 = sky)
and a mask with each character's silhouette in its own colour. Two terms compare the
keyframe with that composition, each a statistic that is 0 by chance and normalised by
the same statistic of the board's own frame, so 1 = as the board, 0 = unrelated:

- **outlines**: the board's composition lines (depth discontinuities, where one surface
  passes in front of another, and the characters' outlines) must be edges of the
  keyframe. At every line pixel the keyframe's gradient energy across the line (oriented
  within ±34°, best within 1.5% of the frame diagonal) is ranked against the energy at
  the same lines displaced across the frame: Somers' D = 2·AUC − 1 of that ranking. A
  noise or flat image has no more energy on the lines than off them (0), a re-lit,
  re-coloured or softened copy of the board keeps it; texture the board lacks does not
  count against the keyframe, only lines it lacks do.
- **subjects**: where the characters are. Of the uncertainty of "which character, or
  none, is at this pixel" (the mask), the share the keyframe's colour explains:
  I(label; colour) / H(label), colours in 8×8×8 CIELAB bins. It is invariant to any
  re-colouring and 0 when the keyframe's colours do not follow the silhouettes. Counted
  when the characters cover at least 1% of the frame (smaller, they are outlines only).

Board adherence is the mean of the terms available. Not measured: who is who (swapping
two characters' places keeps both terms) and depth order (no depth estimator ships in
a wheel). A mirrored frame scores low unless the composition is itself symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WIDTH = 320  # analysis width: composition, not detail
TOLERANCE = 0.015  # of the frame diagonal: how far an edge may sit from the board's line
BINS = 8  # orientation bins over 180°; a line matches its own bin and the two beside it
JUMP = np.log(1.15)  # a depth discontinuity: neighbours 15% apart in distance
MIN_SUBJECT = 0.01  # of the frame: smaller characters count through their outlines only
# Where the null lines are moved to, as fractions of (height, width).
SHIFTS = ((1 / 3, 0), (0, 1 / 3), (1 / 3, 1 / 3), (-1 / 3, 1 / 3), (0, -1 / 3), (-1 / 3, 0),
          (1 / 2, 1 / 2), (1 / 4, -1 / 4))  # fmt: skip


@dataclass(frozen=True)
class Board:
    """The board's composition at analysis size: its lines, their normals, its subjects."""

    size: tuple[int, int]  # (width, height)
    lines: np.ndarray  # bool (H, W)
    normals: np.ndarray  # int (H, W): orientation bin of the line's normal
    labels: np.ndarray | None  # int (H, W): 0 = no character, 1.. = a character
    count: int  # characters in labels

    @property
    def tolerance(self) -> float:
        return TOLERANCE * float(np.hypot(*self.size))


@dataclass(frozen=True)
class Adherence:
    score: float | None  # mean of the terms measured; None when none could be
    outlines: float | None
    subjects: float | None

    def record(self) -> dict[str, float | None]:
        r = lambda v: None if v is None else round(v, 5)
        return {"board_adherence": r(self.score), "board_outlines": r(self.outlines),
                "board_subjects": r(self.subjects)}


def _orientation(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    angle = np.mod(np.arctan2(gy, gx), np.pi)
    return np.floor(angle / np.pi * BINS + 0.5).astype(np.int64) % BINS


def _neighbours(bins: np.ndarray, b: int) -> np.ndarray:
    return (bins == b) | (bins == (b + 1) % BINS) | (bins == (b - 1) % BINS)


def _label_image(mask: np.ndarray) -> np.ndarray:
    """Per pixel, one integer per mask colour (0 = black = no character)."""
    m = mask[..., :3].astype(np.int64) if mask.ndim == 3 else mask[..., None].astype(np.int64)
    return (m * np.array([65536, 256, 1])[: m.shape[-1]]).sum(-1)


def _jumps(field: np.ndarray) -> np.ndarray:
    """Pixels on either side of a jump of ``field`` between 4-neighbours."""
    out = np.zeros(field.shape, bool)
    jx, jy = field[:, 1:] != field[:, :-1], field[1:] != field[:-1]
    out[:, 1:] |= jx
    out[:, :-1] |= jx
    out[1:] |= jy
    out[:-1] |= jy
    return out


def _depth_jumps(depth: np.ndarray) -> np.ndarray:
    log = np.log(np.where(depth > 0, np.maximum(depth, 1), 1e9).astype(np.float64))
    out = np.zeros(depth.shape, bool)
    jx = np.abs(np.diff(log, axis=1)) > JUMP
    jy = np.abs(np.diff(log, axis=0)) > JUMP
    out[:, 1:] |= jx
    out[:, :-1] |= jx
    out[1:] |= jy
    out[:-1] |= jy
    return out


def _gradient(channel: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    c = cv2.GaussianBlur(channel.astype(np.float32), (0, 0), sigma)
    return cv2.Sobel(c, cv2.CV_32F, 1, 0), cv2.Sobel(c, cv2.CV_32F, 0, 1)


def board(layout: np.ndarray, depth: np.ndarray | None = None,
          mask: np.ndarray | None = None) -> Board:  # fmt: skip
    """The composition of a previz layout: its frame (RGB), depth (mm) and character mask.

    Without a depth map the lines are the layout frame's own edges (and the mask's)."""
    h, w = layout.shape[:2]
    size = (WIDTH, max(1, round(WIDTH * h / w)))
    area = lambda a: cv2.resize(a.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    full = np.zeros((h, w), bool)
    channels: list[np.ndarray] = []
    if depth is not None:
        d = depth if depth.shape[:2] == (h, w) else cv2.resize(depth, (w, h),
                                                                interpolation=cv2.INTER_NEAREST)
        full |= _depth_jumps(d)
        inverse = np.where(d > 0, 1000.0 / np.maximum(d.astype(np.float64), 1.0), 0.0)
        channels.append(area(np.log1p(4 * inverse)))
    labels, count = None, 0
    if mask is not None:
        m = mask if mask.shape[:2] == (h, w) else cv2.resize(mask, (w, h),
                                                             interpolation=cv2.INTER_NEAREST)
        full |= _jumps(_label_image(m))
        channels += [area(c / 255.0) for c in np.moveaxis(np.atleast_3d(m)[..., :3], -1, 0)]
        small = _label_image(cv2.resize(m, size, interpolation=cv2.INTER_NEAREST))
        values, inverse_idx = np.unique(small, return_inverse=True)
        labels = inverse_idx.reshape(small.shape)
        if values[0] != 0:  # keep 0 for "no character" even when every pixel has one
            labels = labels + 1
        count = int(labels.max())
    if depth is None:
        grey = cv2.cvtColor(layout[..., :3], cv2.COLOR_RGB2GRAY)
        full |= cv2.Canny(cv2.GaussianBlur(grey, (0, 0), 1.0), 50, 150) > 0
        channels.append(area(grey / 255.0))
    lines = cv2.resize(full.astype(np.uint8) * 255, size, interpolation=cv2.INTER_AREA) > 0
    best = gx = gy = None
    for channel in channels:  # the line's normal: from the channel that changes most there
        cx, cy = _gradient(channel, 1.5)
        mag = np.hypot(cx, cy)
        if best is None:
            best, gx, gy = mag, cx, cy
        else:
            take = mag > best
            best, gx, gy = np.maximum(mag, best), np.where(take, cx, gx), np.where(take, cy, gy)
    return Board(size, lines, _orientation(gx, gy), labels, count)


def _energy(image: np.ndarray, board: Board) -> np.ndarray:
    """(BINS, H, W): per normal orientation, the strongest gradient near each pixel."""
    grey = cv2.cvtColor(cv2.resize(image[..., :3], board.size, interpolation=cv2.INTER_AREA),
                        cv2.COLOR_RGB2GRAY)  # fmt: skip
    gx, gy = _gradient(grey, 1.0)
    mag, bins = np.hypot(gx, gy), _orientation(gx, gy)
    r = max(1, round(board.tolerance))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return np.stack([cv2.dilate(np.where(_neighbours(bins, b), mag, 0).astype(np.float32), disk)
                     for b in range(BINS)])  # fmt: skip


def outline_statistic(image: np.ndarray, board: Board) -> float | None:
    """Somers' D of the image's edge energy on the board's lines against displaced lines."""
    ys, xs = np.nonzero(board.lines)
    if len(ys) == 0:
        return None
    energy = _energy(image, board)
    h, w = board.lines.shape
    bins = board.normals[ys, xs]
    on = energy[bins, ys, xs]
    off = np.sort(np.concatenate([energy[bins, (ys + round(dy * h)) % h, (xs + round(dx * w)) % w]
                                  for dy, dx in SHIFTS]))  # fmt: skip
    below = np.searchsorted(off, on, "left") + np.searchsorted(off, on, "right")
    auc = float(below.mean()) / (2 * len(off))
    return max(0.0, 2 * auc - 1)


def subject_statistic(image: np.ndarray, board: Board) -> float | None:
    """I(character label; colour) / H(label): how far colour tells the characters apart."""
    if board.labels is None or board.count == 0:
        return None
    labels = board.labels
    if (labels > 0).mean() < MIN_SUBJECT:
        return None
    lab = cv2.cvtColor(cv2.resize(image[..., :3], board.size, interpolation=cv2.INTER_AREA),
                       cv2.COLOR_RGB2LAB).astype(np.int64) // 32  # fmt: skip
    colour = lab[..., 0] * 64 + lab[..., 1] * 8 + lab[..., 2]
    joint = np.zeros((board.count + 1, 512))
    np.add.at(joint, (labels.ravel(), colour.ravel()), 1)
    p = joint / joint.sum()
    pl, pc = p.sum(1, keepdims=True), p.sum(0, keepdims=True)
    nz = p > 0
    info = float((p[nz] * np.log(p[nz] / (pl @ pc)[nz])).sum())
    pl = pl[pl > 0]
    entropy = float(-(pl * np.log(pl)).sum())
    return info / entropy if entropy > 0 else None


def _relative(value: float | None, own: float | None) -> float | None:
    if value is None or own is None or own <= 0:
        return None
    return float(min(1.0, value / own))


def adherence(keyframe: np.ndarray, layout: np.ndarray, depth: np.ndarray | None = None,
              mask: np.ndarray | None = None) -> Adherence:  # fmt: skip
    """How closely ``keyframe`` keeps the composition of the board ``layout`` (RGB arrays;
    ``depth`` in millimetres, ``mask`` the characters' colours, both from the layout)."""
    b = board(layout, depth, mask)
    outlines = _relative(outline_statistic(keyframe, b), outline_statistic(layout, b))
    subjects = _relative(subject_statistic(keyframe, b), subject_statistic(layout, b))
    terms = [t for t in (outlines, subjects) if t is not None]
    return Adherence(sum(terms) / len(terms) if terms else None, outlines, subjects)
