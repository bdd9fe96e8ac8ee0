"""Draft boards and choreography from a breakdown, with the grammar of action cinema.

Per scene, in script order: an establishing wide at a new location; a shot for each
camera direction the writer typed (POV, INSERT, ANGLE ON: the size and angle it
names, in the same scene); a title card for centered text; transitions (CUT TO:,
FADE OUT.) are never shots but how the next shot comes in; dialogue covered in over-the-
shoulder pairs from one side of the line (every shot of a scene keeps one ``side``:
the 180° rule); fights cut closer as they escalate (MS -> MCU -> CU) and go wide
again after a knockdown; handheld for blows, a wide that holds a run; an INSERT when a
sentence turns on an object. Every shot cites its script lines, every beat its line.
The draft is plain data; ``merge`` decides what of it reaches the director's files.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from .actions import Action, ReadBeat, SceneReader, infer_genders
from .breakdown import (
    Beat,
    Breakdown,
    SceneBreakdown,
    ShotMark,
    Speech,
    TitleCard,
    Transition,
)
from .casting import draft_cast
from .cutting import fix_jump_cuts, vary_rhythm
from .grammar import (
    ACTION_SECONDS_PER_WORD,
    ANSWER_FRAMES,
    ESCALATION,
    HEAD,
    HIT_REACT_FRAMES,
    LENS,
    MOVE_SECONDS,
    TAIL,
    WORDS_PER_SECOND,
    ahead,
    floor_plan,
    frames,
    sky_for,
)
from .moves import BASE_MOVES, resolve_move
from .names import NameMatcher
from .set_pieces import SetDresser
from .staging import (
    CARRIES,
    REACH_SLACK,
    RUN_BEYOND,
    SPACING,
    displacement,
    distance,
    group_subject,
    is_group,
    spacing_for,
    travel_speed,
    turned,
    within,
)
from .verbs import VerbTable, default_table

SIDE = "left"
AWAY = -1.0  # the floor plan's z direction away from the camera on the ``left`` side
_FIGHT_KINDS = {"strike", "defence", "reaction"}
_TIGHT = {"MCU", "CU", "ECU"}
_TOWARD = re.compile(r"\b(at|toward|towards|after|rush|rushes|charges|closes on|goes for)\b",
                     re.IGNORECASE)
_TRANSITIONS = {"DISSOLVE": ("dissolve", 0.5), "FADE": ("dip", 1.0), "WHIP": ("whip", 0.25),
                "TO BLACK": ("dip", 1.0)}


def transition_of(text: str | None) -> tuple[str, float]:
    """The board transition a script transition asks for: FADE OUT. -> a dip, CUT TO: -> cut."""
    upper = (text or "").upper()
    for word, (kind, secs) in _TRANSITIONS.items():
        if word in upper:
            return kind, secs
    return "cut", 0.0


@dataclass
class DraftShot:
    shot: dict[str, Any]  # boards.yaml shot, plain data
    beats: list[dict[str, Any]] = field(default_factory=list)  # choreo.yaml beats

    @property
    def id(self) -> str:
        return self.shot["id"]

    @property
    def lines(self) -> tuple[int, int]:
        return tuple(self.shot["lines"])  # type: ignore[return-value]


@dataclass
class DraftScene:
    index: int
    id: str
    heading: str
    set: dict[str, Any]
    shots: list[DraftShot]

    def board(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.heading:
            out["heading"] = self.heading
        out["set"] = self.set
        out["shots"] = [s.shot for s in self.shots]
        return out


@dataclass
class Draft:
    fps: int
    scenes: list[DraftScene]
    cast: list[dict[str, Any]]  # Character documents for everyone in the drafted scenes
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (line, action verb) unread

    def boards_doc(self) -> dict[str, Any]:
        return {"schema": "Boards.1", "scenes": [s.board() for s in self.scenes]}

    def choreo_doc(self) -> dict[str, Any]:
        shots = {s.id: {"beats": s.beats} for sc in self.scenes for s in sc.shots if s.beats}
        return {"schema": "Choreo.1", "shots": shots}


@dataclass
class _Open:
    """A shot being gathered: its kind and the sentences or speeches it covers."""

    kind: str  # establish, fight, travel, describe, insert, dialogue, heading, title
    first: int
    last: int
    reads: list[ReadBeat] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)
    heading: ShotMark | None = None  # the camera direction that asked for this shot
    title: TitleCard | None = None
    transition: str | None = None  # the script transition this shot comes in with

    def add_read(self, rb: ReadBeat) -> None:
        self.reads.append(rb)
        self.last = max(self.last, rb.beat.end_line)

    @property
    def actions(self) -> list[Action]:
        return [a for rb in self.reads for a in rb.actions]


def _lands(act: Action) -> bool:
    """Whether the script says a strike lands: its ``outcome`` when the reader gives one,
    else whether it names a zone hit."""
    outcome = getattr(act, "outcome", None)
    if outcome is not None:
        return outcome == "lands"
    return act.hit is not None


def _read_as_group(rb: ReadBeat, act: Action) -> bool:
    """Whether the reader gave ``act``'s move to several people at the place it is said:
    a group subject it read as each member ("They get up", "Kade and Rico close in")."""
    return any(a.who != act.who and a.offset == act.offset and a.move == act.move
               for a in rb.actions)


def _kind_of(rb: ReadBeat) -> str:
    kinds = {a.kind for a in rb.actions}
    if kinds & _FIGHT_KINDS:
        return "fight"
    if rb.prop:
        return "insert"
    if "travel" in kinds:
        return "travel"
    return "describe"


class _SceneDrafter:
    def __init__(self, scene: SceneBreakdown, reads: list[ReadBeat], fps: int,
                 moves: set[str], table: VerbTable, new_location: bool,
                 transition_in: str | None, names: dict[str, str]):
        self.scene = scene
        self.names = names
        self.reads = reads
        self.fps = fps
        self.moves = moves
        self.table = table
        self.new_location = new_location
        self.transition_in = transition_in
        people = list(scene.characters)
        for rb in reads:
            people += [p for p in rb.people if p not in people]
        pairs = Counter(frozenset((a.who, a.target)) for rb in reads for a in rb.actions
                        if a.kind == "strike" and a.target and a.target != a.who)
        if pairs:  # the pair who fight take the line of action, facing each other
            fighters = sorted(pairs.most_common(1)[0][0], key=people.index)
            people = fighters + [p for p in people if p not in fighters]
        self.marks = floor_plan(people)  # where each stands to fight
        self.pos = dict(self.marks)  # where each is now, shot after shot
        self.entering: set[str] = set()  # who walks or runs in to their mark first
        for rb in reads if pairs else []:
            if any(a.kind in _FIGHT_KINDS for a in rb.actions):
                break
            for a in rb.actions:
                if a.kind == "travel" and a.who in self.marks and a.who not in self.entering:
                    self.entering.add(a.who)
                    bx, bz = ahead(self.marks[a.who], -2.0)
                    self.pos[a.who] = (bx, bz, self.marks[a.who][2])
        self.leftover: str | None = None  # a transition after the scene's last shot
        self.arrivals: dict[str, int] = {}  # who is in the scene from which line on
        for line, who in ([(b.line, w) for b in scene.beats for w in b.who]
                          + [(sp.line, sp.who) for sp in scene.dialogue]
                          + [(m.line, w) for m in scene.shots for w in m.who]):
            self.arrivals[who] = min(line, self.arrivals.get(who, line))
        self.level = 0  # how far the fight has escalated
        self.fought = False  # a fight shot has been drafted in this scene
        self.last_speaker: str | None = None
        self.present: list[str] = []  # who has been on screen in this scene so far
        words = {w.lower() for who in people for w in (who, *names.get(who, who).split())}
        self.dresser = SetDresser(SIDE, words)
        self.visited = [(x, z) for x, z, _ in [*self.pos.values(), *self.marks.values()]]

    # --- grouping sentences and speeches into shots ---------------------------------

    def gather(self) -> list[_Open]:
        """The scene's shots, in script order: sentences and speeches grouped, a shot per
        camera direction and title card, transitions carried onto the shot after them."""
        scene = self.scene
        events: list[tuple[int, int, int, Any]] = []
        events += [(t.line, 0, i, t) for i, t in enumerate(scene.transitions)]
        events += [(m.line, 1, i, m) for i, m in enumerate(scene.shots)]
        events += [(t.line, 2, i, t) for i, t in enumerate(scene.titles)]
        events += [(rb.beat.line, 3, i, rb) for i, rb in enumerate(self.reads)]
        events += [(sp.line, 4, i, sp) for i, sp in enumerate(scene.dialogue)]
        events.sort(key=lambda e: e[:3])
        shots: list[_Open] = []
        pending = self.transition_in

        def take() -> str | None:
            nonlocal pending
            out, pending = pending, None
            return out

        open_: _Open | None = None
        heading_line = scene.lines[0]
        if self.new_location and not scene.implicit:
            open_ = _Open("establish", heading_line, heading_line, transition=take())
        for _, _, _, ev in events:
            if isinstance(ev, Transition):
                if open_ is not None and (open_.reads or open_.speeches or open_.kind in (
                        "heading", "title")):
                    shots.append(open_)
                    open_ = None
                if open_ is not None and open_.transition is None:
                    open_.transition = ev.text  # FADE IN: under the heading: the wide fades
                else:
                    pending = ev.text
                continue
            if isinstance(ev, ShotMark):
                if open_:
                    shots.append(open_)
                open_ = _Open("heading", ev.line, ev.line, heading=ev, transition=take())
                continue
            if isinstance(ev, TitleCard):
                if open_:
                    shots.append(open_)
                open_ = None
                shots.append(_Open("title", ev.line, ev.end_line, title=ev, transition=take()))
                continue
            if isinstance(ev, Speech):
                if open_ and open_.kind == "heading" and not open_.reads and (
                        open_.heading is not None and (ev.who in open_.heading.who or (
                            open_.heading.kind == "pov"))):
                    open_.kind = "dialogue"  # ANGLE ON MARA, then she speaks: that shot
                    open_.speeches.append(ev)
                    open_.last = ev.end_line
                    continue
                same = open_ and open_.kind == "dialogue" and (
                    open_.speeches[-1].who == ev.who or ev.dual == "right")
                if open_ and same:
                    open_.speeches.append(ev)
                    open_.last = ev.end_line
                    continue
                if open_:
                    shots.append(open_)
                open_ = _Open("dialogue", ev.cue_line, ev.end_line, speeches=[ev],
                              transition=take())
                continue
            kind = _kind_of(ev)
            if open_ is not None and self._joins(open_, kind, ev):
                open_.add_read(ev)
                continue
            if open_:
                shots.append(open_)
            open_ = _Open(kind, ev.beat.line, ev.beat.end_line, reads=[ev], transition=take())
        if open_:
            shots.append(open_)
        self.leftover = pending  # a transition after the last shot: the next scene's
        return shots

    def _joins(self, open_: _Open, kind: str, rb: ReadBeat) -> bool:
        if open_.kind in ("dialogue", "insert", "title") or len(open_.reads) >= 5:
            return False
        if open_.kind == "heading":  # the paragraph under a camera direction is its shot
            gap = rb.beat.line - open_.last
            return gap <= (2 if not open_.reads else 1)
        if open_.kind == "establish":
            return kind in ("describe", "travel") and len(open_.reads) < 6
        if kind == "describe":
            return rb.beat.line - open_.last <= 1  # same paragraph: it colours this shot
        if open_.kind == "fight" and kind == "fight":
            strikes = [a for a in open_.actions if a.kind == "strike"]
            first = rb.actions[0]
            answers = bool(strikes) and first.kind in ("defence", "reaction") and (
                first.who == strikes[-1].target)
            return answers and len(open_.actions) < 6
        if kind == "travel" or all(a.kind == "stance" for a in rb.actions):
            return open_.kind in ("travel", "describe") and rb.beat.line - open_.last <= 1
        return False

    # --- turning a gathered shot into a board and beats --------------------------------

    def shot(self, op: _Open, number: int) -> DraftShot:
        shot_id = f"{self.scene.id}-{number * 10:03d}"
        start = dict(self.pos)  # where everyone stands as the shot begins
        beats: list[dict[str, Any]] = []
        if op.kind == "title":
            data = self._title(op)
        elif op.kind == "dialogue":
            data, beats = self._dialogue(op)
        else:
            data, beats = self._action(op)
        if op.heading is not None:
            self._as_written(op, data, start, beats)
        data.pop("transition", None)
        kind, secs = transition_of(op.transition)
        if kind != "cut":
            note = data.pop("note", "")
            data["transition"] = {"type": kind, "duration": frames(secs, self.fps)}
            data["note"] = note
        data = {"id": shot_id, "lines": [op.first, op.last], **data, "side": SIDE}
        return DraftShot(data, beats)

    def _title(self, op: _Open) -> dict[str, Any]:
        """A title card: the centered text, full frame, long enough to read twice."""
        assert op.title is not None
        text = op.title.text
        seconds = max(2.5, len(text.split()) / WORDS_PER_SECOND * 2 + 1.0)
        return {"size": "WS", "angle": "eye", "lens": LENS["WS"], "move": "static",
                "duration": frames(seconds, self.fps), "blocking": [], "frame": [],
                "title": text, "note": f"Title card: {text}"}

    def _as_written(self, op: _Open, data: dict[str, Any],
                    start: dict[str, tuple[float, float, float]],
                    beats: list[dict[str, Any]]) -> None:
        """The size, angle and subject a camera direction names (POV - KADE, CLOSE ON
        MARA, INSERT - THE KEYCARD) over what the drafted shot would have been."""
        mark = op.heading
        assert mark is not None
        data["size"], data["angle"], data["lens"] = mark.size, mark.angle, LENS[mark.size]
        if mark.moving and data.get("move") == "static":
            data["move"] = {"type": "dolly", "amount": 2.0, "start": 0, "end": data["duration"]}
        people = [m["who"] for m in data.get("blocking", [])]
        here = [p for p, line in self.arrivals.items() if line <= op.last]
        if mark.kind == "pov":  # through their eyes: whoever else is there, not them
            people = [p for p in (people or here) if p not in mark.who]
            data["frame"] = list(dict.fromkeys(people))
        elif mark.kind in ("wide", "back") and not mark.who:
            people += here  # the room again
            data.pop("frame", None)
        elif mark.kind == "insert" or (not mark.who and not op.reads and not op.speeches):
            data["frame"] = []  # CLOSE ON: the keys: a thing, nobody in it
        elif mark.who:
            people += mark.who
            data["frame"] = list(mark.who)
        people += [w for b in beats for w in (b.get("who"), b.get("target")) if w]
        people = [p for p in dict.fromkeys(people) if p in start]
        data["blocking"] = self._block(people, start)
        said = " ".join(rb.beat.text for rb in op.reads)
        if op.speeches:
            said = data.get("note", "")
        note = f"{mark.text}: {said}" if said else mark.text
        data["note"] = note if len(note) <= 90 else note[:87].rstrip() + "..."

    def name(self, who: str) -> str:
        return self.names.get(who, who).title()

    def _block(self, people: list[str], marks: dict[str, tuple[float, float, float]] | None = None
               ) -> list[dict[str, Any]]:
        marks = marks or self.pos
        out = []
        for who in people:
            x, z, facing = marks[who]
            out.append({"who": who, "at": [x, z], "facing": facing})
            if who not in self.present:
                self.present.append(who)
        return out

    def _face(self, who: str, other: str) -> None:
        """``who`` turns to look at ``other`` where they stand now."""
        self.pos[who] = turned(self.pos[who], self.pos[other][:2])

    def set_design(self, sky: str) -> dict[str, Any]:
        """The scene's set: its sky and the pieces its action needs, where it needs them."""
        design: dict[str, Any] = {"sky": sky}
        boxes = self.dresser.boxes(self.visited)
        if boxes:
            design["boxes"] = boxes
        return design

    def _listener(self, speech: Speech) -> str | None:
        """Who a line is said to: the last one to speak, else the next, else whoever the
        scene last mentioned, else anyone there."""
        if self.last_speaker not in (None, speech.who):
            return self.last_speaker
        later = [sp.who for sp in self.scene.dialogue if sp.line > speech.line]
        nxt = next((w for w in later if w != speech.who), None)
        if nxt is not None:
            return nxt
        mentioned = [p for rb in self.reads if rb.beat.line < speech.line for p in rb.people]
        before = next((w for w in reversed(mentioned) if w != speech.who), None)
        return before or next((p for p in self.pos if p != speech.who), None)

    def _dialogue(self, op: _Open) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        speaker = op.speeches[0].who
        both = list(dict.fromkeys(sp.who for sp in op.speeches))
        if len(both) > 1:  # dual dialogue: a two-shot of them talking over each other
            self.last_speaker = both[-1]
            self._face(both[0], both[1])
            self._face(both[1], both[0])
            seconds = max(sp.text.count(" ") + 1 for sp in op.speeches) / WORDS_PER_SECOND
            names = " and ".join(self.name(w) for w in both)
            return {
                "size": "MS", "angle": "eye", "lens": LENS["MS"], "move": "static",
                "duration": frames(max(1.5, seconds + 0.6), self.fps),
                "blocking": self._block(both), "frame": both,
                "note": f"Two-shot: {names} talk over each other.",
            }, []
        listener = self._listener(op.speeches[0])
        self.last_speaker = speaker
        if listener is not None:  # they talk to each other: each turns to the other
            self._face(speaker, listener)
            self._face(listener, speaker)
        words = sum(len(sp.text.split()) for sp in op.speeches)
        seconds = max(1.5, words / WORDS_PER_SECOND + 0.6)
        size = "MS" if self.level == 0 else "MCU"
        people = [speaker] + ([listener] if listener else [])
        data: dict[str, Any] = {
            "size": size, "angle": "eye", "lens": LENS[size], "move": "static",
            "duration": frames(seconds, self.fps), "blocking": self._block(people),
            "frame": [speaker],
            "note": (f"Over {self.name(listener)}'s shoulder onto {self.name(speaker)}."
                     if listener else f"Single on {self.name(speaker)}."),
        }
        return data, []

    def _action(self, op: _Open) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        actions = op.actions
        people = self._people(op)
        self._square_up(actions)
        marks = dict(self.pos)  # the shot starts where the last one left everyone
        beats, cursor = self._timeline(op)
        words = sum(len(rb.beat.text.split()) for rb in op.reads)
        seconds = max(words * ACTION_SECONDS_PER_WORD, 1.5)
        if op.kind == "fight":
            seconds = 1.0  # a fight shot lasts as long as its moves
        elif op.kind == "establish":
            seconds = min(max(seconds, 3.0), 6.0)
        elif op.kind == "insert":
            seconds = 1.5
        duration = max(frames(seconds, self.fps), cursor + frames(TAIL, self.fps))
        moves_kinds = {a.kind for a in actions}
        angle, move, size = "eye", "static", "FS"
        amount = None
        if op.kind == "establish":
            ext = self.scene.int_ext in ("EXT", "INT/EXT")
            size, angle = ("EWS", "high") if ext else ("WS", "eye")
            move = "crane" if ext else "static"
            amount = -2.0 if ext else None
        elif op.kind == "insert":
            size = "INSERT"
        elif op.kind == "fight":
            n = len(ESCALATION)
            size = ESCALATION[self.level] if self.level < n else ESCALATION[
                n - 2 + (self.level - n + 1) % 2]  # then MCU and CU by turns
            move = "handheld"
            self.level += 1
            carried = max((displacement(resolve_move(a.move, self.moves, self.table))
                           for a in actions), default=0.0)
            if self.travelled > 1.5 or carried > CARRIES:  # they cross the floor: show it
                size, self.level = "FS", 1
            if any(a.move == "fall" for a in actions):
                size, angle, self.level = "FS", "high", 0  # a knockdown resets the geography
            elif any(a.move == "uppercut" and a.hit for a in actions):
                angle = "low"
        elif op.kind == "travel" or "travel" in moves_kinds:
            # a wide that holds the whole way: a fixed push would lose a runner who comes on
            size, move = "WS", "static"
        data: dict[str, Any] = {"size": size, "angle": angle, "lens": LENS[size]}
        if move == "static":
            data["move"] = "static"
        else:
            data["move"] = {"type": move, **({"amount": amount} if amount is not None else {}),
                            "start": 0, "end": duration}
        data["duration"] = duration
        data["blocking"] = self._block(people, marks)
        if op.kind == "insert":
            data["frame"] = []
        elif op.kind == "fight" and (framed := self._fight_frame(actions, size, people)):
            data["frame"] = framed
        data["note"] = self._note(op)
        return data, beats

    def _people(self, op: _Open) -> list[str]:
        """Who a shot blocks: everyone its sentences involve; everyone present when a
        sentence speaks of a group; whoever is present when it names nobody (but a
        camera direction keeps its own rule, in ``_as_written``: a close-on of a thing
        has nobody in it, a POV everyone but its viewer)."""
        people: list[str] = []
        for rb in op.reads:
            people += [p for p in rb.people if p not in people]
            for a in rb.actions:
                people += [p for p in (a.who, a.target) if p and p not in people]
        if op.kind == "insert":
            holder = op.reads[0].holder
            return list(dict.fromkeys(([holder] if holder else []) + [a.who for a in op.actions]))
        if op.kind != "establish" and any(is_group(rb.beat.text) for rb in op.reads):
            people += [p for p in self.present if p not in people]
        if not people and op.kind != "establish" and op.heading is None:
            people = list(self.present)
        return [p for p in people if p in self.pos]

    def _square_up(self, actions: list[Action]) -> None:
        """Fighters face the one they fight from the first frame of the shot."""
        squared: set[str] = set()
        for a in actions:
            if a.kind != "strike" or not a.target or a.target == a.who:
                continue
            if a.who in self.pos and a.target in self.pos:
                if a.who not in squared:
                    self._face(a.who, a.target)
                    squared.add(a.who)
                if a.target not in squared:
                    self._face(a.target, a.who)
                    squared.add(a.target)

    def _fight_frame(self, actions: list[Action], size: str, people: list[str]) -> list[str]:
        """Whom a fight shot frames: a tight shot favours the face that takes the blow (or
        meets it), a medium one holds the exchange in profile, a wide one everyone."""
        strikes = [a for a in actions if a.kind == "strike" and a.target in people
                   and a.target != a.who and a.who in people]
        if not strikes:
            return [p for p in people if any(a.who == p for a in actions)][:1] or people[:1]
        if size in _TIGHT:
            landed = [a for a in strikes if _lands(a)]
            return [(landed or strikes)[-1].target or strikes[0].who]
        if size in ("MS", "FS"):
            pair = {strikes[0].who, strikes[0].target}
            return [p for p in people if p in pair]
        return []

    def _note(self, op: _Open) -> str:
        if op.kind == "establish":
            return f"Establishing: {self.scene.heading or 'the set'}."
        if op.kind == "insert" and op.reads:
            return f"Insert: the {op.reads[0].prop}."
        text = " ".join(rb.beat.text for rb in op.reads)
        return text if len(text) <= 90 else text[:87].rstrip() + "..."

    def _destination(self, act: Action, rest: list[Action], rb: ReadBeat
                     ) -> tuple[float, float]:
        """Where a walk or run ends: onto their mark when entering a fight; into range when
        closing in to strike or going at someone; else onward, off the line of action."""
        x, z, _ = self.pos[act.who]
        if act.who in self.entering:
            self.entering.discard(act.who)
            mx, mz, _ = self.marks[act.who]
            return (mx, mz)
        fight = next((a for a in rest if a.kind == "strike" and a.target and a.who != a.target
                      and act.who in (a.who, a.target)), None)
        if fight is not None:  # closing in to strike, or running at whoever strikes them
            other = fight.target if fight.who == act.who else fight.who
            if other in self.pos:
                move = resolve_move(fight.move, self.moves, self.table)
                reach = spacing_for(move, fight.hit)
                if distance(self.pos[act.who], self.pos[other]) > reach + REACH_SLACK:
                    return within(self.pos[act.who], self.pos[other], reach)
            return (x, z)  # already in range: the fight keeps its marks
        goal = act.target if act.target in self.pos and act.target != act.who else None
        if goal is None and _TOWARD.search(rb.beat.text, act.offset):
            goal = next((p for p in rb.people if p != act.who and p in self.pos), None)
        if goal is not None:  # "charges at Vex", "rushes her": up to them
            if distance(self.pos[act.who], self.pos[goal]) > SPACING + REACH_SLACK:
                return within(self.pos[act.who], self.pos[goal], SPACING)
            return (x, z)
        return (x, round(z + AWAY * 3.0, 2) + 0.0)  # onward, away from the lens, off the line

    def _together(self, rb: ReadBeat, act: Action) -> list[Action]:
        """One move, or the same move by everyone a group subject names: "The thugs rush
        her", "They get up" (everyone present but whom the sentence acts on). The reader
        names a group's members itself when it can (one move each, said at one place);
        only a group it could not name is filled in from who is present."""
        if act.kind not in ("travel", "stance", "reaction") or not group_subject(rb.beat.text):
            return [act]
        if _read_as_group(rb, act):
            return [act]
        acted_on = {p for p in rb.people if all(p != a.who for a in rb.actions)}
        for word, gender in (("her", "f"), ("him", "m")):
            if re.search(rf"\b{word}\b", rb.beat.text, re.IGNORECASE):
                acted_on |= {p for p, g in self.genders.items() if g == gender}
        group = [p for p in self.present if p not in acted_on and p in self.pos]
        return [act] + [replace(act, who=p) for p in group if p != act.who]

    @functools.cached_property
    def genders(self) -> dict[str, str]:
        """he or she per character, from the scene's sentences that open on a pronoun and
        whose move the reader gave to one of them."""
        votes: dict[str, Counter[str]] = {}
        for rb in self.reads:
            first = rb.beat.text.split(maxsplit=1)[:1]
            if first and first[0] in ("He", "She") and rb.actions:
                votes.setdefault(rb.actions[0].who, Counter())[first[0]] += 1
        return {who: "f" if v["She"] > v["He"] else "m" for who, v in votes.items()
                if v["She"] != v["He"]}

    def _close_in(self, act: Action, move: str, t: int, line: int) -> tuple[dict | None, int]:
        """A walk (or a run) into range before a strike thrown from out of reach."""
        if act.target not in self.pos or act.who not in self.pos or act.target == act.who:
            return None, t
        reach = spacing_for(move, act.hit)
        gap = distance(self.pos[act.who], self.pos[act.target])
        if gap <= reach + REACH_SLACK:
            return None, t
        spot = within(self.pos[act.who], self.pos[act.target], reach)
        gait = resolve_move("run" if gap - reach > RUN_BEYOND else "walk", self.moves,
                            self.table)
        length = frames((gap - reach) / travel_speed(gait), self.fps)
        self.travelled = max(self.travelled, gap - reach)
        self.pos[act.who] = turned((spot[0], spot[1], 0.0), self.pos[act.target][:2])
        self.visited.append(spot)
        return {"t": t, "who": act.who, "move": gait, "to": list(spot), "line": line}, t + length

    def _timeline(self, op: _Open) -> tuple[list[dict[str, Any]], int]:
        """Beats at frame times: moves one after another, answers on the strike they meet."""
        fps = self.fps
        cursor = frames(HEAD, fps) if op.actions else 0
        self.travelled = 0.0  # the longest way anyone goes in this shot, m
        beats: list[dict[str, Any]] = []
        last_strike: tuple[Action, int] | None = None
        prev: tuple[str, str] | None = None
        flat = op.actions
        k = -1
        for rb in op.reads:
            before: Action | None = None
            first_t: int | None = None  # when the group this move is part of moves
            for said in rb.actions:
                k += 1
                if not (before is not None and said.kind in ("travel", "stance", "reaction")
                        and (before.offset, before.move) == (said.offset, said.move)):
                    first_t = None  # not one more of a group the reader named: its own time
                before = said
                for act in self._together(rb, said):
                    if prev == (act.who, act.move) and act.kind in ("reaction", "stance"):
                        continue  # "Kade's head snaps back. He staggers.": one reaction
                    prev = (act.who, act.move)
                    move = resolve_move(act.move, self.moves, self.table)
                    answers = last_strike is not None and act.kind in ("defence", "reaction") and (
                        last_strike[0].target == act.who)
                    if answers and last_strike is not None:
                        t = last_strike[1] + (ANSWER_FRAMES if act.kind == "defence"
                                              else HIT_REACT_FRAMES)
                    elif first_t is not None:  # a group does it together
                        t, answers = first_t, True
                    else:
                        t = cursor
                    first_t = t if first_t is None else first_t
                    if act.kind == "strike":
                        approach, t = self._close_in(act, move, t, rb.beat.line_at(act.offset))
                        if approach is not None:
                            beats.append(approach)
                    key = act.move if act.move in MOVE_SECONDS else act.kind
                    length = frames(MOVE_SECONDS.get(key, 0.5) / act.speed, fps)
                    cursor = max(cursor, t + length) if answers else t + length
                    beat: dict[str, Any] = {"t": t, "who": act.who, "move": move}
                    if act.target and act.kind == "strike":
                        beat["target"] = act.target
                        if _lands(act):
                            beat["hit"] = act.hit or self.table.default_hit.get(act.move, "body")
                    if act.kind == "travel" and act.who in self.pos:
                        to = self._destination(act, flat[k:], rb)
                        beat["to"] = list(to)
                        was = self.pos[act.who]
                        self.travelled = max(self.travelled, distance(was, to))
                        self.pos[act.who] = (to[0], to[1], self.pos[act.who][2])
                        self.visited.append(to)
                    if act.intensity != 1.0:
                        beat["intensity"] = act.intensity
                    if act.speed != 1.0:
                        beat["speed"] = act.speed
                    beat["line"] = rb.beat.line_at(act.offset)
                    beats.append(beat)
                    if act.kind == "strike":
                        last_strike = (act, t)
            self.dresser.note(rb, self.pos)
            for camera, offset in rb.cameras:
                t = (last_strike[1] + HIT_REACT_FRAMES) if (
                    camera == "shake" and last_strike) else cursor
                beats.append({"t": t, "camera": camera, "duration": frames(0.4, fps),
                              "line": rb.beat.line_at(offset)})
        if any(a.kind in _FIGHT_KINDS for a in op.actions):
            self.fought = True
        beats.sort(key=lambda b: b["t"])
        return beats, cursor


def _read_scenes(bd: Breakdown, table: VerbTable
                 ) -> tuple[dict[int, list[ReadBeat]], dict[str, str]]:
    """Every scene's sentences read for action, in script order; and who is he or she."""
    matcher = NameMatcher({c.id: c.names for c in bd.characters})
    intros = {c.description_line: c.id for c in bd.characters if c.description_line}
    genders = infer_genders(bd.scenes, intros)
    out = {}
    for scene in bd.scenes:
        reader = SceneReader(table, matcher, genders, scene.characters)
        # ANGLE ON GUARD ONE: the "he" under it is Guard One, so the reader hears the name
        marks = [m for m in scene.shots if m.who and m.kind != "pov"]
        reads, k = [], 0
        for b in scene.beats:
            while k < len(marks) and marks[k].line < b.line:
                m = marks[k]
                reader.read(Beat(line=m.line, end_line=m.line, text=f"{m.subject.title()}.",
                                 who=m.who))
                k += 1
            reads.append(reader.read(b))
        out[scene.index] = reads
    return out, genders


def draft(bd: Breakdown, fps: int = 24, moves: set[str] | None = None,
          scenes: list[int] | None = None, table: VerbTable | None = None,
          cast_colours: dict[str, str] | None = None) -> Draft:
    """Draft boards, choreography and cast for a breakdown (``scenes``: 1-based indexes).

    ``cast_colours``: id -> primary colour of cast files that exist already, so new
    characters are dressed apart from them.
    """
    table = table or default_table()
    available = set(moves) if moves else set(BASE_MOVES)
    reads, genders = _read_scenes(bd, table)
    names = {c.id: c.name for c in bd.characters}
    out: list[DraftScene] = []
    previous_location: str | None = None
    transition: str | None = None
    for scene in bd.scenes:
        location = (scene.location or scene.heading).upper()
        new_location = location != previous_location
        previous_location = location
        wanted = scenes is None or scene.index in scenes
        if wanted and scene.has_content:
            drafter = _SceneDrafter(scene, reads[scene.index], fps, available, table,
                                    new_location, transition, names)
            gathered = drafter.gather()
            shots = [drafter.shot(op, k + 1) for k, op in enumerate(gathered)]
            fix_jump_cuts([s.shot for s in shots])
            vary_rhythm([s.shot for s in shots])
            set_design = drafter.set_design(sky_for(scene.int_ext, scene.time))
            out.append(DraftScene(scene.index, scene.id, scene.heading, set_design, shots))
            transition = drafter.leftover
        else:
            last = max([b.line for b in scene.beats] + [d.line for d in scene.dialogue]
                       + [m.line for m in scene.shots] + [t.line for t in scene.titles] + [0])
            after = [t for t in scene.transitions if t.line > last]
            transition = after[-1].text if after else None
    people = {m["who"] for sc in out for s in sc.shots for m in s.shot["blocking"]}
    cast = draft_cast(bd, people, genders, cast_colours)
    drafted = {sc.index for sc in out}
    unknown = [(rb.beat.line, verb) for index, rbs in reads.items() if index in drafted
               for rb in rbs for verb in rb.unknown]
    return Draft(fps, out, cast, unknown)
