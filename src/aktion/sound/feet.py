"""Bodies meeting the floor, read from the solved poses: footsteps, landings and falls.

A foot is planted when its lowest point (ankle or toe) is near the floor and it
barely moves; a footstep is the frame a foot plants after it was lifted. Both feet
planting after a moment with both in the air is a landing. A fall is the frame the
pelvis stops dropping once it is below a third of the character's standing height.
Poses are metres with y up (``aktion.previz.skeleton``).
"""

from __future__ import annotations

import numpy as np

from aktion.previz.skeleton import INDEX

from .cues import Cue

PLANT = 0.012  # m above the floor a planted foot stays within
LIFT = 0.03  # m a foot must rise before its next plant counts as a step
STILL = 0.9  # m/s: a foot moving faster than this is sliding or swinging, not planted
AIRBORNE = 0.12  # m both feet clear the floor in a jump
AIR_FRAMES = 3


def _foot_height(poses: np.ndarray, k: int, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the foot's lowest height and its toe's horizontal speed (m/frame)."""
    ankle, toe = poses[:, k, INDEX[f"{side}_ankle"]], poses[:, k, INDEX[f"{side}_toe"]]
    h = np.minimum(ankle[:, 1], toe[:, 1])
    xz = toe[:, [0, 2]]
    speed = np.r_[0.0, np.linalg.norm(np.diff(xz, axis=0), axis=1)]
    return h, speed


def _plants(h: np.ndarray, speed: np.ndarray, floor: float, fps: int) -> list[int]:
    """Frames a foot comes down and stays: lifted, then near the floor and still."""
    planted = (h < floor + PLANT) & (speed < STILL / fps)
    out, lifted = [], False
    for f in range(1, len(h)):
        if h[f] > floor + LIFT:
            lifted = True
        if lifted and planted[f] and not planted[f - 1]:
            out.append(f)
            lifted = False
    return out


def _falls(pelvis_y: np.ndarray, standing: float) -> list[int]:
    """Frames a falling body comes to rest on the floor."""
    low = standing / 3
    out = []
    f = 1
    while f < len(pelvis_y):
        if pelvis_y[f] < low <= pelvis_y[f - 1]:
            k = f
            while k + 1 < len(pelvis_y) and pelvis_y[k] - pelvis_y[k + 1] > 0.004:
                k += 1
            out.append(k)
            f = k
        f += 1
    return out


def ground_cues(poses: np.ndarray, characters: list[str], weights: dict[str, float],
                heights: dict[str, float], fps: int) -> list[Cue]:
    """Footsteps, landings and falls of everyone in the shot."""
    cues: list[Cue] = []
    for k, who in enumerate(characters):
        w = weights.get(who, 1.0)
        feet = {side: _foot_height(poses, k, side) for side in ("l", "r")}
        floor = float(min(np.min(h) for h, _ in feet.values()))
        both_up = np.minimum(feet["l"][0], feet["r"][0]) > floor + AIRBORNE
        landed: list[int] = []
        for side, (h, speed) in feet.items():
            for f in _plants(h, speed, floor, fps):
                air = both_up[max(0, f - 6):f]
                if air.sum() >= AIR_FRAMES:
                    if not any(abs(f - g) <= 3 for g in landed):
                        landed.append(f)
                        cues.append(Cue("land", f, weight=w, who=who,
                                        why=f"{who} lands"))
                    continue
                cues.append(Cue("footstep", f, gain=0.8, weight=w, who=who,
                                why=f"{who}'s {'left' if side == 'l' else 'right'} foot "
                                    "lands"))
        pelvis = poses[:, k, INDEX["pelvis"], 1]
        standing = 0.52 * heights.get(who, 1.78)  # pelvis height of someone standing
        for f in _falls(pelvis - floor, standing):
            cues.append(Cue("body_fall", f, gain=1.1, weight=w, who=who,
                            why=f"{who} hits the floor"))
    return cues
