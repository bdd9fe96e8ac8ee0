"""The sound desk behind the ``sound`` backend: a shot's effects, a scene's mix.

- ``sfx`` (per shot, per take): the cues of the shot's performance (strikes,
  defences, guns, camera beats, footsteps, falls; ``aktion.sound.choreography``),
  each rendered by the synthesis layer or the production's own sample -> ``sounds``
  (sounds.wav: every cue's sound one after another) and ``cues`` (cues.json: the
  frame each plays on and where it sits in sounds.wav).
- ``mix`` (per scene): lines, effects and score on the cut's timeline, to the
  loudness target -> ``mix`` (stereo WAV), the ``dialogue``, ``effects`` and
  ``music`` stems, and ``placed`` (placed.json: every sound's frame in the scene).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from aktion.canvas.run_ops import production_root
from aktion.previz.moves import MoveLibrary
from aktion.previz.stage import Stage
from aktion.previz.take import TakeVariation
from aktion.production.board import SetDesign, Shot
from aktion.production.cast import Character
from aktion.production.choreo import Beat
from aktion.production.digest import digest_file as file_digest
from aktion.sound import RATE
from aktion.sound.choreography import choreography_cues
from aktion.sound.cues import Cue, cue_dicts, write_cues
from aktion.sound.mix import Line, ShotSounds, mix_scene
from aktion.sound.samples import load_sample
from aktion.sound.score import decode
from aktion.sound.synth import render as synth_render
from aktion.sound.wav import mono, read_wav, write_wav

from .base import BackendError, Progress, StepRequest, StepResult

ALGORITHMIC_VOICES = ("espeak",)  # voices made by code; any other was made by a model
COMPOSITE_TRAINED, COMPOSITE_SYNTHETIC = ("compositeWithTrainedAlgorithmicMedia",
                                          "compositeSynthetic")
GAP = int(0.01 * RATE)  # silence between sounds in sounds.wav, so each is easy to find


def _source(request: StepRequest, workdir: Path, item: dict[str, str], what: str) -> Path:
    """A production file a step names with its digest; it must still be the planned one."""
    path = production_root(workdir) / item["file"]
    if not path.is_file() or file_digest(path) != item["digest"]:
        raise BackendError(f"sound: {what} {item['file']} changed or vanished since planning")
    return path


def _sound(cue: Cue, seed: int, samples: dict[str, np.ndarray]) -> np.ndarray:
    if cue.name in samples:
        return samples[cue.name]
    return synth_render(cue.name, cue.seed(seed), cue.weight, cue.seconds)


_LIBRARIES: dict[str, MoveLibrary] = {}  # per production's own moves, once per process


def _effects_stage(request: StepRequest) -> Stage:
    """The shot's previz stage (as ``previz._stage`` builds it) with its move library built
    once per process: building the library's curves is most of an effects step's time."""
    fps = int((request.format or {}).get("fps", 24))
    context = {"fps": fps}
    params = request.params or {}
    key = json.dumps([params.get("moves"), params.get("move_dirs")], sort_keys=True)
    if key not in _LIBRARIES:
        _LIBRARIES[key] = MoveLibrary.load(
            extra_dirs=[Path(p) for p in params.get("move_dirs", [])], extra=params.get("moves"))
    return Stage(
        shot=Shot.model_validate(request.shot, context=context),
        design=SetDesign.model_validate(request.set or {}),
        cast={cid: Character.model_validate(c) for cid, c in request.cast.items()},
        beats=[Beat.model_validate(b, context=context) for b in request.beats],
        library=_LIBRARIES[key], fps=fps, seed=request.seed,
        take=TakeVariation.from_request(params, request.seed))


def sfx(request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
    for name in ("performance", "poses"):
        if name not in request.inputs:
            raise BackendError(f"sound sfx needs the `{name}` input (from motion_control)")
    try:
        stage = _effects_stage(request)
    except (ValidationError, ValueError, KeyError) as e:
        raise BackendError(f"sound sfx of shot {request.shot.get('id', '?')}: {e}") from e
    perf = json.loads(Path(request.inputs["performance"]).read_text())
    poses = np.load(request.inputs["poses"], allow_pickle=False)
    cues = choreography_cues(stage, perf.get("contacts", []), poses,
                             list(perf["characters"]))
    samples = {name: load_sample(_source(request, workdir, item, "sample"))
               for name, item in (request.params.get("samples") or {}).items()}
    pieces, placed, at = [], [], 0
    for cue in cues:
        pcm = _sound(cue, request.seed, samples)
        pieces += [pcm, np.zeros(GAP, np.float32)]
        placed.append({**cue_dicts([cue])[0], "offset": at, "length": int(pcm.size),
                       "sample": cue.name in samples})
        at += pcm.size + GAP
    sheet = np.concatenate(pieces) if pieces else np.zeros(GAP, np.float32)
    outputs = {
        "sounds": write_wav(workdir / "sounds.wav", sheet),
        "cues": write_cues(workdir / "cues.json", {"fps": stage.fps,
                                                   "frames": stage.shot.duration,
                                                   "cues": placed}),
    }
    progress(1, 1)
    names = sorted({c.name for c in cues})
    return StepResult(outputs, {"digital_source_type": "algorithmicMedia",
                                "cues": len(cues), "sounds": names,
                                "samples": sorted(samples)})

def mix(request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
    p = request.params
    fps = int(request.format.get("fps", 24))
    lines = []
    for ln in p.get("lines", []):
        pcm = mono(read_wav(request.inputs[ln["input"]]))
        lines.append(Line(ln["shot"], int(ln["frame"]), pcm, float(ln.get("gain_db", 0.0)),
                          ln.get("who", ""), int(ln.get("line", 0)), ln.get("text", "")))
    effects = []
    for shot in p.get("shots", []):
        name = f"sounds:{shot['id']}"
        if name not in request.inputs:
            continue
        cues = json.loads(Path(request.inputs[f"cues:{shot['id']}"]).read_text())["cues"]
        effects.append(ShotSounds(shot["id"], mono(read_wav(request.inputs[name])), cues))
    score = None
    if p.get("score"):
        score = decode(_source(request, workdir, p["score"], "score"))
    loud = p["loudness"]
    result = mix_scene(p["shots"], fps, lines, effects, score,
                       target_lufs=float(loud["target"]),
                       true_peak_db=float(loud["true_peak"]), duck_db=float(loud["duck"]))
    outputs = {"mix": write_wav(workdir / "mix.wav", result.mix)}
    for stem, pcm in result.stems.items():
        outputs[stem] = write_wav(workdir / f"{stem}.wav", pcm)
    outputs["placed"] = write_cues(workdir / "placed.json",
                                   {"fps": fps, "rate": RATE, "placed": result.placed})
    progress(1, 1)
    levels: dict[str, Any] = {"target_lufs": float(loud["target"]),
                              "gain_db": round(result.gain_db, 2)}
    if result.levels is not None:  # silence measures -inf: recorded as no level
        levels.update({k: round(v, 2) if np.isfinite(v) else None for k, v in (
            ("loudness_lufs", result.levels.loudness),
            ("true_peak_dbtp", result.levels.true_peak))})
    trained = any(b not in ALGORITHMIC_VOICES for b in p.get("voices", []))
    return StepResult(outputs, {
        "digital_source_type": COMPOSITE_TRAINED if trained else COMPOSITE_SYNTHETIC,
        "levels": levels, "lines": len(lines),
                                "effects": sum(len(e.cues) for e in effects),
                                "seconds": round(result.mix.shape[1] / RATE, 3)})
