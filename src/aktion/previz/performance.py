"""Solve a shot's performance: every character's joints in world space, every frame.

Each character's clips are layered in time: a clip starts from wherever the
character is (position and facing), and blends over what played before, so
moves flow into each other without pops. Strikes are then made to land on the
contact frame: the striker turns to line the strike up, steps in or out along
the line to the target (up to ``MAX_APPROACH`` metres, and stays there), springs
up onto the toes when the zone is above what the limb can reach (a short fighter's
headbutt into a tall one's face, up to ``MAX_RISE``), and the striking limb is
aimed at the target's hit zone. Strikes are corrected in
time order and a few passes let every character settle against the others.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from aktion.production.board import Shot
from aktion.production.cast import Build, Character
from aktion.production.choreo import Beat

from .moves import Move, MoveLibrary
from .rotation import (
    align_rotvec,
    euler_matrices,
    matrix_rotvec,
    rotvec_matrices,
    yaw_matrices,
)
from .schedule import Clip, Strike, build
from .skeleton import BONES, INDEX, JOINTS, PARENTS, Skeleton

MAX_APPROACH = 2.0  # metres a striker may step in to land a strike
MAX_AIM = math.radians(75)  # the most a striking limb is re-aimed
MAX_RISE = 0.12  # metres a striker springs up (onto the toes) to reach a zone above
SHORT = 0.10  # m a limb may end below its goal and still connect: no spring for less
MAX_TURN = 70.0  # degrees a striker may turn to line a strike up
PASSES = 4
STANDOFF = {"head": 0.09, "body": 0.13, "legs": 0.07}  # surface from the zone's centre, m
WIDE = 0.32  # m from the zone's centre a strike that does not land ends (REACH + a fist)
EVADED = 0.12  # m the zone must move during a strike for it to count as slipped
CLEARED = 0.42  # m from a slipping target's zone that the strike goes through empty air
GUARD_STANDOFF = 0.05  # m short of the forearm that a blocked strike stops
_REFERENCE_SKELETON = Skeleton.from_build(Build())
CHAIN_ROOT = {"wrist": "shoulder", "elbow": "shoulder", "ankle": "hip", "toe": "hip",
              "knee": "hip"}  # fmt: skip


@dataclass(frozen=True)
class Contact:
    """A strike landing: on ``frame`` the striker's ``effector`` reaches ``target``'s ``zone``."""

    frame: int
    striker: str
    target: str
    zone: str
    move: str
    effector: str


@dataclass
class Performance:
    """Joint positions (frames, characters, joints, xyz) in metres, plus the contacts."""

    characters: list[str]
    poses: np.ndarray
    contacts: list[Contact]
    fps: int
    joints: tuple[str, ...] = JOINTS
    heights: dict[str, float] = field(default_factory=dict)

    @property
    def frames(self) -> int:
        return int(self.poses.shape[0])

    def retimed(self, times: np.ndarray) -> Performance:
        """The performance seen through a time remap: output frame i shows time ``times[i]``."""
        times = np.clip(np.asarray(times, dtype=np.float64), 0, self.frames - 1)
        i0 = np.floor(times).astype(np.int64)
        i1 = np.minimum(i0 + 1, self.frames - 1)
        f = (times - i0)[:, None, None, None]
        poses = (self.poses[i0] * (1 - f) + self.poses[i1] * f).astype(np.float32)
        contacts = []
        for c in self.contacts:
            hits = np.nonzero(times >= c.frame - 1e-6)[0]
            if len(hits):
                contacts.append(Contact(int(hits[0]), c.striker, c.target, c.zone, c.move,
                                        c.effector))  # fmt: skip
        return Performance(self.characters, poses, contacts, self.fps, self.joints, self.heights)

    def to_json(self) -> dict:
        return {
            "characters": list(self.characters),
            "joints": list(self.joints),
            "bones": [list(b) for b in BONES],
            "frames": self.frames,
            "fps": self.fps,
            "heights": dict(self.heights),
            "contacts": [asdict(c) for c in self.contacts],
        }


def zone_point(joints: np.ndarray, zone: str) -> np.ndarray:
    """The centre of a hit zone on one character's joints (J, 3)."""
    if zone == "head":
        return joints[INDEX["head"]]
    if zone == "legs":
        return joints[[INDEX["l_hip"], INDEX["r_hip"], INDEX["l_knee"], INDEX["r_knee"]]].mean(0)
    return (joints[INDEX["spine"]] + joints[INDEX["chest"]]) / 2


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _travel(p: np.ndarray, ramp: float = 0.15) -> np.ndarray:
    """Progress along a walk with a short speed-up and slow-down (trapezoid velocity)."""
    p = np.clip(p, 0.0, 1.0)
    v = 1.0 / (1.0 - ramp)  # cruise speed so the area is 1
    a = v / ramp
    out = np.where(p < ramp, 0.5 * a * p * p, v * (p - ramp / 2))
    return np.where(p > 1 - ramp, 1.0 - 0.5 * a * (1 - p) ** 2, out)


@dataclass
class _Track:
    """One character's layered channels over the shot."""

    angles: np.ndarray  # (F, J, 3)
    root: np.ndarray  # (F, 3): x, pelvis dy, z
    facing: np.ndarray  # (F,)
    grounded: np.ndarray  # (F,)
    lift: np.ndarray  # (F,) metres the whole body is sprung up, over the grounding


def _wrap(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def _evaluate(
    clips: list[Clip],
    mark: tuple[float, float, float],
    frames: int,
    where: dict[str, np.ndarray],
) -> _Track:
    """Layer one character's clips; ``where`` gives everyone's floor position per frame."""
    j = len(JOINTS)
    track = _Track(np.zeros((frames, j, 3)), np.zeros((frames, 3)), np.zeros(frames),
                   np.ones(frames), np.zeros(frames))  # fmt: skip
    for i, clip in enumerate(clips):
        s = clip.start
        if s >= frames:
            break
        if i + 1 < len(clips):
            nxt = clips[i + 1]
            stop = min(frames, max(nxt.start, s) + math.ceil(nxt.blend) + 1)
        else:
            stop = frames
        f = np.arange(s, stop)
        if len(f) == 0:
            continue
        move = clip.move
        angles, root4 = move.sample((f - s) * clip.rate)
        if move.kind == "reaction" and clip.amp != 1.0:
            first = move.angles[0]
            angles = first + (angles - first) * float(np.clip(clip.amp, 0.5, 1.6))
        if i == 0:
            bx, bz, bf = mark
        else:
            bx, bz, bf = track.root[s, 0], track.root[s, 2], track.facing[s]
        if clip.target is not None and clip.target in where:
            tx, tz = where[clip.target][s]
            if math.hypot(tx - bx, tz - bz) > 1e-6:
                bf = bf + _wrap(math.degrees(math.atan2(tz - bz, tx - bx)) - bf)
        fwd = root4[:, 0] * clip.amp
        right = root4[:, 2] * clip.amp
        if move.travel is not None:
            if clip.to is not None:
                dx, dz = clip.to[0] - bx, clip.to[1] - bz
                if math.hypot(dx, dz) > 1e-6:
                    bf = bf + _wrap(math.degrees(math.atan2(dz, dx)) - bf)
                p = _travel((f - s) / max(clip.length, 1.0))
                bx_f, bz_f = bx + dx * p, bz + dz * p
            else:
                # rate is 24/fps*speed, so travel * rate / 24 is metres per frame
                p = _travel((f - s) / max(clip.length, 1.0)) * clip.length
                dist = p * move.travel * clip.rate / 24.0
                bx_f = bx + dist * math.cos(math.radians(bf))
                bz_f = bz + dist * math.sin(math.radians(bf))
        else:
            bx_f, bz_f = np.full(len(f), bx), np.full(len(f), bz)
        c, sn = math.cos(math.radians(bf)), math.sin(math.radians(bf))
        x = bx_f + fwd * c - right * sn
        z = bz_f + fwd * sn + right * c
        if clip.shift != [0.0, 0.0]:
            reach = _approach(f, s, clip.contact)
            x = x + clip.shift[0] * reach
            z = z + clip.shift[1] * reach
        facing = bf + root4[:, 3] * clip.amp
        if clip.turn and clip.contact is not None:
            facing = facing + clip.turn * _envelope(f, s, clip.contact, max(clip.end, clip.contact + 1))
        # a move on the shot's first frame starts the shot in its own pose, unblended
        w = np.ones(len(f)) if s == 0 else _smoothstep((f - s + 1) / (clip.blend + 1))
        w1 = w[:, None]
        track.angles[f] = track.angles[f] * (1 - w1[:, :, None]) + angles * w1[:, :, None]
        track.root[f, 0] = track.root[f, 0] * (1 - w) + x * w
        track.root[f, 1] = track.root[f, 1] * (1 - w) + root4[:, 1] * w
        track.root[f, 2] = track.root[f, 2] * (1 - w) + z * w
        track.facing[f] = track.facing[f] * (1 - w) + facing * w
        track.grounded[f] = track.grounded[f] * (1 - w) + float(move.grounded) * w
        if clip.rise and clip.contact is not None:  # up into the blow and down after it
            g = np.arange(s, min(frames, max(clip.end, clip.contact + 1) + 1))
            track.lift[g] += clip.rise * _envelope(g, s, clip.contact,
                                                   max(clip.end, clip.contact + 1))
    return track


def _approach(f: np.ndarray, start: int, contact: int | None) -> np.ndarray:
    """How much of a strike's step-in is done at frames ``f``: eased in until contact."""
    if contact is None or contact <= start:
        return np.ones(len(f))
    return _smoothstep((f - start) / (contact - start))


def _envelope(f: np.ndarray, start: int, contact: int, end: int) -> np.ndarray:
    up = _smoothstep((f - start) / max(contact - start, 1))
    down = 1.0 - _smoothstep((f - contact) / max(end - contact, 1))
    return np.where(f <= contact, up, down)


@dataclass
class _Aim:
    joint: int
    rotvec: np.ndarray
    start: int
    contact: int
    end: int


def solve(
    shot: Shot,
    beats: list[Beat],
    cast: dict[str, Character],
    library: MoveLibrary,
    fps: int,
) -> Performance:
    """Per-frame world joint positions for everyone blocked in ``shot``, and the contacts."""
    beats = sorted(beats, key=lambda b: b.t)
    characters: list[str] = []
    marks: dict[str, tuple[float, float, float]] = {}
    for m in shot.blocking:
        if m.who not in marks:
            characters.append(m.who)
            marks[m.who] = (m.at[0], m.at[1], m.facing)
    for b in beats:
        for who in (b.who, b.target):
            if b.move is not None and who is not None and who not in marks:
                raise ValueError(f"beat at frame {b.t}: `{who}` is not blocked in shot {shot.id}")
        if b.move is not None and b.move not in library:
            raise ValueError(f"beat at frame {b.t}: no move `{b.move}` in the library "
                             f"({', '.join(library.names())})")  # fmt: skip
    frames = shot.duration
    skeletons = {c: Skeleton.from_build(cast[c].build) for c in characters}
    clips, strikes = build(
        characters, beats, library, fps, frames, {c: (v[0], v[1]) for c, v in marks.items()}
    )
    where = {c: np.tile(np.array(marks[c][:2]), (frames, 1)) for c in characters}
    aims: dict[int, _Aim] = {}
    by_beat = {clip.beat: clip for c in characters for clip in clips[c]
               if clip.beat is not None and clip.move.kind != "reaction"}  # fmt: skip
    poses = np.zeros((frames, len(characters), len(JOINTS), 3))
    for npass in range(PASSES + 1):
        tracks = {c: _evaluate(clips[c], marks[c], frames, where) for c in characters}
        for k, c in enumerate(characters):
            poses[:, k] = _pose(skeletons[c], tracks[c], aims, k, len(characters), frames)
        where = {c: poses[:, k, 0, [0, 2]] for k, c in enumerate(characters)}
        if npass == PASSES:
            break
        for strike in strikes:
            if strike.frame >= frames:
                continue
            guard = not strike.hit and _defends(clips[strike.target], strike.frame)
            _correct(strike, by_beat[strike.beat], characters, poses, tracks, aims, guard,
                     spring=npass == PASSES - 1)  # once the steps and turns have settled
    contacts = [Contact(s.frame, s.striker, s.target, s.zone, s.move, s.effector)
                for s in strikes if s.hit and s.frame < frames]  # fmt: skip
    heights = {c: cast[c].build.height for c in characters}
    return Performance(characters, poses.astype(np.float32), contacts, fps, JOINTS, heights)


def _aim_layer(aims: dict[int, _Aim], who: int, count: int, frames: int) -> np.ndarray | None:
    mine = [a for key, a in aims.items() if key % count == who]
    if not mine:
        return None
    layer = np.zeros((frames, len(JOINTS), 3))
    f = np.arange(frames)
    for a in mine:
        layer[:, a.joint] += _envelope(f, a.start, a.contact, a.end)[:, None] * a.rotvec
    return layer


def _pose(skel: Skeleton, track: _Track, aims: dict[int, _Aim], who: int, count: int,
          frames: int) -> np.ndarray:  # fmt: skip
    aim = _aim_layer(aims, who, count, frames)
    pos = skel.pose(track.angles, track.root, track.facing, aim, track.grounded)
    if track.lift.any():
        pos[:, :, 1] += track.lift[:, None]
    return pos


def evasive(move: Move) -> bool:
    """Whether a defence gets out of the way (dodge, duck, slip) rather than covering up
    (block, parry): its head travels further than a guard's forearms would hide it."""
    skel = _REFERENCE_SKELETON
    angles, root4 = move.sample(np.arange(0.0, move.duration + 1e-9, 1.0))
    heads = skel.pose(angles, root4[:, :3], root4[:, 3])[:, INDEX["head"]]
    return bool(np.linalg.norm(heads - heads[0], axis=1).max() > EVADED)


def _defends(clips: list[Clip], frame: int) -> bool:
    """Whether a covering defence (block, parry) plays over ``frame``."""
    return any(c.move.kind == "defense" and c.start <= frame <= c.end and not evasive(c.move)
               for c in clips)


def _miss_goal(strike: Strike, clip: Clip, k: int, t: int, poses: np.ndarray,
               guard: bool) -> tuple[np.ndarray, bool]:  # fmt: skip
    """Where a strike that does not land ends: where the target was before slipping it
    (the striker's feet follow it there: True), on the forearm that blocks it, or short
    of a target that does nothing."""
    c = strike.frame
    them = poses[c, t]
    # slipped or ducked (a slip moves the head, not the body): it goes where they were
    shifts = {z: zone_point(poses[min(clip.start, c), t], z) - zone_point(them, z)
              for z in ("head", "body")}
    zone = max(shifts, key=lambda z: float(np.linalg.norm(shifts[z])))
    moved = shifts[zone]
    if np.linalg.norm(moved) >= EVADED:
        gone = zone_point(them, zone)
        return gone + moved / np.linalg.norm(moved) * max(np.linalg.norm(moved), CLEARED), True
    chest = poses[c, k, INDEX["chest"]]
    if guard:  # the forearm nearer the striker takes it
        arms = []
        for side in ("l", "r"):
            a, b = them[INDEX[f"{side}_elbow"]], them[INDEX[f"{side}_wrist"]]
            arms.append(a + 0.7 * (b - a))
        arm = min(arms, key=lambda p: float(np.linalg.norm(p - chest)))
        toward = chest - arm
        return arm + toward / max(float(np.linalg.norm(toward)), 1e-9) * GUARD_STANDOFF, False
    # pulled up short of the zone the limb is headed for
    headed = min((zone_point(them, z) for z in ("head", "body")),
                 key=lambda p: float(np.linalg.norm(p - poses[c, k, INDEX[strike.effector]])))
    back = (chest - headed) * np.array([1.0, 0.0, 1.0])
    return headed + back / max(float(np.linalg.norm(back)), 1e-9) * WIDE, True


def _correct(
    strike: Strike,
    clip: Clip,
    characters: list[str],
    poses: np.ndarray,
    tracks: dict[str, _Track],
    aims: dict[int, _Aim],
    guard: bool = False,
    spring: bool = False,
) -> None:
    """Refine one strike so it lands: turn the body, step in or out, aim the limb.

    A strike the choreography does not land (no ``hit``) is aimed where the target
    was before they slipped it, at the forearm that blocks it (``guard``), or short.

    The horizontal error is taken apart around the striker's root: a turn
    (eased in and out around contact) lines the limb up with the target, and a
    step along the line to the target (kept afterwards) sets the distance. Both
    stay valid when earlier corrections move the fighters, so a long exchange
    settles in a few passes. What remains (height) is taken up by rotating the
    striking limb at the shoulder or hip.
    """
    c = strike.frame
    k, t = characters.index(strike.striker), characters.index(strike.target)
    me, them = poses[c, k].copy(), poses[c, t]
    eff = INDEX[strike.effector]
    zone = zone_point(them, strike.zone)
    away = me[INDEX["chest"]] - zone
    away[1] = 0.0
    norm = np.linalg.norm(away)
    goal = zone + (away / norm * STANDOFF[strike.zone] if norm > 1e-6 else 0.0)
    stand = goal  # the feet and hips commit as if it lands ...
    if not strike.hit:  # ... the limb ends where it meets the guard, short, or empty air
        goal, chase = _miss_goal(strike, clip, k, t, poses, guard)
        # a slip is chased; a guard is met where it is, nearer than the face (a straight
        # arm thrown from the landing distance would reach past the forearm, or not to it)
        stand = goal if chase or guard else stand
    root = me[INDEX["pelvis"]] * np.array([1.0, 0.0, 1.0])
    to_eff = (me[eff] - root)[[0, 2]]
    to_goal = (stand - root)[[0, 2]]
    turn = 0.0
    if np.linalg.norm(to_eff) > 0.15 and np.linalg.norm(to_goal) > 0.15:
        turn = math.degrees(math.atan2(to_goal[1], to_goal[0]) - math.atan2(to_eff[1], to_eff[0]))
        turn = float(np.clip(_wrap(turn), -MAX_TURN, MAX_TURN))
    clip.turn += turn
    spin = yaw_matrices(np.array(turn))
    radial = np.linalg.norm(to_goal) - np.linalg.norm(to_eff)
    direction = to_goal / max(np.linalg.norm(to_goal), 1e-9)
    shift = np.array(clip.shift) + radial * direction
    length = np.linalg.norm(shift)
    if length > MAX_APPROACH:
        shift *= MAX_APPROACH / length
    moved = shift - np.array(clip.shift)
    clip.shift = [float(shift[0]), float(shift[1])]
    # The step is kept for the rest of the shot: carry it into the striker's later
    # frames now, so the strikes after this one correct from where the striker will be.
    f = np.arange(clip.start, poses.shape[0])
    ramp = _approach(f, clip.start, clip.contact)
    poses[clip.start :, k, :, 0] += (moved[0] * ramp)[:, None]
    poses[clip.start :, k, :, 2] += (moved[1] * ramp)[:, None]

    # where the limb will be after the turn and the step; aim it at the goal
    offset = np.array([moved[0], 0.0, moved[1]])
    side, _, part = strike.effector.partition("_")
    if part:
        chain = INDEX[f"{side}_{CHAIN_ROOT.get(part, 'shoulder')}"]
    else:  # a midline effector (a headbutt's head) is aimed by bending at the chest
        chain = INDEX["chest"]
    new_eff = root + spin @ (me[eff] - root) + offset
    new_chain = root + spin @ (me[chain] - root) + offset
    # a zone well above what the limb can reach from where the step put it: spring up
    # into it (the shortfall is measured with the spring so far, so add it back)
    below = clip.rise + _shortfall(new_eff - new_chain, goal - new_chain)
    rise = float(np.clip(below - SHORT, 0.0, MAX_RISE)) if spring else clip.rise
    lifted, clip.rise = rise - clip.rise, rise
    if lifted:
        end = max(clip.end, c + 1)
        g = np.arange(clip.start, min(poses.shape[0], end + 1))
        poses[g, k, :, 1] += (lifted * _envelope(g, clip.start, c, end))[:, None]
        new_eff[1] += lifted
        new_chain[1] += lifted
    rot = align_rotvec(new_eff - new_chain, goal - new_chain)
    angle = np.linalg.norm(rot)
    if angle > MAX_AIM:
        rot *= MAX_AIM / angle
    key = strike.beat * len(characters) + k
    old = aims.get(key)
    parent_world = spin @ _world_rotation(tracks[strike.striker], c, PARENTS[chain])
    local = parent_world.T @ rot
    prev = old.rotvec if old is not None else np.zeros(3)
    total = matrix_rotvec(rotvec_matrices(local) @ rotvec_matrices(prev))
    aims[key] = _Aim(chain, total, clip.start, c, max(clip.end, c + 1))


def _shortfall(limb: np.ndarray, to_goal: np.ndarray) -> float:
    """Metres the goal is above the highest point a limb of this length, swung from its
    joint, reaches straight under it (negative: it reaches with room to spare); 0 when
    the goal is out of reach sideways, which the step, not a spring, is for."""
    length = float(np.linalg.norm(limb))
    across = float(np.hypot(to_goal[0], to_goal[2]))
    if across >= length:
        return 0.0
    return float(to_goal[1]) - math.sqrt(length * length - across * across)


def _world_rotation(track: _Track, frame: int, joint: int) -> np.ndarray:
    """The world rotation of ``joint`` on one frame, from the layered channels."""
    local = euler_matrices(track.angles[frame])
    chain = []
    while joint >= 0:
        chain.append(joint)
        joint = PARENTS[joint]
    world = yaw_matrices(np.array(track.facing[frame]))
    for j in reversed(chain):
        world = world @ local[j]
    return world
