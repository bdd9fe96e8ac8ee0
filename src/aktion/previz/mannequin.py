"""A mannequin as solid volumes: tapered capsules and spheres between joints.

Each part is shaded as a lit volume with three nested bands (shadow, mid-tone,
highlight) offset toward the light, which reads as round at a glance and costs
three polygon fills. All parts of all characters are built in one vectorised
pass per frame, then painted far to near.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aktion.production.cast import Character

from .camera import NEAR, CameraPath
from .set import KEY_LIGHT, SCALE, hex_rgb, key_light
from .skeleton import INDEX, JOINTS, REFERENCE_HEIGHT

ARC = 10  # polygon points per half circle
AMBIENT = 0.38
BANDS = ((1.0, 0.0), (0.74, 0.2), (0.36, 0.46))  # (radius share, offset toward the light)
EXTRA = ("l_fist", "r_fist", "chest_top")
"""Points derived from the joints each frame (after the joints in the point array)."""
FIST = 0.05  # metres from the wrist to the centre of the fist
POINT = {name: i for i, name in enumerate(JOINTS + EXTRA)}

# part: from, to, radius at each end (metres for a 1.78 m build, bulk 1), colour role,
# and whether the radii follow bulk
PARTS: tuple[tuple[str, str, str, float, float, str, bool], ...] = (
    ("hips", "l_hip", "r_hip", 0.085, 0.085, "secondary", True),
    ("abdomen", "pelvis", "spine", 0.115, 0.12, "primary", True),
    ("chest", "spine", "chest_top", 0.125, 0.125, "primary", True),
    ("shoulders", "l_shoulder", "r_shoulder", 0.068, 0.068, "primary", True),
    ("neck", "neck", "head", 0.048, 0.048, "skin", False),
    ("head", "head", "head", 0.105, 0.105, "skin", False),
    ("visor", "l_eye", "r_eye", 0.02, 0.02, "accent", False),
    ("l_upper_arm", "l_shoulder", "l_elbow", 0.052, 0.043, "primary", True),
    ("r_upper_arm", "r_shoulder", "r_elbow", 0.052, 0.043, "primary", True),
    ("l_forearm", "l_elbow", "l_wrist", 0.042, 0.033, "skin", True),
    ("r_forearm", "r_elbow", "r_wrist", 0.042, 0.033, "skin", True),
    ("l_fist", "l_fist", "l_fist", 0.047, 0.047, "skin", True),
    ("r_fist", "r_fist", "r_fist", 0.047, 0.047, "skin", True),
    ("l_thigh", "l_hip", "l_knee", 0.082, 0.058, "secondary", True),
    ("r_thigh", "r_hip", "r_knee", 0.082, 0.058, "secondary", True),
    ("l_shin", "l_knee", "l_ankle", 0.056, 0.04, "secondary", True),
    ("r_shin", "r_knee", "r_ankle", 0.056, 0.04, "secondary", True),
    ("l_foot", "l_ankle", "l_toe", 0.042, 0.03, "accent", False),
    ("r_foot", "r_ankle", "r_toe", 0.042, 0.03, "accent", False),
)
PART_A = np.array([POINT[p[1]] for p in PARTS])
PART_B = np.array([POINT[p[2]] for p in PARTS])
SPHERE = PART_A == PART_B


def with_extras(joints: np.ndarray) -> np.ndarray:
    """(..., J, 3) joints -> (..., J + len(EXTRA), 3) with the derived points appended."""
    w = {s: joints[..., INDEX[f"{s}_wrist"], :] for s in ("l", "r")}
    fists = []
    for s in ("l", "r"):
        d = w[s] - joints[..., INDEX[f"{s}_elbow"], :]
        n = np.linalg.norm(d, axis=-1, keepdims=True)
        fists.append(w[s] + d / np.maximum(n, 1e-9) * FIST)
    chest = joints[..., INDEX["chest"], :]
    top = chest + 0.45 * (joints[..., INDEX["neck"], :] - chest)
    return np.concatenate([joints, np.stack([*fists, top], axis=-2)], axis=-2)


@dataclass(frozen=True)
class Body:
    """Per-part radii and base colours for one character."""

    radius_a: np.ndarray  # (P,)
    radius_b: np.ndarray  # (P,)
    color: np.ndarray  # (P, 3) RGB 0..255
    name: str

    @classmethod
    def of(cls, character: Character) -> Body:
        build = character.build
        s = build.height / REFERENCE_HEIGHT
        pal = character.palette
        roles = {"primary": pal.primary, "secondary": pal.secondary, "skin": pal.skin,
                 "accent": pal.accent}  # fmt: skip
        ra, rb, colors = [], [], []
        for name, _a, _b, r1, r2, role, bulky in PARTS:
            k = s * (build.bulk if bulky else 1.0)
            if name == "hips":
                r1 = r2 = build.hips * 0.27 / s
            elif name == "shoulders":
                r1 = r2 = 0.068 * (build.shoulders / 0.42) ** 0.5
            ra.append(r1 * k)
            rb.append(r2 * k)
            colors.append(hex_rgb(roles[role]))
        return cls(np.array(ra), np.array(rb), np.array(colors), character.name)


@dataclass
class Parts:
    """Everything needed to paint the visible parts of all characters on one frame."""

    polygons: np.ndarray  # (N, bands, points, 2) int32, fixed point
    colors: list[list[tuple[float, float, float]]]  # per part, per band
    depth: np.ndarray  # (N,) sort key, metres
    centre: np.ndarray  # (N, 3) world midpoints (for occlusion by boxes)
    owner: np.ndarray  # (N,) character index


_STACKED: dict[int, tuple] = {}


def _stacked(bodies: list[Body]) -> tuple[np.ndarray, ...]:
    """The characters' part radii, colours, owners and sphere flags, end to end: the
    same for every frame of a renderer, so made once per list of bodies."""
    hit = _STACKED.get(id(bodies))
    if hit is None or hit[0] is not bodies:
        if len(_STACKED) > 16:
            _STACKED.clear()
        arrays = (np.concatenate([b.radius_a for b in bodies]),
                  np.concatenate([b.radius_b for b in bodies]),
                  np.concatenate([b.color for b in bodies]),
                  np.repeat(np.arange(len(bodies)), len(PARTS)), np.tile(SPHERE, len(bodies)))
        for a in arrays:
            a.setflags(write=False)  # every frame's parts share them
        hit = _STACKED[id(bodies)] = (bodies, arrays)
    return hit[1]


def _norm(v: np.ndarray) -> np.ndarray:
    """Row lengths, (N, 1): what ``np.linalg.norm(v, axis=1, keepdims=True)`` computes,
    without its checks (called many times a frame)."""
    return np.sqrt(np.add.reduce(v * v, axis=1, keepdims=True))


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cross products of (N, 3) arrays, term by term as ``np.cross`` forms them."""
    out = np.empty_like(a)
    out[:, 0] = a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]
    out[:, 1] = a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]
    out[:, 2] = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return out


def build_parts(
    joints: np.ndarray, bodies: list[Body], camera: CameraPath, frame: int
) -> Parts:
    """Project and shade every part of every character (``joints`` is (C, J, 3))."""
    pts = with_extras(joints)  # (C, Q, 3)
    a_w = pts[:, PART_A].reshape(-1, 3)
    b_w = pts[:, PART_B].reshape(-1, 3)
    ra, rb, base, owner, sphere = _stacked(bodies)
    basis = camera.basis[frame]
    pos = camera.position[frame]
    a_c = (a_w - pos) @ basis.T
    b_c = (b_w - pos) @ basis.T
    keep = (a_c[:, 2] > NEAR + ra) & (b_c[:, 2] > NEAR + rb)
    if not keep.all():
        a_w, b_w, a_c, b_c = a_w[keep], b_w[keep], a_c[keep], b_c[keep]
        ra, rb, base, owner, sphere = ra[keep], rb[keep], base[keep], owner[keep], sphere[keep]
    f = camera.focal(frame)
    half = np.array([camera.width / 2, camera.height / 2])
    flip = np.array([1.0, -1.0])
    pa = half + f * a_c[:, :2] / a_c[:, 2:3] * flip
    pb = half + f * b_c[:, :2] / b_c[:, 2:3] * flip
    ra_px = f * ra / a_c[:, 2]
    rb_px = f * rb / b_c[:, 2]

    # shading: the brightest visible normal of a cylinder (or sphere) and its screen side
    view = (a_w + b_w) / 2 - pos
    view /= _norm(view)
    axis = b_w - a_w
    alen = _norm(axis)
    axis = np.where(alen > 1e-6, axis / np.maximum(alen, 1e-9), basis[1])
    lateral = _cross(axis, view)
    lnorm = _norm(lateral)
    lateral = np.where(lnorm > 1e-6, lateral / np.maximum(lnorm, 1e-9), basis[0])
    toward = -(view - axis * np.sum(view * axis, 1, keepdims=True))
    toward /= np.maximum(_norm(toward), 1e-9)
    light = key_light(basis)
    la = lateral @ light
    lb = toward @ light
    psi0 = np.clip(np.arctan2(la, lb), -1.35, 1.35)
    sgn = np.where(psi0 >= 0, 1.0, -1.0)
    tones = []
    for dpsi in (1.3, 0.55, 0.0):
        psi = np.clip(psi0 - sgn * dpsi, -np.pi / 2, np.pi / 2)
        tones.append(AMBIENT + (1 - AMBIENT) * np.clip(la * np.sin(psi) + lb * np.cos(psi), 0, 1))
    # sphere shading: light seen from the camera
    s_la = np.full(len(la), float(KEY_LIGHT[0]))
    s_lb = np.full(len(la), float(-KEY_LIGHT[1]))
    peak = np.sin(psi0)  # lateral position of the highlight, -1..1

    # screen geometry of each capsule
    d = pb - pa
    length = _norm(d)[:, 0]
    small = (length <= np.abs(ra_px - rb_px) + 1e-3) | sphere
    big_b = rb_px > ra_px
    centre_a = np.where((small & big_b)[:, None], pb, pa)
    centre_b = np.where(small[:, None], centre_a, pb)
    r_small = np.maximum(ra_px, rb_px)
    ra_px = np.where(small, r_small, ra_px)
    rb_px = np.where(small, r_small, rb_px)
    d = centre_b - centre_a
    length = _norm(d)[:, 0]
    u = np.where(length[:, None] > 1e-6, d / np.maximum(length, 1e-9)[:, None], [1.0, 0.0])
    n = np.stack([-u[:, 1], u[:, 0]], 1)
    # which screen side the lit lateral direction falls on
    lat2 = np.stack([lateral @ basis[0], -(lateral @ basis[1])], 1)
    side = np.where(np.sum(lat2 * n, 1) >= 0, 1.0, -1.0)
    offset_dir = n * (side * peak)[:, None]
    light2 = np.array([s_la[0], s_lb[0]]) if len(s_la) else np.zeros(2)
    l2n = np.linalg.norm(light2)
    sphere_dir = light2 / l2n if l2n > 1e-6 else np.zeros(2)
    offset_dir = np.where(small[:, None], sphere_dir * 0.8, offset_dir)
    sin_phi = np.clip((ra_px - rb_px) / np.maximum(length, 1e-9), -0.98, 0.98)
    alpha = np.pi / 2 - np.arcsin(np.where(length > 1e-6, sin_phi, 0.0))
    k = np.arange(ARC + 1) / ARC
    th_b = -alpha[:, None] + 2 * alpha[:, None] * k  # around the far end
    th_a = alpha[:, None] + (2 * np.pi - 2 * alpha[:, None]) * k  # around the near end

    polys = []
    for share, off in BANDS:
        rA = ra_px * share
        rB = rb_px * share
        ca = centre_a + offset_dir * (off * ra_px)[:, None]
        cb = centre_b + offset_dir * (off * rb_px)[:, None]
        arc_b = cb[:, None] + rB[:, None, None] * (
            np.cos(th_b)[..., None] * u[:, None] + np.sin(th_b)[..., None] * n[:, None]
        )
        arc_a = ca[:, None] + rA[:, None, None] * (
            np.cos(th_a)[..., None] * u[:, None] + np.sin(th_a)[..., None] * n[:, None]
        )
        polys.append(np.concatenate([arc_b, arc_a], 1))
    polygons = np.round(np.stack(polys, 1) * SCALE).astype(np.int32)

    sphere_tone = [np.full(len(la), t) for t in (AMBIENT + 0.12, 0.78, 1.0)]
    band_tones = np.stack([np.where(small, st, t) for st, t in zip(sphere_tone, tones,
                                                                   strict=True)], 1)
    rgb = np.minimum(base[:, None, :] * band_tones[:, :, None], 255.0).tolist()
    colors = [[tuple(band) for band in part] for part in rgb]
    mid_z = (a_c[:, 2] + b_c[:, 2]) / 2
    depth = mid_z - np.where(small, 0.3 * np.maximum(ra, rb), 0.0)
    return Parts(polygons, colors, depth, (a_w + b_w) / 2, owner)
