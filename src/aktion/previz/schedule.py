"""From beats to clips: which move each character plays from which frame, at what rate.

A clip plays one move from a start frame; the next clip blends over it. Between
beats a character rests (guard when they fight in the shot, else idle); a struck
character plays a hit reaction from the striker's contact frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from aktion.production.choreo import Beat

from .moves import Move, MoveLibrary

BASE_FPS = 24.0


@dataclass
class Clip:
    """One move played by one character."""

    move: Move
    start: int  # shot frame
    rate: float  # move frames (at 24 fps) per shot frame
    blend: float  # shot frames to blend in over what plays before
    length: float  # shot frames until the move is done (loops: how long it is meant to run)
    amp: float = 1.0  # intensity: scales root motion, and a reaction's swing
    target: str | None = None  # face this character from the start
    to: tuple[float, float] | None = None  # locomotion destination
    beat: int | None = None  # index of the beat this clip plays
    shift: list[float] = field(default_factory=lambda: [0.0, 0.0])  # solver's step (x, z), kept
    turn: float = 0.0  # solver's turn toward the target, degrees, eased around contact
    rise: float = 0.0  # solver's spring up into a target out of reach above, m, eased likewise
    contact: int | None = None  # shot frame of contact, for strikes

    @property
    def end(self) -> int:
        return self.start + (math.ceil(self.length) if math.isfinite(self.length) else 1 << 30)


@dataclass(frozen=True)
class Strike:
    """A beat whose move lands (or is aimed) at a target."""

    beat: int
    striker: str
    target: str
    zone: str  # head, body, legs
    hit: bool
    frame: int  # contact frame
    move: str
    effector: str


def rest_move(fights: bool) -> str:
    return "guard" if fights else "idle"


def _rate(fps: int, speed: float) -> float:
    return BASE_FPS / fps * speed


def build(
    characters: list[str],
    beats: list[Beat],
    library: MoveLibrary,
    fps: int,
    frames: int,
    marks: dict[str, tuple[float, float]],
) -> tuple[dict[str, list[Clip]], list[Strike]]:
    """Clips per character (sorted by start) and the strikes the beats contain."""
    fighters = {b.who for b in beats if b.target} | {b.target for b in beats if b.target}
    clips: dict[str, list[Clip]] = {c: [] for c in characters}
    strikes: list[Strike] = []
    for who in characters:
        rest = library[rest_move(who in fighters)]
        clips[who].append(Clip(rest, 0, _rate(fps, 1.0), 0.0, math.inf))
    for index, beat in enumerate(beats):
        if beat.move is None or beat.who is None:
            continue
        move = library[beat.move]
        rate = _rate(fps, beat.speed)
        if move.loop:
            length = float(beat.duration) if beat.duration else move.duration / rate
        else:
            if beat.duration:
                rate = move.duration / beat.duration
            length = move.duration / rate
        to = tuple(beat.to) if beat.to is not None else None
        if move.travel is not None:
            metres_per_frame = move.travel * beat.speed / fps
            if to is not None:
                start = marks.get(beat.who, (0.0, 0.0))
                length = max(1.0, math.dist(start, to) / metres_per_frame)
        clip = Clip(
            move, beat.t, rate, move.blend / rate, length, amp=beat.intensity,
            target=beat.target, to=to, beat=index,
        )  # fmt: skip
        if move.contact is not None and move.effector is not None:
            clip.contact = beat.t + round(move.contact / rate)
            if beat.target is not None:
                zone = beat.hit or ("head" if "wrist" in move.effector else "body")
                strikes.append(Strike(
                    index, beat.who, beat.target, zone, beat.hit is not None, clip.contact,
                    move.name, move.effector,
                ))  # fmt: skip
        clips[beat.who].append(clip)
        if to is not None and beat.who in marks:
            marks[beat.who] = to
    for strike in strikes:
        if not strike.hit or strike.target not in clips:
            continue
        name = f"hit_{strike.zone}"
        if name not in library:
            name = "hit_body" if strike.zone != "head" else "hit_head"
        reaction = library[name]
        intensity = beats[strike.beat].intensity
        rate = _rate(fps, 1.0) / math.sqrt(intensity)
        clips[strike.target].append(Clip(
            reaction, strike.frame, rate, reaction.blend / rate, reaction.duration / rate,
            amp=intensity, beat=strike.beat,
        ))  # fmt: skip
    for who in characters:
        clips[who] = _with_follow_ups(clips[who], library, fps, frames, who in fighters)
    return clips, strikes


def _with_follow_ups(
    clips: list[Clip], library: MoveLibrary, fps: int, frames: int, fights: bool
) -> list[Clip]:
    """Sort by start and, where a move ends before the next begins, add what follows it."""
    ordered = sorted(clips, key=lambda c: c.start)  # stable: reactions after own beats
    out: list[Clip] = []
    queue = list(ordered)
    while queue:
        clip = queue.pop(0)
        out.append(clip)
        if clip.move.loop and clip.to is None and math.isinf(clip.length):
            continue
        nxt = queue[0].start if queue else frames
        end = clip.end
        if end >= nxt or end >= frames or clip.move.after == "hold":
            continue
        name = rest_move(fights) if clip.move.after == "rest" else clip.move.after
        follow = library[name]
        rate = _rate(fps, 1.0)
        length = math.inf if follow.loop else follow.duration / rate
        queue.insert(0, Clip(follow, end, rate, follow.blend / rate, length))
    return out
