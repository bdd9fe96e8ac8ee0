"""A local neural voice: a Piper-style VITS model in ONNX, from voice files you supply.

A voice names its model with ``id`` (``voices/kade.onnx``, relative to the production;
its config ``voices/kade.onnx.json`` beside it, as Piper voices ship). The line is
read into IPA by the embedded eSpeak NG, mapped to the model's phoneme ids
(``phoneme_id_map``: ``^`` starts, ``_`` pads each phoneme, ``$`` ends) and run with
ONNX Runtime on the CPU. Configure it in ``backends.toml``:

    [piper]
    # no settings needed; a voice picks it with `backend: piper`, or it says every
    # line of a draft or final render whose voice names no backend

Nothing is downloaded: voices are files the user puts in the production.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from aktion.production.digest import digest_file
from aktion.production.voice import Voice
from aktion.sound import RATE
from aktion.sound.delivery import delivery
from aktion.sound.espeak_ng import EspeakError, ipa
from aktion.sound.wav import resample, write_wav

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult
from .espeak import trimmed

_SESSIONS: dict[str, Any] = {}
_LOCK = threading.Lock()


def voice_files(root: Path, voice_id: str) -> tuple[Path, Path]:
    """The model and its config, inside the production; BackendError when either is missing."""
    model = (root / voice_id).resolve()
    config = model.with_name(model.name + ".json")
    if not model.is_relative_to(root.resolve()):
        raise BackendError(f"piper: voice `{voice_id}` is outside the production")
    for path in (model, config):
        if not path.is_file():
            raise BackendError(f"piper: voice file {path.relative_to(root.resolve())} not found")
    return model, config


def phoneme_ids(phonemes: str, id_map: dict[str, list[int]]) -> list[int]:
    """Piper's ids: ``^``, then each phoneme followed by the pad ``_``, then ``$``."""
    pad = id_map.get("_", [0])
    ids = [*id_map.get("^", []), *pad]
    for ch in phonemes:
        if ch in id_map:
            ids += [*id_map[ch], *pad]
    return ids + id_map.get("$", [])


def _session(model: Path):
    import onnxruntime

    key = f"{model}:{digest_file(model)}"
    with _LOCK:
        if key not in _SESSIONS:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            _SESSIONS[key] = onnxruntime.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"])
        return _SESSIONS[key]


def say(root: Path, text: str, voice: Voice, hint: str = "") -> tuple[np.ndarray, dict]:
    """A line in a Piper voice, mono float32 at the mix's rate, and what was used."""
    model, config_path = voice_files(root, voice.id)
    config = json.loads(config_path.read_text(encoding="utf-8"))
    language = (config.get("espeak") or {}).get("voice", "en-us")
    try:
        phonemes = ipa(text, language)
    except EspeakError as e:
        raise BackendError(f"piper: {e}") from None
    ids = phoneme_ids(phonemes, config.get("phoneme_id_map") or {})
    inference = config.get("inference") or {}
    scales = np.array([inference.get("noise_scale", 0.667),
                       inference.get("length_scale", 1.0) / (voice.rate * delivery(hint).rate),
                       inference.get("noise_w", 0.8)], np.float32)
    session = _session(model)
    feed = {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64),
            "scales": scales}
    names = {i.name for i in session.get_inputs()}
    if "sid" in names:
        feed["sid"] = np.array([int(voice.seed)], np.int64)
    audio = np.asarray(session.run(None, {k: v for k, v in feed.items() if k in names})[0])
    rate = int((config.get("audio") or {}).get("sample_rate", 22050))
    pcm = trimmed(resample(audio.reshape(-1).astype(np.float64), rate, RATE))
    return pcm.astype(np.float32), {"phonemes": phonemes, "ids": len(ids), "engine_rate": rate,
                                    "model_sha256": digest_file(model)}


class PiperBackend:
    """Says dialogue with a user-supplied ONNX voice, on the CPU."""

    id: ClassVar[str] = "piper"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"dialogue"}), deterministic=False, device="cpu", cost="free",
        speed="medium")

    @staticmethod
    def takes_voice(voice_id: str, root: Path) -> bool:
        """Whether a voice is a Piper voice: its id names a model and config that exist."""
        try:
            voice_files(Path(root), voice_id)
        except BackendError:
            return False
        return bool(voice_id)

    def __init__(self) -> None:
        self.root: Path | None = None

    def configure(self, context) -> None:
        self.root = Path(context.root)

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        if request.kind != "dialogue":
            raise BackendError(f"piper does not do `{request.kind}` steps (it does dialogue)")
        if self.root is None:
            raise BackendError("piper: not configured (a [piper] table in backends.toml)")
        p = request.params
        voice = Voice.model_validate(p.get("voice") or {})
        pcm, used = say(self.root, str(p["text"]), voice, str(p.get("delivery") or ""))
        if not pcm.size:
            raise BackendError(f"piper: the line `{p['text']}` came out silent")
        out = write_wav(Path(workdir) / "line.wav", pcm)
        progress(1, 1)
        return StepResult({"voice": out}, {"model_id": f"piper {voice.id}",
                                           "digital_source_type": "trainedAlgorithmicMedia",
                                           "seconds": round(pcm.size / RATE, 4),
                                           "who": p.get("who"), **used})
