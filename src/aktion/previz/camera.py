"""The board's camera, frame by frame: framing, lens, side of the line, angle, move, beats.

Shot size sets how many metres of the framed characters fill the frame's height
and where the frame looks; the lens (mm on a full-frame sensor, vertical field
of view 2*atan(12/lens)) then sets the distance. The camera stands on the
shot's ``side`` of the line of action through the framed characters, so cuts
between shots keep screen direction (the 180° rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from aktion.production.board import Shot
from aktion.production.choreo import Beat

from .performance import Performance
from .skeleton import INDEX

NEAR = 0.05  # metres: nearer than this is behind the lens
SENSOR_HALF_HEIGHT = 12.0  # mm, full frame (24 mm tall)

# vertical extent in metres for a 1.78 m character, look-at height as a share of height
SIZES: dict[str, tuple[float, float]] = {
    "EWS": (14.0, 0.45), "WS": (4.2, 0.5), "FS": (2.3, 0.52), "MS": (0.95, 0.8),
    "MCU": (0.62, 0.86), "CU": (0.4, 0.9), "ECU": (0.2, 0.935), "INSERT": (0.45, 0.6),
}  # fmt: skip
ANCHOR = {"EWS": "pelvis", "WS": "pelvis", "FS": "pelvis", "MS": "chest", "MCU": "neck",
          "CU": "head", "ECU": "head", "INSERT": "chest"}  # fmt: skip
"""The joint each size centres on the floor plan."""
TIGHT = {"MCU", "CU", "ECU", "INSERT"}  # sizes that frame one subject, not a group
PITCH = {"eye": 0.0, "high": -25.0, "low": 12.0, "overhead": -89.5, "dutch": 0.0}
DUTCH_ROLL = 12.0
MOVE_DEFAULTS = {"pan": 30.0, "tilt": 10.0, "dolly": 1.0, "truck": 1.0, "crane": 1.5,
                 "orbit": 30.0, "handheld": 1.0}  # fmt: skip
BEAT_FRAMES = {"shake": 10, "whip_pan": 6, "push_in": 18, "speed_ramp": 24, "hold": 12}
"""Default length of camera beats, in frames at 24 fps."""


def vertical_fov(lens_mm: float) -> float:
    """Vertical field of view in degrees of a lens on a full-frame sensor."""
    return math.degrees(2 * math.atan(SENSOR_HALF_HEIGHT / lens_mm))


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


@dataclass
class CameraPath:
    """Per-frame camera: position, yaw/pitch/roll (degrees), focal length in pixels.

    Yaw follows the floor plan's facing (0 looks along +x, 90 along +z); pitch
    is positive looking up; roll is positive clockwise on screen. ``time`` is
    the performance time each output frame shows (speed ramps).
    """

    width: int
    height: int
    fps: int
    position: np.ndarray  # (F, 3)
    yaw: np.ndarray  # (F,)
    pitch: np.ndarray  # (F,)
    roll: np.ndarray  # (F,)
    lens: np.ndarray  # (F,) mm
    time: np.ndarray  # (F,)
    basis: np.ndarray = field(init=False, repr=False)  # (F, 3, 3) rows: right, up, forward

    def __post_init__(self) -> None:
        y, p, r = (np.radians(a) for a in (self.yaw, self.pitch, self.roll))
        fwd = np.stack([np.cos(p) * np.cos(y), np.sin(p), np.cos(p) * np.sin(y)], -1)
        right = np.stack([-np.sin(y), np.zeros_like(y), np.cos(y)], -1)
        up = np.cross(right, fwd)
        cr, sr = np.cos(r)[:, None], np.sin(r)[:, None]
        # positive roll turns the image clockwise: the camera rolls counter-clockwise
        right, up = right * cr + up * sr, up * cr - right * sr
        self.basis = np.stack([right, up, fwd], axis=1)

    @property
    def frames(self) -> int:
        return len(self.yaw)

    def focal(self, frame: int) -> float:
        """Focal length in pixels: half the image height over tan(half the vertical FOV)."""
        return self.height / 2 * float(self.lens[frame]) / SENSOR_HALF_HEIGHT

    def to_camera(self, points: np.ndarray, frame: int) -> np.ndarray:
        """World points (..., 3) -> camera space (x right, y up, z forward), metres."""
        return (np.asarray(points) - self.position[frame]) @ self.basis[frame].T

    def project(self, points: np.ndarray, frame: int) -> np.ndarray:
        """World points (..., 3) -> pixels (..., 2); NaN where behind the camera."""
        cam = self.to_camera(points, frame)
        f = self.focal(frame)
        z = cam[..., 2]
        ok = z > NEAR
        zs = np.where(ok, z, 1.0)
        px = np.stack(
            [self.width / 2 + f * cam[..., 0] / zs, self.height / 2 - f * cam[..., 1] / zs], -1
        )
        return np.where(ok[..., None], px, np.nan)

    def key(self, frame: int) -> tuple[float, ...]:
        """What the image of a static world depends on: equal keys, equal backgrounds."""
        return (*self.position[frame], self.yaw[frame], self.pitch[frame], self.roll[frame],
                self.lens[frame])  # fmt: skip

    def to_json(self) -> dict:
        def col(a: np.ndarray) -> list:
            return np.round(np.asarray(a, dtype=np.float64), 6).tolist()

        return {
            "width": self.width, "height": self.height, "fps": self.fps, "frames": self.frames,
            "position": col(self.position), "yaw": col(self.yaw), "pitch": col(self.pitch),
            "roll": col(self.roll), "lens": col(self.lens), "time": col(self.time),
            "focal_px": col(self.height / 2 * self.lens / SENSOR_HALF_HEIGHT),
            "fov_deg": col(2 * np.degrees(np.arctan(SENSOR_HALF_HEIGHT / self.lens))),
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> CameraPath:
        return cls(
            int(data["width"]), int(data["height"]), int(data["fps"]),
            np.array(data["position"], dtype=np.float64).reshape(-1, 3),
            *(np.array(data[k], dtype=np.float64) for k in ("yaw", "pitch", "roll", "lens",
                                                             "time")),
        )  # fmt: skip


def beat_frames(beat: Beat, fps: int) -> int:
    """How long a camera beat lasts, in shot frames."""
    if beat.duration:
        return int(beat.duration)
    return max(1, round(BEAT_FRAMES.get(beat.camera or "", 12) * fps / 24))


def time_map(beats: list[Beat], frames: int, fps: int) -> np.ndarray:
    """Performance time shown on each output frame; speed ramps slow it down or up."""
    rate = np.ones(frames)
    f = np.arange(frames)
    for b in beats:
        if b.camera != "speed_ramp":
            continue
        d = beat_frames(b, fps)
        target = b.speed if b.speed != 1.0 else 0.35
        x = (f - b.t) / d
        edge = 0.25
        bump = np.minimum(_smoothstep(x / edge), _smoothstep((1 - x) / edge))
        bump = np.where((x >= 0) & (x <= 1), bump, 0.0)
        rate = rate + (target - 1.0) * bump
    times = np.concatenate([[0.0], np.cumsum(rate[:-1])])
    return times


def _clock(beats: list[Beat], frames: int, fps: int) -> np.ndarray:
    """The camera's own clock: it stops during ``hold`` beats."""
    f = np.arange(frames, dtype=np.float64)
    c = f.copy()
    for b in beats:
        if b.camera == "hold":
            c -= np.clip(f - b.t, 0, beat_frames(b, fps) - 1)  # frames t .. t+d-1 hold
    return c


def _noise(rng: np.random.Generator, t: np.ndarray, freqs: tuple[float, ...]) -> np.ndarray:
    """Smooth deterministic noise in about [-1, 1]: a few sines at jittered frequencies."""
    out = np.zeros_like(t, dtype=np.float64)
    for hz in freqs:
        k = hz * rng.uniform(0.8, 1.25)
        out += np.sin(2 * np.pi * k * t + rng.uniform(0, 2 * np.pi))
    return out / math.sqrt(len(freqs))


def _focus(shot: Shot, perf: Performance) -> tuple[list[int], list[int]]:
    """Indices of the framed characters, and of the subject(s) the frame is built on.

    A tight size on everyone blocked holds the first of them; a ``frame`` that names
    several holds them all, whatever the size: a shot frames the characters it names.
    """
    names = [c for c in (shot.frame or perf.characters) if c in perf.characters]
    framed = [perf.characters.index(c) for c in names] or list(range(len(perf.characters)))
    named = len([c for c in shot.frame if c in perf.characters])
    focus = framed[:1] if shot.size in TIGHT and named < 2 else framed
    return framed, focus


def shot_camera(
    shot: Shot, perf: Performance, beats: list[Beat], width: int, height: int, seed: int,
    times: np.ndarray | None = None,
) -> CameraPath:  # fmt: skip
    """The camera path for ``shot`` framing ``perf`` (already retimed to output frames)."""
    frames = perf.frames
    fps = perf.fps
    aspect = width / height
    framed, focus = _focus(shot, perf)
    anchor = perf.poses[:, :, INDEX[ANCHOR[shot.size]]][:, :, [0, 2]].astype(np.float64)
    heights = [perf.heights.get(perf.characters[k], 1.78) for k in focus] or [1.78]
    tall = float(np.mean(heights))
    if framed:
        pts = anchor[:, focus].reshape(-1, 2)
        centre = (pts.min(0) + pts.max(0)) / 2
        # how tall the subjects stand over the shot (lower when they crouch or lie)
        head = np.median(perf.poses[:, focus, INDEX["head"], 1]) + 0.065 * tall
        stands = float(min(head, tall))
    else:
        pts = np.zeros((1, 2))
        centre = np.zeros(2)
        stands = tall
    view = _view_direction(shot, perf, framed, focus, beats)
    extent, look = SIZES[shot.size]
    extent *= tall / 1.78
    across = np.array([-view[1], view[0]])
    spread = float(np.ptp(pts @ across)) if len(pts) else 0.0
    group = shot.size not in TIGHT or len(focus) > 1
    if group:
        extent = max(extent, (spread * 1.15 + 1.0) / aspect)  # bodies and perspective
    fov = math.radians(vertical_fov(shot.lens))
    dist = extent / 2 / math.tan(fov / 2)
    target = np.array([centre[0], look * stands, centre[1]])
    pitch = PITCH[shot.angle]
    if shot.angle == "overhead":
        target[1] = look * stands * 0.5
    follow = None
    if shot.size in TIGHT and len(focus) == 1 and shot.angle != "overhead":
        # a tight frame keeps its subject: the operator pans and tilts after them
        follow = _follow(perf, focus[0], ANCHOR[shot.size], look, tall, fps)
        target = follow.mean(0)
    yaw = math.degrees(math.atan2(view[1], view[0]))
    fwd = _forward(yaw, pitch)
    if group and framed and shot.angle != "overhead":
        dist = max(dist, _fit(perf, focus, shot.size, target, yaw, pitch, fov, aspect))
    pos = target - fwd * dist
    if pos[1] < 0.3:
        pos[1] = 0.3
        horiz = math.hypot(*(target - pos)[[0, 2]])
        pitch = math.degrees(math.atan2(target[1] - pos[1], horiz))
    roll = DUTCH_ROLL if shot.angle == "dutch" else 0.0

    position = np.tile(pos, (frames, 1))
    yaws = np.full(frames, yaw)
    pitches = np.full(frames, pitch)
    rolls = np.full(frames, roll)
    lens = np.full(frames, float(shot.lens))
    if follow is not None:
        targets = follow
        _aim_at(targets, position, yaws, pitches)
        _keep_in(perf, focus[0], shot.size, position, yaws, pitches, fov, aspect, fps)
    else:
        targets = np.tile(target, (frames, 1))
    clock = _clock(beats, frames, fps)
    _apply_move(shot, clock, frames, fps, seed, targets, position, yaws, pitches, rolls)
    _apply_beats(beats, perf, frames, fps, seed, dist, position, yaws, pitches, rolls)
    time = np.arange(frames, dtype=np.float64) if times is None else np.asarray(times, float)
    return CameraPath(width, height, fps, position, yaws, pitches, rolls, lens, time)


def _follow(perf: Performance, who: int, joint: str, look: float, tall: float,
            fps: int) -> np.ndarray:  # fmt: skip
    """Where an operator keeps a tight frame's centre: on the subject, smoothed (F, 3)."""
    anchor = perf.poses[:, who, INDEX[joint]].astype(np.float64)
    head = perf.poses[:, who, INDEX["head"], 1].astype(np.float64)
    points = np.column_stack([anchor[:, 0], head + 0.065 * tall - (1 - look) * tall,
                              anchor[:, 2]])  # fmt: skip
    sigma = 0.15 * fps  # a little lag smooths the operator's hand
    radius = int(3 * sigma)
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    padded = np.pad(points, ((radius, radius), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, i], k, mode="valid") for i in range(3)], -1)


FIT_MARGIN = 0.92  # share of the frame's half-width and half-height a fitted group may fill
FIT_STEP = 4  # fit on every this many frames


def _fit(perf: Performance, focus: list[int], size: str, target: np.ndarray, yaw: float,
         pitch: float, fov: float, aspect: float) -> float:  # fmt: skip
    """The least distance from ``target`` at which every framed body stays in the image.

    A point p is inside when its sideways and vertical offsets from the lens axis,
    over its depth, stay within the half field of view; the depth grows one for one
    with the distance, so each point gives the distance it needs in closed form.
    """
    from .framing import body_points  # one-way: framing measures what this camera sees

    fwd = _forward(yaw, pitch)
    right = np.array([-math.sin(math.radians(yaw)), 0.0, math.cos(math.radians(yaw))])
    up = np.cross(right, fwd)
    tan_v = math.tan(fov / 2) * FIT_MARGIN
    tan_h = math.tan(fov / 2) * aspect * FIT_MARGIN
    need = 0.0
    for k in focus:
        pts = body_points(perf, k, size)[::FIT_STEP].reshape(-1, 3) - target
        depth = pts @ fwd
        need = max(need, float(np.max(np.abs(pts @ right) / tan_h - depth)),
                   float(np.max(np.abs(pts @ up) / tan_v - depth)))
    return need


KEEP_MARGIN = 0.88  # share of the half field of view a followed subject is kept within


def _keep_in(perf: Performance, who: int, size: str, position: np.ndarray, yaws: np.ndarray,
             pitches: np.ndarray, fov: float, aspect: float, fps: int) -> None:  # fmt: skip
    """An operator on a tight single keeps what the size frames inside the frame.

    Where a blow snaps the head up or sideways past the frame's edge, the pan and
    tilt give it room, eased over a few frames (a hand, not a servo).
    """
    from .framing import body_points

    pts = body_points(perf, who, size).astype(np.float64)  # (F, P, 3)
    d = pts - position[: len(pts), None, :]
    yaw_p = np.degrees(np.arctan2(d[..., 2], d[..., 0]))
    elev = np.degrees(np.arctan2(d[..., 1], np.hypot(d[..., 0], d[..., 2])))
    half_v = math.degrees(fov / 2) * KEEP_MARGIN
    half_h = math.degrees(math.atan(math.tan(fov / 2) * aspect)) * KEEP_MARGIN
    rel = (yaw_p - yaws[: len(pts), None] + 180.0) % 360.0 - 180.0
    up = elev - pitches[: len(pts), None]
    tilt = np.maximum(up.max(1) - half_v, 0.0)  # the top first: keep the face
    tilt = np.where(tilt > 0, tilt, -np.maximum(-half_v - up.min(1), 0.0))
    pan = np.maximum(rel.max(1) - half_h, 0.0) - np.maximum(-half_h - rel.min(1), 0.0)
    for fix, angles in ((tilt, pitches), (pan, yaws)):
        if not np.any(fix):
            continue
        radius = max(1, int(0.12 * fps))
        padded = np.pad(fix, radius, mode="edge")
        held = np.array([padded[i : i + 2 * radius + 1][np.argmax(np.abs(
            padded[i : i + 2 * radius + 1]))] for i in range(len(fix))])  # fmt: skip
        k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / (radius / 2)) ** 2)
        eased = np.convolve(np.pad(held, radius, mode="edge"), k / k.sum(), mode="valid")
        angles[: len(eased)] += eased


def _facing(perf: Performance, who: int) -> np.ndarray:
    """Which way a character looks on the floor plan over the shot (unit).

    Summed over the frames, so a shot that starts on the floor (the nose points at
    the sky) still reads the way they face once up.
    """
    poses = perf.poses[:, who]
    nose = (poses[:, INDEX["nose"]] - poses[:, INDEX["head"]])[:, [0, 2]].astype(np.float64)
    total = nose.sum(0)
    norm = np.linalg.norm(total)
    return total / norm if norm > 1e-9 else np.array([1.0, 0.0])


def line_of_action(perf: Performance, framed: list[int]) -> np.ndarray:
    """Unit direction of the line through the first two framed (else blocked) characters.

    Oriented toward +x (then +z), as ``aktion.craft.screen`` orients it, so every
    shot of a scene agrees on which way the line runs.
    """
    pair = framed if len(framed) >= 2 else list(range(len(perf.characters)))
    d = np.zeros(2)
    if len(pair) >= 2:
        pos = perf.poses[0, :, INDEX["pelvis"]][:, [0, 2]].astype(np.float64)
        d = pos[pair[1]] - pos[pair[0]]
    if np.linalg.norm(d) < 1e-6:
        d = _facing(perf, framed[0]) if framed else np.array([1.0, 0.0])
    d = d / np.linalg.norm(d)
    if d[0] < -1e-9 or (abs(d[0]) <= 1e-9 and d[1] < 0):
        d = -d
    return d


OTS_ANGLE = 25.0  # degrees off the line to whoever a single faces: over their shoulder
FIGHT_ANGLE = 45.0  # wider when they trade blows: the one who lunges in stays off the face
PARTNER_RANGE = 4.0  # metres: someone this near a single is who they play to


def _partner(perf: Performance, who: int) -> int | None:
    """The nearest other character a single plays to (talks to, fights), if any is near."""
    pelvis = perf.poses[0, :, INDEX["pelvis"]][:, [0, 2]].astype(np.float64)
    best, near = None, PARTNER_RANGE
    for k in range(len(perf.characters)):
        d = float(np.linalg.norm(pelvis[k] - pelvis[who]))
        if k != who and 1e-6 < d < near:
            best, near = k, d
    return best


def _view_direction(shot: Shot, perf: Performance, framed: list[int], focus: list[int],
                    beats: list[Beat] = ()) -> np.ndarray:  # fmt: skip
    """The camera's horizontal viewing direction.

    On the ``left`` side the line of action runs left to right across the
    screen; on the ``right`` side, right to left. A group is filmed square to
    the line. A single with someone to play to is seen from that someone's side,
    over their shoulder and on the scene's side of the line, so a speaker who
    faces their listener shows their face (a wider angle when they trade blows,
    so the attacker's lunge does not cover it); a single alone, three-quarters
    from the front, still on the side.
    """
    d = line_of_action(perf, framed)
    side = np.array([-d[1], d[0]]) if shot.side == "left" else np.array([d[1], -d[0]])
    spot = side
    if len(focus) == 1:
        partner = _partner(perf, focus[0])
        if partner is not None:
            pelvis = perf.poses[0, :, INDEX["pelvis"]][:, [0, 2]].astype(np.float64)
            u = pelvis[partner] - pelvis[focus[0]]
            u /= np.linalg.norm(u)
            names = {perf.characters[focus[0]], perf.characters[partner]}
            blows = any(b.target and {b.who, b.target} == names for b in beats)
            a = math.radians(FIGHT_ANGLE if blows else OTS_ANGLE)
            toward = math.cos(a) * u + math.sin(a) * side
        else:
            toward = side + 1.4 * _facing(perf, focus[0])  # about 35 degrees off their eyeline
        if np.dot(toward, side) > 0.2:
            spot = toward / np.linalg.norm(toward)
    return -spot


def _forward(yaw: float, pitch: float) -> np.ndarray:
    y, p = math.radians(yaw), math.radians(pitch)
    return np.array([math.cos(p) * math.cos(y), math.sin(p), math.cos(p) * math.sin(y)])


def _apply_move(shot: Shot, clock: np.ndarray, frames: int, fps: int, seed: int,
                target: np.ndarray, position: np.ndarray, yaws: np.ndarray,
                pitches: np.ndarray, rolls: np.ndarray) -> None:  # fmt: skip
    """The board's camera move over the shot; ``target`` (F, 3) is what the frame holds."""
    move = shot.move
    if move.type == "static":
        return
    amount = move.amount if move.amount is not None else MOVE_DEFAULTS[move.type]
    start = float(move.start)
    end = float(move.end) if move.end is not None else float(frames - 1)
    span = max(end - start, 1e-6)
    p = _smoothstep((clock - start) / span)
    yaw0 = yaws[0]
    fwd_h = np.array([math.cos(math.radians(yaw0)), 0.0, math.sin(math.radians(yaw0))])
    right = np.array([-math.sin(math.radians(yaw0)), 0.0, math.cos(math.radians(yaw0))])
    if move.type == "pan":
        yaws += amount * p
    elif move.type == "tilt":
        pitches += amount * p
    elif move.type == "dolly":
        position += fwd_h * (amount * p)[:, None]
    elif move.type == "truck":
        position += right * (amount * p)[:, None]
    elif move.type == "crane":
        position[:, 1] += amount * p
        _aim_at(target, position, yaws, pitches)
    elif move.type == "orbit":
        a = np.radians(amount * p)
        off = position - target
        x = off[:, 0] * np.cos(a) - off[:, 2] * np.sin(a)
        z = off[:, 0] * np.sin(a) + off[:, 2] * np.cos(a)
        position[:, 0], position[:, 2] = target[:, 0] + x, target[:, 2] + z
        _aim_at(target, position, yaws, pitches)
    elif move.type == "handheld":
        rng = np.random.default_rng([seed, 7001])
        t = clock / fps
        ease = max(1.0, fps / 4)  # the operator settles in and out over a quarter second
        on = np.minimum(_smoothstep((clock - start) / ease), _smoothstep((end - clock) / ease))
        yaws += 0.6 * amount * on * _noise(rng, t, (0.35, 0.9, 1.7))
        pitches += 0.45 * amount * on * _noise(rng, t, (0.3, 0.8, 1.9))
        rolls += 0.5 * amount * on * _noise(rng, t, (0.25, 0.7))
        for axis in range(3):
            position[:, axis] += 0.012 * amount * on * _noise(rng, t, (0.4, 1.1))


def _aim_at(target: np.ndarray, position: np.ndarray, yaws: np.ndarray,
            pitches: np.ndarray) -> None:  # fmt: skip
    d = target - position
    yaws[:] = np.degrees(np.arctan2(d[:, 2], d[:, 0]))
    pitches[:] = np.degrees(np.arctan2(d[:, 1], np.hypot(d[:, 0], d[:, 2])))


def _apply_beats(beats: list[Beat], perf: Performance, frames: int, fps: int, seed: int,
                 dist: float, position: np.ndarray, yaws: np.ndarray, pitches: np.ndarray,
                 rolls: np.ndarray) -> None:  # fmt: skip
    f = np.arange(frames, dtype=np.float64)
    for n, b in enumerate(beats):
        if b.camera is None or b.camera in ("speed_ramp", "hold"):
            continue
        d = beat_frames(b, fps)
        x = (f - b.t) / d
        inside = (x >= 0) & (x < 1)
        if b.camera == "shake":
            rng = np.random.default_rng([seed, 7100 + n])
            env = np.where(inside, (1 - np.clip(x, 0, 1)) ** 2, 0.0) * b.intensity
            t = f / fps
            yaws += 1.6 * env * _noise(rng, t, (9.0, 13.0))
            pitches += 1.6 * env * _noise(rng, t, (8.0, 12.0))
            rolls += 1.0 * env * _noise(rng, t, (7.0,))
            position += 0.015 * env[:, None] * np.stack(
                [_noise(rng, t, (10.0,)) for _ in range(3)], -1
            )
        elif b.camera == "whip_pan":
            ramp = _smoothstep(x)
            if b.who in perf.characters and b.t < frames:
                k = perf.characters.index(b.who)
                i = int(min(b.t, frames - 1))
                at = perf.poses[min(i + d, frames - 1), k, INDEX["chest"]]
                to = at - position[i]
                want = math.degrees(math.atan2(to[2], to[0]))
                turn = (want - yaws[i] + 180.0) % 360.0 - 180.0
                yaws += turn * ramp
            else:
                yaws += 70.0 * b.intensity * np.sin(np.pi * np.clip(x, 0, 1))
        elif b.camera == "push_in":
            ramp = _smoothstep(x)
            fwd = np.stack([_forward(y, p) for y, p in zip(yaws, pitches, strict=True)])
            position += fwd * (0.3 * dist * min(b.intensity, 2.5) * ramp)[:, None]
