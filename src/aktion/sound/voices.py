"""Which voice says a line: the cast file's ``voice``, or a default made from the character.

A character with no voice still sounds like themselves in every scene: the default
is derived from their file (pronouns in the description pick a male or female
eSpeak NG variant, the id picks which, height lowers the pitch), so it is stable
until the director sets a voice with ``aktion cast voice``.
"""

from __future__ import annotations

import hashlib
import re

from aktion.production.cast import Character
from aktion.production.voice import Voice

MALE = ("m1", "m2", "m3", "m4", "m5", "m6", "m7")
FEMALE = ("f1", "f4", "steph", "anika", "linda", "belinda")  # no breath noise: steadier
NEUTRAL = ("m3", "f4", "Andy", "Annie")
_HE = re.compile(r"\b(he|him|his|himself|man|boy)\b", re.IGNORECASE)
_SHE = re.compile(r"\b(she|her|hers|herself|woman|girl)\b", re.IGNORECASE)


def _pick(options: tuple[str, ...], key: str) -> str:
    return options[int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big")
                   % len(options)]


def default_voice(character: Character | None, name: str) -> Voice:
    """The voice a character has until one is set: stable, and told apart from others."""
    text = " ".join([character.description, character.look] if character else [])
    he, she = len(_HE.findall(text)), len(_SHE.findall(text))
    options = MALE if he > she else FEMALE if she > he else NEUTRAL
    key = character.id if character else name
    pitch = 0.0
    if character is not None:  # taller speaks lower: about a semitone per 6 cm from 1.75 m
        pitch = max(-6.0, min(6.0, round((1.75 - character.build.height) / 0.06, 1)))
    return Voice(backend=None, id=f"en-us+{_pick(options, key)}", pitch=pitch)


def voice_of(character: Character | None, name: str) -> tuple[Voice, bool]:
    """The character's voice and whether it was set (False: the default)."""
    if character is not None and character.voice is not None:
        return character.voice, True
    return default_voice(character, name), False
