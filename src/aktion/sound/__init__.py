"""Sound: dialogue in the cast's voices, effects on the beats, a score, one mix per scene.

Everything here works on float32 sample arrays at one rate (``RATE``) and writes
24-bit PCM WAV, so every step's output is deterministic byte for byte.
"""

RATE = 48000
