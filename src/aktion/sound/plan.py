"""Sound as a graph pass: dialogue per line, effects per shot, a mix per scene.

For a production with ``[sound]`` in aktion.toml, each scene's cut gets a ``mix``
input. The mix reads:

- ``dialogue:<shot>/<line>``: one step per line, keyed by its words, its speaker's
  voice and its delivery hint (never by the shot's picture), so a new voice says
  again exactly that character's lines; the script slice travels in its request,
  so provenance names the lines it says;
- ``sfx:<shot>`` (``@tN`` for take N): the shot's effects from the motion_control
  of the take the cut uses, so a changed beat re-renders that shot's effects;
- the scene's score (``canvas.yaml`` ``scenes.<id>.audio``), the loudness target,
  and where the cut puts each shot (order, transitions, canvas edits).

Lines start where the board's burn-in shows them (``previz.dialogue_slots.spread_dialogue``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aktion.backends.base import StepRequest
from aktion.canvas.run_ops import OP_KINDS
from aktion.engine.graph import STEP_VERSIONS, ShotGraph, Step, add_step, rekey
from aktion.engine.router import Router, UnmetNeed
from aktion.previz.dialogue_slots import spread_dialogue
from aktion.production.cast import Character
from aktion.production.digest import digest_file
from aktion.production.production import Production
from aktion.production.voice import Voice, voice_lock

from .delivery import delivery
from .samples import find_samples
from .voices import voice_of

for _kind in ("dialogue", "sfx", "mix"):
    STEP_VERSIONS.setdefault(_kind, 1)
EMBEDDED = "espeak"


def speakers(production: Production) -> dict[str, Character]:
    """Script name (upper case) -> cast member, through names and aliases."""
    out: dict[str, Character] = {}
    for ch in production.cast.values():
        for name in [ch.name, *ch.aliases]:
            out.setdefault(name.strip().upper(), ch)
    return out


def voice_route(voice_backend: str | None, router: Router,
                voice_id: str = "") -> tuple[str, str]:
    """The backend that says a line, and why (shown by ``aktion plan``). A backend chosen
    by policy must take the voice (``takes_voice``: Piper needs a voice file)."""
    offered = [b for b, caps in router.candidates.items() if "dialogue" in caps]
    root = router.contexts[offered[0]].root if offered else Path(".")
    takes = [b for b in offered if not hasattr(router.classes[b], "takes_voice")
             or router.classes[b].takes_voice(voice_id, root)]
    if voice_backend == EMBEDDED:
        return EMBEDDED, "the voice names the embedded eSpeak NG voice"
    if voice_backend:
        if voice_backend in offered:
            return voice_backend, f"the voice names {voice_backend} (backends.toml)"
        raise UnmetNeed(f"a voice names backend `{voice_backend}`, which backends.toml does "
                        f"not configure to do dialogue (configured: {', '.join(offered) or 'none'})")
    if router.policy == "previz":
        return EMBEDDED, "policy previz: the embedded eSpeak NG voice (CPU, no download)"
    if takes:
        chosen = router._order(takes)[0]
        caps = router.candidates[chosen]["dialogue"]
        return chosen, (f"policy {router.policy}: {chosen} ({caps.speed}, {caps.cost}) voices " \
                       "dialogue")
    return EMBEDDED, (f"policy {router.policy}: no voice backend in backends.toml does " \
                     "dialogue, so the embedded eSpeak NG voice")


def _chain(graph: ShotGraph, step_id: str) -> tuple[Step, list[dict[str, Any]]]:
    """The shot's clip step under its canvas operations, and those operations in order."""
    step = graph.steps[step_id]
    ops: list[dict[str, Any]] = []
    while step.backend == "editor" and step.kind in OP_KINDS and "video" in step.deps:
        p = step.request.params
        op = {"extend": {"frames": p.get("frames")}, "trim": {"in": p.get("in"),
                                                              "out": p.get("out")},
              "speed": {"start": p.get("start"), "end": p.get("end")}}[step.kind]
        ops.append({"op": step.kind, **op})
        step = graph.steps[step.deps["video"][0]]
    return step, list(reversed(ops))


def _motion_control(graph: ShotGraph, clip: Step) -> Step | None:
    """The motion_control step the clip was performed from (take N's own for take N)."""
    seen, queue = set(), [clip.id]
    while queue:
        step = graph.steps[queue.pop(0)]
        if step.kind == "motion_control":
            return step
        for dep, _ in step.deps.values():
            if dep not in seen:
                seen.add(dep)
                queue.append(dep)
    return None


def voice_files(root: Path, voice: Voice) -> dict[str, str]:
    """Relative path -> sha256 of the files a voice's id names (a model and its config)."""
    if not voice.id or "/" not in voice.id and "." not in voice.id:
        return {}
    model = (root / voice.id).resolve()
    if not model.is_relative_to(root.resolve()):
        return {}
    found = {}
    for path in (model, model.with_name(model.name + ".json")):
        if path.is_file():
            found[path.relative_to(root.resolve()).as_posix()] = digest_file(path)
    return found


def _cue_line(production: Production, element) -> int:
    """The line of the character cue above a dialogue element (its own line if none)."""
    cues = [e.line for e in production.script.elements
            if e.kind == "character" and e.line < element.line]
    return cues[-1] if cues else element.line


def _parenthetical(production: Production, element) -> str:
    above = [e for e in production.script.elements
             if e.kind == "parenthetical" and e.end_line == element.line - 1]
    text = " ".join((above[-1].plain or above[-1].text).split()) if above else ""
    return text.strip("()").strip()


def _dialogue_step(production: Production, scene_id: str, shot_id: str, element,
                   router: Router, cast_by_name: dict[str, Character]) -> tuple[Step, str]:
    name = (element.character or "").strip()
    character = cast_by_name.get(name.upper())
    voice, _set = voice_of(character, name)
    try:
        backend, reason = voice_route(voice.backend, router, voice.id)
    except UnmetNeed as e:
        where = f"{production.settings.cast_dir}/{character.id}.yaml" if character else name
        raise UnmetNeed(f"{where}: {e}") from None
    if not _set:
        reason += f"; {name} has no voice set: {voice.id} by default (aktion cast voice)"
    who = character.id if character else name.lower()
    text = " ".join((element.plain or element.text).split())
    hint = _parenthetical(production, element)
    first = _cue_line(production, element)
    params = {"text": text, "who": who, "voice": voice.model_dump(mode="json"),
              "delivery": hint}
    files = voice_files(production.root, voice)
    if files:  # a voice made of files: their content is part of the key
        params["voice_files"] = files
    request = StepRequest(
        kind="dialogue", scene=scene_id,
        script={"lines": [first, element.end_line],
                "text": production.script.text(first, element.end_line),
                "dialogue": [{"who": name, "text": text, "line": element.line}]},
        locks={who: voice_lock(who, voice)}, seed=voice.seed, params=params)
    step = Step(f"dialogue:{shot_id}/{element.line}", "dialogue", scene_id, shot_id, backend,
                reason, request)
    return step, hint


def _board_starts(spoken: list, frames: int) -> dict[int, int]:
    """id(element) -> the shot frame its line appears on in the previz burn-in."""
    slots = spread_dialogue([{"who": e.character, "text": e.text} for e in spoken], frames)
    starts, k = {}, 0
    for e in spoken:
        label = f"{(e.character or '').strip()}: {(e.text or '').strip()}"
        if k < len(slots) and slots[k].text in (label, (e.text or "").strip()):
            starts[id(e)] = slots[k].start
            k += 1
    return starts


def _sfx_step(production: Production, shot_id: str, take: int, mc: Step,
              samples: dict[str, dict[str, str]]) -> Step:
    params = {**mc.request.params, "samples": samples}
    # shallow: what it shares with the motion step (set, cast, beats) is only read, and
    # shared objects are digested once (``graph.request_parts``)
    request = mc.request.model_copy(update={"kind": "sfx", "params": params})
    sid = f"sfx:{shot_id}" if take == 1 else f"sfx:{shot_id}@t{take}"
    return Step(sid, "sfx", mc.scene, shot_id, "sound",
                f"effects from {mc.id}'s performance: the built-in synthesis layer"
                + (f" and the production's samples ({', '.join(samples)})" if samples else ""),
                request, {"performance": (mc.id, "performance"), "poses": (mc.id, "poses")})


def apply(graph: ShotGraph) -> None:
    """Add dialogue, effects and a mix to every scene of a production with ``[sound]``."""
    production = graph.production
    settings = production.settings.sound
    if settings is None:
        return
    router = Router.for_production(production, graph.policy)
    samples = find_samples(production.root, settings.samples)
    cast_by_name = speakers(production)
    boards = {shot.id: shot for _, shot in production.shots()}
    fmt = {"fps": production.settings.fps, "width": production.settings.width,
           "height": production.settings.height}
    for scene in production.boards.scenes:
        cut = graph.steps[f"cut:{scene.id}"]
        said: set[int] = set()  # a line covered by two shots is said in the first
        shots, lines, deps = [], [], {}
        for entry in cut.request.params["shots"]:
            shot = boards[entry["id"]]
            clip, ops = _chain(graph, cut.deps[f"shot:{shot.id}"][0])
            shots.append({"id": shot.id, "duration": entry["duration"],
                          "source": shot.duration, "ops": ops,
                          "transition": entry.get("transition") or {"type": "cut"}})
            mc = _motion_control(graph, clip)
            if mc is not None:
                sfx = add_step(graph, _sfx_step(production, shot.id, int(entry.get("take", 1)),
                                                mc, samples), before=cut.id)
                deps[f"sounds:{shot.id}"] = (sfx.id, "sounds")
                deps[f"cues:{shot.id}"] = (sfx.id, "cues")
            first, last = shot.lines
            spoken = production.script.dialogue(first, last)
            starts = _board_starts(spoken, shot.duration)
            for element in spoken:
                if element.line in said or id(element) not in starts:
                    continue
                said.add(element.line)
                step, hint = _dialogue_step(production, scene.id, shot.id, element, router,
                                            cast_by_name)
                add_step(graph, step, before=cut.id)
                name = f"line:{step.id.partition(':')[2]}"
                deps[name] = (step.id, "voice")
                lines.append({"input": name, "shot": shot.id, "frame": starts[id(element)],
                              "gain_db": delivery(hint).gain_db, "who": step.request.params["who"],
                              "line": element.line, "text": step.request.params["text"]})
        voices = sorted({graph.steps[dep].backend for name, (dep, _) in deps.items()
                         if name.startswith("line:")})
        params: dict[str, Any] = {
            "shots": shots, "lines": lines, "voices": voices,
            "loudness": {"target": settings.target_lufs, "true_peak": settings.true_peak,
                         "duck": settings.duck}}
        cut_params = dict(cut.request.params)
        if cut_params.get("audio"):  # the canvas's score plays in the mix, under the rest
            params["score"] = cut_params.pop("audio")
        mix = Step(f"mix:{scene.id}", "mix", scene.id, None, "sound",
                   "the built-in sound desk mixes dialogue, effects and score to "
                   f"{settings.target_lufs:g} LUFS", StepRequest(
                       kind="mix", scene=scene.id, format=fmt, params=params), deps)
        add_step(graph, mix, before=cut.id)
        cut.request = cut.request.model_copy(update={"params": cut_params})
        cut.deps = {**cut.deps, "mix": (mix.id, "mix")}
    rekey(graph)
