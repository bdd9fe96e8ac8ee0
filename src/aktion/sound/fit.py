"""How long a line takes to say, before it is rendered: syllables at the voice's pace.

eSpeak NG says about four syllables a second at its own pace; a neural voice is
close to that. The estimate is what ``aktion check --craft`` weighs a line against
the room its board gives it.
"""

from __future__ import annotations

import re

from aktion.production.voice import Voice

from .delivery import delivery

SYLLABLES_PER_S = 3.9
TAIL_S = 0.15
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(text: str) -> int:
    """Vowel groups per word (a silent final e dropped), at least one per word."""
    count = 0
    for word in re.findall(r"[a-z']+|\d+", text.lower()):
        if word.isdigit():
            count += 2 * len(word)
            continue
        groups = len(_VOWELS.findall(word))
        if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
            groups -= 1
        count += max(1, groups)
    return count


def spoken_seconds(text: str, voice: Voice, hint: str = "") -> float:
    """About how long ``text`` takes in ``voice`` with the delivery ``hint``."""
    pace = SYLLABLES_PER_S * voice.rate * delivery(hint).rate
    return syllables(text) / pace + TAIL_S
