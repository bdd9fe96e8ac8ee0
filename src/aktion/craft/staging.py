"""Staging: what each shot's frame really shows, measured on the previz performance.

Every shot is solved and filmed as previz renders it (the frame every generated
shot is conditioned on), then held to the grammar a camera operator and a fight
choreographer work by: a dialogue shot shows its speaker's face, not the back of
the head; the characters a shot names are in frame; a strike the script says
lands reaches its target, and one it says misses does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from aktion.previz.camera import CameraPath, time_map
from aktion.previz.framing import face_turn, in_frame_share
from aktion.previz.moves import MoveLibrary
from aktion.previz.performance import Performance, evasive, zone_point
from aktion.previz.plausibility import REACH
from aktion.previz.schedule import BASE_FPS
from aktion.previz.skeleton import INDEX
from aktion.previz.stage import Stage
from aktion.production.board import Scene, Shot
from aktion.production.choreo import Beat
from aktion.production.production import Production

from .findings import Finding

FACE_TOWARD = 60.0  # degrees: a face turned less than this from the lens reads (3/4 or frontal)
FACE_AWAY = 100.0  # degrees: past a profile, the lens sees the back of the head
HALF = 0.5  # share of a named subject's framed body below which it is lost from the shot
FULL = 0.999  # share that counts as fully in frame
HELD = 0.9  # share of a shot's frames a fully framed subject stays fully in frame
GUARD = 0.11  # m: a fist this close to a raised forearm meets the guard, not the face
ZONES = ("head", "body")  # where a blow connects (legs only when the script aims there)


@dataclass
class Filmed:
    """One shot as previz films it: the performance, the camera, and what it is judged on."""

    scene: Scene
    shot: Shot
    perf: Performance
    camera: CameraPath
    beats: list[Beat]
    key: int  # the board frame
    speakers: list[str] = field(default_factory=list)  # who speaks in the shot's lines

    @property
    def subjects(self) -> list[str]:
        """Who the shot names: its ``frame`` list, else everyone blocked."""
        if self.shot.size == "INSERT":
            return []  # an insert frames a thing, not a person
        names = list(self.shot.frame) or [m.who for m in self.shot.blocking]
        return [c for c in names if c in self.perf.characters]

    def share(self, who: str) -> np.ndarray:
        """(F,) how much of ``who``'s framed body is in the image, frame by frame."""
        return in_frame_share(self.perf, self.camera, self.perf.characters.index(who),
                              self.shot.size)

    def face(self, who: str) -> float:
        """Median degrees between ``who``'s face and the lens over the shot."""
        return float(np.median(face_turn(self.perf, self.camera,
                                         self.perf.characters.index(who))))

    @property
    def single(self) -> str | None:
        """The speaker of a dialogue single or over-the-shoulder: the one framed who talks."""
        framed = self.subjects
        if len(framed) == 1 and framed[0] in self.speakers:
            return framed[0]
        return None


@dataclass(frozen=True)
class StrikeCheck:
    """A strike on its contact frame: how near it comes, and what the script says of it."""

    beat: Beat
    frame: int
    gap: float  # m from the striking limb to the zone aimed at
    guarded: bool  # the target's forearm stops it first
    lands_in_script: bool

    @property
    def lands(self) -> bool:
        return self.gap <= REACH and not self.guarded

    @property
    def contradicts(self) -> bool:
        return self.lands != self.lands_in_script


def speakers_in(production: Production, shot: Shot) -> list[str]:
    by_name = {c.name.upper(): cid for cid, c in production.cast.items()}
    out: list[str] = []
    for e in production.script.dialogue(*shot.lines):
        who = by_name.get((e.character or "").upper())
        if who and who not in out:
            out.append(who)
    return out


def film(production: Production, library: MoveLibrary | None = None
         ) -> Iterator[Filmed | Finding]:
    """Every shot solved and filmed as previz does; a shot that cannot be solved is a finding."""
    library = library or MoveLibrary.for_production(production.root)
    s = production.settings
    for scene, shot in production.shots():
        beats = production.beats(shot.id)
        if not shot.blocking:
            continue
        try:
            cast = {c: production.cast[c] for c in shot.characters}
            stage = Stage(shot, scene.set, cast, beats, library, fps=s.fps, width=s.width,
                          height=s.height, seed=s.seed)  # fmt: skip
            perf, camera = stage.perform()
        except (ValueError, KeyError) as e:
            yield Finding("staging", scene.id, (shot.id,), f"cannot be solved: {e}",
                          file=_boards(production), line=_shot_line(production, shot))
            continue
        yield Filmed(scene, shot, perf, camera, beats, Stage.key_frame(perf),
                     speakers_in(production, shot))


def strikes(filmed: Filmed, library: MoveLibrary) -> list[StrikeCheck]:
    """Every strike beat aimed at someone, measured on its contact frame."""
    perf = filmed.perf
    out = []
    fps = perf.fps
    times = time_map(sorted(filmed.beats, key=lambda b: b.t), perf.frames, fps)
    for beat in filmed.beats:
        if beat.move is None or beat.target is None or beat.move not in library:
            continue
        move = library[beat.move]
        if move.contact is None or move.effector is None:
            continue
        if beat.who not in perf.characters or beat.target not in perf.characters:
            continue
        rate = move.duration / beat.duration if beat.duration else BASE_FPS / fps * beat.speed
        shown = np.nonzero(times >= beat.t + round(move.contact / rate) - 1e-6)[0]
        if not len(shown):
            continue
        frame = int(shown[0])  # the output frame that shows contact (speed ramps retime)
        k, t = perf.characters.index(beat.who), perf.characters.index(beat.target)
        eff = perf.poses[frame, k, INDEX[move.effector]].astype(np.float64)
        them = perf.poses[frame, t].astype(np.float64)
        if beat.hit:
            gap = float(np.linalg.norm(eff - zone_point(them, beat.hit)))
        else:  # a strike meant to miss must miss all of them
            gap = min(float(np.linalg.norm(eff - zone_point(them, z))) for z in ZONES)
        guarded = _defending(filmed.beats, library, beat.target, beat.t + round(move.contact / rate),
                             fps) and _guarded(eff, them, gap)
        out.append(StrikeCheck(beat, frame, gap, guarded, beat.hit is not None))
    return out


def _defending(beats: list[Beat], library: MoveLibrary, who: str, frame: int, fps: int) -> bool:
    """Whether ``who`` covers up (block, parry) over performance ``frame``."""
    for b in beats:
        if b.who != who or b.move not in library or library[b.move].kind != "defense":
            continue
        move = library[b.move]
        if evasive(move):
            continue  # a dodge gets out of the way; it puts no forearm in front
        if b.t <= frame <= b.t + move.duration / (BASE_FPS / fps * b.speed):
            return True
    return False


def _guarded(eff: np.ndarray, them: np.ndarray, gap: float) -> bool:
    """Whether a forearm of the target is in the way: nearer the fist than the zone is."""
    best = np.inf
    for side in ("l", "r"):
        a, b = them[INDEX[f"{side}_elbow"]], them[INDEX[f"{side}_wrist"]]
        ab = b - a
        u = float(np.clip(np.dot(eff - a, ab) / max(np.dot(ab, ab), 1e-12), 0.0, 1.0))
        best = min(best, float(np.linalg.norm(eff - (a + u * ab))))
    return best <= GUARD and best < gap


def _boards(production: Production) -> str:
    return production.path("boards.yaml").name


def _shot_line(production: Production, shot: Shot) -> int | None:
    for i, scene in enumerate(production.boards.scenes):
        for j, s in enumerate(scene.shots):
            if s is shot:
                return production.line(production.path("boards.yaml"), ("scenes", i, "shots", j))
    return None


def _name(production: Production, who: str) -> str:
    ch = production.cast.get(who)
    return ch.name.title() if ch else who


def check_shot(production: Production, filmed: Filmed, library: MoveLibrary) -> list[Finding]:
    """The staging findings for one filmed shot."""
    shot, scene = filmed.shot, filmed.scene
    boards, line = _boards(production), _shot_line(production, shot)
    out: list[Finding] = []
    speaker = filmed.single
    if speaker is not None:
        turn = filmed.face(speaker)
        if turn > FACE_AWAY:
            out.append(Finding(
                "from_behind", scene.id, (shot.id,),
                f"{_name(production, speaker)} speaks with their back to the camera (face "
                f"{turn:.0f}° from the lens): put the camera on the listener's side, or turn "
                "them toward who they talk to", "error", boards, line))
    for who in filmed.subjects:
        share = float(filmed.share(who)[min(filmed.key, filmed.camera.frames - 1)])
        if share < HALF:
            out.append(Finding(
                "framing", scene.id, (shot.id,),
                f"{_name(production, who)} is named in the shot but only {share:.0%} in frame "
                f"on the board frame ({shot.size})", "error", boards, line))
    script = production.script.path.name
    for s in strikes(filmed, library):
        if not s.contradicts:
            continue
        b = s.beat
        if s.lands_in_script:
            why = (f"{_name(production, b.who or '')}'s {b.move} lands on "
                   f"{_name(production, b.target or '')}'s {b.hit} in the script but "
                   + ("meets the guard" if s.guarded else f"misses by {(s.gap - REACH) * 100:.0f} cm")
                   + f" in the performance (frame {s.frame})")
        else:
            why = (f"{_name(production, b.who or '')}'s {b.move} misses "
                   f"{_name(production, b.target or '')} in the script but connects in the "
                   f"performance ({s.gap:.2f} m from them on frame {s.frame})")
        out.append(Finding("strike", scene.id, (shot.id,), why, "error",
                           script if b.line else boards, b.line or line))
    return out


def check_production(production: Production) -> list[Finding]:
    """Staging findings for every shot, in shot order."""
    library = MoveLibrary.for_production(production.root)
    out: list[Finding] = []
    for item in film(production, library):
        out += [item] if isinstance(item, Finding) else check_shot(production, item, library)
    return out


@dataclass
class Figures:
    """How well a production's staging follows the grammar, shot by shot."""

    shots: int = 0
    framed: int = 0  # shots whose named subjects are fully in frame (board frame, and held)
    singles: int = 0  # dialogue singles and over-the-shoulders
    facing: int = 0  # ... whose speaker's face is toward the camera
    strikes: int = 0
    contradicted: int = 0  # strikes whose outcome contradicts the script
    misses: list[str] = field(default_factory=list)  # what fell short, to read
    findings: list[Finding] = field(default_factory=list)  # the staging checks' findings

    @property
    def framed_share(self) -> float:
        return self.framed / self.shots if self.shots else 1.0

    @property
    def facing_share(self) -> float:
        return self.facing / self.singles if self.singles else 1.0


def figures(production: Production, filmed: Iterable[Filmed | Finding],
            library: MoveLibrary) -> Figures:
    """The staging figures (and findings) of shots already filmed."""
    fig = Figures()
    for item in filmed:
        fig.shots += 1
        if isinstance(item, Finding):
            fig.findings.append(item)
            fig.misses.append(str(item))
            continue
        fig.findings += check_shot(production, item, library)
        key = min(item.key, item.camera.frames - 1)
        shares = {w: item.share(w) for w in item.subjects}
        lost = [w for w, s in shares.items() if s[key] < FULL or (s >= FULL).mean() < HELD]
        if lost:
            fig.misses.append(f"{item.shot.id}: {', '.join(lost)} not fully in frame")
        else:
            fig.framed += 1
        if item.single is not None:
            fig.singles += 1
            turn = item.face(item.single)
            if turn <= FACE_TOWARD:
                fig.facing += 1
            else:
                fig.misses.append(f"{item.shot.id}: {item.single}'s face {turn:.0f}° from lens")
        for s in strikes(item, library):
            fig.strikes += 1
            if s.contradicts:
                fig.contradicted += 1
                said = "lands" if s.lands_in_script else "misses"
                fig.misses.append(f"{item.shot.id}: {s.beat.who}'s {s.beat.move} {said} in the "
                                  f"script; {s.gap:.2f} m from {s.beat.target} on contact")
    return fig


def measure(production: Production) -> Figures:
    """Film every shot of a production and measure its staging (see ``Figures``)."""
    library = MoveLibrary.for_production(production.root)
    return figures(production, film(production, library), library)
