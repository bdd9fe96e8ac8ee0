"""The embedded voice: eSpeak NG from a wheel, on the CPU, deterministic, no download.

It says a ``dialogue`` step's line in the speaker's locked voice: the voice's
eSpeak NG name (``en-us+m3``), pitch (semitones) and rate, with the line's
parenthetical as a delivery hint (``aktion.sound.delivery``). The line is written
trimmed of leading silence, so it starts on the frame it is placed on.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from aktion.production.voice import Voice
from aktion.sound import RATE
from aktion.sound.delivery import delivery
from aktion.sound.espeak_ng import EspeakError, Utterance, say
from aktion.sound.wav import resample, write_wav

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult

BASE_WPM = 175  # eSpeak NG's own pace
SEMITONE = 4  # eSpeak pitch units per semitone, about, around its default of 50
ONSET = 10 ** (-50 / 20)  # a line starts at its first sample above -50 dBFS
TAIL_S = 0.05


def utterance(text: str, voice: Voice, hint: str = "") -> Utterance:
    """eSpeak's settings for a line: the voice's, moved by the delivery hint."""
    d = delivery(hint)
    name = voice.id or "en-us"
    if d.whisper:
        name = f"{name.partition('+')[0]}+whisper"
    wpm = round(np.clip(BASE_WPM * voice.rate * d.rate, 80, 450))
    pitch = round(np.clip(50 + SEMITONE * (voice.pitch + d.pitch), 0, 100))
    return Utterance(text, name, wpm, pitch, d.range, 100, voice.seed)


def trimmed(pcm: np.ndarray) -> np.ndarray:
    """The line from its first audible sample to a short tail after its last."""
    loud = np.nonzero(np.abs(pcm) > ONSET)[0]
    if not len(loud):
        return pcm[:0]
    return pcm[loud[0]:min(pcm.size, loud[-1] + int(TAIL_S * RATE))]


def speak(text: str, voice: Voice, hint: str = "") -> tuple[np.ndarray, dict[str, Any]]:
    """A line as mono float32 at the mix's rate, and what was used to say it."""
    u = utterance(text, voice, hint)
    try:
        raw, rate = say(u)
    except EspeakError as e:
        raise BackendError(f"espeak: {e}") from None
    pcm = trimmed(resample(raw.astype(np.float64) / 32768.0, rate, RATE))
    return pcm.astype(np.float32), {"voice": u.voice, "wpm": u.wpm, "pitch": u.pitch,
                                    "range": u.range, "engine_rate": rate}


def engine_version() -> str:
    try:
        return version("espeakng-loader")
    except PackageNotFoundError:
        return "missing"


class EspeakBackend:
    """Says dialogue lines with eSpeak NG: robotic, but in sync, locked and everywhere."""

    id: ClassVar[str] = "espeak"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"dialogue"}), deterministic=True, device="cpu", cost="free",
        speed="fast")

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        if request.kind != "dialogue":
            raise BackendError(f"espeak does not do `{request.kind}` steps (it does dialogue)")
        p = request.params
        voice = Voice.model_validate(p.get("voice") or {})
        pcm, used = speak(str(p["text"]), voice, str(p.get("delivery") or ""))
        if not pcm.size:
            raise BackendError(f"espeak: the line `{p['text']}` came out silent")
        out = write_wav(Path(workdir) / "line.wav", pcm)
        progress(1, 1)
        return StepResult({"voice": out}, {
            "model_id": f"eSpeak NG (espeakng-loader {engine_version()})",
            "digital_source_type": "algorithmicMedia",  # formant synthesis, no trained model
            "seconds": round(pcm.size / RATE, 4), "who": p.get("who"), **used})
