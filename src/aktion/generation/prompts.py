"""Prompts from the director's decisions: script lines, locked cast, and the board.

A prompt is derived, never written by hand, so it changes exactly when its
sources change (and so does the step's content key).
"""

from __future__ import annotations

from typing import Any

SIZES = {"EWS": "extreme wide shot", "WS": "wide shot", "FS": "full shot",
         "MS": "medium shot", "MCU": "medium close-up", "CU": "close-up",
         "ECU": "extreme close-up", "INSERT": "insert shot"}
NEGATIVE = "blurry, deformed hands, extra limbs, text, watermark, low quality"


def character_phrase(char: dict[str, Any]) -> str:
    bits = [char.get("name", char.get("id", "")), char.get("look", ""),
            char.get("wardrobe", "")]
    return ", ".join(b.strip().rstrip(".") for b in bits if b and b.strip())


def shot_prompt(request: dict[str, Any]) -> str:
    """One prompt for a shot's keyframe and clip: framing, action, then each character."""
    shot = request.get("shot", {})
    parts = [(f"{SIZES.get(shot.get('size', 'MS'), 'shot')}, {shot.get('angle', 'eye')} angle, "
             f"{int(shot.get('lens', 35))}mm lens")]
    text = " ".join(request.get("script", {}).get("text", "").split())
    if text:
        parts.append(text[:400])
    for char in request.get("cast", {}).values():
        parts.append(character_phrase(char))
    parts.append("cinematic action film still")
    return ". ".join(p for p in parts if p)
