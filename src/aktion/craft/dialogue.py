"""Lines against their shots: a line said where its board puts it must end before the
next line starts and before the shot cuts away (for productions with ``[sound]``)."""

from __future__ import annotations

from aktion.previz.dialogue_slots import spread_dialogue
from aktion.production.board import Scene
from aktion.production.production import Production
from aktion.sound.fit import spoken_seconds
from aktion.sound.plan import speakers
from aktion.sound.voices import voice_of

from .findings import Finding


def check_scene(production: Production, scene: Scene) -> list[Finding]:
    """Findings for a production with sound (``[sound]``); lines are only captions else."""
    if production.settings.sound is None:
        return []
    fps = production.settings.fps
    by_name = speakers(production)
    boards = production.settings.boards
    found: list[Finding] = []
    for shot in scene.shots:
        spoken = [e for e in production.script.dialogue(*shot.lines) if (e.text or "").strip()]
        slots = spread_dialogue([{"who": e.character, "text": e.text} for e in spoken],
                                shot.duration)
        for i, (element, slot) in enumerate(zip(spoken, slots, strict=False)):
            name = (element.character or "").strip()
            voice, _ = voice_of(by_name.get(name.upper()), name)
            text = " ".join((element.plain or element.text).split())
            need = spoken_seconds(text, voice)
            room_to_cut = (shot.duration - slot.start) / fps
            room = ((slots[i + 1].start if i + 1 < len(slots) else shot.duration)
                    - slot.start) / fps
            if need <= room:
                continue
            if need > room_to_cut:
                why = (f"{name}'s line {element.line} \"{text}\" takes about {need:.1f} s "
                       f"but starts {slot.start / fps:.1f} s into a {shot.duration / fps:.1f} s "
                       f"shot: it runs past the cut; lengthen the shot, cover the line "
                       f"with the next shot, or trim it")
            else:
                why = (f"{name}'s line {element.line} \"{text}\" takes about {need:.1f} s "
                       f"but the next line starts {room:.1f} s later: they overlap; "
                       f"lengthen the shot or split the lines across shots")
            found.append(Finding("dialogue_fit", scene.id, (shot.id,), why, "warning",
                                 boards, production.line(production.root / boards,
                                                         _shot_loc(production, scene, shot))))
    return found


def _shot_loc(production: Production, scene: Scene, shot) -> tuple:
    si = production.boards.scenes.index(scene)
    return ("scenes", si, "shots", scene.shots.index(shot), "duration")
