"""``backends.toml``: which generative backends a production may use, and their models.

Kept beside ``aktion.toml`` (whose tables are the production format's) because it
names machine-local things: model folders, server URLs. Relative paths resolve
against the production folder. A backend with no table here is not offered to
the router for generative steps: a model it cannot find is no model at all.

    [diffusers.keyframe]
    model = "models/sd"            # a StableDiffusion pipeline folder (save_pretrained)
    controlnet = "models/cn-depth" # a ControlNetModel folder
    ip_adapter = "models/ip"       # ip_adapter.safetensors + image_encoder/
    [diffusers.motion]
    model = "models/wan-vace"      # a WanVACEPipeline folder
    max_frames = 17

    [comfyui]
    url = "http://127.0.0.1:8188"
    workflows = "workflows"        # keyframe.json, motion.json ... (API format)

    [route]
    final = ["diffusers", "comfyui"]   # preference order per policy (optional)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BACKENDS_FILE = "backends.toml"


class ConfigError(ValueError):
    """backends.toml is unreadable or names something that is not there."""


@dataclass(frozen=True)
class BackendContext:
    """What a backend needs beyond the request: its config table and the production folder."""

    root: Path
    cast_dir: Path
    config: dict[str, Any] = field(default_factory=dict)

    def path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.root / p)


def load_backends_config(root: Path) -> dict[str, Any]:
    path = Path(root) / BACKENDS_FILE
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None
