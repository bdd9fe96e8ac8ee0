"""eSpeak NG from the ``espeakng-loader`` wheel (library and data inside it), via ctypes.

eSpeak keeps state from one utterance to the next (its pitch flutter and noise
generators), so the same line said twice in one process does not come out the
same. Each utterance is therefore said by a fresh process (``python -m
aktion.sound.espeak_ng``): the first utterance after start-up is the same byte for
byte on every run, and the library never shares a process with render threads.
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the worker process must start fast: no numpy there
    import numpy as np

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
RATE_PARAM, VOLUME_PARAM, PITCH_PARAM, RANGE_PARAM = 1, 2, 3, 4
POS_CHARACTER, CHARS_UTF8 = 1, 1
IPA_MODE = 0x02  # espeak_TextToPhonemes: phonemes as IPA (UTF-8)
TIMEOUT_S = 60


class EspeakError(RuntimeError):
    """eSpeak NG is missing, refused a setting, or failed; the message says which."""


@dataclass(frozen=True)
class Utterance:
    """One line for eSpeak: its text and eSpeak's own settings."""

    text: str
    voice: str = "en-us"  # language[+variant]
    wpm: int = 175  # eSpeak: 80..450
    pitch: int = 50  # eSpeak: 0..100
    range: int = 50  # pitch range, 0..100 (0 monotone)
    volume: int = 100  # eSpeak: 0..200
    seed: int = 0  # breathy variants (f2, whisper) draw noise from a generator


def data_path() -> Path:
    try:
        import espeakng_loader
    except ImportError:
        raise EspeakError("eSpeak NG is not installed: pip install espeakng-loader") from None
    return Path(espeakng_loader.get_data_path())


def library_path() -> Path:
    import espeakng_loader

    return Path(espeakng_loader.get_library_path())


@lru_cache(maxsize=1)
def variants() -> tuple[str, ...]:
    """The voice variants the wheel's data has (``m3``, ``f2``, ``whisper``, ...)."""
    folder = data_path() / "voices" / "!v"
    return tuple(sorted(p.name for p in folder.iterdir() if p.is_file()))


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """The languages (voice names) eSpeak NG has data for: ``en``, ``en-us``, ``fr``..."""
    names = set()
    for p in (data_path() / "lang").rglob("*"):
        if p.is_file():
            names.add(p.name.lower())
    return tuple(sorted(names))


def check_voice(voice: str) -> str | None:
    """What is wrong with an eSpeak voice name (``en-us+m3``), or None."""
    lang, _, variant = voice.partition("+")
    if lang.lower() not in languages():
        near = [n for n in languages() if n.split("-")[0] == lang.lower().split("-")[0]][:6]
        return f"no eSpeak NG language `{lang}`" + (f" (try {', '.join(near)})" if near else "")
    if variant and variant not in variants():
        return f"no eSpeak NG variant `{variant}` (one of {', '.join(variants()[:12])}, ...)"
    return None


def say(utterance: Utterance) -> tuple[np.ndarray, int]:
    """The utterance as int16 mono samples and their rate, from a fresh eSpeak process."""
    import numpy as np

    problem = check_voice(utterance.voice)
    if problem:
        raise EspeakError(problem)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "aktion.sound.espeak_ng"],
            input=json.dumps(asdict(utterance)).encode(), capture_output=True,
            timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise EspeakError(f"eSpeak NG took over {TIMEOUT_S} s on one line") from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise EspeakError(f"eSpeak NG failed: {why[-1] if why else done.returncode}")
    rate = int.from_bytes(done.stdout[:4], "little")
    return np.frombuffer(done.stdout[4:], "<i2").copy(), rate


def ipa(text: str, language: str = "en-us") -> str:
    """The line's phonemes in IPA, clause by clause (what Piper-style voices read)."""
    problem = check_voice(language)
    if problem:
        raise EspeakError(problem)
    done = subprocess.run(
        [sys.executable, "-m", "aktion.sound.espeak_ng"],
        input=json.dumps({"ipa": True, "text": text, "voice": language}).encode(),
        capture_output=True, timeout=TIMEOUT_S, check=False)
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise EspeakError(f"eSpeak NG failed: {why[-1] if why else done.returncode}")
    return done.stdout.decode("utf-8")


def _library():
    lib = ctypes.CDLL(str(library_path()))
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    return lib


def _phonemise(text: str, voice: str) -> str:
    """In this process: IPA for ``text``, clauses joined by a space."""
    lib = _library()
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                          ctypes.c_int]
    lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data_path()).encode(),
                          INITIALIZE_DONT_EXIT)
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        raise EspeakError(f"eSpeak NG has no voice `{voice}`")
    buf = ctypes.c_char_p(text.encode("utf-8"))
    pointer = ctypes.pointer(buf)
    clauses = []
    while pointer.contents.value:
        out = lib.espeak_TextToPhonemes(pointer, CHARS_UTF8, IPA_MODE)
        if out:
            clauses.append(out.decode("utf-8").strip())
    return " ".join(c for c in clauses if c)


def _synthesise(u: Utterance) -> tuple[bytes, int]:
    """In this (fresh) process: load the library, say one utterance, return PCM bytes."""
    lib = _library()
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data_path()).encode(),
                                 INITIALIZE_DONT_EXIT)
    if rate <= 0:
        raise EspeakError(f"eSpeak NG did not start (data at {data_path()})")
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short),
                                     ctypes.c_int, ctypes.c_void_p)

    def collect(wav, n, _events):
        if n > 0:
            chunks.append(ctypes.string_at(wav, n * 2))
        return 0

    callback = callback_type(collect)
    lib.espeak_SetSynthCallback(callback)
    if lib.espeak_SetVoiceByName(u.voice.encode()) != 0:
        raise EspeakError(f"eSpeak NG has no voice `{u.voice}`")
    for param, value in ((RATE_PARAM, u.wpm), (PITCH_PARAM, u.pitch), (RANGE_PARAM, u.range),
                         (VOLUME_PARAM, u.volume)):
        lib.espeak_SetParameter(param, int(value), 0)
    text = u.text.encode("utf-8")
    ctypes.CDLL(None).srand(ctypes.c_uint(u.seed % 2**32))
    if hasattr(lib, "espeak_ng_SetRandSeed"):  # breath noise: seeded from the clock otherwise
        lib.espeak_ng_SetRandSeed(ctypes.c_long(u.seed))
    if lib.espeak_Synth(text, len(text) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, None, None) != 0:
        raise EspeakError("eSpeak NG could not say the line")
    lib.espeak_Synchronize()
    return b"".join(chunks), rate


def main() -> None:
    job = json.loads(sys.stdin.buffer.read())
    if job.pop("ipa", False):
        sys.stdout.buffer.write(_phonemise(job["text"], job["voice"]).encode("utf-8"))
        return
    u = Utterance(**job)
    pcm, rate = _synthesise(u)
    sys.stdout.buffer.write(rate.to_bytes(4, "little") + pcm)


if __name__ == "__main__":
    main()
