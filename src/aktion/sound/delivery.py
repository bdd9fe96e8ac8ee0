"""A parenthetical as a delivery hint: ``(shouting)`` louder and higher, ``(whispers)``
breathy, ``(quietly)`` softer. Neural and hosted voices get the words themselves too."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Delivery:
    hint: str = ""  # the parenthetical as written, without brackets
    gain_db: float = 0.0
    rate: float = 1.0  # multiplies the voice's pace
    pitch: float = 0.0  # semitones added to the voice's
    range: int = 50  # eSpeak's pitch range: 0 flat .. 100 lively
    whisper: bool = False


# First match wins: (words, gain dB, rate, pitch st, range, whisper)
_RULES: list[tuple[str, float, float, float, int, bool]] = [
    (r"whisper", -6.0, 0.95, 0.0, 40, True),
    (r"shout|yell|scream|roar|bellow", 6.0, 1.1, 3.0, 80, False),
    (r"angr|furious|snarl|spit", 3.0, 1.05, 1.0, 70, False),
    (r"quiet|soft|under (his|her|their) breath|murmur|mutter", -5.0, 0.95, -1.0, 35, False),
    (r"slow|deliberate|measured|rolling", 0.0, 0.85, -0.5, 45, False),
    (r"fast|quick|rapid|hurried|breathless", 0.0, 1.2, 0.5, 55, False),
    (r"tired|weak|winded|groan|hurt|pain", -3.0, 0.85, -1.5, 30, False),
    (r"calm|flat|cold|dead ?pan", 0.0, 0.95, -1.0, 25, False),
]


def delivery(parenthetical: str | None) -> Delivery:
    """The delivery a parenthetical asks for; a neutral one for none or an unknown hint."""
    hint = (parenthetical or "").strip().strip("()").strip()
    low = hint.lower()
    for words, gain, rate, pitch, rng, whisper in _RULES:
        if re.search(words, low):
            return Delivery(hint, gain, rate, pitch, rng, whisper)
    return Delivery(hint)
