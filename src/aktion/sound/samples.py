"""The production's own sounds: a file in its samples folder named like a sound
(``impact_head.wav``, ``footstep.flac``) replaces that sound everywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aktion.production.digest import digest_file

from .synth import SOUNDS

EXTENSIONS = (".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a", ".aiff", ".aif")


def find_samples(root: Path, folder: str) -> dict[str, dict[str, str]]:
    """name -> {file (relative to the production), digest} for every overriding sample."""
    base = root / folder
    if not base.is_dir():
        return {}
    found: dict[str, dict[str, str]] = {}
    for path in sorted(base.iterdir()):
        if path.is_file() and path.suffix.lower() in EXTENSIONS and path.stem in SOUNDS:
            found.setdefault(path.stem, {"file": path.relative_to(root).as_posix(),
                                         "digest": digest_file(path)})
    return found


def load_sample(path: Path) -> np.ndarray:
    """A sample as mono float32 at the mix's rate, its loudest peak at 0.9."""
    from .score import decode  # PyAV only when a sample is read

    pcm = decode(path).mean(axis=0)
    peak = float(np.max(np.abs(pcm))) if pcm.size else 0.0
    return (pcm / peak * 0.9 if peak > 0 else pcm).astype(np.float32)
